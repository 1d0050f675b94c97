// The three layouts every page has (docs/layouts.md, "Built in"), and the layout a link made
// before layouts opens (`strip=` and `axis=distance`, turned into panels by fromLegacy). Pure.
//
// Sizes are chosen for 1280 × 800, where a column is about 100 px and a row 40 px: strips are
// 3 rows (120 px) at least; the timing tower is 7 columns (about 700 px, as wide as the side
// of the page before layouts), so its fixed columns (position to RPM, about 570 px) leave the
// driver's name room, and 11 rows, so that 20 cars' rows nearly all show; the Kafka panel spans
// the width, so its LAG column shows. Left and right come out the same height, so no hole is
// left. The page scrolls vertically past what fits.

import { isChannelName } from './layout-kinds.js';
import { parseLayout } from './layout.js';

const strip = (channels, cars) => ({ kind: 'time', channels, cars, grid: { ...STRIP } });
/** A strip of Race engineer: 160 px tall, as wide as the strips were before layouts. */
const STRIP = Object.freeze({ w: 5, h: 4 });
const CORNERS = ['fl', 'fr', 'rl', 'rr'];
const DEFAULT_STRIPS = [
  strip(['speed_kph'], 'all'),
  strip(['throttle', 'brake'], 'focus'),
  strip(['gear'], 'focus'),
  strip(['rpm'], 'all'),
  strip(CORNERS.map((c) => `tire_temp_c.${c}`), 'focus'),
];

/**
 * Panels placed in bands from `row` down, starting at column `col`: the panels of a band
 * side by side, the next band under the band's tallest. Placed with `col` and `row`, because
 * dense auto-placement would put two narrow strips side by side rather than one under the other.
 * @returns {{panels: object[], end: number}}  `end`: the first row under them
 */
function bands(col, row, list) {
  const panels = [];
  for (const band of list) {
    let c = col;
    for (const p of band) {
      panels.push({ ...p, grid: { ...p.grid, col: c, row } });
      c += p.grid.w;
    }
    row += Math.max(...band.map((p) => p.grid.h));
  }
  return { panels, end: row };
}

/**
 * The page's default, the page before layouts: its strips on the left (`strips`, any number,
 * one under another); the tower, the map beside the tires, and the delta on the right; the
 * Kafka panel the whole width under both.
 */
function raceEngineer(strips) {
  const left = bands(1, 1, strips.map((s) => [s]));
  const right = bands(6, 1, [
    [{ kind: 'tower', grid: { w: 7, h: 11 } }],
    [{ kind: 'map', grid: { w: 4, h: 6 } }, { kind: 'tires', grid: { w: 3, h: 6 } }],
    [{ kind: 'delta', grid: { w: 7, h: 3 } }],
  ]);
  const below = bands(1, Math.max(left.end, right.end), [[{ kind: 'kafka', grid: { w: 12, h: 5 } }]]);
  return { version: 1, name: 'Race engineer', panels: [...left.panels, ...right.panels, ...below.panels] };
}

/** The focused car against its reference lap: by distance, its G-G and its speeds over the lap. */
const DRIVER_COACH = {
  version: 1,
  name: 'Driver coach',
  panels: [
    ...bands(1, 1, [
      [{ kind: 'distance', channels: ['speed_kph'], grid: { w: 8, h: 4 } }],
      [{ kind: 'distance', channels: ['throttle', 'brake'], grid: { w: 8, h: 4 } }],
      [{ kind: 'delta', grid: { w: 8, h: 3 } }],
    ]).panels,
    ...bands(9, 1, [
      [{ kind: 'xy', title: 'G-G', x: 'g_lat', y: 'g_long', color: 'speed_kph', over: 'lap', cars: 'focus', circle: true, grid: { w: 4, h: 6 } }],
      [{ kind: 'histogram', channel: 'speed_kph', over: 'lap', grid: { w: 4, h: 5 } }],
    ]).panels,
  ],
};

/** What Kafka holds and how the consumer keeps up, beside one strip to see the data move. */
const KAFKA = {
  version: 1,
  name: 'Kafka',
  panels: [
    { kind: 'kafka', grid: { w: 12, h: 6 } },
    { kind: 'timeline', grid: { w: 12, h: 2 } },
    { kind: 'time', channels: ['speed_kph'], grid: { w: 12, h: 4 } },
  ],
};

function checked(doc) {
  const r = parseLayout(doc);
  // The built-ins are this file's text: one that does not read is a bug caught by its unit test.
  if (!r.ok) throw new Error(`built-in layout ${doc.name}: ${r.error}`);
  return r.layout;
}

/** The built-in layouts, in the Layouts menu's order; the first is the page's default. */
export const BUILTINS = Object.freeze([raceEngineer(DEFAULT_STRIPS), DRIVER_COACH, KAFKA].map(checked));
export const DEFAULT_LAYOUT = BUILTINS[0];

/** A fresh copy of the default layout (layouts are edited by copy; this keeps the shared one intact). */
export function defaultLayout() {
  return structuredClone(DEFAULT_LAYOUT);
}

/** A built-in by its name, as a fresh copy, or null. */
export function builtin(name) {
  const b = BUILTINS.find((l) => l.name === name);
  return b ? structuredClone(b) : null;
}

/** url.js's bound on a link's strips: with the default's five other panels, within 24. */
const MAX_LEGACY_STRIPS = 12;

/**
 * The layout a link made before layouts opens: the default layout with the link's strips in
 * place of its own, in their order (`strips` as core/url.js parseStrips reads `strip=`; null
 * is the default's own strips), as `time` panels, or by distance (`axis` 'distance') as
 * `distance` panels beside the delta the default already has. Unnamed: it is not the default.
 * @param {{strips: {channels: string[], cars: 'all'|'focus'}[]|null, axis: 'time'|'distance'}} legacy
 */
export function fromLegacy({ strips = null, axis = 'time' }) {
  const mine = [];
  for (const s of (strips ?? DEFAULT_STRIPS).slice(0, MAX_LEGACY_STRIPS)) {
    // A name too long for a channel (url.js does not bound its length) is one no record carries.
    const channels = [...new Set(s.channels.filter(isChannelName))];
    if (channels.length === 0) continue;
    const grid = { ...STRIP };
    mine.push(axis === 'distance' ? { kind: 'distance', channels, grid } : { kind: 'time', channels, cars: s.cars === 'focus' ? 'focus' : 'all', grid });
  }
  const { name: _default, ...doc } = raceEngineer(mine);
  const r = parseLayout(doc);
  // url.js bounds a link's strips (12 of 16 channels), so this reads; if it ever did not, the
  // default is what the link opens.
  return r.ok ? r.layout : defaultLayout();
}
