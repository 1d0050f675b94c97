// One car's telemetry in the page: fixed-size rings, one per channel, sharing one head.
// The store (state.js) says what memory they may take; see the comment at its top.

/** Points kept per car: 150 s at 20 Hz, more than the widest chart window (120 s). */
export const CAPACITY = 3000;

/** Rings of other channels (car × channel) the whole store keeps; further ones are refused and counted. */
export const MAX_EXTRA_RINGS = 1024;

/** Numeric channels kept per sample. Optional ones are NaN when a record lacks them. */
export const CHANNELS = Object.freeze([
  'speed_kph', 'rpm', 'fl', 'fr', 'rl', 'rr', 'gear', 'throttle', 'brake', 'lap', 'lap_distance_m', 'x', 'y',
]);

/** The server's name of each v1 channel (docs/protocol.md) → its ring in `CarTrack.ch`. */
const V1_SERIES = Object.freeze({
  speed_kph: 'speed_kph', rpm: 'rpm',
  'tire_temp_c.fl': 'fl', 'tire_temp_c.fr': 'fr', 'tire_temp_c.rl': 'rl', 'tire_temp_c.rr': 'rr',
  gear: 'gear', throttle: 'throttle', brake: 'brake', lap: 'lap', lap_distance_m: 'lap_distance_m', x: 'x', y: 'y',
});

/** What the whole store may spend on rings of other channels, and what it refused. */
export class RingBudget {
  constructor(limit = MAX_EXTRA_RINGS) {
    this.limit = limit;
    /** Rings made. */
    this.used = 0;
    /** Car × channel rings refused for want of budget (each counted once). */
    this.refused = 0;
  }
}

/** One car's rings. `ts` and every channel share `head` and `count`. */
export class CarTrack {
  /**
   * @param {string} id  the key in the store  @param {string} car  the car id in the records
   * @param {RingBudget} budget  shared by every car of the store
   */
  constructor(id, car, budget = new RingBudget()) {
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
    this.budget = budget;
    /** Rings of other channels by name; the slot at `head` of each is NaN until a record writes it. */
    this.extra = new Map();
    this.extraRings = [];
    /** Names refused for want of budget, so each is counted once. */
    this.refused = null;
    /** The rings of the last columnar directory seen (wire.js shares a names array across batches). */
    this.dirNames = null;
    this.dirRings = null;
  }

  /**
   * The ring of a channel by its server name (`speed_kph`, `tire_temp_c.fl`, `brake_temp_c.fl`,
   * a math channel, …), aligned with `ts`, `head` and `count`; NaN where a record lacked it.
   * Null when this car never carried it (or the store had no budget for it).
   * @returns {Float64Array|null}
   */
  series(name) {
    const v1 = V1_SERIES[name];
    if (v1 !== undefined) return this.ch[v1];
    return this.extra.get(name) ?? null;
  }

  /** The ring of other channel `name`, made when new and the budget allows; null when refused. */
  ring(name) {
    const have = this.extra.get(name);
    if (have !== undefined) return have;
    if (Object.hasOwn(V1_SERIES, name)) return null; // never a second ring for a v1 channel
    if (this.budget.used >= this.budget.limit) {
      if (this.refused === null) this.refused = new Set();
      if (!this.refused.has(name)) {
        this.refused.add(name);
        this.budget.refused++;
      }
      return null;
    }
    // Earlier samples lacked it: NaN everywhere, the slot at `head` included.
    const ring = new Float64Array(CAPACITY).fill(NaN);
    this.budget.used++;
    this.extra.set(name, ring);
    this.extraRings.push(ring);
    return ring;
  }

  /** Names of the other channels this car has rings for, in the order it first carried them. */
  get extraNames() {
    return [...this.extra.keys()];
  }

  /**
   * The rings for a columnar batch's section names, kept while the names array is the same:
   * a ring, null when refused, undefined while this car has not carried the channel.
   */
  ringsFor(names) {
    if (names !== this.dirNames) {
      this.dirNames = names;
      this.dirRings = names.map((name) => this.extra.get(name));
    }
    return this.dirRings;
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
    const extra = r.channels;
    if (extra != null && typeof extra === 'object') {
      for (const name in extra) {
        const v = extra[name];
        if (typeof v !== 'number') continue;
        const ring = this.ring(name);
        if (ring !== null) ring[i] = v;
      }
    }
    this.advance(topic, partition, r.offset, r.driver);
  }

  /**
   * Appends record `j` of a columnar batch (static/net/wire.js): column `i` of the batch starts
   * at `f[at[base + i]]`, and is absent (NaN for every record, as in the JSON path) when
   * that index is negative.
   * The batch's section channels `names[k]` start at `f[xat[xbase + k]]` (NaN where a record lacks one).
   * @param {string|undefined} driver  the record's driver, when it has one
   */
  pushAt(topic, partition, f, at, base, j, driver, names, xat, xbase) {
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
    if (names.length > 0) {
      const rings = this.ringsFor(names);
      for (let k = 0; k < rings.length; k++) {
        const v = f[xat[xbase + k] + j];
        let ring = rings[k];
        // A directory lists what any car of the batch carries: a ring is made only for a value.
        if (ring === undefined) {
          if (Number.isNaN(v)) continue;
          ring = rings[k] = this.ring(names[k]);
        }
        if (ring !== null) ring[i] = v;
      }
    }
    this.advance(topic, partition, value(f, at[base], j), driver);
  }

  /** What follows the channels of a sample, whichever form it came in: the ring moves on. */
  advance(topic, partition, offset, driver) {
    this.pushed++;
    const head = (this.head = this.head + 1 === CAPACITY ? 0 : this.head + 1);
    // The next record writes only the channels it carries: the others stay NaN.
    const rings = this.extraRings;
    for (let k = 0; k < rings.length; k++) rings[k][head] = NaN;
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

  /**
   * Calls `fn(i)` with the ring index of every sample whose time is in [from, to] (ms), oldest
   * first: what a panel reads over the window, a lap's span or the A–B range. Walks back from
   * the newest sample to the first one in the span, so a span near now costs little.
   */
  eachBetween(from, to, fn) {
    let k = 0;
    while (k < this.count && this.ts[this.indexFromNewest(k)] > to) k++;
    let last = k;
    while (last < this.count && this.ts[this.indexFromNewest(last)] >= from) last++;
    for (let j = last - 1; j >= k; j--) fn(this.indexFromNewest(j));
  }

  /** The newest sample as a plain object, or null. Allocates: call rarely. */
  latest() {
    if (this.count === 0) return null;
    const i = this.indexFromNewest(0);
    const ch = this.ch;
    const num = (v) => (Number.isNaN(v) ? undefined : v);
    const out = {
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
    // Only a car that carried other channels has the key: a v1 car's sample reads as before.
    if (this.extra.size > 0) out.channels = latestOf(this.extra, i);
    return out;
  }
}

/** The value at ring index `i` of each ring, by name, leaving out the ones the sample lacked. */
function latestOf(rings, i) {
  const out = {};
  for (const [name, ring] of rings) if (!Number.isNaN(ring[i])) out[name] = ring[i];
  return out;
}

/** Record `j`'s value of the column starting at float `o` of `f`; NaN for an absent column (o < 0). */
function value(f, o, j) {
  return o < 0 ? NaN : f[o + j];
}
