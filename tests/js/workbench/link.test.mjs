// The layout a link opens (static/workbench/link.js over core/url.js): a link copied opens
// the same panels, an old link what it showed, a broken one the default and a reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatQuery, parseQuery } from '../../../static/core/url.js';
import { DEFAULT_LAYOUT, builtin } from '../../../static/workbench/builtins.js';
import { layoutFromQuery, layoutParam } from '../../../static/workbench/link.js';
import { parseLayout } from '../../../static/workbench/layout.js';

const selection = [{ topic: 't', partitions: null }];
const opened = (search) => layoutFromQuery(parseQuery(search));

test('a link written with a layout opens that layout', () => {
  const mine = parseLayout({ version: 1, name: 'Écurie 東', panels: [{ kind: 'xy', x: 'g_lat', y: 'g_long', circle: true }, { kind: 'histogram', channel: 'speed_kph' }] }).layout;
  const link = formatQuery({ selection, car: '7', layout: layoutParam(mine) });
  assert.deepEqual(opened(link), { layout: mine, error: null });
  assert.deepEqual(opened(formatQuery({ selection, layout: layoutParam(builtin('Kafka')) })).layout, builtin('Kafka'));
});

test('the default layout is left out of the link, and a link without one opens it', () => {
  assert.equal(layoutParam(DEFAULT_LAYOUT), null);
  assert.equal(layoutParam({ ...DEFAULT_LAYOUT, name: 'Renamed' }), null, 'the same panels under another name');
  assert.equal(formatQuery({ selection, layout: layoutParam(DEFAULT_LAYOUT) }), '?topic=t');
  assert.deepEqual(opened('?topic=t'), { layout: DEFAULT_LAYOUT, error: null });
});

test('a layout= that does not read opens the default layout and says why', () => {
  const bad = Buffer.from('{"version":1,"panels":[{"kind":"pie"}]}').toString('base64url');
  const r = opened(`?topic=t&layout=${bad}`);
  assert.deepEqual(r.layout, DEFAULT_LAYOUT);
  assert.match(r.error, /^The link's layout does not read: panel 1: unknown kind "pie"/);
  assert.equal(opened('?topic=t&layout=%%%').error, "The link's layout does not read: layout= is not base64url");
});

test('an old link with strip= or axis=distance opens what it showed', () => {
  const r = opened('?topic=t&strip=car:gear&axis=distance');
  assert.equal(r.error, null);
  assert.deepEqual(r.layout.panels.map((p) => p.kind), ['distance', 'tower', 'map', 'tires', 'delta', 'kafka']);
  assert.deepEqual(r.layout.panels[0].channels, ['gear']);
});
