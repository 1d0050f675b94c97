// Telemetry kept in the page: one fixed-size ring per car and channel.
//
// Incoming records are only appended here (no DOM work, no allocation per record); the
// charts read the rings once per animation frame. Memory is bounded by MAX_CARS ×
// CAPACITY × channels × 8 bytes (40 × 3000 × 14 × 8 B ≈ 13.4 MB at worst).

/** Cars kept at once; records of further cars are counted and ignored. */
export const MAX_CARS = 40;
/** Points kept per car: 150 s at 20 Hz, more than the widest chart window (120 s). */
export const CAPACITY = 3000;

/** A car that sent nothing for this long no longer holds back a replay's window. */
const STALE_MS = 3000;

/** Numeric channels kept per sample. Optional ones are NaN when a record lacks them. */
export const CHANNELS = Object.freeze([
  'speed_kph', 'rpm', 'fl', 'fr', 'rl', 'rr', 'gear', 'throttle', 'brake', 'lap', 'lap_distance_m', 'x', 'y',
]);

/** One car's rings. `ts` and every channel share `head` and `count`. */
export class CarTrack {
  /** @param {string} id  the key in the store  @param {string} car  the car id in the records */
  constructor(id, car) {
    this.id = id;
    this.car = car;
    this.driver = null;
    this.topic = null;
    this.partition = null;
    this.lastOffset = null;
    this.ts = new Float64Array(CAPACITY);
    this.ch = {};
    for (const name of CHANNELS) this.ch[name] = new Float64Array(CAPACITY);
    this.head = 0; // next write position
    this.count = 0;
    /** Samples pushed since the car appeared: readers that learn incrementally (the map) keep their place by it. */
    this.pushed = 0;
    /** performance.now() when a record of this car last arrived. */
    this.arrivedAt = 0;
  }

  /** Appends a record of a JSON `data` message. */
  push(topic, partition, r) {
    const i = this.head;
    this.ts[i] = r.ts;
    const ch = this.ch;
    ch.speed_kph[i] = r.speed_kph;
    ch.rpm[i] = r.rpm;
    const t = r.tire_temp_c;
    ch.fl[i] = t ? t.fl : NaN;
    ch.fr[i] = t ? t.fr : NaN;
    ch.rl[i] = t ? t.rl : NaN;
    ch.rr[i] = t ? t.rr : NaN;
    ch.gear[i] = r.gear ?? NaN;
    ch.throttle[i] = r.throttle ?? NaN;
    ch.brake[i] = r.brake ?? NaN;
    ch.lap[i] = r.lap ?? NaN;
    ch.lap_distance_m[i] = r.lap_distance_m ?? NaN;
    ch.x[i] = r.x ?? NaN;
    ch.y[i] = r.y ?? NaN;
    this.advance(topic, partition, r.offset, r.driver);
  }

  /**
   * Appends record `j` of a columnar batch (static/net/wire.js): column `i` of the batch starts
   * at `f[at[base + i]]`, and is absent (NaN for every record, as in the JSON path) when
   * that index is negative.
   * @param {string|undefined} driver  the record's driver, when it has one
   */
  pushAt(topic, partition, f, at, base, j, driver) {
    const i = this.head;
    const ch = this.ch;
    this.ts[i] = value(f, at[base + 1], j);
    ch.speed_kph[i] = value(f, at[base + 3], j);
    ch.rpm[i] = value(f, at[base + 4], j);
    ch.fl[i] = value(f, at[base + 5], j);
    ch.fr[i] = value(f, at[base + 6], j);
    ch.rl[i] = value(f, at[base + 7], j);
    ch.rr[i] = value(f, at[base + 8], j);
    ch.lap[i] = value(f, at[base + 9], j);
    ch.gear[i] = value(f, at[base + 10], j);
    ch.throttle[i] = value(f, at[base + 11], j);
    ch.brake[i] = value(f, at[base + 12], j);
    ch.x[i] = value(f, at[base + 14], j);
    ch.y[i] = value(f, at[base + 15], j);
    ch.lap_distance_m[i] = value(f, at[base + 16], j);
    this.advance(topic, partition, value(f, at[base], j), driver);
  }

  /** What follows the channels of a sample, whichever form it came in: the ring moves on. */
  advance(topic, partition, offset, driver) {
    this.pushed++;
    this.head = this.head + 1 === CAPACITY ? 0 : this.head + 1;
    if (this.count < CAPACITY) this.count++;
    if (driver != null) this.driver = driver;
    this.topic = topic;
    this.partition = partition;
    this.lastOffset = offset;
  }

  /** Ring index of the k-th newest sample (0 = newest); k < count. */
  indexFromNewest(k) {
    const i = this.head - 1 - k;
    return i < 0 ? i + CAPACITY : i;
  }

  /**
   * Ring index of the newest sample at or before `t` (ms), or -1. Walks back from the
   * newest sample, so it costs at most `count` steps; the legend calls it a few times a second.
   */
  indexAt(t) {
    for (let k = 0; k < this.count; k++) {
      const i = this.indexFromNewest(k);
      if (this.ts[i] <= t) return i;
    }
    return -1;
  }

  /** The newest sample as a plain object, or null. Allocates: call rarely. */
  latest() {
    if (this.count === 0) return null;
    const i = this.indexFromNewest(0);
    const ch = this.ch;
    const num = (v) => (Number.isNaN(v) ? undefined : v);
    return {
      ts: this.ts[i],
      speed_kph: ch.speed_kph[i],
      rpm: ch.rpm[i],
      tire_temp_c: { fl: ch.fl[i], fr: ch.fr[i], rl: ch.rl[i], rr: ch.rr[i] },
      gear: num(ch.gear[i]),
      throttle: num(ch.throttle[i]),
      brake: num(ch.brake[i]),
      lap: num(ch.lap[i]),
      lap_distance_m: num(ch.lap_distance_m[i]),
      x: num(ch.x[i]),
      y: num(ch.y[i]),
      driver: this.driver ?? undefined,
      topic: this.topic,
      partition: this.partition,
      offset: this.lastOffset,
    };
  }
}

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
    const { topic, partition, strings, f64: f, at, base } = batch;
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
      car.pushAt(topic, partition, f, at, base, j, drivers < 0 ? undefined : strings[f[drivers + j]]);
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
      car = new CarTrack(key, id);
      this.cars.set(key, car);
      this.sortedIds = [...this.cars.keys()].sort(compareCars);
      this.carsVersion++;
    }
    return car;
  }
}

/** Record `j`'s value of the column starting at float `o` of `f`; NaN for an absent column (o < 0). */
function value(f, o, j) {
  return o < 0 ? NaN : f[o + j];
}
