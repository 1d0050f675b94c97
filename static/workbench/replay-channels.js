// Which channels a layout draws, so that a replay asks the server for those alone
// (docs/protocol.md, "A replay of some channels"): the bytes of channels no panel shows are
// most of a replay's, and the browser's socket, not the page, bounds how fast it plays.
// Pure: the layout document in (docs/layouts.md), a sorted list of names out; tested by
// tests/js/workbench/replay-channels.test.mjs.

/**
 * What the page reads whatever the layout: the lap and the position along it (the tower's
 * order and gaps, the map, the delta, laps on distance strips), the map's x and y, and what
 * the car list and its alarms show (speed, rpm, gear and the four tire temperatures).
 */
export const ALWAYS = Object.freeze([
  'lap', 'lap_distance_m', 'x', 'y', 'speed_kph', 'rpm', 'gear',
  'tire_temp_c.fl', 'tire_temp_c.fr', 'tire_temp_c.rl', 'tire_temp_c.rr',
]);

/** The names each kind's spec draws, its defaults (layout-kinds.js) applied. */
const DRAWS = {
  time: (p) => p.channels ?? [],
  distance: (p) => p.channels ?? [],
  // `color: "car"` colours by car, not by a channel.
  xy: (p) => [p.x, p.y, p.color ?? 'car'].filter((n) => n !== 'car'),
  histogram: (p) => [p.channel],
  map: (p) => [p.color ?? 'speed_kph'],
  tower: (p) => p.columns ?? [],
};

/**
 * The channels `layout` draws and the page always reads, each once, sorted (so two layouts
 * that draw the same channels ask for the same list).
 * @param {{panels?: object[]}|null} layout
 * @returns {string[]}
 */
export function layoutChannels(layout) {
  const names = new Set(ALWAYS);
  for (const panel of layout?.panels ?? []) {
    for (const name of DRAWS[panel?.kind]?.(panel) ?? []) {
      if (typeof name === 'string' && name.length > 0) names.add(name);
    }
  }
  return [...names].sort();
}
