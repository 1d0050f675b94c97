// The view contract and the pacing of drawing (static/core/view.js): every view drawn every
// frame, or during a fast replay one view per frame, a round every period.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rounds, WRITE_WAIT_MS, Writes, checkViews } from '../../../static/core/view.js';

describe('the view contract', () => {
  test('a view with frame(now) and resize() is taken; one without either is refused by name', () => {
    const ok = { frame() {}, resize() {} };
    assert.deepEqual(checkViews([ok, ok]), [ok, ok]);
    class Tower { frame() {} }
    assert.throws(() => checkViews([ok, new Tower()]), /view 1 \(Tower\) has no resize\(\)/);
    assert.throws(() => checkViews([{ draw() {}, resize() {} }]), /view 0 \(Object\) has no frame\(\)/);
    assert.throws(() => checkViews([undefined]), /view 0 .* has no frame\(\)/);
  });
});

describe('drawing rounds', () => {
  test('unpaced, every view is drawn on every frame', () => {
    const r = new Rounds(3);
    assert.deepEqual(r.due(0, 0), [0, 1, 2]);
    assert.deepEqual(r.due(16, 0), [0, 1, 2]);
  });

  test('paced, a round every period, one view per frame, in order', () => {
    const r = new Rounds(3);
    const drawn = [];
    for (let now = 0; now <= 1100; now += 100) drawn.push(r.due(now, 1000));
    assert.deepEqual(drawn, [[0], [1], [2], [], [], [], [], [], [], [], [0], [1]]);
  });

  test('going back to unpaced drops the rest of a round and draws everything', () => {
    const r = new Rounds(3);
    assert.deepEqual(r.due(0, 1000), [0]);
    assert.deepEqual(r.due(16, 0), [0, 1, 2]);
    // A new paced round starts at its view 0 once the period has passed since the last one.
    assert.deepEqual(r.due(32, 1000), []);
    assert.deepEqual(r.due(1000, 1000), [0]);
  });

  test('views coming on screen or leaving it mid-round: the round ends within the views there are', () => {
    const r = new Rounds(4);
    assert.deepEqual(r.due(0, 1000), [0]);
    r.resize(2);
    assert.deepEqual([r.due(16, 1000), r.due(32, 1000)], [[1], []]);
    r.resize(5);
    assert.deepEqual(r.due(0, 0), [0, 1, 2, 3, 4]);
  });
});

describe('the frames views write their text on', () => {
  test('a frame with no new records writes; one drawing them waits, at most WRITE_WAIT_MS', () => {
    const w = new Writes();
    assert.equal(w.due(0, true), true, 'the first frame writes');
    assert.equal(w.due(16, true), false, 'records drawn: the text waits');
    assert.equal(w.due(33, false), true, 'no records: written');
    assert.equal(w.due(50, true), false);
    assert.equal(w.due(66, true), false);
    assert.equal(w.due(33 + WRITE_WAIT_MS, true), true, 'waited long enough: written whatever the frame draws');
  });

  test('frames that draw nothing write on each', () => {
    const w = new Writes();
    assert.deepEqual([0, 16, 33, 50].map((t) => w.due(t, false)), [true, true, true, true]);
  });

  test('paced drawing (a replay at max) writes once a period, whatever the frames draw', () => {
    const w = new Writes();
    assert.equal(w.due(0, true, 1000), true, 'the first frame writes');
    assert.deepEqual([16, 33, 500, 999].map((t) => w.due(t, false, 1000)), [false, false, false, false],
      'frames with no new records wait for the period too');
    assert.equal(w.due(1000 + WRITE_WAIT_MS, true, 1000), true, 'a period on: written');
    assert.equal(w.due(1066, true, 1000), false);
    assert.equal(w.due(1083, false, 0), true, 'unpaced again (caught up): a frame with no records writes at once');
  });
});
