// Histogram binning and the summary beside it, pure: tests/js/analysis/histogram.test.mjs.
//
// Bins are equal-width over [lo, hi]. Bin i holds the values v with
//   edges[i] <= v < edges[i + 1],
// and the last bin holds hi as well (its right edge is inclusive), so every value in
// [lo, hi] is counted exactly once. The number of bins is the layout's `bins` when it gives
// one; else, for whole-number data spanning at most MAX_BINS values, one bin per whole number
// (edges at the halves); else the Freedman–Diaconis rule (width 2·IQR·n^(-1/3)), or Sturges'
// (⌈log2 n⌉ + 1) when the quartiles coincide; always clamped to MIN_BINS–MAX_BINS. When every
// value is the same, the range is that value ± 0.5.

export const MIN_BINS = 5;
export const MAX_BINS = 200;

const clampBins = (k) => Math.min(MAX_BINS, Math.max(MIN_BINS, Math.round(k)));

/** Count, mean, smallest and largest of `v[0..n)`. */
export function summary(v, n) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const x = v[j];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return n === 0 ? { count: 0, mean: NaN, min: NaN, max: NaN } : { count: n, mean: sum / n, min, max };
}

/**
 * The value at quantile `q` (0–1) of `s[0..n)` in any order, which it reorders, interpolated
 * between neighbours: selection rather than
 * a sort, as the panels ask for it over up to 120,000 samples five times a second.
 */
export function quantileOf(s, n, q) {
  if (n === 0) return NaN;
  const at = q * (n - 1);
  const k = Math.floor(at);
  const a = select(s, n, k);
  if (at === k) return a;
  // After the selection nothing past k is smaller than s[k]: its neighbour is their smallest.
  let b = Infinity;
  for (let j = k + 1; j < n; j++) if (s[j] < b) b = s[j];
  return a + (b - a) * (at - k);
}

/** Reorders s[0..n) so that s[k] is its k-th smallest, none before it larger, none after smaller; returns s[k]. */
function select(s, n, k) {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = s[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (s[i] < pivot) i++;
      while (s[j] > pivot) j--;
      if (i <= j) {
        const t = s[i];
        s[i++] = s[j];
        s[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return s[k];
}

/**
 * The bins for `v[0..n)`: `{lo, hi, k}`, or null when n is 0.
 * @param {Float64Array} v  @param {number} n
 * @param {number|undefined} fixed  the layout's `bins`
 * @param {Float64Array} [scratch]  room for n values to reorder (kept by the caller between calls)
 */
export function chooseBins(v, n, fixed, scratch) {
  if (n === 0) return null;
  const { min, max } = summary(v, n);
  if (min === max) return { lo: min - 0.5, hi: max + 0.5, k: clampBins(fixed ?? MIN_BINS) };
  if (fixed !== undefined) return { lo: min, hi: max, k: clampBins(fixed) };
  if (wholeNumbers(v, n) && max - min + 1 <= MAX_BINS) {
    const k = Math.max(MIN_BINS, max - min + 1);
    const pad = Math.floor((k - (max - min + 1)) / 2);
    const lo = min - 0.5 - pad;
    return { lo, hi: lo + k, k };
  }
  const s = scratch && scratch.length >= n ? scratch : new Float64Array(n);
  s.set(v.subarray(0, n));
  const iqr = quantileOf(s, n, 0.75) - quantileOf(s, n, 0.25);
  const k = iqr > 0 ? Math.ceil((max - min) / (2 * iqr * Math.cbrt(1 / n))) : Math.ceil(Math.log2(n)) + 1;
  return { lo: min, hi: max, k: clampBins(k) };
}

function wholeNumbers(v, n) {
  for (let j = 0; j < n; j++) if (!Number.isInteger(v[j])) return false;
  return true;
}

/** The k + 1 edges of `bins`. */
export function edgesOf({ lo, hi, k }) {
  const edges = new Float64Array(k + 1);
  for (let i = 0; i <= k; i++) edges[i] = lo + ((hi - lo) * i) / k;
  edges[k] = hi;
  return edges;
}

/**
 * Counts `v[start..end)` into `counts` (k bins of `edges`), adding to what is there. Values
 * outside [lo, hi] are not counted; returns how many were.
 * @param {Uint32Array} counts  @param {Float64Array} edges
 */
export function countInto(counts, edges, v, start, end) {
  const k = edges.length - 1;
  const lo = edges[0];
  const hi = edges[k];
  const scale = k / (hi - lo);
  let counted = 0;
  for (let j = start; j < end; j++) {
    const x = v[j];
    if (!(x >= lo && x <= hi)) continue;
    let i = Math.min(k - 1, Math.floor((x - lo) * scale));
    // Rounding can put a value beside an edge one bin off: the edges decide.
    if (i > 0 && x < edges[i]) i--;
    else if (i < k - 1 && x >= edges[i + 1]) i++;
    counts[i]++;
    counted++;
  }
  return counted;
}
