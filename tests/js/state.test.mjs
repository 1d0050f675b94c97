// The telemetry kept in the page (static/state.js): fixed rings per car that wrap around,
// the cars a selection accepts, and where the charts' window ends.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CAPACITY, MAX_CARS, TelemetryStore } from '../../static/state.js';

const all = () => true;
const record = (car, ts, extra = {}) => ({
  car, ts, offset: ts, speed_kph: ts % 300, rpm: 9000, tire_temp_c: { fl: 90, fr: 91, rl: 92, rr: 93 }, ...extra,
});
const batch = (records, topic = 't', partition = 0) => ({ topic, partition, records });

describe('the ring of a car', () => {
  test('wraps around: the newest CAPACITY samples are kept, the oldest go first', () => {
    const store = new TelemetryStore();
    const extra = 250;
    for (let ts = 0; ts < CAPACITY + extra; ts++) store.ingest([batch([record('7', ts)])], all, false);
    const track = store.cars.get('7');
    assert.equal(track.count, CAPACITY);
    assert.equal(store.records, CAPACITY + extra, 'every record counted, kept or not');
    assert.equal(track.latest().ts, CAPACITY + extra - 1);
    assert.equal(track.ts[track.indexFromNewest(CAPACITY - 1)], extra, 'the oldest kept');
    // The legend under the cursor: a moment still in the ring, and one already overwritten.
    assert.equal(store.valuesAt('7', 1000.5).speed, 1000 % 300);
    assert.equal(store.valuesAt('7', extra - 1), null);
  });

  test('the legend shows the sample at or before the cursor, or the newest without one', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 100, { speed_kph: 10 }), record('1', 200, { speed_kph: 20 }), record('1', 300, { speed_kph: 30 })])], all, false);
    assert.equal(store.valuesAt('1', 250).speed, 20);
    assert.equal(store.valuesAt('1', 300).speed, 30);
    assert.equal(store.valuesAt('1', null).speed, 30);
    assert.equal(store.valuesAt('1', 99), null, 'before the first sample');
    assert.equal(store.valuesAt('2', null), null, 'an unknown car');
  });

  test('channels a record lacks are empty, not zero', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 1, { tire_temp_c: undefined, gear: undefined })])], all, false);
    const v = store.valuesAt('1', null);
    assert.ok(Number.isNaN(v.fl) && Number.isNaN(v.gear));
    assert.equal(store.cars.get('1').latest().gear, undefined);
  });
});

describe('the store', () => {
  test('keeps only what the selection accepts, and skips records without a car or a time', () => {
    const store = new TelemetryStore();
    const n = store.ingest([
      batch([record('1', 1), { car: '2' }, { ts: 3 }, record('3', 4)], 't', 0),
      batch([record('9', 5)], 't', 1),
    ], (topic, partition) => partition === 0, false);
    assert.equal(n, 2);
    assert.deepEqual(store.sortedIds, ['1', '3']);
  });

  test('with several topics, a car id on each is two cars, listed by topic', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('7', 1)], 'pit'), batch([record('7', 1), record('10', 1)], 'alpha')], all, true);
    assert.deepEqual(store.sortedIds, ['7@alpha', '10@alpha', '7@pit']);
    assert.equal(store.cars.get('7@pit').car, '7');
  });

  test(`keeps at most ${MAX_CARS} cars and counts the records of the others`, () => {
    const store = new TelemetryStore();
    const records = Array.from({ length: MAX_CARS + 3 }, (_, i) => record(String(i), 1));
    store.ingest([batch(records), batch([record('41', 2), record('0', 2)])], all, false);
    assert.equal(store.cars.size, MAX_CARS);
    assert.equal(store.ignored, 4);
    assert.equal(store.cars.get('0').count, 2);
  });

  test('a clear starts the charts over but the page’s record count keeps growing', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 5)])], all, false);
    const { version, carsVersion } = store;
    store.clear();
    assert.equal(store.cars.size, 0);
    assert.equal(store.windowEnd(false), -Infinity, 'nothing to draw');
    assert.ok(store.version > version && store.carsVersion > carsVersion, 'the charts notice');
    store.ingest([batch([record('1', 6)])], all, false);
    assert.equal(store.records, 2);
  });
});

describe('where the charts’ window ends', () => {
  test('live: at the newest sample of any car', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 5000), record('2', 9000), record('3', 7000)])], all, false);
    assert.equal(store.windowEnd(false), 9000);
  });

  test('replay: at the car furthest behind, so every car is drawn at the same moment', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 5000), record('2', 9000)])], all, false);
    assert.equal(store.windowEnd(true), 5000);
  });

  test('replay: a car that has sent nothing for seconds no longer holds the window back', () => {
    const store = new TelemetryStore();
    store.ingest([batch([record('1', 5000), record('2', 9000), record('3', 7000)])], all, false);
    store.cars.get('1').arrivedAt = performance.now() - 10_000;
    assert.equal(store.windowEnd(true), 7000);
    for (const car of store.cars.values()) car.arrivedAt = performance.now() - 10_000;
    assert.equal(store.windowEnd(true), 9000, 'all silent: the newest sample');
  });
});
