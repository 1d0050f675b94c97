// The analysis plots' axes (static/analysis/scale.js): ranges, round ticks, labels, and the
// friction circle's radius.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisLabel, circleRadius, formatValue, niceTicks, padded } from '../../../static/analysis/scale.js';

test('ticks are round values inside the range', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-2.6, 2.6, 5), [-2, -1, 0, 1, 2]);
  assert.deepEqual(niceTicks(83, 312, 4), [100, 150, 200, 250, 300]);
  assert.deepEqual(niceTicks(0.1, 0.3, 4), [0.1, 0.15, 0.2, 0.25, 0.3]);
  assert.deepEqual(niceTicks(5, 5), [], 'no span, no ticks');
  assert.deepEqual(niceTicks(-0.5, 4.5, 8), [-0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
  assert.deepEqual(niceTicks(-0.5, 4.5, 8, true), [0, 1, 2, 3, 4], 'whole numbers only: a gear, a count');
});

test('a range is widened a little; a single value gets room around it', () => {
  assert.deepEqual(padded([0, 100]), [-5, 105]);
  assert.deepEqual(padded([0, 0]), [-1, 1]);
  assert.deepEqual(padded([200, 200]), [190, 210]);
});

test('labels: units in brackets, values grouped or to four digits', () => {
  assert.equal(axisLabel('g_lat', 'g'), 'g_lat (g)');
  assert.equal(axisLabel('steer', null), 'steer');
  assert.equal(axisLabel('rpm', 'rpm'), 'rpm', 'not rpm (rpm)');
  assert.equal(formatValue(12345.6), '12,346');
  assert.equal(formatValue(1.23456), '1.235');
  assert.equal(formatValue(100.5), '100.5');
  assert.equal(formatValue(NaN), '—');
});

test('the friction circle is the 99th percentile of the combined g, not the one spike', () => {
  // 99 samples at 1 g (on either axis or between), one spike at 5 g.
  const n = 100;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let j = 0; j < 99; j++) {
    const a = (j / 99) * 2 * Math.PI;
    x[j] = Math.cos(a);
    y[j] = Math.sin(a);
  }
  x[99] = 3;
  y[99] = 4;
  const { radius } = circleRadius(x, y, n);
  assert.ok(radius > 0.999 && radius < 1.05, `about 1 g: ${radius}`);
  assert.ok(Number.isNaN(circleRadius(x, y, 0).radius));
});
