// The timing tower's rows (static/race/tower.js): running order by laps then distance, gaps and
// intervals from when the car ahead passed the same point, lapped cars, quiet cars, sectors.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatGap, passTime, towerRows } from '../../../static/race/tower.js';
import { NO_LAPS, mergeLaps } from '../../../static/race/laps.js';
import { TelemetryStore } from '../../../static/core/state.js';

const L = 1000;
const SPEED = 50; // m/s: 20 s a lap

/** Cars driving at SPEED from 0 to `untilMs` (every 100 ms), each `behindMs` behind the line at t=0. */
function race(cars, untilMs, { stopAt = {} } = {}) {
  const store = new TelemetryStore();
  for (let ts = 0; ts <= untilMs; ts += 100) {
    const records = [];
    for (const [car, behindMs] of Object.entries(cars)) {
      if (ts > (stopAt[car] ?? Infinity)) continue;
      const metres = ((ts - behindMs) / 1000) * SPEED + 10 * L; // everyone starts on lap 10-ish
      records.push({ car, ts, offset: ts, speed_kph: 180, rpm: 9000, lap: Math.floor(metres / L), lap_distance_m: metres % L });
    }
    store.ingest([{ topic: 't', partition: 0, records }], () => true, false);
  }
  return store;
}
const rows = (store, extra = {}) => towerRows({
  tracks: [...store.cars.values()], table: NO_LAPS, t: null, now: store.maxTs, staleMs: 5000, retiredMs: 60_000, ...extra,
});

describe('running order, gaps and intervals', () => {
  test('the car furthest round leads; gaps are the time since the leader passed the same point', () => {
    const store = race({ A: 0, B: 1500, C: 4200 }, 60_000);
    const r = rows(store);
    assert.deepEqual(r.map((x) => x.id), ['A', 'B', 'C']);
    assert.deepEqual(r.map((x) => x.pos), [1, 2, 3]);
    assert.deepEqual(r.map((x) => x.gap), ['', '+1.500', '+4.200']);
    assert.deepEqual(r.map((x) => x.interval), ['', '+1.500', '+2.700']);
  });

  test('a car a lap or more behind shows laps, not seconds', () => {
    const store = race({ A: 0, B: 21_000, C: 42_000 }, 80_000);
    const r = rows(store);
    assert.deepEqual(r.map((x) => x.gap), ['', '+1 L', '+2 L']);
    assert.deepEqual(r.map((x) => x.interval), ['', '+1 L', '+1 L']);
  });

  test('at a moment of a replay, the rows are as the race stood then', () => {
    const store = race({ A: 0, B: 2000 }, 60_000);
    const r = rows(store, { t: 30_000, now: 30_000 });
    assert.equal(r[1].ts, 30_000);
    assert.equal(r[1].gap, '+2.000');
  });

  test('the time a car passed a point is interpolated between its samples', () => {
    const store = race({ A: 0 }, 10_000);
    const track = store.cars.get('A');
    // At t=5 s A had gone 250 m on lap 10; 260 m is 200 ms later.
    assert.ok(Math.abs(passTime(track, track.indexFromNewest(0), 10, 260, L) - 5200) < 1e-6);
    assert.ok(Number.isNaN(passTime(track, track.indexFromNewest(0), 12, 0, L)), 'a point it never reached');
  });
});

describe('cars that go quiet', () => {
  test('stale after the stale period, retired after the longer one and listed last', () => {
    const store = race({ A: 0, B: 500, C: 1000 }, 80_000, { stopAt: { A: 72_000, B: 10_000 } });
    const r = rows(store);
    // A stopped at 72 s and C, still driving, has passed it.
    assert.deepEqual(r.map((x) => [x.id, x.status]), [['C', ''], ['A', 'stale'], ['B', 'retired']]);
  });

  test('a car with no record yet at the moment shown is neither: it is listed last, unknown', () => {
    const store = race({ A: 0 }, 10_000);
    store.ingest([{ topic: 't', partition: 0, records: [{ car: 'Z', ts: 9000, offset: 1, speed_kph: 1, rpm: 1, lap: 10, lap_distance_m: 5 }] }], () => true, false);
    const r = rows(store, { t: 5000, now: 5000 });
    assert.deepEqual(r.map((x) => [x.id, x.status, x.gap]), [['A', '', ''], ['Z', '', '—']]);
  });
});

describe('laps and sectors from the lap table', () => {
  test('last and best lap in motorsport colours; sectors of the lap in progress as they complete', () => {
    const store = race({ A1: 0, B: 1000 }, 30_000);
    const lap = (n, start, ms, sectors) => ({ lap: n, start_ts: start, end_ts: start + ms, time_ms: ms, sectors_ms: sectors });
    const table = mergeLaps(NO_LAPS, {
      type: 'laps', topic: 't', full: true, track: { length_m: L, sectors_m: [333, 666] },
      cars: [
        { car: 'A1', laps: [lap(2, -200_000, 90_000, [30_000, 30_000, 30_000]), lap(3, -110_000, 91_250, [29_000, 31_000, 31_250])],
          current: { lap: 4, start_ts: -18_750, sectors_ms: [29_500] } },
        { car: 'B', laps: [lap(3, -111_000, 92_000, [31_000, 30_500, 30_500])], current: { lap: 4, start_ts: -19_000, sectors_ms: [] } },
      ],
    });
    const [a, b] = rows(store, { table });
    assert.deepEqual([a.bestCell.text, a.bestCell.cls], ['1:30.000', 'purple']);
    assert.deepEqual([a.last.text, a.last.cls], ['1:31.250', '']);
    assert.deepEqual([b.last.text, b.last.cls], ['1:32.000', 'green']);
    assert.deepEqual(a.sectors.map((s) => [s.text, s.cls, s.prev]), [['29.500', '', false], ['31.000', '', true], ['31.250', '', true]]);
    assert.equal(a.sectors[0].cls, '', 'slower than its own best first sector (29.000), so neither colour');
  });

  test('without a lap table the times are dashes and the order still comes from the records', () => {
    const [a] = rows(race({ A: 0 }, 5000));
    assert.equal(a.last.text, '—');
    assert.equal(a.sectors[0].text, '—');
    assert.equal(formatGap(NaN), '—');
  });
});
