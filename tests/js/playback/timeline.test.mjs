// The timeline's geometry (static/playback/timeline.js): time and x, the span, lap markers, the lane
// of missing records, ticks and the behind-live text.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { behindText, gapRuns, lapMarkers, span, timeTicks, timeToX, xToTime } from '../../../static/playback/timeline.js';

const SP = { from: 1_000_000, to: 1_060_000 }; // one minute

/** An overview of 10 buckets of 1 s from 0, with each car's counts. */
const overview = (counts, laps = {}) => ({
  type: 'overview', state: 'done', from_ts: 0, to_ts: 10_000, bucket_ms: 1000, buckets: 10,
  cars: Object.entries(counts).map(([car, count]) => ({ car, partition: 2, count, laps: laps[car] ?? [] })),
});

describe('the timeline span', () => {
  test('runs from the earliest record Kafka retains to the newest time known', () => {
    assert.deepEqual(span({ first_ts: 100, last_ts: 500 }), { from: 100, to: 500 });
    assert.deepEqual(span({ first_ts: 100, last_ts: 500 }, [900, NaN, null]), { from: 100, to: 900 }, 'live data extends it');
    assert.deepEqual(span({ first_ts: 100, last_ts: 500 }, [300]), { from: 100, to: 500 });
  });

  test('is unknown until something is known, and never empty', () => {
    assert.equal(span(null), null);
    assert.equal(span({ first_ts: null, last_ts: null }), null);
    assert.deepEqual(span(null, [700]), { from: 700, to: 701 });
    assert.deepEqual(span({ first_ts: 5, last_ts: 5 }), { from: 5, to: 6 });
  });
});

describe('time and x', () => {
  test('map both ways across the bar', () => {
    assert.equal(timeToX(1_030_000, SP, 600), 300);
    assert.equal(xToTime(300, SP, 600), 1_030_000);
    assert.equal(xToTime(0, SP, 600), SP.from);
    assert.equal(xToTime(600, SP, 600), SP.to);
    for (const x of [0, 17, 299.5, 451, 600]) assert.ok(Math.abs(timeToX(xToTime(x, SP, 600), SP, 600) - x) < 0.01, `x ${x}`);
  });

  test('are clamped to the bar and the span', () => {
    assert.equal(timeToX(0, SP, 600), 0);
    assert.equal(timeToX(9e12, SP, 600), 600);
    assert.equal(xToTime(-40, SP, 600), SP.from);
    assert.equal(xToTime(900, SP, 600), SP.to);
  });
});

describe('lap markers', () => {
  const laps = { 7: [{ lap: 1, ts: 0, offset: 0 }, { lap: 2, ts: 3000, offset: 120 }, { lap: 3, ts: 3100, offset: 124 }, { lap: 4, ts: 9000, offset: 360 }] };
  const ov = overview({ 7: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }, laps);

  test('are the focused car’s laps inside the span, with their offset and partition', () => {
    const m = lapMarkers(ov, '7', { from: 0, to: 10_000 }, 1000);
    assert.deepEqual(m.map((l) => [l.lap, l.x, l.offset, l.partition]), [[1, 0, 0, 2], [2, 300, 120, 2], [3, 310, 124, 2], [4, 900, 360, 2]]);
    assert.deepEqual(lapMarkers(ov, '7', { from: 2000, to: 5000 }, 1000).map((l) => l.lap), [2, 3]);
  });

  test('label only where there is room', () => {
    const m = lapMarkers(ov, '7', { from: 0, to: 10_000 }, 1000, 28);
    assert.deepEqual(m.map((l) => l.label), [true, true, false, true], 'lap 3 is 10 px after lap 2');
  });

  test('are none for a car the overview does not know, or without an overview', () => {
    assert.deepEqual(lapMarkers(ov, '9', SP, 100), []);
    assert.deepEqual(lapMarkers(null, '7', SP, 100), []);
  });
});

describe('the lane of missing records', () => {
  test('a run of buckets where no car sent anything is a gap, with its times', () => {
    const runs = gapRuns(overview({ 1: [3, 3, 0, 0, 0, 3, 3, 3, 3, 3], 2: [3, 3, 0, 0, 0, 3, 3, 3, 3, 3] }));
    assert.deepEqual(runs, [{ kind: 'gap', start: 2, end: 5, from: 2000, to: 5000, missing: ['1', '2'] }]);
  });

  test('a car that stops sending while others carry on is a partial run naming it', () => {
    const runs = gapRuns(overview({ 1: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 2: [3, 3, 0, 0, 3, 3, 3, 3, 3, 3] }));
    assert.deepEqual(runs.map((r) => [r.kind, r.start, r.end, r.missing]), [['partial', 2, 4, ['2']]]);
  });

  test('the edges of the data, and a car before its first or after its last record, are not gaps', () => {
    const runs = gapRuns(overview({ 1: [0, 3, 3, 3, 3, 3, 3, 3, 3, 0], 2: [0, 0, 0, 3, 3, 3, 3, 0, 0, 0] }));
    assert.deepEqual(runs, []);
  });

  test('a single-bucket dropout is found', () => {
    const runs = gapRuns(overview({ 1: [3, 3, 3, 3, 0, 3, 3, 3, 3, 3] }));
    assert.deepEqual(runs.map((r) => [r.kind, r.start, r.end]), [['gap', 4, 5]]);
  });

  test('nothing to say without cars', () => {
    assert.deepEqual(gapRuns(null), []);
    assert.deepEqual(gapRuns(overview({})), []);
  });
});

describe('ticks and text', () => {
  test('ticks are round times at least the asked pixels apart', () => {
    const { step, ticks } = timeTicks({ from: 0, to: 3_600_000 }, 1200, 90);
    assert.equal(step, 300_000);
    assert.equal(ticks.length, 13);
    assert.ok(ticks.every((t) => t % step === 0));
    assert.equal(timeTicks({ from: 500, to: 10_500 }, 1000, 90).step, 1000);
  });

  test('behind live reads in seconds, minutes or hours', () => {
    assert.equal(behindText(12_400), '−12 s behind live');
    assert.equal(behindText(245_000), '−4 min 05 s behind live');
    assert.equal(behindText(3_720_000), '−1 h 02 min behind live');
    assert.equal(behindText(null), '');
  });
});
