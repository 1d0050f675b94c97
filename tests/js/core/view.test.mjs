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

describe('the text on a heavy frame', () => {
  test('a frame whose views spent the budget leaves the text to the next frame', () => {
    const w = new Writes();
    assert.equal(w.due(0, false), true);
    assert.equal(w.due(16, false, 0, true), false, 'heavy: not on this frame');
    assert.equal(w.due(33, false, 0, false), true, 'the next, lighter, frame writes');
  });

  test('paced, the period’s first frame is heavy (the round starts there): the text goes on the frame after', () => {
    const w = new Writes();
    assert.equal(w.due(0, true, 1000), true);
    assert.equal(w.due(1000, true, 1000, true), false);
    assert.equal(w.due(1016, true, 1000, false), true);
  });

  test('heavy frames one after another hold the text back WRITE_WAIT_MS at most', () => {
    const w = new Writes();
    w.due(0, false);
    const frames = [16, 33, 50, 66];
    assert.deepEqual(frames.map((t) => w.due(t, false, 0, true)), [false, false, true, false]);
    assert.equal(w.due(50 + WRITE_WAIT_MS, true, 0, true), false, 'drawing records too: its wait and the heavy frame’s add up');
    assert.equal(w.due(50 + 2 * WRITE_WAIT_MS, true, 0, true), true);
  });

  test('Rounds.draw says whether its views spent the budget', () => {
    const r = new Rounds(2);
    let t = 0;
    r.draw(0, 0, () => { t += 3; }, () => t, 8);
    assert.equal(r.heavy, false);
    r.draw(16, 0, () => { t += 9; }, () => t, 8);
    assert.equal(r.heavy, true);
  });
});

describe('the frame budget', () => {
  /** A clock that moves on by each view's cost (ms) as the view draws. */
  function drawing(costs) {
    let t = 0;
    const log = [];
    return { clock: () => t, drawOne: (i) => { log.push(i); t += costs[i]; }, log };
  }

  test('cheap views all draw on every frame, from view 0', () => {
    const r = new Rounds(4);
    const d = drawing([1, 1, 1, 1]);
    assert.equal(r.draw(0, 0, d.drawOne, d.clock, 8), 4);
    assert.equal(r.draw(16, 0, d.drawOne, d.clock, 8), 4);
    assert.deepEqual(d.log, [0, 1, 2, 3, 0, 1, 2, 3]);
  });

  test('a burst over the budget leaves the views after it to the next frame, which starts with them', () => {
    const r = new Rounds(4);
    const costs = [10, 1, 30, 1];
    const d = drawing(costs);
    assert.equal(r.draw(0, 0, d.drawOne, d.clock, 8), 1, 'the first view is drawn whatever it costs; the budget is spent');
    assert.equal(r.draw(16, 0, d.drawOne, d.clock, 8), 2, 'views 1 and 2 next');
    costs.fill(1);
    assert.equal(r.draw(32, 0, d.drawOne, d.clock, 8), 4, 'then view 3 first, and round again');
    assert.equal(r.draw(48, 0, d.drawOne, d.clock, 8), 4);
    assert.deepEqual(d.log, [0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3]);
  });

  test('no view waits more than a frame per view before it, however heavy the others', () => {
    const r = new Rounds(5);
    const d = drawing([50, 50, 50, 50, 50]);
    for (let f = 0; f < 5; f++) r.draw(f * 16, 0, d.drawOne, d.clock, 8);
    assert.deepEqual(d.log, [0, 1, 2, 3, 4], 'one view a frame, in turn');
  });

  test('fewer views than the frame started with (panels left the screen): the next frame starts at view 0', () => {
    const r = new Rounds(4);
    const d = drawing([1, 1, 20, 1]);
    r.draw(0, 0, d.drawOne, d.clock, 8);
    r.resize(2);
    assert.deepEqual(r.due(16, 0), [0, 1]);
  });

  test('paced, the one view of the frame is drawn and the budget changes nothing', () => {
    const r = new Rounds(3);
    const d = drawing([40, 40, 40]);
    for (let now = 0; now <= 1000; now += 100) r.draw(now, 1000, d.drawOne, d.clock, 8);
    assert.deepEqual(d.log, [0, 1, 2, 0]);
  });
});
