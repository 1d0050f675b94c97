// INTERIM, until helper "layouts" lands static/workbench/layout.js (the codec: kinds, their
// default sizes, singletons) and static/workbench/builtins.js (the built-in layouts): the
// few facts of docs/layouts.md the grid needs, in the same shape, so the page runs before
// they exist. At merge, import from theirs and delete this file.

/** Each kind's default size (grid units) and whether a layout has one at most (docs/layouts.md "Kinds"). */
export const KIND_FACTS = Object.freeze({
  time: { w: 8, h: 4, one: false },
  distance: { w: 8, h: 4, one: false },
  delta: { w: 8, h: 3, one: true },
  xy: { w: 4, h: 6, one: false },
  histogram: { w: 4, h: 5, one: false },
  map: { w: 4, h: 6, one: true },
  tower: { w: 4, h: 8, one: true },
  tires: { w: 4, h: 4, one: true },
  kafka: { w: 12, h: 5, one: true },
  timeline: { w: 12, h: 2, one: true },
  cursors: { w: 6, h: 5, one: true },
});

const at = (w, h, col, row) => ({ w, h, col, row });

/** The strips of "Race engineer", in order. */
const STRIPS = [
  { channels: ['speed_kph'], cars: 'all' },
  { channels: ['throttle', 'brake'], cars: 'focus' },
  { channels: ['gear'], cars: 'focus' },
  { channels: ['rpm'], cars: 'all' },
  { channels: ['tire_temp_c.fl', 'tire_temp_c.fr', 'tire_temp_c.rl', 'tire_temp_c.rr'], cars: 'focus' },
];

/**
 * "Race engineer" with `strips` (time or distance panels) stacked on the left, 5 columns wide
 * (at 1280 px as wide as the strips were before panels), the tower beside them, wide enough
 * for its every column, the map, tires and delta under it, the Kafka panel below them all.
 */
function raceEngineer(strips, kind = 'time') {
  const panels = strips.map((s, i) => ({ kind, channels: [...s.channels], ...(kind === 'time' ? { cars: s.cars } : {}), grid: at(5, 4, 1, 1 + 4 * i) }));
  panels.push(
    { kind: 'tower', grid: at(7, 11, 6, 1) },
    { kind: 'map', grid: at(4, 6, 6, 12) },
    { kind: 'tires', grid: at(3, 6, 10, 12) },
    { kind: 'delta', grid: at(7, 3, 6, 18) },
    { kind: 'kafka', grid: at(12, 5, 1, Math.max(21, 1 + 4 * strips.length)) },
  );
  return { version: 1, name: 'Race engineer', panels };
}

export const RACE_ENGINEER = raceEngineer(STRIPS);

/**
 * A link made before layouts existed (docs/layouts.md): its `strip=` strips (null: none
 * named) as time panels, or with `axis=distance` as distance panels, in the default layout.
 */
export function legacyLayout(strips, axis) {
  if (strips === null && axis !== 'distance') return RACE_ENGINEER;
  return raceEngineer(strips ?? STRIPS, axis === 'distance' ? 'distance' : 'time');
}
