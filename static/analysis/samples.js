// Which samples an analysis panel (xy, histogram) reads, gathered into typed arrays. Pure: no
// DOM, no clock; tests/js/analysis/samples.test.mjs.
//
// A panel reads, for the cars it is set to (`cars`: "focus" or "all"), the samples `over`
// (docs/layouts.md) names:
// - "window": the time strips' visible span;
// - "lap": each car's lap in progress at the playhead (live: its newest sample), up to the
//   playhead: the newest samples back to the first whose `lap` differs;
// - "range": between the A and B cursors (either order). Cursors on a distance strip
//   (`axis: "distance"`) are metres into the lap: the lap in progress, between those distances.
//   With either cursor unset, the window.
// A sample is taken when every channel asked for is a number there (NaN is skipped).
//
// The arrays are kept from call to call and grow only when more samples are read than ever
// before (at most MAX_CARS × CAPACITY, 120,000), so a panel drawing five times a second
// allocates nothing once warm but the small per-car list.

/** The cars a panel reads: the focused one, or every car drawn (focused last). */
export function chosenCars(cars, ctx) {
  if (cars === 'focus') {
    const f = ctx.focus();
    return f === null || f === undefined ? [] : [f];
  }
  return ctx.drawn();
}

/**
 * What `over` means right now, for `gather`: `{kind: "time", from, to}`, `{kind: "lap"}`, or
 * `{kind: "lap", from, to}` (metres into the lap, for distance cursors).
 * @param {string} over  @param {[number, number]} span  @param {{a: number|null, b: number|null, axis?: string}|null} cursors
 */
export function spanOf(over, span, cursors) {
  if (over === 'lap') return { kind: 'lap', from: -Infinity, to: Infinity };
  if (over === 'range' && cursors && cursors.a != null && cursors.b != null) {
    const from = Math.min(cursors.a, cursors.b);
    const to = Math.max(cursors.a, cursors.b);
    return cursors.axis === 'distance' ? { kind: 'lap', from, to } : { kind: 'time', from, to };
  }
  // No span yet (nothing drawn): an empty one.
  return span ? { kind: 'time', from: span[0], to: span[1] } : { kind: 'time', from: Infinity, to: -Infinity };
}

/** Samples read at once, and how many channels (x, y, colour) a sample carries at most. */
const MAX_CHANNELS = 3;

/**
 * The samples read, kept between calls. Sample `j` has `v[0][j]`, `v[1][j]`, … (the channels
 * asked for, in order) and `ts[j]`; car `k` of `cars` owns samples `cars[k].start` to
 * `cars[k].end - 1`, oldest first, so its newest is `end - 1`.
 */
export class Gathered {
  constructor(capacity = 4096) {
    this.v = Array.from({ length: MAX_CHANNELS }, () => new Float64Array(capacity));
    this.ts = new Float64Array(capacity);
    this.n = 0;
    /** @type {{id: string, start: number, end: number}[]} */
    this.cars = [];
    /** Names no car read here carries at all (the panel says it has no data for them). */
    this.missing = [];
  }

  reserve(n) {
    if (n <= this.ts.length) return;
    let cap = this.ts.length;
    while (cap < n) cap *= 2;
    const grow = (a) => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.v = this.v.map(grow);
    this.ts = grow(this.ts);
  }
}

/**
 * Reads `names` (1 to 3 channels) of `cars` over `span` (from `spanOf`) into `out`.
 * @param {Gathered} out
 * @param {{cars: Map<string, import('../core/track.js').CarTrack>}} store
 * @param {string[]} carIds  @param {string[]} names
 * @param {{kind: string, from: number, to: number}} span
 * @param {number|null} moment  the playhead (ms), null live
 */
export function gather(out, store, carIds, names, span, moment) {
  if (names.length < 1 || names.length > MAX_CHANNELS) throw new RangeError(`1 to ${MAX_CHANNELS} channels are read, not ${names.length}`);
  out.n = 0;
  out.cars.length = 0;
  const carried = names.map(() => false);
  const rings = new Array(names.length);
  for (const id of carIds) {
    const track = store.cars.get(id);
    if (track === undefined || track.count === 0) continue;
    let have = true;
    for (let c = 0; c < names.length; c++) {
      rings[c] = track.series(names[c]);
      if (rings[c] === null) have = false;
      else carried[c] = true;
    }
    if (!have) continue;
    const start = out.n;
    if (span.kind === 'time') {
      out.reserve(out.n + track.count);
      track.eachBetween(span.from, span.to, (i) => take(out, track, rings, i));
    } else {
      lapInProgress(out, track, rings, moment, span.from, span.to);
    }
    if (out.n > start) out.cars.push({ id, start, end: out.n });
  }
  out.missing = names.filter((_, c) => !carried[c]);
  return out;
}

/** Appends ring index `i` when every channel is a number there. */
function take(out, track, rings, i) {
  const j = out.n;
  for (let c = 0; c < rings.length; c++) {
    const value = rings[c][i];
    if (Number.isNaN(value)) return;
    out.v[c][j] = value;
  }
  out.ts[j] = track.ts[i];
  out.n = j + 1;
}

/**
 * The lap in progress at `moment`: from the newest sample at or before it, back while `lap`
 * stays the same; of those, the ones whose distance into the lap is in [from, to].
 */
function lapInProgress(out, track, rings, moment, from, to) {
  const laps = track.series('lap');
  const dists = track.series('lap_distance_m');
  let k0 = 0;
  if (moment != null) {
    while (k0 < track.count && track.ts[track.indexFromNewest(k0)] > moment) k0++;
  }
  if (k0 >= track.count) return;
  const lap = laps[track.indexFromNewest(k0)];
  if (Number.isNaN(lap)) return;
  let k1 = k0;
  while (k1 + 1 < track.count && laps[track.indexFromNewest(k1 + 1)] === lap) k1++;
  out.reserve(out.n + (k1 - k0 + 1));
  const byDistance = from > -Infinity || to < Infinity;
  for (let k = k1; k >= k0; k--) {
    const i = track.indexFromNewest(k);
    if (byDistance && !(dists[i] >= from && dists[i] <= to)) continue;
    take(out, track, rings, i);
  }
}

/** The smallest and largest of `v[0..n)`, or null when n is 0. */
export function extent(v, n, start = 0) {
  if (n <= start) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = start; j < n; j++) {
    const x = v[j];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
