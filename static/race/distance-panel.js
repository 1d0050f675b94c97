// The distance strips as a view: the focused car's laps overlaid against the distance into
// the lap (now, last, best and the laps chosen in the tower), one strip per `distance` panel
// of the workbench (any channels), and the delta to a reference lap (the `delta` panel, with
// its reference picker and lap key), with the reference laps pinned with "Compare with…"
// (references.js: any topic's laps, each a line of its own, one the delta's reference).
// Built by race.js, whose lap table, lap cache and reference laps it reads; the strips
// themselves are distance-view.js, the arithmetic delta.js. A view (core/view.js), drawn
// while a distance or delta panel is on screen.

import { carColor } from '../core/colors.js';
import { deltaAtEnd, deltaOnGrid, distanceGrid, lapTrace, onGrid, ringLap } from './delta.js';
import { DistanceView } from './distance-view.js';
import { formatDelta, lapsAt, personalBest } from './laps.js';
import { REFERENCE_STYLES, referenceLabel } from './references.js';
import { ReferenceChips } from './reference-chips.js';

/** Redrawn at most this often. */
const DISTANCE_MS = 200;
const CHOSEN_COLORS = ['#facc15', '#38bdf8', '#4ade80'];

export class DistancePanel {
  /** @param {object} race  the coordinator (race.js): the store, the lap table, the axis */
  constructor(race) {
    this.race = race;
    const $ = (id) => race.root.querySelector(`[data-testid="${id}"]`);
    this.distance = new DistanceView($('distance-strips'), () => race.compare.open());
    this.refPicker = $('delta-ref');
    this.readout = $('delta-readout');
    this.lapKey = $('lap-key');
    this.drawnAt = -Infinity;
    /** The distance panels' strips ({channels, cars: 'focus'}) and bodies, in order (`mount`). */
    this.strips = [];
    this.bodies = [];
    this.channels = [];
    /** What the Distance strips show, for the test hook. */
    this.info = null;
    this.chips = new ReferenceChips($('ref-chips'), (i) => race.unpin(i));
    $('compare-open').addEventListener('click', () => race.compare.open());
    this.refPicker.addEventListener('change', () => {
      const v = this.refPicker.value;
      // A pinned reference made the delta's is kept in the layout; own and another car's best are the page's.
      race.setDeltaReference(v.startsWith('ref:') ? Number(v.slice(4)) : null);
      this.resize();
    });
  }

  /** The distance panels shown, in order ({spec, body}). */
  mount(panels) {
    this.strips = panels.map((p) => ({ channels: p.spec.channels, cars: 'focus' }));
    this.bodies = panels.map((p) => p.body);
    this.resize();
  }

  frame(now) {
    if (now - this.drawnAt < DISTANCE_MS) return;
    this.drawnAt = now;
    this.race.timed(() => this.renderDistance(this.race.moment()));
  }

  resize() {
    this.drawnAt = -Infinity;
  }

  /**
   * A lap's trace: from the ring when it holds the lap from its start (and to its end, for a
   * lap that is over), else from `/api/lap` (cached) when the lap table has timed it.
   * `upTo`: the moment shown, past which the ring is not read; `open`: the lap in progress.
   */
  traceOf(car, lap, lengthM, upTo = Infinity, open = false) {
    const channels = this.channels;
    const track = this.race.store.cars.get(car);
    const carLaps = this.race.table.cars.get(track?.car ?? car);
    const timed = carLaps?.laps.find((l) => l.lap === lap);
    const current = carLaps?.current?.lap === lap ? carLaps.current : null;
    // The lap in progress at the moment shown ends where the car is, even when the table
    // (which covers everything Kafka holds) knows when it ended.
    const bounds = timed ? { start_ts: timed.start_ts, ...(open ? {} : { end_ts: timed.end_ts }) }
      : current ? { start_ts: current.start_ts } : {};
    if (track) {
      const samples = ringLap(track, lap, channels).filter((s) => s.ts <= upTo);
      const fromStart = samples.length > 1 && samples[0].lap < lap;
      const toEnd = open || samples[samples.length - 1]?.lap > lap;
      const tr = fromStart && toEnd ? lapTrace(samples, lap, lengthM, bounds, channels) : null;
      if (tr) return tr;
    }
    if (!timed) return null;
    const samples = this.race.cache.get(this.race.topic, track?.car ?? car, lap);
    return samples ? lapTrace(samples, lap, lengthM, bounds, channels) : null;
  }

  /** The car's fastest lap: from the lap table, else the fastest whole lap in its ring. */
  bestOf(car, lengthM, t) {
    const track = this.race.store.cars.get(car);
    const carLaps = this.race.table.cars.get(track?.car ?? car);
    if (carLaps) {
      const best = personalBest(lapsAt(carLaps, t ?? Infinity).done);
      return best.lapNo === null ? null : this.traceOf(car, best.lapNo, lengthM);
    }
    if (!track) return null;
    let best = null;
    const laps = new Set();
    const lapRing = track.series('lap');
    for (let k = 0; k < track.count; k++) laps.add(lapRing[track.indexFromNewest(k)]);
    for (const lap of laps) {
      const tr = Number.isFinite(lap) ? this.traceOf(car, lap, lengthM, t ?? Infinity) : null;
      if (tr && tr.endTs != null && (!best || tr.endTs - tr.startTs < best.endTs - best.startTs)) best = tr;
    }
    return best;
  }

  renderDistance(t) {
    const { strips, bodies } = this;
    /** Every channel of the strips, once: what each lap's trace carries. */
    this.channels = [...new Set(strips.flatMap((s) => s.channels))];
    const focus = this.race.focus();
    const track = focus === null ? undefined : this.race.store.cars.get(focus);
    const pinned = this.pinned();
    this.syncRefPicker(focus, pinned);
    this.chips.show(pinned.map((p) => ({ label: p.label, color: p.color, dash: p.dash, said: p.said, gone: p.gone, delta: !!p.ref.delta })));
    const i = !track || track.count === 0 ? -1 : t == null ? track.indexFromNewest(0) : track.indexAt(t);
    if (i < 0) {
      this.info = null;
      this.distance.draw(strips, bodies, focus, [], [], []);
      return;
    }
    const lengthM = this.race.table.track?.length_m ?? maxDistance(track);
    const grid = distanceGrid(lengthM);
    const curLap = track.series('lap')[i];
    const cur = this.traceOf(focus, curLap, lengthM, track.ts[i], true);
    const last = this.traceOf(focus, curLap - 1, lengthM, t ?? Infinity);
    const best = this.bestOf(focus, lengthM, t);
    const pinnedRef = pinned.find((p) => p.ref.delta) ?? null;
    const refCar = pinnedRef || this.refPicker.value === 'own' || this.refPicker.value.startsWith('ref:') ? focus : this.refPicker.value;
    const ref = pinnedRef ? pinnedRef.trace : refCar === focus ? best : this.bestOf(refCar, lengthM, t);
    const color = carColor(focus);
    const laps = [];
    const add = (label, tr, c, extra = {}) => {
      if (!tr) return;
      const values = {};
      for (const name of this.channels) values[name] = onGrid(tr, name, grid);
      laps.push({ label, color: c, values, ...extra });
    };
    if (best && last && best.lap === last.lap) add(`last = best L${best.lap}`, best, '#c77dff', { width: 1.5 });
    else {
      add(`best L${best?.lap}`, best, '#c77dff', { width: 1.5 });
      add(`last L${curLap - 1}`, last, '#8590a2', { width: 1.25 });
    }
    this.race.chosen.forEach((c, n) => add(`#${c.car} L${c.lap}`, this.traceOf(c.car, c.lap, lengthM), CHOSEN_COLORS[n], { dash: true }));
    // Their key is the chips under the delta's head, each with its line: their labels are long.
    for (const p of pinned) add(p.label, p.trace, p.color, { dash: p.dash, width: 1.5, pinned: true });
    add(`now L${curLap}`, cur, color, { width: 2 });
    const deltas = [];
    if (ref) {
      if (last) deltas.push({ label: 'last', color: '#8590a2', values: deltaOnGrid(last, ref, grid) });
      if (cur) deltas.push({ label: 'now', color, values: deltaOnGrid(cur, ref, grid) });
    }
    this.distance.draw(strips, bodies, focus, grid, laps, deltas, (name) => this.race.page.channels?.unit(name) ?? null);
    // A pinned reference by car and lap, then topic: its whole label is in its chip, marked Δ.
    const refLabel = pinnedRef ? `#${pinnedRef.ref.car} L${pinnedRef.ref.lap} · ${pinnedRef.ref.topic}` : ref ? `${refCar === focus ? 'own best' : `#${refCar}'s best`} (L${ref.lap})` : 'no reference lap yet';
    const nowMs = deltaAtEnd(cur, ref);
    const lastMs = deltaAtEnd(last, ref);
    const text = ref ? `Δ to ${refLabel}: now ${formatDelta(nowMs)} · last lap ${formatDelta(lastMs)}`
      : pinnedRef ? `Δ to ${refLabel}: ${pinnedRef.said}` : `Δ: ${refLabel}`;
    if (this.readout.textContent !== text) this.readout.textContent = text;
    const keyed = laps.filter((l) => !l.pinned);
    const key = keyed.map((l) => `${l.label}:${l.color}`).join('|');
    if (this.lapKey.dataset.key !== key) {
      this.lapKey.dataset.key = key;
      this.lapKey.replaceChildren(...keyed.map((l) => {
        const s = document.createElement('span');
        s.textContent = l.label;
        s.style.color = l.color;
        return s;
      }));
    }
    this.info = {
      car: focus, curLap,
      ref: ref ? { car: pinnedRef?.ref.car ?? refCar, lap: ref.lap, ms: ref.endTs - ref.startTs, topic: pinnedRef?.ref.topic ?? this.race.topic, label: pinnedRef?.label ?? refLabel } : null,
      references: pinned.map((p) => ({ ...p.ref, label: p.label, said: p.said, drawn: !!p.trace })),
      last: last?.endTs != null ? { lap: last.lap, ms: last.endTs - last.startTs } : null,
      nowDeltaMs: nowMs, lastDeltaMs: lastMs, laps: laps.map((l) => l.label),
      strips: this.distance.describe(),
    };
  }

  /**
   * The references pinned, each with its line's colour and dash, its label, its trace on the
   * strips' channels once its lap came, and what to say in its place until then (or instead).
   */
  pinned() {
    // The line is where this session's is: both laps end there, so at the line the delta
    // is the difference of their times (their own lengths differ by the interpolation's cm).
    const sessionLength = this.race.table.track?.length_m;
    return this.race.references().map((ref, n) => {
      const style = REFERENCE_STYLES[n % REFERENCE_STYLES.length];
      const got = this.race.refLaps.get(ref);
      const ready = got.state === 'ready';
      const lengthM = sessionLength ?? got.lap?.length_m;
      const traceKey = `${this.channels.join('\u0000')}|${lengthM}`;
      if (ready && got.traceKey !== traceKey) {
        // Computed once per set of channels and length, not per frame.
        const { lap } = got;
        got.trace = lapTrace(got.samples, ref.lap, lengthM, { start_ts: lap.start_ts, end_ts: lap.end_ts }, this.channels);
        got.traceKey = traceKey;
      }
      const trace = ready ? got.trace : null;
      const said = ready ? (trace ? '' : 'no samples of the lap') : got.state === 'failed' ? got.error : got.error ?? 'loading…';
      return { ref, ...style, label: referenceLabel(ref, ready ? got.lap.time_ms : NaN), trace, said, gone: got.state === 'failed' };
    });
  }

  syncRefPicker(focus, pinned) {
    const cars = this.race.store.sortedIds.filter((c) => c !== focus);
    const refs = pinned.map((p) => p.label);
    const chosen = pinned.findIndex((p) => p.ref.delta);
    const key = JSON.stringify([focus, cars, refs, chosen]);
    if (this.refPicker.dataset.key === key) return;
    this.refPicker.dataset.key = key;
    const was = this.refPicker.value;
    const opt = (value, text) => Object.assign(document.createElement('option'), { value, textContent: text });
    this.refPicker.replaceChildren(opt('own', 'own best'), ...cars.map((c) => opt(c, `#${c}'s best`)), ...refs.map((l, n) => opt(`ref:${n}`, l)));
    this.refPicker.value = chosen >= 0 ? `ref:${chosen}` : cars.includes(was) ? was : 'own';
  }
}

function maxDistance(track) {
  let max = NaN;
  const dists = track.series('lap_distance_m');
  for (let k = 0; k < track.count; k++) {
    const d = dists[track.indexFromNewest(k)];
    if (Number.isFinite(d) && !(d <= max)) max = d;
  }
  return max;
}
