// The page's colours for cars and tire corners, shared by the strips, the car list, the
// track map and the Distance strips; and the colour scale of a channel's values (the map, the
// XY plot). Pure: a car's colour is a function of when it was first seen.

export const CORNERS = Object.freeze(['fl', 'fr', 'rl', 'rr']);
export const CORNER_COLORS = Object.freeze({ fl: '#38bdf8', fr: '#f472b6', rl: '#facc15', rr: '#4ade80' });

// Distinct on a dark background. Colours go to cars in the order they are first seen, so
// the first twenty cars never share one; a car keeps its colour for the life of the page.
const PALETTE = [
  '#ff5a5f', '#4dabff', '#ffd23f', '#3ddc97', '#c77dff', '#ff8c42', '#00d1d1', '#ff66c4', '#a3e635', '#e5e7eb',
  '#e76f51', '#7aa2ff', '#ffb3c1', '#2ec4b6', '#f4a261', '#b388eb', '#90e0ef', '#d4a373', '#06d6a0', '#f15bb5',
];
const carColors = new Map();

export function carColor(id) {
  let c = carColors.get(id);
  if (c === undefined) {
    c = PALETTE[carColors.size % PALETTE.length];
    carColors.set(id, c);
  }
  return c;
}

/** Steps of the colour scale: enough that neighbours look continuous, few enough to batch draws by colour. */
export const RAMP_STEPS = 64;
// The same sweep as the track map's speed colours: blue (low) through green and yellow to red (high).
const RAMP = Array.from({ length: RAMP_STEPS }, (_, i) => `hsl(${Math.round(240 - (240 * i) / (RAMP_STEPS - 1))} 90% 55%)`);

/** The step of the colour scale for `v` in [lo, hi] (clamped; the middle when lo = hi or v is not a number). */
export function rampStep(v, lo, hi) {
  const f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  if (Number.isNaN(f)) return RAMP_STEPS >> 1;
  if (f <= 0) return 0;
  return f >= 1 ? RAMP_STEPS - 1 : Math.floor(f * RAMP_STEPS);
}

/** The colour of step `i` of the scale (0 = low). */
export function rampColor(i) {
  return RAMP[i];
}
