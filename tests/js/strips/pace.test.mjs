// Which strips draw their new records on which frame (static/strips/pace.js): a share a frame,
// in turns, so no frame draws them all and none is left behind.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pace, SPREAD_FRAMES } from '../../../static/strips/pace.js';

/** Frames of `pace` until no strip of `due` is left: the strips each frame drew. */
function drain(pace, due) {
  const frames = [];
  for (let f = 0; due.some(Boolean) && f < 100; f++) {
    const drawn = pace.take(due);
    for (const i of drawn) due[i] = false;
    frames.push(drawn);
  }
  return frames;
}

describe('pace', () => {
  test('five strips with new records are drawn two, two and one over three frames', () => {
    assert.equal(SPREAD_FRAMES, 3);
    assert.deepEqual(drain(new Pace(), Array(5).fill(true)), [[0, 1], [2, 3], [4]]);
  });

  test('one strip is drawn on the frame its records came', () => {
    assert.deepEqual(drain(new Pace(), [true]), [[0]]);
  });

  test('turns carry over: records arriving every other frame still reach every strip', () => {
    const pace = new Pace();
    const seen = new Set();
    for (let f = 0; f < 6; f++) {
      const due = Array(5).fill(true); // new records on every frame: all due again
      for (const i of pace.take(due)) seen.add(i);
    }
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
  });

  test('strips not due (off screen, or drawn) are skipped without using the share', () => {
    assert.deepEqual(new Pace().take([false, true, false, false, true, true]), [1, 4]);
    assert.deepEqual(new Pace().take([false, false, false]), []);
  });

  test('the strips can shrink under a turn in progress', () => {
    const pace = new Pace();
    assert.deepEqual(pace.take(Array(6).fill(true)), [0, 1]);
    assert.deepEqual(pace.take(Array(6).fill(true)), [2, 3]);
    assert.deepEqual(pace.take([true, true]), [0]);
  });
});
