// Binning cars' samples onto the strips' shared time grid, pure (no DOM, no uPlot).
//
// Cars send samples at their own instants, but uPlot wants one x array per chart, so each
// frame the rings are binned onto a grid of fixed slots (newest sample of a car per slot).
// Slots are aligned to absolute time, so the lines do not shimmer as the window slides.
// Empty slots are `undefined` (uPlot draws across them); the slots of a silence longer than
// GAP_MS are `null` (uPlot breaks the line there), as is a channel a record lacks.

/** Slots per window: bounds the points per series whatever the window or sample rate. */
export const MAX_SLOTS = 1200;
const MIN_SLOTS = 100;
const MIN_SLOT_MS = 10;
/** The shortest window shown while the data is younger than the chosen window. */
export const MIN_SPAN_MS = 10_000;
/** A silence longer than this in one car's samples breaks its line. */
export const GAP_MS = 1500;
/** Samples older than the window tolerated while walking a ring backwards (out of order). */
const OUT_OF_ORDER_TOLERANCE = 16;

/**
 * The grid of one frame: `n` slots of `slotMs` from slot number `firstSlot` (slot k starts
 * at (firstSlot + k) × slotMs ms) to the one holding `endTs`. No more slots than the plot
 * has pixels, as finer points would only cost raster time. Until the data (oldest drawn
 * sample `oldestTs`) fills the window, the grid starts with the data, never spanning less
 * than MIN_SPAN_MS, so a fresh selection uses the whole width and then starts to slide.
 */
export function timeGrid(endTs, windowMs, oldestTs, widthPx) {
  const slots = Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, Math.floor(widthPx)));
  const slotMs = Math.max(MIN_SLOT_MS, Math.ceil(windowMs / slots));
  const startTs = Math.max(endTs - windowMs, Math.min(oldestTs, endTs - MIN_SPAN_MS));
  const firstSlot = Math.floor(startTs / slotMs);
  return { firstSlot, slotMs, n: Math.floor(endTs / slotMs) - firstSlot + 1 };
}

const NO_VALUES = new Float64Array(0); // every index reads undefined: treated as NaN below

/**
 * Writes one car's samples into `outs` (one column of `n` slots per channel, filled with
 * `undefined` by the caller; channels by their server names, `track.series`), walking its ring from the newest sample backwards so the
 * newest sample of a slot wins and the walk stops at the window's start.
 * @param {import('../core/state.js').CarTrack} track
 */
export function binTrack(track, channels, outs, firstSlot, slotMs, n) {
  // A channel the car never carried reads as NaN, so its slots are null like a record's gap.
  const rings = channels.map((c) => track.series(c) ?? NO_VALUES);
  const m = rings.length;
  let newerTs = Infinity;
  let newerSlot = n;
  let outside = 0;
  for (let k = 0; k < track.count; k++) {
    const i = track.indexFromNewest(k);
    const t = track.ts[i];
    const s = Math.floor(t / slotMs) - firstSlot;
    if (s < 0) {
      if (++outside > OUT_OF_ORDER_TOLERANCE) break;
      continue;
    }
    if (s >= n) continue; // ahead of the window (a replay partition running ahead)
    if (outs[0][s] === undefined) {
      for (let j = 0; j < m; j++) {
        const v = rings[j][i];
        outs[j][s] = v === undefined || Number.isNaN(v) ? null : v;
      }
    }
    // A long silence after this sample: uPlot draws a gap by masking its null slots, so
    // every slot of the silence must be null, not only the first.
    if (newerTs !== Infinity && newerTs - t > GAP_MS) {
      for (let g = s + 1; g < newerSlot && g < n; g++) {
        if (outs[0][g] === undefined) for (let j = 0; j < m; j++) outs[j][g] = null;
      }
    }
    newerTs = t;
    newerSlot = s;
  }
}
