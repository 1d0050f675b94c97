// The track outline learned from records (static/race/outline.js): one line whatever the car,
// closed at the line, fitted into a canvas north up; and picking the dot under a click.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BIN_M, Outline, fit, nearestDot, speedColor } from '../../../static/race/outline.js';

const R = 500 / Math.PI; // a 1 km circle

describe('learning the outline', () => {
  test('a lap of samples makes one closed line; records without a position add nothing', () => {
    const o = new Outline();
    for (let d = 0; d < 1000; d += 3) o.add(R * Math.cos(d / R), R * Math.sin(d / R), d);
    o.add(NaN, 0, 10);
    o.add(0, 0, undefined);
    const runs = o.runs();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].length, 1000 / BIN_M + 1, 'closed: the first point again at the end');
    assert.deepEqual(runs[0][0], runs[0][runs[0].length - 1]);
    for (const [x, y] of runs[0]) assert.ok(Math.abs(Math.hypot(x, y) - R) < 1, 'each bin averages onto the circle');
    assert.ok(Math.abs(o.pointAt(0)[0] - R) < 1, 'the line is where lap distance 0 was');
    assert.equal(o.pointAt(5000), null);
  });

  test('a part of the lap not seen yet breaks the line, and the runs join across the line', () => {
    const o = new Outline();
    for (let d = 0; d < 1000; d += 3) if (d < 300 || d > 600) o.add(d, 0, d);
    const runs = o.runs();
    assert.equal(runs.length, 1, 'the two parts join across the line into one open line');
    assert.ok(runs[0][0][0] > 600, 'the part before the line leads into the part after it');
    assert.ok(runs[0][runs[0].length - 1][0] < 300, 'and it is not closed over the gap');
  });
});

describe('drawing', () => {
  test('fit keeps the aspect ratio, north up', () => {
    const f = fit({ minX: 0, maxX: 100, minY: 0, maxY: 50 }, 220, 120, 10);
    assert.deepEqual(f(0, 0), [10, 110]);
    assert.deepEqual(f(100, 50), [210, 10]);
  });

  test('a click picks the nearest dot within reach', () => {
    const dots = [{ car: 'A', px: 10, py: 10 }, { car: 'B', px: 20, py: 10 }];
    assert.equal(nearestDot(dots, 17, 11), 'B');
    assert.equal(nearestDot(dots, 100, 100), null);
    assert.notEqual(speedColor(50), speedColor(300));
  });
});
