// Statistics between the A/B cursors (static/cursors/stats.js): what the cursors readout
// shows for one car's channel, read from the same rings the strips draw.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CAPACITY, TelemetryStore } from '../../../static/core/state.js';
import { HOLD_MS, MAX_ROWS, channelStats, columnStats, delta, ordered, readoutRows, spanOf, timeRows } from '../../../static/cursors/stats.js';

const all = () => true;
/** A car whose speed is `speeds[k]` at `t0 + k × step` ms, with optional other channels per record. */
function car(speeds, { t0 = 1_000, step = 100, extra = () => ({}) } = {}) {
  const store = new TelemetryStore();
  const records = speeds.map((v, k) => ({
    car: '7', ts: t0 + k * step, offset: k, speed_kph: v, rpm: 9000, tire_temp_c: { fl: 90, fr: 90, rl: 90, rr: 90 }, ...extra(k),
  }));
  store.ingest([{ topic: 't', partition: 0, records }], all, false);
  return store.cars.get('7');
}
const statsOf = (track, name, a, b) => channelStats(track, spanOf(track, a, b), name);

describe('statistics between the cursors', () => {
  test('cursors on two records read exactly their values, and the range both of them and what lies between', () => {
    const track = car([10, 20, 35, 40, 50, 60]);
    const s = statsOf(track, 'speed_kph', 1_100, 1_400);
    assert.equal(s.a, 20);
    assert.equal(s.b, 50);
    assert.equal(s.diff, 30);
    assert.equal(s.min, 20);
    assert.equal(s.max, 50);
    assert.equal(s.count, 4, 'both ends included');
    assert.equal(s.mean, (20 + 35 + 40 + 50) / 4);
    assert.deepEqual([s.aAt, s.bAt], [1_100, 1_400]);
  });

  test('a cursor between records reads the record at or before it, which the range does not include', () => {
    const track = car([10, 20, 30, 40]);
    const s = statsOf(track, 'speed_kph', 1_150, 1_250);
    assert.equal(s.a, 20, 'A at 1150 ms reads the record of 1100 ms');
    assert.equal(s.aAt, 1_100);
    assert.equal(s.b, 30);
    assert.equal(s.count, 1, 'only the record of 1200 ms lies in [1150, 1250]');
    assert.equal(s.mean, 30);
  });

  test('A after B is the same range; A, B and B − A stay the values at each cursor as placed', () => {
    const track = car([10, 20, 30, 40]);
    const forward = statsOf(track, 'speed_kph', 1_000, 1_300);
    const back = statsOf(track, 'speed_kph', 1_300, 1_000);
    assert.deepEqual([back.min, back.max, back.mean, back.count], [forward.min, forward.max, forward.mean, forward.count]);
    assert.deepEqual([back.a, back.b, back.diff], [40, 10, -30]);
    assert.deepEqual([back.aAt, back.bAt], [1_300, 1_000]);
    assert.deepEqual(ordered({ a: 5, b: 2 }), { a: 2, b: 5 });
    assert.equal(delta({ a: 5_000, b: 2_000 }), 3_000);
    assert.equal(delta({ a: 5_000, b: null }), null, 'no Δt with one cursor');
    assert.equal(ordered({ a: NaN, b: 1 }), null);
  });

  test('samples lacking the channel are skipped, in the range and at the cursors', () => {
    const track = car([10, 20, 30, 40, 50], { extra: (k) => (k % 2 === 0 ? { channels: { g_lat: k } } : {}) });
    const s = statsOf(track, 'g_lat', 1_100, 1_300);
    assert.equal(s.a, 0, 'A on a record without g_lat reads the one before it');
    assert.equal(s.aAt, 1_000);
    assert.equal(s.b, 2);
    assert.equal(s.count, 1, 'only the record of 1200 ms carries g_lat in the range');
    assert.deepEqual([s.min, s.max, s.mean], [2, 2, 2]);
  });

  test('a sample older than the hold is not the value at a cursor', () => {
    const track = car([10, 20], { step: HOLD_MS * 3 });
    const s = statsOf(track, 'speed_kph', 1_000 + HOLD_MS + 1, 1_000 + HOLD_MS * 2);
    assert.equal(s.a, null);
    assert.equal(s.b, null);
    assert.equal(s.diff, null);
    assert.equal(statsOf(track, 'speed_kph', 1_000 + HOLD_MS, 1_000 + HOLD_MS).a, 10, 'exactly at the hold still reads');
  });

  test('an empty range gives nulls and a count of 0, never NaN', () => {
    const track = car([10, 20]);
    const before = statsOf(track, 'speed_kph', 0, 500);
    assert.deepEqual(before, { a: null, b: null, aAt: null, bAt: null, diff: null, min: null, max: null, mean: null, count: 0 });
    const none = statsOf(track, 'no_such_channel', 1_000, 1_100);
    assert.equal(none.mean, null);
    assert.equal(none.count, 0);
    const between = statsOf(track, 'speed_kph', 1_020, 1_080);
    assert.equal(between.count, 0);
    assert.equal(between.mean, null);
    assert.equal(between.a, 10, 'the cursors still read the record before them');
  });

  test('after the ring wrapped, the range reads only what it keeps', () => {
    const speeds = Array.from({ length: CAPACITY + 50 }, (_, k) => k);
    const track = car(speeds, { t0: 0, step: 10 });
    const s = statsOf(track, 'speed_kph', 0, 1_000);
    assert.equal(s.min, 50, 'the overwritten samples are gone');
    assert.equal(s.count, 51);
    assert.equal(s.a, null, 'nothing kept at or before A');
  });

  test('timeRows reads each car once, for each channel asked, and is null until both cursors are set', () => {
    const track = car([10, 20, 30], { extra: (k) => ({ rpm: 8000 + k * 100 }) });
    const cars = new Map([['7', track]]);
    const rows = [{ car: '7', channel: 'speed_kph' }, { car: '7', channel: 'rpm' }, { car: '9', channel: 'rpm' }];
    assert.equal(timeRows(cars, rows, { a: 1_000, b: null }), null);
    const out = timeRows(cars, rows, { a: 1_000, b: 1_200 });
    assert.deepEqual(out.map((r) => [r.car, r.channel, r.stats.diff, r.stats.mean]), [
      ['7', 'speed_kph', 20, 20], ['7', 'rpm', 200, 8100], ['9', 'rpm', null, null],
    ]);
  });
});

describe('statistics between distance cursors', () => {
  const xs = [0, 10, 20, 30, 40, 50];
  const ys = [1, 2, null, 4, NaN, 6];

  test('reads the grid point at or before each cursor and the points between', () => {
    const s = columnStats(xs, ys, 10, 50);
    assert.deepEqual([s.a, s.b, s.diff, s.min, s.max, s.count], [2, 6, 4, 2, 6, 3]);
    assert.equal(s.mean, 4);
    assert.deepEqual([s.aAt, s.bAt], [10, 50]);
  });

  test('a cursor between points reads the one before; on a point without a value, none', () => {
    const s = columnStats(xs, ys, 15, 35);
    assert.deepEqual([s.a, s.aAt, s.b, s.bAt, s.count], [2, 10, 4, 30, 1]);
    const gap = columnStats(xs, ys, 25, 45);
    assert.deepEqual([gap.a, gap.b, gap.diff, gap.count], [null, null, null, 1], 'a lap whose line stops before a cursor has no value there');
  });

  test('reversed cursors read the same range, A and B at each cursor as placed', () => {
    const r = columnStats(xs, ys, 35, 15);
    assert.deepEqual([r.a, r.b, r.diff, r.count, r.mean], [4, 2, -2, 1, 4]);
  });

  test('nothing on the grid gives nulls', () => {
    const s = columnStats([], [], 0, 10);
    assert.deepEqual([s.a, s.b, s.diff, s.mean, s.count], [null, null, null, null, 0]);
  });
});

describe('the rows of the readout', () => {
  const strips = [
    { channels: ['speed_kph'], cars: 'all' },
    { channels: ['throttle', 'brake'], cars: 'focus' },
    { channels: ['speed_kph', 'rpm'], cars: 'focus' },
  ];

  test('each channel once, the focused car first, every car drawn only where a strip draws every car', () => {
    const rows = readoutRows(strips, '7', ['3', '9', '7']);
    assert.deepEqual(rows.map((r) => `${r.channel}#${r.car}`), [
      'speed_kph#7', 'speed_kph#3', 'speed_kph#9', 'throttle#7', 'brake#7', 'rpm#7',
    ]);
  });

  test('with no focused car, the strips of every car still list the cars drawn', () => {
    assert.deepEqual(readoutRows(strips, null, ['3', '9']).map((r) => `${r.channel}#${r.car}`), ['speed_kph#3', 'speed_kph#9']);
  });

  test('the rows are bounded', () => {
    const many = Array.from({ length: 16 }, (_, k) => `c${k}`);
    const cars = Array.from({ length: 40 }, (_, k) => String(k));
    assert.equal(readoutRows([{ channels: many, cars: 'all' }], '0', cars).length, MAX_ROWS);
  });
});
