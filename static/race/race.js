// Race analysis on the page, the coordinator of race/: the lap table from the server, and
// the views that draw from it at the moment shown (the playhead while playing the past,
// else now): the car panel (car-panel.js), the track map (track-map.js), the timing tower
// and alarms (tower-panel.js), and the distance and delta strips (distance-panel.js). Each
// is a panel kind of the workbench (workbench/kinds.js moves their boxes into panels).
// It asks the server for laps through session events; the views are drawn from views.js.

import { CarPanel } from './car-panel.js';
import { requestExport } from '../chrome/export.js';
import { ComparePicker } from './compare.js';
import { DistancePanel } from './distance-panel.js';
import { NO_LAPS, mergeLaps } from './laps.js';
import { LapCache } from './lap-cache.js';
import { ReferenceLaps } from './reference-laps.js';
import { deltaReference, pinReference } from './references.js';
import { MAX_REFERENCES } from '../workbench/layout-references.js';
import { TowerPanel } from './tower-panel.js';
import { TrackMap } from './track-map.js';

/** Laps chosen from the tower overlaid at once; choosing another drops the oldest. */
const MAX_CHOSEN = 3;
/** A refused `laps` request is repeated at most this often. */
const LAPS_RETRY_MAX_MS = 30_000;

export class Race {
  /**
   * @param {{root: HTMLElement, store: object, ui: object, charts: object, dispatch: Function,
   *   moment: () => number|null, seek: (ts: number) => void, showLaps: () => void,
   *   writeUrl: () => void, onCars: () => void, references: () => object[],
   *   setReferences: (refs: object[]) => string|null}} page  `moment`: the playhead (ms) while
   *   replaying, else null; `showLaps`: a lap was chosen: the workbench shows distance strips;
   *   `references`: the layout's pinned reference laps; `setReferences`: keeps new ones in the
   *   layout (and the link), or says why it cannot
   */
  constructor(page) {
    this.page = page;
    this.root = page.root;
    this.store = page.store;
    this.moment = page.moment;
    const $ = (id) => page.root.querySelector(`[data-testid="${id}"]`);
    this.table = NO_LAPS;
    this.topic = null;
    /** Whether the server keeps a lap index (it answered `laps`); without it the tower degrades. */
    this.lapsServed = false;
    /** The boxes the panels of race/ show (workbench/kinds.js moves them into panel bodies). */
    this.boxes = { map: $('map-panel'), tower: page.root.querySelector('.car-panel'), tires: $('tire-widget'), delta: $('distance-strips') };
    this.chosen = [];
    /** Milliseconds the race views spent drawing since the page loaded, for benchmarks. */
    this.spentMs = 0;

    this.cars = new CarPanel(page, {
      onLap: (car, lap) => this.chooseLap(car, lap),
      onSeekLap: (car, lap) => this.seekLap(car, lap),
      onExportLap: (car, lap, anchor) => requestExport({ label: `lap ${lap} of car ${car}`, span: { car, lap }, anchor }),
    });
    this.map = new TrackMap($('track-map'), this);
    this.tower = new TowerPanel(this);
    this.distance = new DistancePanel(this);
    this.cache = new LapCache(() => this.distance.resize());
    this.refLaps = new ReferenceLaps(() => this.distance.resize());
    this.compare = new ComparePicker({ current: () => this.topic, pin: (ref) => this.pin(ref) });
  }

  /** The reference laps pinned in the layout ({topic, car, lap, delta?}). */
  references() {
    return this.page.references();
  }

  /** Pins `ref` as the delta's reference, shown on the distance strips; or says why it cannot. */
  pin(ref) {
    const next = pinReference(this.references(), ref, MAX_REFERENCES);
    if (!next) return `${MAX_REFERENCES} reference laps are pinned already: unpin one first (✕ under the delta).`;
    const refused = this.page.setReferences(next);
    if (refused) return refused;
    this.page.showLaps();
    this.distance.resize();
    return null;
  }

  /** Unpins reference `i`. */
  unpin(i) {
    this.page.setReferences(this.references().filter((_, k) => k !== i));
    this.distance.resize();
  }

  /** Reference `i` is the delta's (null: none of the pinned ones, the page's own choice is). */
  setDeltaReference(i) {
    const refs = this.references();
    if (refs.findIndex((r) => r.delta) === (i ?? -1)) return;
    this.page.setReferences(deltaReference(refs, i));
  }

  focus() {
    return this.cars.focus();
  }

  setFocus(car) {
    this.cars.focusCar(car);
  }

  /** Runs a view's drawing, counting its time. */
  timed(draw) {
    const began = performance.now();
    draw();
    this.spentMs += performance.now() - began;
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
    if (topic !== null) this.page.dispatch({ type: 'ask-laps', topic });
  }

  /**
   * The server refused `laps`: a topic it has only begun to read, or a server without a lap
   * index. Lap times show as dashes, and the table is asked for again, less and less often
   * (2 s, doubling, at most every LAPS_RETRY_MAX_MS).
   */
  lapsRefused() {
    this.lapsServed = false;
    this.tower.resize();
    const topic = this.topic;
    this.retryMs = Math.min(LAPS_RETRY_MAX_MS, (this.retryMs ?? 1000) * 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (topic === this.topic && !this.lapsServed) this.page.dispatch({ type: 'ask-laps', topic });
    }, this.retryMs);
  }

  /** A `laps` message. */
  onLaps(msg) {
    if (msg.topic !== this.topic) return;
    this.lapsServed = true;
    this.retryMs = null;
    this.table = mergeLaps(this.table, msg);
    this.tower.resize();
  }

  /** The person chose a lap in the tower: overlaid on the distance strips (again: removed). */
  chooseLap(car, lap) {
    const id = `${car}|${lap}`;
    const had = this.chosen.findIndex((c) => c.id === id);
    if (had >= 0) this.chosen.splice(had, 1);
    else this.chosen = [...this.chosen, { id, car, lap }].slice(-MAX_CHOSEN);
    this.page.showLaps();
    this.distance.resize();
  }

  /** Shift-click on a lap time: play the race from that lap's start. */
  seekLap(car, lap) {
    const l = this.table.cars.get(car)?.laps.find((x) => x.lap === lap);
    if (l) this.page.seek(l.start_ts);
  }
}
