// Statistics between the A/B cursors, pure (no DOM, no clock): for one car's channel, the
// value at A and at B, B − A, and the minimum, maximum and mean of the samples between them.
// The cursors readout (readout.js) shows them; tested by tests/js/cursors/stats.test.mjs.
//
// The value at a cursor is the newest sample at or before it that carries the channel, as
// the strips' legend reads it and as a stepped line draws it: never an interpolation, so a
// cursor put on a record reads exactly that record's value. A sample older than HOLD_MS
// before the cursor is too old to stand for it (the strips break their line there too), so
// the value is then null. The range between the cursors includes both ends, whichever comes
// first: A after B is the same range (swapped), while `a`, `b` and `diff` stay the values at
// cursor A and cursor B as placed, so the readout's columns match its header's times.
// Samples that lack the channel (NaN) are skipped. Nothing to read gives nulls, never NaN,
// so the readout writes "—".

import { GAP_MS } from '../strips/bins.js';

/** How far back the value at a cursor may come from: the gap past which a strip's line breaks. */
export const HOLD_MS = GAP_MS;

/** Rows of the readout at most: 16 channels of 20 cars is more than anyone reads, and each costs a walk of a ring. */
export const MAX_ROWS = 200;

/** What a channel reads as with nothing between the cursors. */
const EMPTY = Object.freeze({ a: null, b: null, aAt: null, bAt: null, diff: null, min: null, max: null, mean: null, count: 0 });

/** The cursors in time order (the range between them), or null unless both are set. */
export function ordered(cursors) {
  const a = cursors?.a;
  const b = cursors?.b;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a <= b ? { a, b } : { a: b, b: a };
}

/** Δt (or Δ distance) between the cursors: B − A with A before B, or null unless both are set. */
export function delta(cursors) {
  const r = ordered(cursors);
  return r === null ? null : r.b - r.a;
}

/**
 * Where one car's samples of the range are in its rings, read once per car for all its
 * channels: `newest`..`oldest` are positions counted from the newest sample
 * (`track.indexFromNewest`) of the samples between the cursors (none when newest > oldest);
 * `atA` and `atB` those of the samples at or before cursor A and cursor B (-1: none).
 * @param {{ts: Float64Array, count: number, indexFromNewest: (k: number) => number}} track
 */
export function spanOf(track, a, b) {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const ts = (k) => track.ts[track.indexFromNewest(k)];
  let k = 0;
  while (k < track.count && ts(k) > hi) k++;
  const newest = k;
  while (k < track.count && ts(k) >= lo) k++;
  const oldest = k - 1;
  const atHi = newest < track.count ? newest : -1;
  // A sample exactly at the earlier cursor is the oldest of the range; otherwise the first one before it.
  const atLo = oldest >= newest && ts(oldest) === lo ? oldest : k < track.count ? k : -1;
  return { a, b, newest, oldest, atA: a <= b ? atLo : atHi, atB: a <= b ? atHi : atLo };
}

/**
 * One channel's statistics over a car's span (`spanOf`): `a`, `b` the values at the cursors
 * and `aAt`, `bAt` the times of the samples they come from; `diff` b − a; `min`, `max`,
 * `mean` and `count` of the samples in [A, B] that carry the channel.
 * @param {{ts: Float64Array, count: number, indexFromNewest: (k: number) => number,
 *   series: (name: string) => Float64Array|null}} track
 */
export function channelStats(track, span, name) {
  const ring = track.series(name);
  if (ring === null) return EMPTY;
  const at = (from, cursor) => {
    if (from < 0) return null;
    for (let k = from; k < track.count; k++) {
      const i = track.indexFromNewest(k);
      if (track.ts[i] < cursor - HOLD_MS) return null;
      if (!Number.isNaN(ring[i])) return { v: ring[i], t: track.ts[i] };
    }
    return null;
  };
  const acc = accumulator();
  for (let k = span.oldest; k >= span.newest; k--) acc.add(ring[track.indexFromNewest(k)]);
  return result(at(span.atA, span.a), at(span.atB, span.b), acc);
}

/**
 * The same statistics for one line of the Distance strips: `xs` the distances of its grid
 * (ascending), `ys` its values on that grid (null, undefined or NaN where it has none), the
 * cursors `a`, `b` in metres into the lap, in either order. The value at a cursor is the grid
 * point at or before it (`aAt`, `bAt`: its distance), none where that point has no value.
 */
export function columnStats(xs, ys, a, b) {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const has = (j) => ys[j] != null && !Number.isNaN(ys[j]);
  let j = 0;
  while (j < xs.length && xs[j] < lo) j++;
  const acc = accumulator();
  const at = (cursor) => {
    let k = j; // both cursors are at or after xs[j - 1]
    while (k < xs.length && xs[k] <= cursor) k++;
    // The grid is dense (delta.js, a few metres): the point at or before the cursor is the
    // value there, and a lap whose line ends before the cursor has none.
    k--;
    return k >= 0 && has(k) ? { v: ys[k], t: xs[k] } : null;
  };
  for (let k = j; k < xs.length && xs[k] <= hi; k++) if (has(k)) acc.add(ys[k]);
  return result(at(a), at(b), acc);
}

function accumulator() {
  return {
    min: Infinity,
    max: -Infinity,
    sum: 0,
    count: 0,
    add(v) {
      if (Number.isNaN(v)) return;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      this.sum += v;
      this.count++;
    },
  };
}

function result(atA, atB, acc) {
  const some = acc.count > 0;
  return {
    a: atA?.v ?? null,
    b: atB?.v ?? null,
    aAt: atA?.t ?? null,
    bAt: atB?.t ?? null,
    diff: atA && atB ? atB.v - atA.v : null,
    min: some ? acc.min : null,
    max: some ? acc.max : null,
    mean: some ? acc.sum / acc.count : null,
    count: acc.count,
  };
}

/**
 * Every row of the readout for the time strips: per car, its span read once, then each of
 * `channels`. `cursors` in either order; null unless both are set.
 * @param {Map<string, object>} cars  the store's tracks by key
 * @param {{car: string, channel: string}[]} rows
 * @returns {{car: string, channel: string, stats: ReturnType<typeof channelStats>}[]|null}
 */
export function timeRows(cars, rows, cursors) {
  if (ordered(cursors) === null) return null;
  const { a, b } = cursors;
  const spans = new Map();
  return rows.map(({ car, channel }) => {
    const track = cars.get(car);
    if (!track || track.count === 0) return { car, channel, stats: EMPTY };
    let span = spans.get(car);
    if (!span) spans.set(car, (span = spanOf(track, a, b)));
    return { car, channel, stats: channelStats(track, span, channel) };
  });
}

/**
 * The rows of the readout: each channel of `strips` once (with whether any strip draws it for
 * every car), for the focused car first, then the other cars drawn when a strip draws every car.
 * @param {{channels: string[], cars?: 'all'|'focus'}[]} strips
 */
export function readoutRows(strips, focus, drawn) {
  const every = new Map();
  for (const s of strips) for (const c of s.channels) every.set(c, (every.get(c) ?? false) || s.cars !== 'focus');
  const others = drawn.filter((c) => c !== focus);
  const rows = [];
  for (const [channel, all] of every) {
    const cars = [...(focus === null ? [] : [focus]), ...(all ? others : [])];
    for (const car of cars) if (rows.length < MAX_ROWS) rows.push({ car, channel });
  }
  return rows;
}
