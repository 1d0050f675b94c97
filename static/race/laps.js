// The lap table the server sends (`laps` messages), pure: merging full tables and
// deltas, the laps as they stood at a moment (playback shows the race as it was then),
// personal and session bests, and how lap and sector times are written.

/** Laps kept per car: a long session's table stays bounded; the oldest laps go first. */
export const MAX_LAPS_PER_CAR = 2000;
/** Cars kept per table, as the page's store keeps (state.js MAX_CARS); further cars are ignored. */
export const MAX_TABLE_CARS = 40;

/** A table before the server's first answer. */
export const NO_LAPS = Object.freeze({ topic: null, index: null, track: null, cars: new Map() });

/**
 * Applies a `laps` message. A full one replaces the table; a delta replaces, per car it
 * names, the laps it carries (by lap number) and the lap in progress. A delta of another
 * topic than the table's is ignored (it was in flight before a subscribe).
 * @returns a new table (the old one is not changed)
 */
export function mergeLaps(table, msg) {
  if (!msg || !Array.isArray(msg.cars)) return table;
  if (!msg.full && table.topic !== null && msg.topic !== table.topic) return table;
  const cars = msg.full ? new Map() : new Map(table.cars);
  for (const c of msg.cars) {
    if (typeof c?.car !== 'string') continue;
    if (!cars.has(c.car) && cars.size >= MAX_TABLE_CARS) continue;
    const old = msg.full ? undefined : cars.get(c.car);
    const byLap = new Map((old?.laps ?? []).map((l) => [l.lap, l]));
    for (const l of c.laps ?? []) if (validLap(l)) byLap.set(l.lap, l);
    const laps = [...byLap.values()].sort((a, b) => a.lap - b.lap).slice(-MAX_LAPS_PER_CAR);
    cars.set(c.car, { car: c.car, driver: c.driver ?? old?.driver ?? null, laps, current: c.current ?? null });
  }
  return {
    topic: msg.topic ?? table.topic,
    index: msg.index ?? table.index,
    track: msg.track ?? table.track,
    cars,
  };
}

const validLap = (l) => Number.isFinite(l?.lap) && Number.isFinite(l.time_ms) && Number.isFinite(l.end_ts);

/**
 * One car's laps as they stood at time `t` (ms; Infinity = now): the laps completed by
 * then, and the lap in progress with the sectors completed by then.
 * @returns {{done: object[], current: {lap: number, start_ts: number, sectors_ms: number[]}|null}}
 */
export function lapsAt(carLaps, t) {
  if (!carLaps) return { done: [], current: null };
  if (t === Infinity || t == null) return { done: carLaps.laps, current: carLaps.current };
  const laps = carLaps.laps;
  let n = 0;
  while (n < laps.length && laps[n].end_ts <= t) n++;
  const done = n === laps.length ? laps : laps.slice(0, n);
  // The lap in progress at t: a timed one that ends later, or the table's own current lap.
  // An untimed lap in progress has no start (null): nothing is known of it at a moment.
  const open = laps[n] && laps[n].start_ts <= t ? laps[n]
    : Number.isFinite(carLaps.current?.start_ts) && carLaps.current.start_ts <= t ? carLaps.current : null;
  if (!open) return { done, current: null };
  const sectors = [];
  let at = open.start_ts;
  for (const s of open.sectors_ms ?? []) {
    at += s;
    if (at > t) break;
    sectors.push(s);
  }
  return { done, current: { lap: open.lap, start_ts: open.start_ts, sectors_ms: sectors } };
}

/**
 * Personal bests of one car's completed laps (lap time and each sector, in ms), Infinity
 * when none. Sectors count from every lap that has them, whatever the lap's total.
 */
export function personalBest(done) {
  const best = { lap: Infinity, lapNo: null, sectors: [Infinity, Infinity, Infinity] };
  for (const l of done) {
    if (l.time_ms < best.lap) {
      best.lap = l.time_ms;
      best.lapNo = l.lap;
    }
    (l.sectors_ms ?? []).forEach((s, i) => {
      if (i < 3 && Number.isFinite(s) && s < best.sectors[i]) best.sectors[i] = s;
    });
  }
  return best;
}

/** The session's best lap and sectors over every car's personal bests. */
export function sessionBest(bests) {
  const out = { lap: Infinity, car: null, sectors: [Infinity, Infinity, Infinity] };
  for (const [car, b] of bests) {
    if (b.lap < out.lap) {
      out.lap = b.lap;
      out.car = car;
    }
    b.sectors.forEach((s, i) => {
      if (s < out.sectors[i]) out.sectors[i] = s;
    });
  }
  return out;
}

/**
 * Motorsport's colour of a time: 'purple' when it is the session's best, 'green' when it
 * is the car's personal best, '' otherwise (or when there is no time).
 */
export function timeClass(ms, personal, session) {
  if (!Number.isFinite(ms)) return '';
  if (ms <= session) return 'purple';
  if (ms <= personal) return 'green';
  return '';
}

/** A lap time as timing screens write it: `1:30.000`, `59.875` under a minute, `—` for none. */
export function formatLapTime(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.round(ms);
  const min = Math.floor(total / 60_000);
  const rest = total - min * 60_000;
  const secs = `${Math.floor(rest / 1000)}`.padStart(min > 0 ? 2 : 1, '0');
  const frac = `${rest % 1000}`.padStart(3, '0');
  return min > 0 ? `${min}:${secs}.${frac}` : `${secs}.${frac}`;
}

/** A signed difference in seconds with three decimals: `+1.250`, `−0.312` (a real minus sign). */
export function formatDelta(ms) {
  if (!Number.isFinite(ms)) return '—';
  const s = (Math.abs(ms) / 1000).toFixed(3);
  if (s === '0.000') return '0.000';
  return `${ms < 0 ? '−' : '+'}${s}`;
}
