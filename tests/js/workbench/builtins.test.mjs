// The built-in layouts and links made before layouts (static/workbench/builtins.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTINS, DEFAULT_LAYOUT, builtin, defaultLayout, fromLegacy } from '../../../static/workbench/builtins.js';
import { formatLayout, parseLayout } from '../../../static/workbench/layout.js';
import { parseQuery } from '../../../static/core/url.js';

const describePanels = (layout) => layout.panels.map((p) => [p.kind, ...(p.channels ?? []), p.cars].filter(Boolean).join(' '));

test('the three built-ins read by the codec, as written, and the first is the default', () => {
  assert.deepEqual(BUILTINS.map((l) => l.name), ['Race engineer', 'Driver coach', 'Kafka']);
  for (const l of BUILTINS) assert.deepEqual(parseLayout(JSON.stringify(formatLayout(l))), { ok: true, layout: l }, l.name);
  assert.equal(DEFAULT_LAYOUT, BUILTINS[0]);
});

test('Race engineer is today’s page: the five strips, then tower, map, tires, delta and Kafka', () => {
  assert.deepEqual(describePanels(DEFAULT_LAYOUT), [
    'time speed_kph all', 'time throttle brake focus', 'time gear focus', 'time rpm all',
    'time tire_temp_c.fl tire_temp_c.fr tire_temp_c.rl tire_temp_c.rr focus',
    'tower', 'map', 'tires', 'delta', 'kafka',
  ]);
});

test('Driver coach and Kafka hold what docs/layouts.md says', () => {
  assert.deepEqual(describePanels(builtin('Driver coach')), ['distance speed_kph', 'distance throttle brake', 'delta', 'xy focus', 'histogram focus']);
  const gg = builtin('Driver coach').panels[3];
  assert.deepEqual([gg.x, gg.y, gg.circle], ['g_lat', 'g_long', true]);
  assert.deepEqual(describePanels(builtin('Kafka')), ['kafka', 'timeline', 'time speed_kph all']);
  assert.equal(builtin('Nope'), null);
});

/**
 * Where CSS grid puts each panel on 12 columns: a panel with `col` and `row` there; the others
 * (dense auto-placement) in the first place they fit, rows top to bottom, columns left to right.
 */
function place(layout, columns = 12) {
  const taken = [];
  const free = (r, c, w, h) => {
    for (let y = r; y < r + h; y++) for (let x = c; x < c + w; x++) if (taken[y]?.[x]) return false;
    return true;
  };
  const take = (p, r, c, w) => {
    for (let y = r; y < r + p.grid.h; y++) for (let x = c; x < c + w; x++) (taken[y] ??= [])[x] = true;
    return { kind: p.kind, row: r, col: c, w, h: p.grid.h };
  };
  const placed = layout.panels.filter((p) => p.grid.col && p.grid.row).map((p) => {
    assert.ok(free(p.grid.row - 1, p.grid.col - 1, p.grid.w, p.grid.h), `${layout.name}: ${p.kind} overlaps another panel`);
    return take(p, p.grid.row - 1, p.grid.col - 1, p.grid.w);
  });
  for (const p of layout.panels.filter((q) => !(q.grid.col && q.grid.row))) {
    const w = Math.min(p.grid.w, columns);
    search: for (let r = 0; ; r++) {
      for (let c = 0; c + w <= columns; c++) {
        if (free(r, c, w, p.grid.h)) {
          placed.push(take(p, r, c, w));
          break search;
        }
      }
    }
  }
  return placed;
}

test('at 1280 px every built-in is whole: strips 3 rows at least, tower 7 columns, Kafka the full width, no holes', () => {
  for (const l of BUILTINS) {
    const placed = place(l);
    for (const p of placed) {
      if (p.kind === 'time' || p.kind === 'distance') assert.ok(p.h >= 3, `${l.name}: a strip of ${p.h} rows`);
      if (p.kind === 'tower') assert.ok(p.w >= 7, `${l.name}: the tower is ${p.w} columns`);
      if (p.kind === 'kafka' || p.kind === 'timeline') assert.equal(p.w, 12, `${l.name}: ${p.kind}`);
    }
    const rows = Math.max(...placed.map((p) => p.row + p.h));
    const cells = placed.reduce((n, p) => n + p.w * p.h, 0);
    assert.equal(cells, rows * 12, `${l.name}: the panels fill ${rows} rows without a hole`);
  }
});

test('the default layout handed out is a copy: editing it leaves the built-in alone', () => {
  const mine = defaultLayout();
  mine.panels[0].channels.push('rpm');
  assert.deepEqual(DEFAULT_LAYOUT.panels[0].channels, ['speed_kph']);
});

test('Race engineer has its strips one under another on the left, the tower, map, tires and delta on the right', () => {
  const at = place(DEFAULT_LAYOUT).map((p) => `${p.kind}@${p.col},${p.row} ${p.w}x${p.h}`);
  assert.deepEqual(at, [
    'time@0,0 5x4', 'time@0,4 5x4', 'time@0,8 5x4', 'time@0,12 5x4', 'time@0,16 5x4',
    'tower@5,0 7x11', 'map@5,11 4x6', 'tires@9,11 3x6', 'delta@5,17 7x3', 'kafka@0,20 12x5',
  ]);
});

test('a link with strip= opens its strips as time panels beside the default’s other panels', () => {
  const { strips, axis } = parseQuery('?topic=t&strip=all:brake_temp_c.fl,brake_temp_c.fr&strip=car:gear');
  const layout = fromLegacy({ strips, axis });
  assert.deepEqual(describePanels(layout), [
    'time brake_temp_c.fl brake_temp_c.fr all', 'time gear focus', 'tower', 'map', 'tires', 'delta', 'kafka',
  ]);
  assert.equal(layout.panels[0].grid.h, 4);
  assert.equal(parseLayout(layout).ok, true);
  assert.equal(place(layout).find((p) => p.kind === 'kafka').row, 20, 'under the right-hand side, the taller');
  const many = fromLegacy({ strips: Array.from({ length: 12 }, (_, i) => ({ channels: [`c${i}`], cars: 'all' })), axis: 'time' });
  assert.equal(place(many).find((p) => p.kind === 'kafka').row, 48, 'under twelve strips, the taller');
});

test('a link with axis=distance opens distance panels and the delta; without strip= the default strips', () => {
  const withStrips = fromLegacy(parseQuery('?topic=t&axis=distance&strip=all:speed_kph&strip=car:throttle,brake'));
  assert.deepEqual(describePanels(withStrips), ['distance speed_kph', 'distance throttle brake', 'tower', 'map', 'tires', 'delta', 'kafka']);
  const without = fromLegacy(parseQuery('?topic=t&axis=distance'));
  assert.deepEqual(without.panels.filter((p) => p.kind === 'distance').map((p) => p.channels.join('+')),
    ['speed_kph', 'throttle+brake', 'gear', 'rpm', 'tire_temp_c.fl+tire_temp_c.fr+tire_temp_c.rl+tire_temp_c.rr']);
  assert.equal(without.panels.filter((p) => p.kind === 'delta').length, 1);
});

test('a link without strips opens the default; strip=- opens no strips; an overlong name is skipped', () => {
  assert.deepEqual(fromLegacy(parseQuery('?topic=t')).panels, DEFAULT_LAYOUT.panels);
  assert.deepEqual(describePanels(fromLegacy(parseQuery('?topic=t&strip=-'))), ['tower', 'map', 'tires', 'delta', 'kafka']);
  const long = 'x'.repeat(200);
  assert.deepEqual(describePanels(fromLegacy({ strips: [{ channels: [long], cars: 'all' }, { channels: [long, 'rpm'], cars: 'all' }], axis: 'time' })),
    ['time rpm all', 'tower', 'map', 'tires', 'delta', 'kafka']);
});
