// Zoomed-out charts, pure (no DOM, no uPlot): the spans offered beyond the live windows, the
// overview request for a span, and an `overview` answer turned into the columns uPlot draws
// (a minimum and a maximum series per car and channel, so a one-sample spike stays visible).
//
// The page never holds the span's records: the server summarises them into at most one
// bucket per pixel of chart width, so what is kept is bounded by the width, not the span.

import { GAP_MS } from './bins.js';
import { sameCar } from '../playback/timeline.js';

/** Zoomed-out spans offered next to the live windows, in seconds; 0 is everything Kafka holds. */
export const ZOOMS = Object.freeze([300, 900, 3600, 0]);
/** The narrowest span a drag-select may zoom into (ms): a few samples at 20 Hz. */
export const MIN_ZOOM_MS = 500;
/** Most buckets asked for (the protocol allows 4000; more than the chart's pixels is waste). */
const MAX_BUCKETS = 4000;

/**
 * The span a zoom choice covers, ending at `end` (the playhead or the live edge) and never
 * starting before what Kafka retains.
 * @param {number} secs  one of ZOOMS
 * @param {{from: number, to: number}|null} retained  the timeline's span
 * @returns {{from: number, to: number}|null}
 */
export function zoomSpan(secs, end, retained) {
  if (secs === 0) return retained ? { from: retained.from, to: retained.to } : null;
  if (!Number.isFinite(end)) return null;
  const from = retained ? Math.max(retained.from, end - secs * 1000) : end - secs * 1000;
  return { from, to: Math.max(end, from + MIN_ZOOM_MS) };
}

/**
 * A drag across a chart from time `a` to `b` (ms, either order): the span to zoom into, or
 * null when the drag is too short to be meant.
 */
export function dragSpan(a, b) {
  const from = Math.round(Math.min(a, b));
  const to = Math.round(Math.max(a, b));
  return to - from >= MIN_ZOOM_MS ? { from, to } : null;
}

/** Channels one overview may be asked for (docs/protocol.md, `overview`), names of at most 128 bytes. */
export const MAX_OVERVIEW_CHANNELS = 16;
const MAX_NAME_BYTES = 128;
const utf8 = new TextEncoder();

/**
 * The `overview` request for a span drawn `widthPx` wide: one bucket per pixel; `channels`,
 * the channels the strips show (the server summarises the v1 channels without it). Past
 * MAX_OVERVIEW_CHANNELS the others are left out, and their strips draw no band zoomed out.
 */
export function overviewRequest(sp, widthPx, cars = null, channels = null) {
  const buckets = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(widthPx)));
  const req = { from_ts: Math.floor(sp.from), to_ts: Math.ceil(sp.to), buckets };
  if (cars && cars.length > 0) req.cars = cars.slice(0, 64);
  const asked = (channels ?? []).filter((c) => c !== '' && utf8.encode(c).length <= MAX_NAME_BYTES).slice(0, MAX_OVERVIEW_CHANNELS);
  if (asked.length > 0) req.channels = asked;
  return req;
}

/**
 * uPlot columns for one strip from a `done` overview: x (seconds, each bucket's middle), then
 * for each car of `cars` present in the overview its max series and its min series. Zoomed in
 * below the time between samples most buckets are empty: a run of them shorter than GAP_MS
 * is `undefined` (uPlot draws across it, as between raw samples); a longer one is null, so
 * uPlot breaks the line and a gap stays visible.
 * @param {object} overview  the `overview` message
 * @param {string[]} cars  car ids, in drawing order
 * @param {string} channel  e.g. 'speed_kph', 'rpm', 'tire_temp_c.fl'
 * @returns {{x: number[], pairs: {car: string, max: (number|null)[], min: (number|null)[]}[]}}
 */
export function bandColumns(overview, cars, channel) {
  const n = bucketCount(overview);
  const x = new Array(n);
  for (let i = 0; i < n; i++) x[i] = (overview.from_ts + (i + 0.5) * overview.bucket_ms) / 1000;
  const entries = overview.cars ?? [];
  const pairs = [];
  for (const car of cars) {
    const entry = entries.find((c) => sameCar(c, car));
    const ch = entry?.channels?.[channel];
    // The silence around a run of r empty buckets may last up to r + 1 buckets.
    const maxRun = Math.floor(GAP_MS / Math.max(1, overview.bucket_ms)) - 1;
    pairs.push({ car, max: bridged(column(ch?.max, n), maxRun), min: bridged(column(ch?.min, n), maxRun) });
  }
  return { x, pairs };
}

/** Turns runs of at most `maxRun` nulls between two values into `undefined`, in place. */
function bridged(col, maxRun) {
  let last = -1;
  for (let i = 0; i < col.length; i++) {
    if (col[i] === null) continue;
    if (last >= 0 && i - last - 1 <= maxRun) for (let k = last + 1; k < i; k++) col[k] = undefined;
    last = i;
  }
  return col;
}

/** Buckets of an overview: as it says, else the longest count array, else what its span and bucket size give. */
export function bucketCount(overview) {
  if (Number.isInteger(overview.buckets) && overview.buckets > 0) return overview.buckets;
  const fromCars = Math.max(0, ...(overview.cars ?? []).map((c) => c.count?.length ?? 0));
  if (fromCars > 0) return fromCars;
  if (overview.bucket_ms > 0) return Math.ceil((overview.to_ts - overview.from_ts) / overview.bucket_ms);
  return 0;
}

function column(values, n) {
  const out = new Array(n).fill(null);
  if (!Array.isArray(values)) return out;
  for (let i = 0; i < n && i < values.length; i++) out[i] = Number.isFinite(values[i]) ? values[i] : null;
  return out;
}

/** The largest of a channel's maxima over the cars drawn (for tests and the y range). */
export function peak(overview, channel) {
  let best = -Infinity;
  for (const c of overview.cars ?? []) for (const v of c.channels?.[channel]?.max ?? []) if (v != null && v > best) best = v;
  return best;
}

/** "5 min", "1 h", "all": the label of a zoom choice. */
export function zoomLabel(secs) {
  if (secs === 0) return 'all';
  return secs >= 3600 ? `${secs / 3600} h` : `${secs / 60} min`;
}

/**
 * A car's values in bucket `i` of an overview, for the legend under the cursor: each
 * channel's maximum there (a spike is what a zoomed-out chart shows), the lap it was on,
 * its partition and driver; null when the overview does not know the car. The same shape
 * as TelemetryStore.valuesAt; what a bucket cannot say (the gear) is NaN.
 */
/** Car `car`'s maximum of `channel` in bucket `i` of an overview, NaN when it has none. */
export function bucketValue(overview, car, channel, i) {
  const entry = (overview?.cars ?? []).find((c) => sameCar(c, car));
  return entry?.channels?.[channel]?.max?.[i] ?? NaN;
}

export function bucketValues(overview, car, i) {
  const entry = (overview?.cars ?? []).find((c) => sameCar(c, car));
  if (!entry) return null;
  const at = (channel) => entry.channels?.[channel]?.max?.[i] ?? NaN;
  const end = overview.from_ts + (i + 1) * overview.bucket_ms;
  const lap = (entry.laps ?? []).filter((l) => l.ts < end).at(-1)?.lap ?? NaN;
  return {
    speed: at('speed_kph'), rpm: at('rpm'), gear: NaN, lap,
    fl: at('tire_temp_c.fl'), fr: at('tire_temp_c.fr'), rl: at('tire_temp_c.rl'), rr: at('tire_temp_c.rr'),
    part: entry.partition ?? null, driver: entry.driver ?? null,
  };
}
