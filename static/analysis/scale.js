// The arithmetic of the analysis plots' axes, pure: the ranges shown, round tick values, how
// a value is written, and the friction circle's radius. Tests: tests/js/analysis/scale.test.mjs.

import { quantileOf } from './histogram.js';

/** [lo, hi] widened by `pad` of its span each side; a single value gets ± 1 (or ± 5% of it). */
export function padded([lo, hi], pad = 0.05) {
  if (hi > lo) {
    const d = (hi - lo) * pad;
    return [lo - d, hi + d];
  }
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
  return [lo - d, hi + d];
}

/**
 * Round values (1, 2 or 5 × 10^n apart) inside [lo, hi], about `want` of them; with `whole`,
 * whole numbers only (a count, a gear).
 */
export function niceTicks(lo, hi, want = 5, whole = false) {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, want);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  let step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  if (whole && step < 1) step = 1;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && out.length < 50; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const precise = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** A value as a label: whole numbers grouped from 1,000, else four significant digits. */
export function formatValue(v) {
  if (!Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1000 ? grouped.format(v) : precise.format(v);
}

/** `speed_kph (km/h)`, or the name alone without a unit or when the unit is the name (`gear`, `rpm`). */
export function axisLabel(name, unit) {
  return unit && unit !== name ? `${name} (${unit})` : name;
}

/**
 * The friction circle's radius: the 99th percentile of √(x² + y²) over `x[0..n)`, `y[0..n)`
 * (so a single spike does not set it); NaN without samples.
 * @param {Float64Array} scratch  room for n values (grown when short and returned as `.scratch`)
 */
export function circleRadius(x, y, n, scratch) {
  const s = scratch && scratch.length >= n ? scratch : new Float64Array(Math.max(n, 1024));
  for (let j = 0; j < n; j++) s[j] = Math.hypot(x[j], y[j]);
  return { radius: quantileOf(s, n, 0.99), scratch: s };
}
