// Laps by distance (static/race/delta.js): the line crossing interpolated between samples, a
// lap's trace, and the delta against a reference, which at the line is the lap-time difference.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crossingTs, deltaAtEnd, deltaOnGrid, distanceGrid, lapTrace, onGrid, ringLap, sampleValue, valueAt } from '../../../static/race/delta.js';
import { TelemetryStore } from '../../../static/core/state.js';

const L = 1000;
/**
 * The synthetic car changes speed at the line, which interpolating by distance cannot know:
 * the crossing is then off by a few ms (here at most 100 ms × 2.5 %), well inside a sample period.
 */
const EPS = 5;
/**
 * Samples every `period` ms of a car driving laps of the given times (ms) at constant
 * speed each, the first lap starting at `t0`, the first sample `offset` ms after it.
 */
function drive(lapTimes, { t0 = 1_000_000, period = 100, offset = 37, firstLap = 1 } = {}) {
  const out = [];
  const starts = [t0];
  for (const ms of lapTimes) starts.push(starts[starts.length - 1] + ms);
  for (let ts = t0 + offset; ts < starts[starts.length - 1]; ts += period) {
    const n = starts.findIndex((s, i) => ts >= s && ts < starts[i + 1]);
    const d = ((ts - starts[n]) / lapTimes[n]) * L;
    out.push({ ts, lap: firstLap + n, lap_distance_m: d, speed_kph: (L / lapTimes[n]) * 3600, rpm: 9000 + n });
  }
  return { samples: out, starts };
}

describe('the crossing of the line', () => {
  test('is interpolated by distance between the samples around it', () => {
    const t = crossingTs({ ts: 1000, lap_distance_m: 990 }, { ts: 1100, lap_distance_m: 30 }, L);
    assert.equal(t, 1025);
  });
});

describe('a lap trace', () => {
  const { samples, starts } = drive([60_000, 50_000, 51_250, 52_000]);

  test('runs from the line to the line, timed to better than a sample period', () => {
    const tr = lapTrace(samples, 2, L);
    assert.ok(Math.abs(tr.startTs - starts[1]) < EPS, `${tr.startTs} vs ${starts[1]}`);
    assert.ok(Math.abs(tr.endTs - tr.startTs - 50_000) < EPS);
    assert.equal(tr.d[0], 0);
    assert.equal(tr.d[tr.d.length - 1], L);
    assert.ok(Math.abs(valueAt(tr, 't', 500) - 25_000) < EPS, 'halfway at constant speed is half the lap');
  });

  test('a lap that began before the first record has no trace', () => {
    assert.equal(lapTrace(samples.slice(5), 1, L), null);
  });

  test('the lap table\'s crossing times win over the samples\'', () => {
    const tr = lapTrace(samples, 3, L, { start_ts: starts[2] + 10, end_ts: starts[3] + 10 });
    assert.equal(tr.startTs, starts[2] + 10);
  });

  test('the lap in progress ends where the car is', () => {
    const partial = samples.filter((s) => s.ts < starts[3] + 20_000);
    const tr = lapTrace(partial, 4, L);
    assert.equal(tr.endTs, null);
    assert.ok(tr.d[tr.d.length - 1] < L / 2);
  });
});

describe('the delta against a reference lap', () => {
  const { samples } = drive([60_000, 50_000, 51_250, 52_000]);
  const best = lapTrace(samples, 2, L);
  const last = lapTrace(samples, 3, L);

  test('at the line it is the lap-time difference', () => {
    assert.ok(Math.abs(deltaAtEnd(last, best) - (last.endTs - last.startTs - (best.endTs - best.startTs))) < 1e-9);
    assert.ok(Math.abs(deltaAtEnd(last, best) - 1250) < 2 * EPS, `${deltaAtEnd(last, best)}`);
  });

  test('grows along the lap as time is lost, in seconds on the grid, with gaps where a lap does not reach', () => {
    const grid = distanceGrid(L, 100);
    assert.equal(grid.length, 11);
    const d = deltaOnGrid(last, best, grid);
    assert.ok(Math.abs(d[5] - 0.625) < 2 * EPS / 1000, `${d[5]}`);
    assert.ok(Math.abs(d[10] - 1.25) < 2 * EPS / 1000);
    const cur = lapTrace(samples.filter((s) => s.lap < 4 || s.lap_distance_m < 300), 4, L);
    const partial = deltaOnGrid(cur, best, grid);
    assert.equal(partial[10], null);
    assert.ok(partial[2] > 0);
  });

  test('from the page\'s ring, with one sample either side, as /api/lap gives it', () => {
    const store = new TelemetryStore();
    store.ingest([{ topic: 't', partition: 0, records: samples.map((s) => ({ ...s, car: 'A1', offset: s.ts, tire_temp_c: null })) }], () => true, false);
    const lap3 = ringLap(store.cars.get('A1'), 3);
    assert.equal(lap3[0].lap, 2);
    assert.equal(lap3[lap3.length - 1].lap, 4);
    const fromRing = lapTrace(lap3, 3, L);
    assert.ok(Math.abs(fromRing.endTs - fromRing.startTs - 51_250) < 2 * EPS);
  });
});

describe('any channel by distance', () => {
  const { samples } = drive([60_000, 50_000, 51_250, 52_000]);
  const withChannels = samples.map((s, i) => ({ ...s, car: 'A1', offset: s.ts, tire_temp_c: { fl: 80 + (i % 7), fr: 81, rl: 82, rr: 83 }, channels: { 'brake_temp_c.fl': 400 + i, g_lat: i % 2 } }));

  test('a sample’s channel is read wherever the record keeps it', () => {
    const r = withChannels[5];
    assert.equal(sampleValue(r, 'speed_kph'), r.speed_kph);
    assert.equal(sampleValue(r, 'tire_temp_c.fl'), r.tire_temp_c.fl);
    assert.equal(sampleValue(r, 'brake_temp_c.fl'), 405);
    assert.ok(Number.isNaN(sampleValue(r, 'steer')), 'a channel the record lacks');
    assert.ok(Number.isNaN(sampleValue({ ts: 1 }, 'tire_temp_c.fl')));
  });

  test('a lap of /api/lap records and the same lap from the ring give the same channels on the grid', () => {
    const channels = ['speed_kph', 'brake_temp_c.fl', 'tire_temp_c.fl'];
    const store = new TelemetryStore();
    store.ingest([{ topic: 't', partition: 0, records: withChannels }], () => true, false);
    const fromApi = lapTrace(withChannels, 3, L, {}, channels);
    const fromRing = lapTrace(ringLap(store.cars.get('A1'), 3, channels), 3, L, {}, channels);
    const grid = distanceGrid(L);
    for (const name of channels) assert.deepEqual(onGrid(fromRing, name, grid), onGrid(fromApi, name, grid), name);
    const brake = onGrid(fromApi, 'brake_temp_c.fl', grid);
    const first = withChannels.findIndex((s) => s.lap === 3);
    assert.equal(brake[0], 400 + first, 'the lap starts on its first sample’s value');
    assert.ok(brake.every((v) => v === null || (v >= 400 + first - 1 && v <= 400 + withChannels.length)), 'between the lap’s values');
  });
});

describe('a stepped channel by distance', () => {
  test('a gear holds until the next sample: never a fraction of one', () => {
    const samples = [
      { ts: 0, lap: 1, lap_distance_m: 990, gear: 7 },
      { ts: 100, lap: 2, lap_distance_m: 10, gear: 3 },
      { ts: 200, lap: 2, lap_distance_m: 30, gear: 4 },
      { ts: 300, lap: 2, lap_distance_m: 50, gear: 5 },
    ];
    const tr = lapTrace(samples, 2, L, {}, ['gear']);
    assert.deepEqual([15, 29.9, 30, 40, 50].map((d) => valueAt(tr, 'gear', d)), [3, 3, 4, 4, 5]);
  });
});
