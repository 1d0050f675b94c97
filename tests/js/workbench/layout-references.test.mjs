// A layout's reference laps (docs/layouts.md, `references`; workbench/layout-references.js):
// kept through every edit, written back as read, carried by the link, refused with a reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatQuery, parseQuery } from '../../../static/core/url.js';
import { DEFAULT_LAYOUT } from '../../../static/workbench/builtins.js';
import { formatLayout, fromParam, layoutText, parseLayout, replacePanel, toParam, withReferences } from '../../../static/workbench/layout.js';
import { MAX_REFERENCES } from '../../../static/workbench/layout-references.js';
import { layoutFromQuery, layoutParam } from '../../../static/workbench/link.js';

const panels = [{ kind: 'distance', channels: ['speed_kph'] }, { kind: 'delta' }];
const quali = { topic: 'quali-sat', car: '7', lap: 12, delta: true };
const teammate = { topic: 'race.2026-11-30', car: 'A1', lap: 3 };
const refusal = (references) => {
  const r = parseLayout({ version: 1, panels, references });
  assert.equal(r.ok, false, `expected a refusal of ${JSON.stringify(references)}`);
  return r.error;
};

test('references are read, written back as written, and survive a link and an edit', () => {
  const r = parseLayout({ version: 1, panels, references: [quali, { ...teammate, delta: false }] });
  assert.equal(r.ok, true, r.error);
  assert.deepEqual(r.layout.references, [quali, teammate], '"delta": false is the default, left out');
  assert.deepEqual(formatLayout(r.layout).references, [quali, teammate]);
  assert.equal(layoutText(r.layout), JSON.stringify({ version: 1, panels: formatLayout(r.layout).panels, references: [quali, teammate] }));
  assert.deepEqual(fromParam(toParam(r.layout)), { ok: true, layout: r.layout });
  const edited = replacePanel(r.layout, 0, { kind: 'distance', channels: ['rpm'] });
  assert.deepEqual(edited.layout.references, [quali, teammate], 'a panel edited keeps the references');
});

test('no references is no field, and an empty list reads as none', () => {
  const r = parseLayout({ version: 1, panels, references: [] });
  assert.equal(r.ok, true);
  assert.equal('references' in r.layout, false);
  assert.equal('references' in formatLayout(r.layout), false);
  assert.equal(withReferences(r.layout, [teammate]).layout.references[0].car, 'A1');
});

test('the default panels with a reference are kept in the link, and the link opens them again', () => {
  const pinned = withReferences(DEFAULT_LAYOUT, [quali]).layout;
  const param = layoutParam(pinned);
  assert.notEqual(param, null);
  const link = formatQuery({ selection: [{ topic: 't', partitions: null }], layout: param });
  assert.deepEqual(layoutFromQuery(parseQuery(link)), { layout: pinned, error: null });
  assert.equal(layoutParam(withReferences(pinned, []).layout), null, 'unpinned again: the plain default');
});

test('references that do not read are refused with the reason', () => {
  const five = Array.from({ length: MAX_REFERENCES + 1 }, (_, i) => ({ ...teammate, lap: i + 1 }));
  assert.equal(refusal(five), '"references" must be a list of 0 to 4 laps ({"topic", "car", "lap"})');
  assert.equal(refusal({ topic: 't' }), '"references" must be a list of 0 to 4 laps ({"topic", "car", "lap"})');
  assert.equal(refusal(['t']), 'reference 1: a reference is an object {"topic", "car", "lap"}');
  assert.equal(refusal([{ ...teammate, driver: 'Ada' }]), 'reference 1: unknown field "driver" (topic, car, lap, delta)');
  assert.match(refusal([{ ...teammate, topic: 'a topic' }]), /^reference 1: "topic" must be a topic's name/);
  assert.match(refusal([{ ...teammate, topic: 'x'.repeat(250) }]), /^reference 1: "topic" must be a topic's name/);
  assert.equal(refusal([{ ...teammate, car: '' }]), 'reference 1: "car" must be 1 to 64 characters');
  assert.equal(refusal([{ ...teammate, car: 7 }]), 'reference 1: "car" must be 1 to 64 characters');
  assert.equal(refusal([{ ...teammate, lap: 0 }]), 'reference 1: "lap" must be an integer from 1 to 100000');
  assert.equal(refusal([{ ...teammate, lap: 2.5 }]), 'reference 1: "lap" must be an integer from 1 to 100000');
  assert.equal(refusal([{ ...teammate, delta: 'yes' }]), 'reference 1: "delta" must be true or false');
  assert.equal(refusal([quali, { ...teammate, delta: true }]), 'reference 2: only one reference is the delta\'s ("delta": true)');
  assert.equal(refusal([teammate, teammate]), 'reference 2: lap 3 of car "A1" in "race.2026-11-30" is pinned twice');
});
