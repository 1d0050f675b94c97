// Laps by distance, pure: a lap's samples as a trace of time and channels against
// `lap_distance_m`, the crossing of the line interpolated between the two samples around
// it, and the delta of one lap against a reference, delta(d) = t_cur(d) − t_ref(d).
// At the line the delta is the difference of the two lap times.

/** The channels a trace carries unless told: the Distance strips before they drew any channel. */
const DEFAULT_CHANNELS = ['speed_kph', 'rpm'];

/**
 * Channel `name` of a sample: a JSON record of `/api/lap` (v1 fields at the top,
 * `tire_temp_c` nested, other channels in `channels`) or a ring sample (`ringLap`, every
 * name at the top). NaN when the sample lacks it.
 */
export function sampleValue(s, name) {
  let v = s[name];
  if (v === undefined) {
    const dot = name.indexOf('.');
    v = s.channels?.[name] ?? (dot > 0 && name.startsWith('tire_temp_c.') ? s.tire_temp_c?.[name.slice(dot + 1)] : undefined);
  }
  return typeof v === 'number' ? v : NaN;
}

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
 * A lap's samples from a car's ring (core/track.js CarTrack), with one sample before and one
 * after it when the ring has them, in time order, with `channels` by name: read as `/api/lap`'s
 * records are, through `sampleValue`.
 */
export function ringLap(track, lap, channels = DEFAULT_CHANNELS) {
  const rings = channels.map((name) => track.series(name));
  const laps = track.series('lap');
  const dists = track.series('lap_distance_m');
  const sampleAt = (i) => {
    const out = { ts: track.ts[i], lap: laps[i], lap_distance_m: dists[i] };
    channels.forEach((name, k) => {
      out[name] = rings[k] === null ? NaN : rings[k][i];
    });
    return out;
  };
  const out = [];
  let before = null;
  for (let k = track.count - 1; k >= 0; k--) {
    const i = track.indexFromNewest(k);
    const l = laps[i];
    if (l < lap) before = i;
    else if (l === lap) {
      if (out.length === 0 && before !== null) out.push(sampleAt(before));
      out.push(sampleAt(i));
    } else if (out.length > 0) {
      out.push(sampleAt(i));
      break;
    }
  }
  return out;
}

/**
 * The trace of lap `lap` from `samples` (time order; may hold one sample either side).
 * Starts and ends at the line crossings: `bounds.start_ts`/`end_ts` when the lap table
 * knows them, else interpolated from the samples around the line. Points whose distance
 * does not grow (a car standing, a sample out of order) are left out, so the trace is a
 * function of distance. Null when the lap's start is unknown (it began before the first record).
 * `ch[name]` holds each of `channels` at each point (NaN where a sample lacked it).
 * @returns {{lap, startTs, endTs, d: number[], t: number[], ch: Object<string, number[]>}|null}
 */
export function lapTrace(samples, lap, lengthM, bounds = {}, channels = DEFAULT_CHANNELS) {
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
  const tr = { lap, startTs, endTs, d: [0], t: [0], ch: {} };
  const values = (s) => channels.forEach((name) => tr.ch[name].push(sampleValue(s, name)));
  for (const name of channels) tr.ch[name] = [];
  values(samples[first]);
  for (const i of idx) {
    const s = samples[i];
    if (s.lap_distance_m <= tr.d[tr.d.length - 1] || s.ts < startTs) continue;
    tr.d.push(s.lap_distance_m);
    tr.t.push(s.ts - startTs);
    values(s);
  }
  if (endTs != null && Number.isFinite(lengthM) && lengthM > tr.d[tr.d.length - 1]) {
    tr.d.push(lengthM);
    tr.t.push(endTs - startTs);
    values(samples[last]);
  }
  return tr;
}

/** Channels that change in steps: between two samples they hold the earlier one's value, never a fraction. */
const STEPPED = new Set(['gear', 'lap', 'drs', 'position', 'race_position']);

/**
 * `channel` of `trace` at distance `d` (`'t'`: ms into the lap), linearly interpolated (a
 * stepped channel such as `gear`: the value of the sample at or before `d`); NaN outside the trace.
 */
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
  const ys = channel === 't' ? trace.t : trace.ch[channel];
  if (!ys) return NaN;
  if (xs[hi] === xs[lo] || STEPPED.has(channel)) return d >= xs[hi] ? ys[hi] : ys[lo];
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
