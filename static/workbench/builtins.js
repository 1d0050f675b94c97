// The three layouts every page has (docs/layouts.md, "Built in"), and the layout a link made
// before layouts opens (`strip=` and `axis=distance`, turned into panels by fromLegacy). Pure.
//
// Sizes are chosen for 1280 × 800, where a column is about 100 px and a row 40 px: strips are
// 3 rows (120 px) at least; the timing tower is 6 columns, so its fixed columns (position to
// the last sector, about 540 px) are whole; the Kafka panel spans the width, so its LAG column
// shows. Left and right halves come out the same height, so dense placement leaves no hole.
// The page scrolls vertically past what fits.

import { isChannelName } from './layout-kinds.js';
import { parseLayout } from './layout.js';

const strip = (channels, cars) => ({ kind: 'time', channels, cars, grid: { w: 6, h: 3 } });
const CORNERS = ['fl', 'fr', 'rl', 'rr'];

/** The page's default: today's five strips on the left; tower, map, tires and delta on the right; Kafka below. */
const RACE_ENGINEER = {
  version: 1,
  name: 'Race engineer',
  panels: [
    strip(['speed_kph'], 'all'),
    strip(['throttle', 'brake'], 'focus'),
    strip(['gear'], 'focus'),
    strip(['rpm'], 'all'),
    strip(CORNERS.map((c) => `tire_temp_c.${c}`), 'focus'),
    { kind: 'tower', grid: { w: 6, h: 6 } },
    { kind: 'map', grid: { w: 3, h: 6 } },
    { kind: 'tires', grid: { w: 3, h: 6 } },
    { kind: 'delta', grid: { w: 6, h: 3 } },
    { kind: 'kafka', grid: { w: 12, h: 5 } },
  ],
};

/** The focused car against its reference lap: by distance, its G-G and its speeds over the lap. */
const DRIVER_COACH = {
  version: 1,
  name: 'Driver coach',
  panels: [
    { kind: 'distance', channels: ['speed_kph'], grid: { w: 8, h: 4 } },
    { kind: 'distance', channels: ['throttle', 'brake'], grid: { w: 8, h: 4 } },
    { kind: 'delta', grid: { w: 8, h: 3 } },
    { kind: 'xy', title: 'G-G', x: 'g_lat', y: 'g_long', color: 'speed_kph', over: 'lap', cars: 'focus', circle: true, grid: { w: 4, h: 6 } },
    { kind: 'histogram', channel: 'speed_kph', over: 'lap', grid: { w: 4, h: 5 } },
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
export const BUILTINS = Object.freeze([RACE_ENGINEER, DRIVER_COACH, KAFKA].map(checked));
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

/**
 * The layout a link made before layouts opens: the default layout with its strips replaced
 * by the link's, in their order (`strips` as core/url.js parseStrips reads `strip=`; null is
 * the default's own strips), as `time` panels, or by distance (`axis` 'distance') as
 * `distance` panels beside the delta the default already has.
 * @param {{strips: {channels: string[], cars: 'all'|'focus'}[]|null, axis: 'time'|'distance'}} legacy
 */
export function fromLegacy({ strips = null, axis = 'time' }) {
  const base = defaultLayout();
  const first = base.panels.findIndex((p) => p.kind === 'time');
  const size = base.panels[first].grid;
  const from = strips ?? base.panels.filter((p) => p.kind === 'time').map((p) => ({ channels: p.channels, cars: p.cars }));
  const mine = [];
  for (const s of from) {
    // A name too long for a channel (url.js does not bound its length) is one no record carries.
    const channels = [...new Set(s.channels.filter(isChannelName))];
    if (channels.length === 0) continue;
    mine.push(axis === 'distance'
      ? { kind: 'distance', channels, grid: { ...size } }
      : { kind: 'time', channels, cars: s.cars === 'focus' ? 'focus' : 'all', grid: { ...size } });
  }
  const others = base.panels.filter((p) => p.kind !== 'time');
  const panels = [...others.slice(0, first), ...mine, ...others.slice(first)];
  const r = parseLayout({ version: base.version, panels });
  // url.js bounds a link's strips (12 of 16 channels), so this reads; if it ever did not, the
  // default is what the link opens.
  return r.ok ? r.layout : defaultLayout();
}
