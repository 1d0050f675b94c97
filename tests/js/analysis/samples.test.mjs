// Which samples the analysis panels read (static/analysis/samples.js): the window, each car's
// lap in progress at the playhead, the A–B range (time or distance), the cars chosen, and NaN skipped.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TelemetryStore } from '../../../static/core/state.js';
import { Gathered, chosenCars, extent, gather, spanOf } from '../../../static/analysis/samples.js';

const all = () => true;
/** Car `car`'s records at 100 ms steps: lap 1 for t < 1000, then lap 2; g_lat = t/100, g_long = -t/100. */
function store(cars = ['1', '2'], until = 2000, extra = () => ({})) {
  const s = new TelemetryStore();
  for (let ts = 0; ts < until; ts += 100) {
    s.ingest([{ topic: 't', partition: 0, records: cars.map((car) => ({
      car, ts, offset: ts, speed_kph: 100 + Number(car), rpm: 9000, lap: ts < 1000 ? 1 : 2, lap_distance_m: (ts % 1000) / 10,
      channels: { g_lat: ts / 100, g_long: -ts / 100, ...extra(car, ts) },
    })) }], all, false);
  }
  return s;
}
const window = (from, to) => spanOf('window', [from, to], null);
const values = (g, c = 0) => Array.from(g.v[c].subarray(0, g.n));

describe('the samples a panel reads', () => {
  test('over the window: every chosen car in [from, to], each car oldest first with its own run', () => {
    const g = gather(new Gathered(4), store(), ['1', '2'], ['g_lat', 'g_long'], window(300, 600), null);
    assert.equal(g.n, 8);
    assert.deepEqual(values(g), [3, 4, 5, 6, 3, 4, 5, 6]);
    assert.deepEqual(values(g, 1), [-3, -4, -5, -6, -3, -4, -5, -6]);
    assert.deepEqual(g.cars, [{ id: '1', start: 0, end: 4 }, { id: '2', start: 4, end: 8 }]);
    assert.deepEqual(extent(g.v[0], g.n), [3, 6]);
  });

  test('over the lap: each car\'s lap in progress at the playhead, up to the playhead; live its newest lap', () => {
    const s = store();
    const replay = gather(new Gathered(), s, ['1'], ['g_lat'], spanOf('lap', [0, 0], null), 1450);
    assert.deepEqual(values(replay), [10, 11, 12, 13, 14], 'lap 2 from its first sample to the playhead');
    const past = gather(new Gathered(), s, ['1'], ['g_lat'], spanOf('lap', [0, 0], null), 550);
    assert.deepEqual(values(past), [0, 1, 2, 3, 4, 5], 'at 550 ms the lap in progress is lap 1');
    const live = gather(new Gathered(), s, ['1'], ['g_lat'], spanOf('lap', [0, 0], null), null);
    assert.deepEqual(values(live), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const before = gather(new Gathered(), s, ['1'], ['g_lat'], spanOf('lap', [0, 0], null), -5);
    assert.equal(before.n, 0, 'a playhead before the first sample reads nothing');
  });

  test('over the range: between the cursors in either order; unset, the window; on distance, the lap between distances', () => {
    const s = store();
    const g = new Gathered();
    assert.deepEqual(values(gather(g, s, ['2'], ['g_lat'], spanOf('range', [0, 200], { a: 900, b: 700 }), null)), [7, 8, 9]);
    assert.deepEqual(values(gather(g, s, ['2'], ['g_lat'], spanOf('range', [0, 200], { a: 900, b: null }), null)), [0, 1, 2], 'B unset: the window');
    const byDistance = spanOf('range', [0, 0], { a: 20, b: 45, axis: 'distance' });
    assert.deepEqual(values(gather(g, s, ['2'], ['g_lat'], byDistance, 1800)), [12, 13, 14], 'lap 2 between 20 and 45 m');
  });

  test('samples where any channel asked for is NaN are skipped, and channels no car carries are named', () => {
    const s = store(['1'], 1000, (car, ts) => (ts === 300 ? { g_long: NaN } : {}));
    // And a record without the key at all (400 ms) leaves the ring's NaN.
    const t = s.cars.get('1');
    t.series('g_long')[t.indexFromNewest(5)] = NaN;
    const g = gather(new Gathered(), s, ['1'], ['g_lat', 'g_long', 'speed_kph'], window(0, 600), null);
    assert.deepEqual(values(g), [0, 1, 2, 5, 6]);
    assert.deepEqual(values(g, 2), [101, 101, 101, 101, 101]);
    const none = gather(new Gathered(), s, ['1'], ['g_lat', 'brake_temp_c.fl'], window(0, 600), null);
    assert.equal(none.n, 0);
    assert.deepEqual(none.missing, ['brake_temp_c.fl']);
  });

  test('grows past its first capacity and keeps what it read; unknown cars read nothing', () => {
    const g = gather(new Gathered(2), store(['1', '2', '3'], 3000), ['3', 'nobody', '1'], ['g_lat'], window(0, 3000), null);
    assert.equal(g.n, 60);
    assert.deepEqual(g.cars.map((c) => c.id), ['3', '1']);
    assert.equal(g.v[0][29], 29);
    assert.equal(g.v[0][30], 0);
  });

  test('the cars chosen: the focused one, or every car drawn', () => {
    const ctx = { focus: () => '2', drawn: () => ['1', '3', '2'] };
    assert.deepEqual(chosenCars('focus', ctx), ['2']);
    assert.deepEqual(chosenCars('all', ctx), ['1', '3', '2']);
    assert.deepEqual(chosenCars('focus', { focus: () => null }), []);
  });
});
