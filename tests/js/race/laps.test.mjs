// The lap table (static/race/laps.js): full tables and deltas merged, laps as they stood at a
// moment of a replay, personal and session bests, and times written as timing screens do.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_LAPS_PER_CAR, NO_LAPS, formatDelta, formatLapTime, lapsAt, mergeLaps, personalBest, sessionBest, timeClass,
} from '../../../static/race/laps.js';

const lap = (n, start, ms, sectors = [ms / 3, ms / 3, ms / 3]) => ({
  lap: n, start_ts: start, end_ts: start + ms, time_ms: ms, sectors_ms: sectors, partition: 0, offset: n, pit: false,
});
const full = (cars, topic = 't') => ({ type: 'laps', topic, full: true, index: { state: 'live' }, track: { length_m: 3000, sectors_m: [1000, 2000] }, cars });

describe('merging laps messages', () => {
  test('a delta adds the laps completed since and replaces the lap in progress', () => {
    let t = mergeLaps(NO_LAPS, full([{ car: 'A1', driver: 'Ada', laps: [lap(2, 1000, 90_000)], current: { lap: 3, start_ts: 91_000, sectors_ms: [] } }]));
    t = mergeLaps(t, { type: 'laps', topic: 't', full: false, cars: [{ car: 'A1', laps: [lap(3, 91_000, 91_250)], current: { lap: 4, start_ts: 182_250, sectors_ms: [30_000] } }] });
    const a1 = t.cars.get('A1');
    assert.deepEqual(a1.laps.map((l) => l.time_ms), [90_000, 91_250]);
    assert.equal(a1.current.lap, 4);
    assert.equal(a1.driver, 'Ada', 'the driver is kept from the full table');
    assert.equal(t.track.length_m, 3000);
  });

  test('a full table replaces everything, and a delta of another topic is ignored', () => {
    let t = mergeLaps(NO_LAPS, full([{ car: 'A1', laps: [lap(2, 0, 90_000)] }]));
    assert.equal(mergeLaps(t, { topic: 'other', full: false, cars: [{ car: 'B', laps: [lap(2, 0, 1)] }] }), t);
    t = mergeLaps(t, full([{ car: 'B', laps: [] }]));
    assert.deepEqual([...t.cars.keys()], ['B']);
  });

  test('a car keeps its newest laps only, and laps without a time are not kept', () => {
    const many = Array.from({ length: MAX_LAPS_PER_CAR + 5 }, (_, i) => lap(i + 1, i * 100, 100));
    const t = mergeLaps(NO_LAPS, full([{ car: 'A', laps: [...many, { lap: 9999 }] }]));
    const laps = t.cars.get('A').laps;
    assert.equal(laps.length, MAX_LAPS_PER_CAR);
    assert.equal(laps[0].lap, 6);
  });
});

describe('laps at a moment of a replay', () => {
  const car = { laps: [lap(2, 0, 90_000, [30_000, 30_000, 30_000]), lap(3, 90_000, 91_000, [31_000, 30_000, 30_000])], current: { lap: 4, start_ts: 181_000, sectors_ms: [] } };

  test('shows the laps done by then and the sectors of the lap in progress', () => {
    const at = lapsAt(car, 90_000 + 45_000);
    assert.deepEqual(at.done.map((l) => l.lap), [2]);
    assert.equal(at.current.lap, 3);
    assert.deepEqual(at.current.sectors_ms, [31_000], 'one sector of lap 3 is done 45 s in');
  });

  test('live shows the whole table', () => {
    assert.equal(lapsAt(car, Infinity).done.length, 2);
    assert.equal(lapsAt(car, Infinity).current.lap, 4);
    assert.deepEqual(lapsAt(undefined, 5), { done: [], current: null });
    const untimed = { laps: [], current: { lap: 1, start_ts: null, sectors_ms: [] } };
    assert.equal(lapsAt(untimed, 5).current, null, 'a lap that began before the first record has no moment');
  });
});

describe('bests and colours', () => {
  test('purple is the session best, green a personal best, and neither otherwise', () => {
    const a = personalBest([lap(2, 0, 90_000, [30_000, 29_000, 31_000]), lap(3, 0, 91_250, [29_500, 30_000, 31_750])]);
    const b = personalBest([lap(2, 0, 92_000, [31_000, 28_000, 33_000])]);
    assert.equal(a.lap, 90_000);
    assert.equal(a.lapNo, 2);
    assert.deepEqual(a.sectors, [29_500, 29_000, 31_000]);
    const s = sessionBest(new Map([['A1', a], ['B', b]]));
    assert.equal(s.car, 'A1');
    assert.deepEqual(s.sectors, [29_500, 28_000, 31_000]);
    assert.equal(timeClass(90_000, a.lap, s.lap), 'purple');
    assert.equal(timeClass(91_250, a.lap, s.lap), '');
    assert.equal(timeClass(92_000, b.lap, s.lap), 'green');
    assert.equal(timeClass(NaN, b.lap, s.lap), '');
  });
});

describe('writing times', () => {
  test('lap times as 1:30.000, deltas signed', () => {
    assert.equal(formatLapTime(90_000), '1:30.000');
    assert.equal(formatLapTime(91_250.4), '1:31.250');
    assert.equal(formatLapTime(605_007), '10:05.007');
    assert.equal(formatLapTime(59_875), '59.875');
    assert.equal(formatLapTime(NaN), '—');
    assert.equal(formatDelta(1250), '+1.250');
    assert.equal(formatDelta(-312), '−0.312');
    assert.equal(formatDelta(0.2), '0.000');
  });
});
