// Telemetry kept in the page: one fixed-size ring per car and channel.
//
// Incoming records are only appended here (no DOM work, no allocation per record); the
// charts read the rings once per animation frame, each through `track.series(name)`. The
// v1 channels have rings from a car's first record; any other channel (JSON's `channels`,
// the columnar channels section) gets its ring the first time the car carries it, within a
// budget for the whole store. Memory is bounded by MAX_CARS × CAPACITY × 14 × 8 bytes for
// the v1 rings (40 × 3000 × 14 × 8 B ≈ 13.4 MB) plus MAX_EXTRA_RINGS × CAPACITY × 8 bytes
// for the others (1024 × 24 KB ≈ 24.6 MB): about 38 MB at worst. Rings past the budget are
// refused and counted (`store.extraRings.refused`), and the car list says so.

import { CarTrack, RingBudget } from './track.js';

export { CAPACITY, CHANNELS, CarTrack, MAX_EXTRA_RINGS, RingBudget } from './track.js';

/** Cars kept at once; records of further cars are counted and ignored. */
export const MAX_CARS = 40;
/** A car that sent nothing for this long no longer holds back a replay's window. */
const STALE_MS = 3000;

/**
 * The store's key of a car. Car ids are unique within a topic only (they are its record
 * keys), so when several topics are watched a car is known by its id and its topic.
 */
export function carKey(car, topic, multiTopic) {
  return multiTopic ? `${car}@${topic}` : car;
}

/** Splits a key made by `carKey` into the car id and its topic (null for a plain id). */
export function splitCarKey(key) {
  const at = key.lastIndexOf('@');
  return at < 0 ? [key, null] : [key.slice(0, at), key.slice(at + 1)];
}

/** Orders cars by topic, then by id, numerically when both ids are numbers ("2" before "10"). */
export function compareCars(a, b) {
  const [ca, ta] = splitCarKey(a);
  const [cb, tb] = splitCarKey(b);
  if (ta !== tb) return (ta ?? '') < (tb ?? '') ? -1 : 1;
  const na = Number(ca);
  const nb = Number(cb);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Every car of the current selection, and counters for the page and its tests. */
export class TelemetryStore {
  constructor() {
    /** @type {Map<string, CarTrack>} */
    this.cars = new Map();
    this.sortedIds = [];
    /** Records received since the page loaded (never reset: tests watch it grow). */
    this.records = 0;
    /** Records of cars beyond MAX_CARS, since the last clear. */
    this.ignored = 0;
    /** Rings of channels other than v1's, made and refused since the last clear. */
    this.extraRings = new RingBudget();
    /** Newest sample timestamp (ms) since the last clear; the charts' window ends here. */
    this.maxTs = -Infinity;
    /** Bumped on every change; the draw loop compares it with what it drew. */
    this.version = 0;
    /** Bumped when the set of cars changes (charts rebuild their series). */
    this.carsVersion = 0;
    /** The columnar path's car lookups, by a batch's strings array (see ingestColumns). */
    this.tracksByNames = { single: new WeakMap(), multi: new WeakMap() };
    this.scratch = { speed: NaN, rpm: NaN, gear: NaN, lap: NaN, part: null, driver: null, fl: NaN, fr: NaN, rl: NaN, rr: NaN };
  }

  clear() {
    this.cars.clear();
    this.tracksByNames = { single: new WeakMap(), multi: new WeakMap() };
    this.sortedIds = [];
    this.ignored = 0;
    this.extraRings = new RingBudget(this.extraRings.limit);
    this.maxTs = -Infinity;
    this.version++;
    this.carsVersion++;
  }

  /**
   * Where the charts' window ends (ms). Live: the newest sample. Replay: the partitions of a
   * replay advance at their own pace, so the window ends at the car that is furthest behind
   * among those still arriving, and every car is drawn at the same moment of the race.
   */
  windowEnd(aligned) {
    if (!aligned) return this.maxTs;
    const since = performance.now() - STALE_MS;
    let end = Infinity;
    for (const car of this.cars.values()) {
      if (car.count === 0 || car.arrivedAt < since) continue;
      const t = car.ts[car.indexFromNewest(0)];
      if (t < end) end = t;
    }
    return end === Infinity ? this.maxTs : end;
  }

  /**
   * A car's values at time `t` (ms), or its newest when `t` is null, for the legend. The
   * answer is one object reused from call to call: read it before the next call.
   */
  valuesAt(car, t) {
    const track = this.cars.get(car);
    if (!track || track.count === 0) return null;
    const i = t == null ? track.indexFromNewest(0) : track.indexAt(t);
    if (i < 0) return null;
    const ch = track.ch;
    const v = this.scratch;
    v.speed = ch.speed_kph[i];
    v.rpm = ch.rpm[i];
    v.gear = ch.gear[i];
    v.lap = ch.lap[i];
    v.fl = ch.fl[i];
    v.fr = ch.fr[i];
    v.rl = ch.rl[i];
    v.rr = ch.rr[i];
    v.part = track.partition;
    v.driver = track.driver;
    return v;
  }

  /**
   * Appends the records of a `data` message's batches, JSON ones (`records`) or decoded
   * columnar ones (static/net/wire.js ColumnarBatch); `accept(topic, partition)` filters.
   * @param {boolean} multiTopic  whether several topics are watched (see `carKey`)
   */
  ingest(batches, accept, multiTopic) {
    const now = performance.now();
    let n = 0;
    for (const batch of batches) {
      if (!accept(batch.topic, batch.partition)) continue;
      n += batch.records ? this.ingestRecords(batch, multiTopic, now) : this.ingestColumns(batch, multiTopic, now);
    }
    if (n > 0) {
      this.records += n;
      this.version++;
    }
    return n;
  }

  /** A JSON batch: one object per record. */
  ingestRecords(batch, multiTopic, now) {
    let n = 0;
    for (const r of batch.records) {
      if (typeof r.ts !== 'number' || typeof r.car !== 'string') continue;
      const car = this.track(r.car, batch.topic, multiTopic);
      if (car === null) {
        this.ignored++;
        continue;
      }
      car.push(batch.topic, batch.partition, r);
      car.arrivedAt = now;
      if (r.ts > this.maxTs) this.maxTs = r.ts;
      n++;
    }
    return n;
  }

  /**
   * A columnar batch: values read from the frame in place. A car is looked up once per
   * entry of the batch's string table, not once per record.
   */
  ingestColumns(batch, multiTopic, now) {
    const { topic, partition, strings, f64: f, at, base, names = NO_NAMES, xbase, frame } = batch;
    const ts = at[base + 1];
    const cars = at[base + 2];
    const drivers = at[base + 13];
    if (ts < 0 || cars < 0) return 0;
    // By string index: the car's track, null for a car beyond MAX_CARS, undefined until
    // looked up. Batches with the same names share their strings array (wire.js), and so
    // these lookups, until the store is cleared.
    const known = multiTopic ? this.tracksByNames.multi : this.tracksByNames.single;
    let tracks = known.get(strings);
    if (tracks === undefined) known.set(strings, (tracks = new Array(strings.length)));
    let n = 0;
    for (let j = 0; j < batch.n; j++) {
      const t = f[ts + j];
      const k = f[cars + j];
      const id = strings[k];
      if (Number.isNaN(t) || id === undefined) continue;
      let car = tracks[k];
      if (car === undefined) car = tracks[k] = this.track(id, topic, multiTopic);
      if (car === null) {
        this.ignored++;
        continue;
      }
      car.pushAt(topic, partition, f, at, base, j, drivers < 0 ? undefined : strings[f[drivers + j]], names, frame?.xat, xbase);
      car.arrivedAt = now;
      if (t > this.maxTs) this.maxTs = t;
      n++;
    }
    return n;
  }

  /** The rings of car `id` of `topic`, made when it is new; null for a car beyond MAX_CARS. */
  track(id, topic, multiTopic) {
    const key = multiTopic ? carKey(id, topic, true) : id;
    let car = this.cars.get(key);
    if (car === undefined) {
      if (this.cars.size >= MAX_CARS) return null;
      car = new CarTrack(key, id, this.extraRings);
      this.cars.set(key, car);
      this.sortedIds = [...this.cars.keys()].sort(compareCars);
      this.carsVersion++;
    }
    return car;
  }
}

const NO_NAMES = Object.freeze([]);
