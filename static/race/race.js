// Race analysis on the page: the lap table from the server, the timing tower and alarms
// (in the car list), the track map, and the Distance mode of the strips with its delta.
// Everything is drawn at the moment shown: the playhead while playing the past, else now.
// app.js calls `frame` from its animation-frame loop; the work inside is throttled.

import { carAlarms } from './alarms.js';
import { AlarmPanel } from './alarm-panel.js';
import { carColor } from '../strips/charts.js';
import { deltaAtEnd, deltaOnGrid, distanceGrid, lapTrace, onGrid, ringLap } from './delta.js';
import { DistanceView } from './distance-view.js';
import { NO_LAPS, formatDelta, lapsAt, mergeLaps, personalBest } from './laps.js';
import { LapCache } from './lap-cache.js';
import { TrackMap } from './track-map.js';
import { towerRows } from './tower.js';

/** The tower and alarms are recomputed at most this often; the Distance strips likewise. */
const TOWER_MS = 250;
const DISTANCE_MS = 200;
/** Laps chosen from the tower overlaid at once; choosing another drops the oldest. */
const MAX_CHOSEN = 3;
/** A refused `laps` request is repeated at most this often. */
const LAPS_RETRY_MAX_MS = 30_000;
const CHOSEN_COLORS = ['#facc15', '#38bdf8', '#4ade80'];
const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export class Race {
  /**
   * @param {{root: HTMLElement, store: object, carList: object, send: (msg: object) => boolean,
   *   focus: () => string|null, setFocus: (car: string) => void, moment: () => number|null,
   *   seek: (ts: number) => void, onAxis: (axis: string) => void}} deps  `moment`: the playhead (ms) while
   *   replaying, else null; `onAxis`: the Time/Distance switch moved (the URL keeps it)
   */
  constructor(deps) {
    Object.assign(this, deps);
    const $ = (id) => deps.root.querySelector(`[data-testid="${id}"]`);
    this.table = NO_LAPS;
    this.topic = null;
    /** Whether the server keeps a lap index (it answered `laps`); without it the tower degrades. */
    this.lapsServed = false;
    this.map = new TrackMap($('track-map'), { onFocus: (car) => this.setFocus(car) });
    this.alarms = new AlarmPanel(deps.root.querySelector('.car-panel'), (s) => {
      this.settings = s;
      this.towerAt = -Infinity;
    });
    this.settings = this.alarms.settings;
    this.indexNote = $('lap-index');
    this.distance = new DistanceView($('distance-strips'));
    this.distanceEl = $('distance-strips');
    this.timeEl = $('strips');
    this.axisPicker = $('axis-picker');
    this.refPicker = $('delta-ref');
    this.readout = $('delta-readout');
    this.lapKey = $('lap-key');
    this.cache = new LapCache(() => (this.distanceAt = -Infinity));
    this.axis = 'time';
    this.chosen = [];
    this.towerAt = -Infinity;
    this.distanceAt = -Infinity;
    this.lastRows = [];
    /** What the Distance strips show, for the test hook. */
    this.info = null;
    /** Milliseconds spent in `frame` since the page loaded, for benchmarks. */
    this.spentMs = 0;
    this.axisPicker.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-axis]');
      if (b) {
        this.setAxis(b.dataset.axis);
        this.onAxis(this.axis);
      }
    });
    this.refPicker.addEventListener('change', () => (this.distanceAt = -Infinity));
  }

  setAxis(axis) {
    this.axis = axis;
    for (const b of this.axisPicker.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.axis === axis));
    this.distanceEl.hidden = axis !== 'distance';
    this.timeEl.classList.toggle('by-distance', axis === 'distance');
    this.root.dataset.axis = axis;
    this.distanceAt = -Infinity;
  }

  /** The server confirmed a selection: its first topic's lap table is asked for. */
  subscribed(selection) {
    const topic = selection[0]?.topic ?? null;
    if (topic !== this.topic) {
      this.table = NO_LAPS;
      this.map.clear();
      this.cache.clear();
      this.chosen = [];
    }
    this.topic = topic;
    if (topic !== null) this.send({ type: 'laps', topic });
  }

  /**
   * The server refused `laps`: a topic it has only begun to read, or a server without a lap
   * index. Lap times show as dashes, and the table is asked for again, less and less often
   * (2 s, doubling, at most every LAPS_RETRY_MAX_MS).
   */
  lapsRefused() {
    this.lapsServed = false;
    this.towerAt = -Infinity;
    const topic = this.topic;
    this.retryMs = Math.min(LAPS_RETRY_MAX_MS, (this.retryMs ?? 1000) * 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (topic === this.topic && !this.lapsServed) this.send({ type: 'laps', topic });
    }, this.retryMs);
  }

  /** A `laps` message. */
  onLaps(msg) {
    if (msg.topic !== this.topic) return;
    this.lapsServed = true;
    this.retryMs = null;
    this.table = mergeLaps(this.table, msg);
    this.towerAt = -Infinity;
  }

  /** The person chose a lap in the tower: overlaid in Distance mode (again: removed). */
  chooseLap(car, lap) {
    const id = `${car}|${lap}`;
    const had = this.chosen.findIndex((c) => c.id === id);
    if (had >= 0) this.chosen.splice(had, 1);
    else this.chosen = [...this.chosen, { id, car, lap }].slice(-MAX_CHOSEN);
    if (this.axis !== 'distance') {
      this.setAxis('distance');
      this.onAxis(this.axis);
    }
    this.distanceAt = -Infinity;
  }

  /** Shift-click on a lap time: play the race from that lap's start. */
  seekLap(car, lap) {
    const l = this.table.cars.get(car)?.laps.find((x) => x.lap === lap);
    if (l) this.seek(l.start_ts);
  }

  /** Draws what changed of the race views: `parts` 'map', 'tables' (tower, Distance strips) or 'all'. */
  frame(now, parts = 'all') {
    const began = performance.now();
    this.drawFrame(now, parts);
    this.spentMs += performance.now() - began;
  }

  drawFrame(now, parts) {
    const t = this.moment();
    if (parts !== 'tables') this.map.draw(this.store, t, this.focus(), [0, ...(this.table.track?.sectors_m ?? [])]);
    if (parts === 'map') return;
    if (now - this.towerAt >= TOWER_MS) {
      this.towerAt = now;
      this.renderTower(t);
    }
    if (this.axis === 'distance' && now - this.distanceAt >= DISTANCE_MS) {
      this.distanceAt = now;
      this.renderDistance(t);
    }
  }

  /** Race time now: the playhead, or live the newest record carried on by the wall clock since it came. */
  raceNow(t) {
    if (t != null) return t;
    let arrived = 0;
    for (const c of this.store.cars.values()) if (c.arrivedAt > arrived) arrived = c.arrivedAt;
    return this.store.maxTs + Math.max(0, performance.now() - arrived);
  }

  renderTower(t) {
    const { store, settings } = this;
    const tracks = store.sortedIds.map((id) => store.cars.get(id));
    const rows = towerRows({
      tracks, table: this.table, t, now: this.raceNow(t), staleMs: settings.staleSecs * 1000, retiredMs: settings.retiredSecs * 1000,
    });
    const alarms = new Map();
    for (const r of rows) alarms.set(r.id, carAlarms(store.valuesAt(r.id, t), settings, r.status));
    this.carList.updateTower(rows, alarms);
    this.lastRows = rows;
    this.renderIndex();
  }

  renderIndex() {
    const ix = this.table.index;
    let text = '';
    if (!this.lapsServed) text = 'lap times: no lap index on this server';
    else if (ix?.state === 'reading') text = `reading laps ${fmt0.format(ix.read ?? 0)} / ${fmt0.format(ix.total ?? 0)}`;
    if (ix?.bound) text = `${text ? `${text} · ` : ''}${ix.bound}`;
    if (this.indexNote.textContent !== text) this.indexNote.textContent = text;
  }

  /**
   * A lap's trace: from the ring when it holds the lap from its start (and to its end, for a
   * lap that is over), else from `/api/lap` (cached) when the lap table has timed it.
   * `upTo`: the moment shown, past which the ring is not read; `open`: the lap in progress.
   */
  traceOf(car, lap, lengthM, upTo = Infinity, open = false) {
    const track = this.store.cars.get(car);
    const carLaps = this.table.cars.get(track?.car ?? car);
    const timed = carLaps?.laps.find((l) => l.lap === lap);
    const current = carLaps?.current?.lap === lap ? carLaps.current : null;
    // The lap in progress at the moment shown ends where the car is, even when the table
    // (which covers everything Kafka holds) knows when it ended.
    const bounds = timed ? { start_ts: timed.start_ts, ...(open ? {} : { end_ts: timed.end_ts }) }
      : current ? { start_ts: current.start_ts } : {};
    if (track) {
      const samples = ringLap(track, lap).filter((s) => s.ts <= upTo);
      const fromStart = samples.length > 1 && samples[0].lap < lap;
      const toEnd = open || samples[samples.length - 1]?.lap > lap;
      const tr = fromStart && toEnd ? lapTrace(samples, lap, lengthM, bounds) : null;
      if (tr) return tr;
    }
    if (!timed) return null;
    const samples = this.cache.get(this.topic, track?.car ?? car, lap);
    return samples ? lapTrace(samples, lap, lengthM, bounds) : null;
  }

  /** The car's fastest lap: from the lap table, else the fastest whole lap in its ring. */
  bestOf(car, lengthM, t) {
    const track = this.store.cars.get(car);
    const carLaps = this.table.cars.get(track?.car ?? car);
    if (carLaps) {
      const best = personalBest(lapsAt(carLaps, t ?? Infinity).done);
      return best.lapNo === null ? null : this.traceOf(car, best.lapNo, lengthM);
    }
    if (!track) return null;
    let best = null;
    const laps = new Set();
    for (let k = 0; k < track.count; k++) laps.add(track.ch.lap[track.indexFromNewest(k)]);
    for (const lap of laps) {
      const tr = Number.isFinite(lap) ? this.traceOf(car, lap, lengthM, t ?? Infinity) : null;
      if (tr && tr.endTs != null && (!best || tr.endTs - tr.startTs < best.endTs - best.startTs)) best = tr;
    }
    return best;
  }

  renderDistance(t) {
    const focus = this.focus();
    const track = focus === null ? undefined : this.store.cars.get(focus);
    this.syncRefPicker(focus);
    const i = !track || track.count === 0 ? -1 : t == null ? track.indexFromNewest(0) : track.indexAt(t);
    if (i < 0) {
      this.info = null;
      this.distance.draw([], [], []);
      return;
    }
    const lengthM = this.table.track?.length_m ?? maxDistance(track);
    const grid = distanceGrid(lengthM);
    const curLap = track.ch.lap[i];
    const cur = this.traceOf(focus, curLap, lengthM, track.ts[i], true);
    const last = this.traceOf(focus, curLap - 1, lengthM, t ?? Infinity);
    const best = this.bestOf(focus, lengthM, t);
    const refCar = this.refPicker.value === 'own' ? focus : this.refPicker.value;
    const ref = refCar === focus ? best : this.bestOf(refCar, lengthM, t);
    const color = carColor(focus);
    const laps = [];
    const add = (label, tr, c, extra = {}) => {
      if (tr) laps.push({ label, color: c, speed_kph: onGrid(tr, 'speed_kph', grid), rpm: onGrid(tr, 'rpm', grid), ...extra });
    };
    if (best && last && best.lap === last.lap) add(`last = best L${best.lap}`, best, '#c77dff', { width: 1.5 });
    else {
      add(`best L${best?.lap}`, best, '#c77dff', { width: 1.5 });
      add(`last L${curLap - 1}`, last, '#8590a2', { width: 1.25 });
    }
    this.chosen.forEach((c, n) => add(`#${c.car} L${c.lap}`, this.traceOf(c.car, c.lap, lengthM), CHOSEN_COLORS[n], { dash: true }));
    add(`now L${curLap}`, cur, color, { width: 2 });
    const deltas = [];
    if (ref) {
      if (last) deltas.push({ label: 'last', color: '#8590a2', values: deltaOnGrid(last, ref, grid) });
      if (cur) deltas.push({ label: 'now', color, values: deltaOnGrid(cur, ref, grid) });
    }
    this.distance.draw(grid, laps, deltas);
    const refLabel = ref ? `${refCar === focus ? 'own best' : `#${refCar}'s best`} (L${ref.lap})` : 'no reference lap yet';
    const nowMs = deltaAtEnd(cur, ref);
    const lastMs = deltaAtEnd(last, ref);
    const text = ref ? `Δ to ${refLabel}: now ${formatDelta(nowMs)} · last lap ${formatDelta(lastMs)}` : `Δ: ${refLabel}`;
    if (this.readout.textContent !== text) this.readout.textContent = text;
    const key = laps.map((l) => `${l.label}:${l.color}`).join('|');
    if (this.lapKey.dataset.key !== key) {
      this.lapKey.dataset.key = key;
      this.lapKey.replaceChildren(...laps.map((l) => {
        const s = document.createElement('span');
        s.textContent = l.label;
        s.style.color = l.color;
        return s;
      }));
    }
    this.info = {
      car: focus, curLap, ref: ref ? { car: refCar, lap: ref.lap, ms: ref.endTs - ref.startTs } : null,
      last: last?.endTs != null ? { lap: last.lap, ms: last.endTs - last.startTs } : null,
      nowDeltaMs: nowMs, lastDeltaMs: lastMs, laps: laps.map((l) => l.label),
    };
  }

  syncRefPicker(focus) {
    const cars = this.store.sortedIds.filter((c) => c !== focus);
    const key = `${focus}|${cars.join(',')}`;
    if (this.refPicker.dataset.key === key) return;
    this.refPicker.dataset.key = key;
    const was = this.refPicker.value;
    const opt = (value, text) => Object.assign(document.createElement('option'), { value, textContent: text });
    this.refPicker.replaceChildren(opt('own', 'own best'), ...cars.map((c) => opt(c, `#${c}'s best`)));
    this.refPicker.value = cars.includes(was) ? was : 'own';
  }
}

function maxDistance(track) {
  let max = NaN;
  for (let k = 0; k < track.count; k++) {
    const d = track.ch.lap_distance_m[track.indexFromNewest(k)];
    if (Number.isFinite(d) && !(d <= max)) max = d;
  }
  return max;
}
