// The timing tower's rows, pure: each car's position (laps completed, then distance into
// the lap), lap, last and best lap, gap to the leader and interval to the car ahead, three
// sectors and whether it went quiet, all as the race stood at a moment (the playhead, or
// now). Reads the store's rings and the lap table; cars.js draws the rows.

import { formatLapTime, lapsAt, personalBest, sessionBest, timeClass } from './laps.js';

/** Stale and retired after this long without a record (s), unless the page's settings say otherwise. */
export const DEFAULT_STALE_SECS = 5;
export const DEFAULT_RETIRED_SECS = 60;

/**
 * The time (ms) `track` passed the point `lap`/`dist`, interpolated between the two samples
 * around it, walking back from ring index `from` (the sample at the moment shown, so a
 * replay's samples ahead of the playhead are not used). NaN when the ring does not reach.
 */
export function passTime(track, from, lap, dist, lengthM) {
  let newer = from;
  const start = indexAge(track, from);
  const laps = track.series('lap');
  const dists = track.series('lap_distance_m');
  for (let k = start + 1; k < track.count; k++) {
    const i = track.indexFromNewest(k);
    const al = laps[i];
    const ad = dists[i];
    if (al < lap || (al === lap && ad <= dist)) {
      const bl = laps[newer];
      const bd = dists[newer];
      if (!(bl > lap || (bl === lap && bd > dist))) return NaN; // the car never got past it
      let f;
      if (al === bl) f = (dist - ad) / (bd - ad);
      else {
        const length = Number.isFinite(lengthM) ? Math.max(lengthM, ad) : ad;
        const span = length - ad + bd;
        f = span > 0 ? ((lap === al ? dist - ad : length - ad + dist)) / span : 0;
      }
      const ta = track.ts[i];
      return ta + Math.min(1, Math.max(0, f)) * (track.ts[newer] - ta);
    }
    newer = i;
  }
  return NaN;
}

/** How many samples older than the newest ring index `i` is. */
function indexAge(track, i) {
  const newest = track.indexFromNewest(0);
  return newest >= i ? newest - i : newest + track.ts.length - i;
}

/** `+1.234` seconds behind, `+1 L` when a lap or more behind, '' for none. */
export function formatGap(ms, laps = 0) {
  if (laps >= 1) return `+${laps} L`;
  if (!Number.isFinite(ms)) return '—';
  return `+${(Math.max(0, ms) / 1000).toFixed(3)}`;
}

/**
 * @param {{tracks: import('../core/state.js').CarTrack[], table: object, t: number|null,
 *   now: number, staleMs: number, retiredMs: number}} input  `t`: the moment shown (null:
 *   each car's newest sample); `now`: the race time against which silence is measured
 * @returns {object[]} rows in running order
 */
export function towerRows({ tracks, table, t, now, staleMs, retiredMs }) {
  const at = t ?? Infinity;
  const lengthM = table?.track?.length_m ?? estimateLength(tracks);
  const bests = new Map();
  const rows = [];
  for (const track of tracks) {
    const i = track.count === 0 ? -1 : t == null ? track.indexFromNewest(0) : track.indexAt(t);
    const carLaps = table?.cars?.get(track.car);
    const { done, current } = lapsAt(carLaps, at);
    const best = personalBest(done);
    bests.set(track.id, best);
    const ts = i < 0 ? NaN : track.ts[i];
    const silent = now - ts;
    rows.push({
      id: track.id, car: track.car, driver: track.driver, track, i, ts,
      lap: i < 0 ? NaN : track.series('lap')[i],
      dist: i < 0 ? NaN : track.series('lap_distance_m')[i],
      // No sample yet at the moment shown (a replay before the car's first record): not silent, only unknown.
      status: !Number.isFinite(silent) ? '' : silent > retiredMs ? 'retired' : silent > staleMs ? 'stale' : '',
      lastLap: done[done.length - 1] ?? null, best, current, carLaps,
    });
  }
  const session = sessionBest(bests);
  rows.sort(runningOrder);
  rows.forEach((r, n) => {
    r.pos = n + 1;
    const leader = rows[0];
    const ahead = rows[n - 1];
    r.gap = n === 0 ? '' : behind(r, leader, lengthM);
    r.interval = n === 0 ? '' : behind(r, ahead, lengthM);
    r.last = cell(r.lastLap?.time_ms, r.best.lap, session.lap, r.lastLap?.lap);
    r.bestCell = cell(r.best.lap, r.best.lap, session.lap, r.best.lapNo);
    r.sectors = sectorCells(r, session);
  });
  return rows;
}

/** Cars running first; then by lap, then distance into it; cars with nothing known last. */
function runningOrder(a, b) {
  const ra = a.status === 'retired' ? 1 : 0;
  const rb = b.status === 'retired' ? 1 : 0;
  if (ra !== rb) return ra - rb;
  const la = Number.isFinite(a.lap) ? a.lap : -Infinity;
  const lb = Number.isFinite(b.lap) ? b.lap : -Infinity;
  if (la !== lb) return lb - la;
  const da = Number.isFinite(a.dist) ? a.dist : -Infinity;
  const db = Number.isFinite(b.dist) ? b.dist : -Infinity;
  if (da !== db) return db - da;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** How far `r` is behind `front`: laps when a lap or more, else the time since `front` passed where `r` is. */
function behind(r, front, lengthM) {
  if (!Number.isFinite(r.lap) || !Number.isFinite(front.lap) || front.i < 0) return '—';
  const dist = Number.isFinite(r.dist) ? r.dist : 0;
  const laps = Number.isFinite(lengthM) && lengthM > 0
    ? Math.floor((front.lap * lengthM + front.dist - (r.lap * lengthM + dist)) / lengthM)
    : front.lap - r.lap - (front.dist >= dist ? 0 : 1);
  if (laps >= 1) return formatGap(NaN, laps);
  const passed = passTime(front.track, front.i, r.lap, dist, lengthM);
  if (Number.isFinite(passed)) return formatGap(r.ts - passed);
  // The ring does not reach back that far: the gap at the line, from the lap table.
  const mine = r.current?.lap === r.lap ? r.current.start_ts : NaN;
  const theirs = crossingOf(front, r.lap);
  return formatGap(mine - theirs);
}

/** When `row`'s car began lap `lap`, from the lap table, or NaN. */
function crossingOf(row, lap) {
  if (row.current?.lap === lap) return row.current.start_ts;
  for (const l of row.carLaps?.laps ?? []) {
    if (l.lap === lap) return l.start_ts;
    if (l.lap === lap - 1) return l.end_ts;
  }
  return NaN;
}

function cell(ms, personal, session, lapNo) {
  return { text: formatLapTime(ms), cls: timeClass(ms, personal, session), lap: lapNo ?? null };
}

/** Sectors of the lap in progress as they complete; the rest from the last lap, marked `prev`. */
function sectorCells(r, session) {
  const out = [];
  for (let s = 0; s < 3; s++) {
    const now = r.current?.sectors_ms?.[s];
    const prev = r.lastLap?.sectors_ms?.[s];
    const ms = Number.isFinite(now) ? now : prev;
    out.push({
      text: Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '—',
      cls: timeClass(ms, r.best.sectors[s], session.sectors[s]),
      prev: !Number.isFinite(now) && Number.isFinite(prev),
    });
  }
  return out;
}

/** Without a lap table, the track's length is about the longest lap distance seen. */
function estimateLength(tracks) {
  let max = NaN;
  for (const tr of tracks) {
    const dists = tr.series('lap_distance_m');
    for (let k = 0; k < tr.count; k++) {
      const d = dists[tr.indexFromNewest(k)];
      if (Number.isFinite(d) && !(d <= max)) max = d;
    }
  }
  return max;
}
