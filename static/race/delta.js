// Laps by distance, pure: a lap's samples as a trace of time and channels against
// `lap_distance_m`, the crossing of the line interpolated between the two samples around
// it, and the delta of one lap against a reference, delta(d) = t_cur(d) − t_ref(d).
// At the line the delta is the difference of the two lap times.

/** Grid spacing (m) of the Distance strips: a 5 km lap is 1,000 points per series. */
export const GRID_STEP_M = 5;
/** Points per distance grid at most, whatever the track's length. */
export const MAX_GRID = 4000;

/**
 * When a car crossed the line between sample `a` (end of a lap, `a.lap_distance_m` near
 * `lengthM`) and sample `b` (start of the next): interpolated by distance, so a lap time is
 * exact to better than one sample period.
 */
export function crossingTs(a, b, lengthM) {
  const before = Math.max(0, lengthM - a.lap_distance_m);
  const after = Math.max(0, b.lap_distance_m);
  const f = before + after > 0 ? before / (before + after) : 0;
  return a.ts + f * (b.ts - a.ts);
}

/**
 * A lap's samples from a car's ring (state.js CarTrack), with one sample before and one
 * after it when the ring has them, in time order: the same shape `/api/lap` answers with.
 */
export function ringLap(track, lap) {
  const out = [];
  let before = null;
  for (let k = track.count - 1; k >= 0; k--) {
    const i = track.indexFromNewest(k);
    const l = track.ch.lap[i];
    if (l < lap) before = i;
    else if (l === lap) {
      if (out.length === 0 && before !== null) out.push(sampleAt(track, before));
      out.push(sampleAt(track, i));
    } else if (out.length > 0) {
      out.push(sampleAt(track, i));
      break;
    }
  }
  return out;
}

function sampleAt(track, i) {
  const ch = track.ch;
  return { ts: track.ts[i], lap: ch.lap[i], lap_distance_m: ch.lap_distance_m[i], speed_kph: ch.speed_kph[i], rpm: ch.rpm[i] };
}

/**
 * The trace of lap `lap` from `samples` (time order; may hold one sample either side).
 * Starts and ends at the line crossings: `bounds.start_ts`/`end_ts` when the lap table
 * knows them, else interpolated from the samples around the line. Points whose distance
 * does not grow (a car standing, a sample out of order) are left out, so the trace is a
 * function of distance. Null when the lap's start is unknown (it began before the first record).
 * @returns {{lap, startTs, endTs, d: number[], t: number[], speed_kph: number[], rpm: number[]}|null}
 */
export function lapTrace(samples, lap, lengthM, bounds = {}) {
  const idx = [];
  samples.forEach((s, i) => {
    if (s.lap === lap && Number.isFinite(s.lap_distance_m)) idx.push(i);
  });
  if (idx.length === 0) return null;
  const first = idx[0];
  const last = idx[idx.length - 1];
  const prev = samples[first - 1];
  const next = samples[last + 1];
  const startTs = bounds.start_ts
    ?? (prev && prev.lap === lap - 1 && Number.isFinite(lengthM) ? crossingTs(prev, samples[first], lengthM) : null);
  if (startTs == null) return null;
  const endTs = bounds.end_ts
    ?? (next && next.lap === lap + 1 && Number.isFinite(lengthM) ? crossingTs(samples[last], next, lengthM) : null);
  const tr = { lap, startTs, endTs, d: [0], t: [0], speed_kph: [samples[first].speed_kph], rpm: [samples[first].rpm] };
  for (const i of idx) {
    const s = samples[i];
    if (s.lap_distance_m <= tr.d[tr.d.length - 1] || s.ts < startTs) continue;
    tr.d.push(s.lap_distance_m);
    tr.t.push(s.ts - startTs);
    tr.speed_kph.push(s.speed_kph);
    tr.rpm.push(s.rpm);
  }
  if (endTs != null && Number.isFinite(lengthM) && lengthM > tr.d[tr.d.length - 1]) {
    tr.d.push(lengthM);
    tr.t.push(endTs - startTs);
    tr.speed_kph.push(samples[last].speed_kph);
    tr.rpm.push(samples[last].rpm);
  }
  return tr;
}

/** `channel` of `trace` at distance `d`, linearly interpolated; NaN outside the trace. */
export function valueAt(trace, channel, d) {
  const xs = trace.d;
  const n = xs.length;
  if (n === 0 || d < xs[0] || d > xs[n - 1]) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= d) lo = mid;
    else hi = mid;
  }
  const ys = trace[channel];
  if (xs[hi] === xs[lo]) return ys[lo];
  const f = (d - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + f * (ys[hi] - ys[lo]);
}

/** Time gained (negative) or lost (positive) at distance `d` by `cur` against `ref`, in ms. */
export function deltaAt(cur, ref, d) {
  return valueAt(cur, 't', d) - valueAt(ref, 't', d);
}

/** Distances 0, step, 2·step, … and the line itself, at most MAX_GRID points. */
export function distanceGrid(lengthM, step = GRID_STEP_M) {
  if (!(lengthM > 0)) return [];
  const s = Math.max(step, lengthM / (MAX_GRID - 1));
  const out = [];
  for (let d = 0; d < lengthM; d += s) out.push(d);
  out.push(lengthM);
  return out;
}

/** A channel of a trace on `grid`, null where the trace does not reach (uPlot leaves a gap). */
export function onGrid(trace, channel, grid) {
  return grid.map((d) => {
    const v = trace ? valueAt(trace, channel, d) : NaN;
    return Number.isFinite(v) ? v : null;
  });
}

/** The delta of `cur` against `ref` on `grid`, in seconds, null where either does not reach. */
export function deltaOnGrid(cur, ref, grid) {
  return grid.map((d) => {
    const v = cur && ref ? deltaAt(cur, ref, d) : NaN;
    return Number.isFinite(v) ? v / 1000 : null;
  });
}

/** The delta where `cur` ends (at the line for a finished lap), in ms; NaN without both. */
export function deltaAtEnd(cur, ref) {
  if (!cur || !ref) return NaN;
  return deltaAt(cur, ref, cur.d[cur.d.length - 1]);
}
