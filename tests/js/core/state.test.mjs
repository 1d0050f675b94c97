// The telemetry kept in the page (static/core/state.js): fixed rings per car that wrap around,
// the cars a selection accepts, and where the charts' window ends.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CAPACITY, CHANNELS, MAX_CARS, TelemetryStore } from '../../../static/core/state.js';
import { decodeDataFrame } from '../../../static/net/wire.js';
import { encodeFrame } from '../net/frames.mjs';

const all = () => true;
const record = (car, ts, extra = {}) => ({
  car, ts, offset: ts, speed_kph: ts % 300, rpm: 9000, tire_temp_c: { fl: 90, fr: 91, rl: 92, rr: 93 }, ...extra,
});
const batch = (records, topic = 't', partition = 0) => ({ topic, partition, records });

describe('the ring of a car', () => {
  test('eachBetween visits the samples in [from, to], oldest first, after the ring wrapped', () => {
    const store = new TelemetryStore();
    for (let ts = 0; ts < CAPACITY + 100; ts++) store.ingest([batch([record('7', ts * 10)])], all, false);
    const track = store.cars.get('7');
    const seen = [];
    track.eachBetween(30_005, 30_040, (i) => seen.push(track.ts[i]));
    assert.deepEqual(seen, [30_010, 30_020, 30_030, 30_040], 'both ends included, nothing outside');
    const oldest = [];
    track.eachBetween(0, 1_020, (i) => oldest.push(track.ts[i]));
    assert.deepEqual(oldest, [1_000, 1_010, 1_020], 'what the ring overwrote is not visited');
    let none = 0;
    track.eachBetween(50_000, 60_000, () => none++);
    assert.equal(none, 0, 'a span after the newest sample is empty');
  });

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

describe('a columnar data message', () => {
  /** Everything a store holds that the page shows or reads back, but when records arrived. */
  const snapshot = (store) => ({
    records: store.records, ignored: store.ignored, maxTs: store.maxTs, version: store.version,
    carsVersion: store.carsVersion, sortedIds: store.sortedIds,
    cars: [...store.cars].map(([key, t]) => ({
      key, car: t.car, driver: t.driver, topic: t.topic, partition: t.partition, lastOffset: t.lastOffset,
      head: t.head, count: t.count, pushed: t.pushed, ts: [...t.ts],
      ch: Object.fromEntries(CHANNELS.map((name) => [name, [...t.ch[name]]])),
      extra: Object.fromEntries([...t.extra].map(([name, ring]) => [name, [...ring]])),
    })),
    extraRings: { ...store.extraRings },
  });
  /** Ingests the same messages into one store as JSON and into another as columnar frames. */
  function both(messages, accept, multiTopic) {
    const json = new TelemetryStore();
    const columnar = new TelemetryStore();
    for (const m of messages) {
      const nJson = json.ingest(m.batches, accept, multiTopic);
      const frame = decodeDataFrame(encodeFrame({ mode: 'live', ...m }));
      assert.equal(columnar.ingest(frame.batches, accept, multiTopic), nJson, 'the same records kept');
    }
    return [snapshot(json), snapshot(columnar)];
  }

  test('leaves the store exactly as its JSON equivalent does: rings, drivers, offsets, partitions, counters', () => {
    const sparse = (car, ts) => ({ car, ts, offset: ts, speed_kph: 200.25, rpm: 10_001 }); // no optional field
    const messages = [
      { batches: [
        batch([record('7', 100, { driver: 'A. Senna', gear: 7, lap: 3, throttle: 1, brake: 0, x: 1.5, y: -2.25, lap_distance_m: 12.5 }),
          sparse('12', 110), record('7', 120, { gear: -1, driver: undefined })], 'telemetry', 3),
        batch([record('7', 90, { driver: 'L. Moreau' }), sparse('7', 95)], 'pit', 0),
        batch([], 'telemetry', 1),
      ] },
      { batches: [batch([sparse('7', 130), record('12', 140, { driver: 'Ö. Ünal', brake: -0 })], 'telemetry', 3)] },
    ];
    for (const multiTopic of [false, true]) {
      const [json, columnar] = both(messages, all, multiTopic);
      assert.deepEqual(columnar, json, multiTopic ? 'cars by id and topic' : 'cars by id');
    }
    const [json] = both(messages, all, true);
    assert.equal(json.cars.find((c) => c.key === '7@telemetry').driver, 'A. Senna', 'a record without a driver keeps the last one');
  });

  test('filters, wraps its rings and refuses cars beyond the limit as the JSON path does', () => {
    const many = Array.from({ length: MAX_CARS + 3 }, (_, i) => record(String(i), 1));
    const long = Array.from({ length: CAPACITY + 7 }, (_, ts) => record(ts % 3 === 0 ? '0' : String(MAX_CARS + 1), ts + 2));
    const messages = [{ batches: [batch(many, 't', 0), batch([record('x', 1)], 't', 9)] }, { batches: [batch(long, 't', 0)] }];
    const [json, columnar] = both(messages, (topic, partition) => partition !== 9, false);
    assert.deepEqual(columnar, json);
    assert.equal(columnar.ignored, 3 + Math.floor((2 * (CAPACITY + 7)) / 3), 'every record of a refused car counted');
    assert.equal(columnar.cars.length, MAX_CARS);
  });
});

describe('any channel a car carries', () => {
  const withChannels = (car, ts, channels) => record(car, ts, { channels });
  /** The same messages into a JSON store and a columnar one. */
  const stores = (messages) => {
    const json = new TelemetryStore();
    const columnar = new TelemetryStore();
    for (const batches of messages) {
      json.ingest(batches, all, false);
      columnar.ingest(decodeDataFrame(encodeFrame({ mode: 'live', batches })).batches, all, false);
    }
    return { json, columnar };
  };
  const newest = (track, name, k = 0) => track.series(name)[track.indexFromNewest(k)];

  test('gets a ring the first time the car carries it, aligned with the others, NaN where a record lacked it', () => {
    const messages = [
      [batch([record('7', 1), withChannels('7', 2, { 'brake_temp_c.fl': 512 }), record('7', 3)])],
      [batch([withChannels('7', 4, { 'brake_temp_c.fl': 530, g_lat: 1.25 }), withChannels('8', 4, { g_lat: -1 })])],
    ];
    for (const [path, store] of Object.entries(stores(messages))) {
      const seven = store.cars.get('7');
      const brake = seven.series('brake_temp_c.fl');
      assert.ok(brake instanceof Float64Array && brake.length === CAPACITY, path);
      assert.deepEqual([3, 2, 1, 0].map((k) => newest(seven, 'brake_temp_c.fl', k)), [NaN, 512, NaN, 530], `${path}: by sample`);
      assert.deepEqual([1, 0].map((k) => newest(seven, 'g_lat', k)), [NaN, 1.25], `${path}: a ring made later is NaN before`);
      assert.equal(newest(store.cars.get('8'), 'g_lat'), -1, path);
      assert.equal(store.cars.get('8').series('brake_temp_c.fl'), null, `${path}: a channel the car never carried`);
      assert.equal(store.extraRings.used, 3, `${path}: one ring per car and channel`);
      assert.deepEqual(seven.latest().channels, { 'brake_temp_c.fl': 530, g_lat: 1.25 }, path);
    }
  });

  test('the v1 channels are read by their server names through the same accessor', () => {
    const { json, columnar } = stores([[batch([record('7', 5, { gear: 6, throttle: 0.5, brake: 0.25 })])]]);
    for (const store of [json, columnar]) {
      const t = store.cars.get('7');
      assert.deepEqual(['speed_kph', 'rpm', 'tire_temp_c.fl', 'tire_temp_c.rr', 'gear', 'throttle', 'brake'].map((n) => newest(t, n)),
        [5, 9000, 90, 93, 6, 0.5, 0.25]);
      assert.equal(t.series('fl'), null, 'the store’s short names are not channel names');
      assert.equal(t.series('nothing'), null);
    }
  });

  test('a ring that wraps stays aligned: an old value is never read for a newer record without it', () => {
    const records = Array.from({ length: CAPACITY + 10 }, (_, ts) => (ts === 0 ? withChannels('7', ts, { a: 42 }) : record('7', ts)));
    const { json, columnar } = stores([[batch(records)]]);
    for (const store of [json, columnar]) {
      const ring = store.cars.get('7').series('a');
      assert.ok(ring.every(Number.isNaN), 'the one value was overwritten by records that lacked it');
    }
  });

  test('past the budget new rings are refused and counted once each; kept rings go on', () => {
    const store = new TelemetryStore();
    store.extraRings.limit = 3;
    store.ingest([batch([withChannels('1', 1, { a: 1, b: 2 }), withChannels('2', 1, { a: 3, b: 4, c: 5 })])], all, false);
    store.ingest([batch([withChannels('2', 2, { a: 6, b: 7, c: 8 })])], all, false);
    assert.equal(store.extraRings.used, 3);
    assert.equal(store.extraRings.refused, 2, 'car 2’s b and c, each once');
    assert.equal(store.cars.get('2').series('c'), null);
    assert.equal(newest(store.cars.get('2'), 'a'), 6);
    store.clear();
    assert.deepEqual([store.extraRings.used, store.extraRings.refused, store.extraRings.limit], [0, 0, 3], 'a clear gives the budget back');
  });

  test('the columnar path refuses as the JSON path does', () => {
    const messages = [[batch([withChannels('1', 1, { a: 1, b: 2 }), withChannels('2', 1, { b: 4, c: 5 })])]];
    const json = new TelemetryStore();
    const columnar = new TelemetryStore();
    json.extraRings.limit = columnar.extraRings.limit = 2;
    json.ingest(messages[0], all, false);
    columnar.ingest(decodeDataFrame(encodeFrame({ mode: 'live', batches: messages[0] })).batches, all, false);
    for (const store of [json, columnar]) {
      assert.deepEqual([store.extraRings.used, store.extraRings.refused], [2, 2]);
      assert.equal(store.cars.get('2').series('a'), null, 'no ring for a channel of another car of the batch');
    }
  });
});
