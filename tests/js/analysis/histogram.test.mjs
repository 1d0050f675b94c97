// Histogram binning (static/analysis/histogram.js): the bins chosen from the data or the layout,
// exact counts with the documented edges, and a channel whose every value is the same.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BINS, MIN_BINS, chooseBins, countInto, edgesOf, quantileOf, summary } from '../../../static/analysis/histogram.js';

const f64 = (a) => Float64Array.from(a);
function histogram(values, fixed) {
  const v = f64(values);
  const bins = chooseBins(v, v.length, fixed);
  const edges = edgesOf(bins);
  const counts = new Uint32Array(bins.k);
  const counted = countInto(counts, edges, v, 0, v.length);
  return { bins, edges: Array.from(edges), counts: Array.from(counts), counted };
}

describe('histogram binning', () => {
  test('the layout\'s bins: equal widths, left edges inclusive, the last bin holding the maximum', () => {
    const h = histogram([0, 1, 2, 2.5, 5, 7.5, 9.999, 10], 5);
    assert.deepEqual(h.edges, [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(h.counts, [2, 2, 1, 1, 2], '2 goes right of its edge; 10 stays in the last bin');
    assert.equal(h.counted, 8, 'every value counted once');
  });

  test('the layout\'s bins are clamped to 5–200', () => {
    assert.equal(histogram([0, 1.5], 2).bins.k, MIN_BINS);
    assert.equal(histogram([0, 1.5], 1000).bins.k, MAX_BINS);
  });

  test('whole numbers get one bin each, edges at the halves, at least five', () => {
    const gears = histogram([1, 2, 2, 3, 3, 3, 6]);
    assert.deepEqual(gears.edges, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    assert.deepEqual(gears.counts, [1, 2, 3, 0, 0, 1]);
    const two = histogram([3, 4, 4]);
    assert.deepEqual(two.edges, [1.5, 2.5, 3.5, 4.5, 5.5, 6.5], 'padded to five bins around the values');
    assert.deepEqual(two.counts, [0, 1, 2, 0, 0]);
  });

  test('Freedman–Diaconis from the quartiles: 1,000 uniform values over [0, 1) make 10 bins of 100', () => {
    const v = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const h = histogram(v);
    // IQR 0.5, n^(-1/3) = 0.1: width 0.1 over a range of 0.999: ⌈9.99⌉ = 10 bins.
    assert.equal(h.bins.k, 10);
    assert.equal(h.counts.reduce((a, b) => a + b), 1000);
    assert.ok(h.counts.every((c) => c >= 99 && c <= 101), `about 100 each: ${h.counts}`);
  });

  test('coinciding quartiles fall back to Sturges; a wide spread is clamped to 200', () => {
    // 97 values at 0.5, a few outliers: IQR 0, Sturges ⌈log2 100⌉ + 1 = 8.
    const spiky = histogram([...Array(97).fill(0.5), 0.1, 0.9, 0.7]);
    assert.equal(spiky.bins.k, 8);
    const wide = histogram([...Array.from({ length: 5000 }, (_, i) => i / 5000), 1e6]);
    assert.equal(wide.bins.k, MAX_BINS);
  });

  test('every value the same: a range of ± 0.5 around it, all counted in one bin', () => {
    const h = histogram([200.25, 200.25, 200.25]);
    assert.equal(h.edges[0], 199.75);
    assert.equal(h.edges.at(-1), 200.75);
    assert.deepEqual(h.counts, [0, 0, 3, 0, 0]);
  });

  test('no values: no bins; a summary with nothing is NaN, with values exact', () => {
    assert.equal(chooseBins(f64([]), 0), null);
    assert.ok(Number.isNaN(summary(f64([]), 0).mean));
    assert.deepEqual(summary(f64([4, -2, 7, 3, 99]), 4), { count: 4, mean: 3, min: -2, max: 7 });
  });

  test('values beside an edge go by the edge, whatever the floating point: thirds', () => {
    const edges = edgesOf({ lo: 0, hi: 1, k: 3 });
    const counts = new Uint32Array(3);
    const v = f64([edges[1], edges[2], edges[1] * (1 - Number.EPSILON), 1 / 3, 2 / 3, -0.1, 1.1]);
    assert.equal(countInto(counts, edges, v, 0, v.length), 5, 'values outside the edges are not counted');
    for (let i = 0; i < 3; i++) {
      let n = 0;
      for (const x of v) if (x >= edges[i] && (x < edges[i + 1] || (i === 2 && x === 1))) n++;
      assert.equal(counts[i], n, `bin ${i}`);
    }
  });

  test('quantiles of values in any order interpolate between neighbours, as a sort would give', () => {
    assert.equal(quantileOf(f64([4, 1, 3, 2]), 4, 0.5), 2.5);
    assert.equal(quantileOf(f64([4, 1, 3, 2]), 4, 0.25), 1.75);
    assert.equal(quantileOf(f64([4, 1, 3, 2]), 4, 1), 4);
    assert.equal(quantileOf(f64([7, 7, 7, 1, 7]), 5, 0), 1, 'ties');
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(rnd() * 300);
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * 40));
      const sorted = Float64Array.from(v).sort();
      for (const q of [0, 0.25, 0.5, 0.75, 0.99, 1]) {
        const at = q * (n - 1);
        const k = Math.floor(at);
        const want = sorted[k] + ((sorted[Math.min(n - 1, k + 1)] - sorted[k]) * (at - k));
        assert.equal(quantileOf(Float64Array.from(v), n, q), want, `n ${n}, q ${q}`);
      }
    }
  });
});
