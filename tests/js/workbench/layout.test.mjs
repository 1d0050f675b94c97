// The layout codec (static/workbench/layout.js, kinds in layout-kinds.js): what docs/layouts.md
// promises a person who writes a layout by hand, a link, a file.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  KINDS, KIND_NAMES, MAX_BYTES, addPanel, formatLayout, fromParam, layoutText, movePanel, parseLayout,
  removePanel, replacePanel, sameLayout, toParam,
} from '../../../static/workbench/layout.js';

const doc = (...panels) => ({ version: 1, panels });
const error = (v) => {
  const r = parseLayout(v);
  assert.equal(r.ok, false, `expected a refusal of ${JSON.stringify(v)}`);
  return r.error;
};
const read = (v) => {
  const r = parseLayout(v);
  assert.equal(r.ok, true, r.error);
  return r.layout;
};
const kinds = (layout) => layout.panels.map((p) => p.kind);

/** One valid panel of every kind, the fewest fields written. */
const ONE_OF_EACH = [
  { kind: 'time', channels: ['speed_kph'] },
  { kind: 'distance', channels: ['speed_kph'] },
  { kind: 'delta' },
  { kind: 'xy', x: 'g_lat', y: 'g_long' },
  { kind: 'histogram', channel: 'speed_kph' },
  { kind: 'map' },
  { kind: 'tower' },
  { kind: 'tires' },
  { kind: 'kafka' },
  { kind: 'timeline' },
  { kind: 'cursors' },
];

describe('the kinds', () => {
  test('are the eleven of docs/layouts.md, in its order, with its sizes and singletons', () => {
    assert.deepEqual(KIND_NAMES, ['time', 'distance', 'delta', 'xy', 'histogram', 'map', 'tower', 'tires', 'kafka', 'timeline', 'cursors']);
    const table = Object.fromEntries(KIND_NAMES.map((k) => [k, `${KINDS[k].grid.w}x${KINDS[k].grid.h}${KINDS[k].one ? ' one' : ''}`]));
    assert.deepEqual(table, {
      time: '8x4', distance: '8x4', delta: '8x3 one', xy: '4x6', histogram: '4x5', map: '4x6 one',
      tower: '4x8 one', tires: '4x4 one', kafka: '12x5 one', timeline: '12x2 one', cursors: '6x5 one',
    });
  });

  test('a panel of each kind with only its required fields gets every default filled in', () => {
    const layout = read(doc(...ONE_OF_EACH));
    assert.deepEqual(layout.panels, [
      { kind: 'time', channels: ['speed_kph'], cars: 'all', grid: { w: 8, h: 4 } },
      { kind: 'distance', channels: ['speed_kph'], grid: { w: 8, h: 4 } },
      { kind: 'delta', grid: { w: 8, h: 3 } },
      { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'car', over: 'window', cars: 'all', circle: false, grid: { w: 4, h: 6 } },
      { kind: 'histogram', channel: 'speed_kph', over: 'window', cars: 'focus', grid: { w: 4, h: 5 } },
      { kind: 'map', color: 'speed_kph', grid: { w: 4, h: 6 } },
      { kind: 'tower', columns: [], grid: { w: 4, h: 8 } },
      { kind: 'tires', grid: { w: 4, h: 4 } },
      { kind: 'kafka', grid: { w: 12, h: 5 } },
      { kind: 'timeline', grid: { w: 12, h: 2 } },
      { kind: 'cursors', grid: { w: 6, h: 5 } },
    ]);
  });

  test('the example of docs/layouts.md reads as it says', () => {
    const layout = read(`{
      "version": 1, "name": "Brakes",
      "panels": [
        { "kind": "time", "channels": ["brake", "throttle"], "cars": "focus", "grid": { "w": 8, "h": 4 } },
        { "kind": "xy", "x": "g_lat", "y": "g_long", "color": "speed_kph", "circle": true },
        { "kind": "histogram", "channel": "speed_kph", "over": "lap" },
        { "kind": "tower", "columns": ["brake_temp_front_max_c"] },
        { "kind": "kafka" }
      ]
    }`);
    assert.equal(layout.name, 'Brakes');
    assert.deepEqual(kinds(layout), ['time', 'xy', 'histogram', 'tower', 'kafka']);
    assert.equal(layout.panels[1].circle, true);
    assert.equal(layout.panels[2].over, 'lap');
    assert.deepEqual(layout.panels[3].columns, ['brake_temp_front_max_c']);
  });
});

describe('a layout refused, with the reason docs/layouts.md gives', () => {
  const cases = [
    ['{"version": 1, "panels": [', /^not JSON: /],
    ['[1, 2]', 'not a layout: an object with "version" and "panels" is expected'],
    [{ panels: [] }, 'not a layout: an object with "version" and "panels" is expected'],
    [null, 'not a layout: an object with "version" and "panels" is expected'],
    [{ version: 2, panels: [{ kind: 'map' }] }, 'layout version 2 is newer than this page reads (1)'],
    [{ version: '1', panels: [{ kind: 'map' }] }, 'layout version "1" is not one this page reads (1)'],
    [{ version: 1, panels: [], theme: 'dark' }, 'unknown field "theme" (version, name, panels, references)'],
    [doc(), 'panels: 1 to 24 panels are expected, not 0'],
    [doc(...Array(25).fill({ kind: 'xy', x: 'a', y: 'b' })), 'panels: 1 to 24 panels are expected, not 25'],
    [{ version: 1, panels: { kind: 'map' } }, 'panels: an array of 1 to 24 panels is expected'],
    [doc({ kind: 'map' }, { kind: 'tires' }, { kind: 'pie' }),
      'panel 3: unknown kind "pie" (time, distance, delta, xy, histogram, map, tower, tires, kafka, timeline, cursors)'],
    [doc({ kind: 'map' }, { kind: 'xy', x: 'a', y: 'b', colour: 'speed_kph' }), 'panel 2 (xy): unknown field "colour"'],
    [doc({ kind: 'map' }, { kind: 'xy', y: 'g_long' }), 'panel 2 (xy): "x" is required'],
    [doc({ kind: 'time', channels: [] }), 'panel 1 (time): "channels" must hold 1 to 16 names'],
    [doc({ kind: 'time' }), 'panel 1 (time): "channels" is required'],
    [doc({ kind: 'time', channels: 'speed_kph' }), 'panel 1 (time): "channels" must hold 1 to 16 names'],
    [doc({ kind: 'time', channels: Array.from({ length: 17 }, (_, i) => `c${i}`) }), 'panel 1 (time): "channels" must hold 1 to 16 names'],
    [doc({ kind: 'time', channels: ['a', 'b', 'a'] }), 'panel 1 (time): "channels" names "a" twice'],
    [doc({ kind: 'time', channels: ['a', ''] }), 'panel 1 (time): "channels" must hold 1 to 16 names, each a channel name (1 to 128 bytes)'],
    [doc({ kind: 'time', channels: ['ü'.repeat(65)] }), 'panel 1 (time): "channels" must hold 1 to 16 names, each a channel name (1 to 128 bytes)'],
    [doc({ kind: 'time', channels: ['a'], cars: 'some' }), 'panel 1 (time): "cars" must be "all" or "focus"'],
    [doc({ kind: 'histogram', channel: 'a', over: 'race' }), 'panel 1 (histogram): "over" must be "window", "lap" or "range"'],
    [doc({ kind: 'xy', x: 'a', y: 'b', circle: 'yes' }), 'panel 1 (xy): "circle" must be true or false'],
    [doc({ kind: 'xy', x: 'a', y: 7 }), 'panel 1 (xy): "y" must be a channel name (1 to 128 bytes)'],
    [doc({ kind: 'xy', x: 'a', y: 'b', color: '' }), 'panel 1 (xy): "color" must be a channel name or "car"'],
    [doc({ kind: 'tower', columns: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }), 'panel 1 (tower): "columns" must hold 0 to 6 names'],
    [doc({ kind: 'tires' }, { kind: 'delta' }, { kind: 'tower' }, { kind: 'xy', x: 'a', y: 'b' }, { kind: 'map' }, { kind: 'map' }),
      'panel 6 (map): a layout has one map panel at most'],
    [doc({ kind: 'map' }, { kind: 'tires' }, { kind: 'kafka' }, { kind: 'histogram', channel: 'a', bins: 4 }),
      'panel 4 (histogram): "bins" must be an integer from 5 to 200'],
    [doc({ kind: 'histogram', channel: 'a', bins: 20.5 }), 'panel 1 (histogram): "bins" must be an integer from 5 to 200'],
    [doc({ kind: 'time', channels: ['a'], grid: { w: 13 } }), 'panel 1 (time): grid "w" must be an integer from 1 to 12'],
    [doc({ kind: 'time', channels: ['a'], grid: { h: 0 } }), 'panel 1 (time): grid "h" must be an integer from 1 to 24'],
    [doc({ kind: 'time', channels: ['a'], grid: { row: 201 } }), 'panel 1 (time): grid "row" must be an integer from 1 to 200'],
    [doc({ kind: 'time', channels: ['a'], grid: { x: 1 } }), 'panel 1 (time): unknown grid field "x"'],
    [doc({ kind: 'time', channels: ['a'], grid: [8, 4] }), 'panel 1 (time): grid must be an object ({"w", "h", "col", "row"})'],
    [doc({ kind: 'map', title: 'x'.repeat(61) }), 'panel 1 (map): "title" must be 1 to 60 characters'],
    [{ version: 1, name: '', panels: [{ kind: 'map' }] }, '"name" must be 1 to 60 characters'],
    [doc('map'), 'panel 1: a panel is an object with a "kind"'],
    [doc({ channels: ['a'] }), 'panel 1: "kind" is required'],
    [doc({ kind: 'toString' }), /^panel 1: unknown kind "toString"/],
    [doc({ kind: 'map', __proto__: null, constructor: 1 }), 'panel 1 (map): unknown field "constructor"'],
  ];
  for (const [input, reason] of cases) {
    test(typeof reason === 'string' ? reason : String(reason), () => {
      const got = error(input);
      if (typeof reason === 'string') assert.equal(got, reason);
      else assert.match(got, reason);
    });
  }

  test('a field named __proto__ in the JSON is an unknown field, not a prototype', () => {
    assert.equal(error('{"version":1,"panels":[{"kind":"map","__proto__":{"color":"rpm"}}]}'), 'panel 1 (map): unknown field "__proto__"');
  });

  test('a layout too big for a link is refused, saying its size', () => {
    const long = (i) => `${'c'.repeat(120)}${i}`;
    const panels = Array.from({ length: 24 }, (_, i) => ({ kind: 'time', channels: [long(i), long(i + 100), long(i + 200)] }));
    assert.match(error(doc(...panels)), /^a layout is at most 8 KiB written compactly, not 9\.\d KiB$/);
    assert.match(error(' '.repeat(70 * 1024)), /^a layout is at most 64 KiB of text/);
  });

  test('a panel placed to reach past column 12 starts further left, where the workbench draws it', () => {
    assert.deepEqual(read(doc({ kind: 'kafka', grid: { col: 2, row: 3 } })).panels[0].grid, { w: 12, h: 5, col: 1, row: 3 });
    assert.deepEqual(read(doc({ kind: 'tires', grid: { w: 3, col: 11 } })).panels[0].grid, { w: 3, h: 4, col: 10 });
  });

  test('a panel placed over an earlier one flows in order instead; side by side or one under another stay placed', () => {
    const placed = (col, row, w = 4) => ({ kind: 'xy', x: 'a', y: 'b', grid: { w, col, row } });
    const at = (layout) => layout.panels.map(({ grid: g }) => (g.col && g.row ? `${g.col},${g.row}` : g.col ? `column ${g.col}` : 'flows'));
    assert.deepEqual(at(read(doc(placed(1, 1), placed(5, 1), placed(1, 7), { kind: 'tires', grid: { col: 9, row: 7 } }, placed(1, 13)))),
      ['1,1', '5,1', '1,7', '9,7', '1,13']);
    // A strip widened into the tower beside it, as the page's resize tool can make it.
    const widened = read(doc({ kind: 'time', channels: ['a'], grid: { w: 6, col: 1, row: 1 } }, { kind: 'tower', grid: { w: 7, col: 6, row: 1 } }, placed(1, 5, 5)));
    assert.deepEqual(at(widened), ['1,1', 'flows', '1,5']);
    assert.deepEqual(widened.panels[1].grid, { w: 7, h: 8 }, 'its size is kept');
    assert.deepEqual(read(formatLayout(widened)), widened, 'and it reads back the same');
    assert.deepEqual(at(read(doc(placed(1, 1), { kind: 'xy', x: 'a', y: 'b', grid: { col: 1 } }))), ['1,1', 'column 1'], 'a panel with a column only is not placed over another: the grid finds its row');
  });

  test('names and titles count characters, not bytes', () => {
    assert.equal(read({ version: 1, name: 'é'.repeat(60), panels: [{ kind: 'map', title: '🏎'.repeat(60) }] }).name, 'é'.repeat(60));
  });
});

describe('written back', () => {
  test('defaults are left out, so a layout reads as a person would write it', () => {
    const text = layoutText(read(doc(...ONE_OF_EACH)));
    assert.equal(text, JSON.stringify(doc(...ONE_OF_EACH)));
    const mine = read(doc({ kind: 'xy', x: 'a', y: 'b', color: 'car', circle: true, grid: { w: 4, h: 8, col: 9 } }));
    assert.deepEqual(formatLayout(mine).panels, [{ kind: 'xy', x: 'a', y: 'b', circle: true, grid: { h: 8, col: 9 } }]);
  });

  test('read, written and read again is the same layout, whatever the names hold', () => {
    const layout = read({
      version: 1,
      name: 'Frein & gaz — 東京 🏁',
      panels: [
        { kind: 'time', title: 'Températures ° « pneus »', channels: ['tire_temp_c.fl', 'temp_°c', 'Ω.ü', 'a,b', 'k=v&x', '"quoted"', 'back\\slash'], cars: 'focus', grid: { w: 12, h: 3, col: 1, row: 2 } },
        { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'car', over: 'range', cars: 'focus', circle: true },
        { kind: 'histogram', channel: 'vitesse_kph', over: 'lap', cars: 'all', bins: 40, grid: { w: 6 } },
        { kind: 'tower', columns: ['brake_temp_front_max_c', 'tire_wear_pct[0]'] },
        { kind: 'map', color: 'rpm', title: 'Карта' },
        ...ONE_OF_EACH.filter((p) => !['tower', 'map'].includes(p.kind)),
      ],
    });
    for (const text of [layoutText(layout), layoutText(layout, { indent: 2 })]) assert.deepEqual(read(text), layout);
    assert.deepEqual(read(formatLayout(layout)), layout);
    assert.deepEqual(read(layout), layout, 'a normalised layout is a valid document as it is');
  });
});

describe('in the link', () => {
  const layout = read({ version: 1, name: 'Ünïcode ✓', panels: [{ kind: 'time', channels: ['brake', 'tür_°c'] }, { kind: 'map' }] });

  test('is base64url of the JSON, without padding, and comes back whole', () => {
    const p = toParam(layout);
    assert.match(p, /^[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(p, 'base64url').toString('utf8'), layoutText(layout));
    assert.deepEqual(fromParam(p), { ok: true, layout });
  });

  test('every length of text survives (no padding is needed to read it, and padding is read too)', () => {
    for (let n = 1; n <= 4; n++) {
      const l = read({ version: 1, name: 'x'.repeat(n), panels: [{ kind: 'tires' }] });
      assert.deepEqual(fromParam(toParam(l)).layout, l, `name of ${n}`);
      const padded = Buffer.from(layoutText(l)).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
      assert.deepEqual(fromParam(padded).layout, l, `name of ${n}, padded`);
    }
  });

  test('junk gets a reason, never an exception', () => {
    const junk = [
      ['', 'layout= is empty'], [null, 'layout= is empty'],
      ['abc+def', 'layout= is not base64url'], ['ab=c', 'layout= is not base64url'], ['abc===', 'layout= is not base64url'],
      ['a', 'layout= is not base64url'],
      ['%7B%7D', 'layout= is not base64url'],
      [Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'), 'layout= is not UTF-8 text'],
      [Buffer.from('{"version":1').toString('base64url'), /^not JSON: /],
      [Buffer.from('{"version":3,"panels":[]}').toString('base64url'), 'layout version 3 is newer than this page reads (1)'],
      ['A'.repeat(11000), 'layout= is longer than 8 KiB of JSON'],
    ];
    for (const [s, reason] of junk) {
      const r = fromParam(s);
      assert.equal(r.ok, false, String(s));
      if (typeof reason === 'string') assert.equal(r.error, reason);
      else assert.match(r.error, reason);
    }
  });

  test('the biggest layout that reads fits in a link', () => {
    const panels = [];
    for (let i = 0; i < 24; i++) panels.push({ kind: 'time', channels: [`${'c'.repeat(100)}${i}`, `${'d'.repeat(100)}${i}`] });
    const big = read(doc(...panels));
    assert.ok(layoutText(big).length > MAX_BYTES / 2);
    assert.deepEqual(fromParam(toParam(big)).layout, big);
  });
});

describe('the edits', () => {
  const base = read(doc({ kind: 'time', channels: ['speed_kph'] }, { kind: 'map' }, { kind: 'tires' }));

  test('replace, add, remove and move return a new layout and leave the old one alone', () => {
    const before = structuredClone(base);
    const r = replacePanel(base, 0, { kind: 'time', channels: ['rpm'], cars: 'focus' });
    assert.deepEqual(r.layout.panels[0], { kind: 'time', channels: ['rpm'], cars: 'focus', grid: { w: 8, h: 4 } });
    assert.deepEqual(kinds(addPanel(base, { kind: 'kafka' }).layout), ['time', 'map', 'tires', 'kafka']);
    assert.deepEqual(kinds(addPanel(base, { kind: 'kafka' }, 1).layout), ['time', 'kafka', 'map', 'tires']);
    assert.deepEqual(kinds(removePanel(base, 1).layout), ['time', 'tires']);
    assert.deepEqual(kinds(movePanel(base, 0, 2).layout), ['map', 'tires', 'time']);
    assert.deepEqual(kinds(movePanel(base, 2, 0).layout), ['tires', 'time', 'map']);
    assert.deepEqual(base, before);
  });

  test('an edit that would make a layout that does not read is refused with the reason', () => {
    assert.equal(addPanel(base, { kind: 'map' }).error, 'panel 4 (map): a layout has one map panel at most');
    assert.equal(replacePanel(base, 0, { kind: 'xy', x: 'a', y: 'b', colour: 'c' }).error, 'panel 1 (xy): unknown field "colour"');
    assert.equal(removePanel(read(doc({ kind: 'map' })), 0).error, 'panels: 1 to 24 panels are expected, not 0');
    assert.equal(removePanel(base, 3).error, 'there is no panel 4');
    assert.equal(movePanel(base, -1, 0).error, 'there is no panel 0');
  });

  test('a layout keeps its name through edits; sameLayout compares what is written', () => {
    const named = read({ ...doc({ kind: 'map' }), name: 'Mine' });
    assert.equal(addPanel(named, { kind: 'tires' }).layout.name, 'Mine');
    assert.ok(sameLayout(read(doc({ kind: 'map', color: 'speed_kph' })), read(doc({ kind: 'map' }))));
    assert.ok(!sameLayout(read(doc({ kind: 'map', color: 'rpm' })), read(doc({ kind: 'map' }))));
  });
});
