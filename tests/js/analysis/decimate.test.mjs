// XY decimation (static/analysis/decimate.js): one point per occupied cell per car, each car's
// extremes and newest point always kept, and a bound on what is drawn.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimator } from '../../../static/analysis/decimate.js';

/** `cars` cars of `per` points each, scattered by a seeded generator over w × h pixels. */
function scatter(cars, per, w, h, seed = 7) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x = new Float64Array(cars * per);
  const y = new Float64Array(cars * per);
  for (let j = 0; j < x.length; j++) {
    x[j] = rnd() * w;
    y[j] = rnd() * h;
  }
  const list = Array.from({ length: cars }, (_, k) => ({ start: k * per, end: (k + 1) * per }));
  return { x, y, list };
}
const kept = (d) => Array.from(d.keep.subarray(0, d.n));

describe('XY decimation', () => {
  test('20 cars × 3,000 points are bounded, and each car keeps its extremes and its newest point', () => {
    const { x, y, list } = scatter(20, 3000, 400, 300);
    const d = new Decimator(4000);
    const n = d.run(x, y, list, 400, 300);
    assert.ok(n <= 4000 + 5 * 20, `at most the bound and five per car, kept ${n}`);
    assert.ok(n > 1000, `the plot still looks filled: ${n}`);
    const set = new Set(kept(d));
    for (const { start, end } of list) {
      const idx = Array.from({ length: end - start }, (_, i) => start + i);
      const arg = (v, better) => idx.reduce((a, b) => (better(v[b], v[a]) ? b : a));
      for (const j of [arg(x, (a, b) => a < b), arg(x, (a, b) => a > b), arg(y, (a, b) => a < b), arg(y, (a, b) => a > b), end - 1]) {
        assert.ok(set.has(j), `car ${start / 3000}: point ${j} (an extreme or the newest) kept`);
      }
    }
  });

  test('one point per occupied cell per car, in input order, two cars sharing a cell each keep theirs', () => {
    // Car A: five points in the cell (0,0) of 2 px, one in (1,0); car B: two in (0,0).
    const x = Float64Array.from([0.1, 0.5, 1.2, 1.9, 1.0, 2.5, 0.3, 0.4]);
    const y = Float64Array.from([0.1, 1.5, 0.2, 1.0, 1.9, 0.5, 0.3, 0.4]);
    const d = new Decimator(100);
    d.run(x, y, [{ start: 0, end: 6 }, { start: 6, end: 8 }], 10, 10);
    const k = kept(d);
    assert.deepEqual(k, [...k].sort((a, b) => a - b), 'oldest first, so the newest are drawn on top');
    // Car A's special points: min x 0 (0.1), max x 5, min y 0, max y 4, newest 5: cells (0,0) and (1,0).
    assert.deepEqual(k.filter((j) => j < 6), [0, 4, 5]);
    assert.deepEqual(k.filter((j) => j >= 6), [6, 7], 'min and newest of car B');
  });

  test('few points are all kept; a tiny bound coarsens the cells until it holds', () => {
    const { x, y, list } = scatter(1, 50, 1000, 1000);
    const d = new Decimator(1000);
    assert.equal(d.run(x, y, list, 1000, 1000), 50);
    const tight = new Decimator(10);
    const n = tight.run(x, y, list, 1000, 1000);
    assert.ok(n <= 15 && n >= 5, `kept ${n}`);
    assert.ok(tight.cell > 2, 'the cells grew');
  });

  test('points outside the plot go to its edge cells, never past the arrays', () => {
    const x = Float64Array.from([-50, 5, 500]);
    const y = Float64Array.from([5, -50, 500]);
    const d = new Decimator(100);
    assert.equal(d.run(x, y, [{ start: 0, end: 3 }], 10, 10), 3);
  });
});
