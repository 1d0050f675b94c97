// The timing tower as a view: the running order, lap and sector times, gaps and alarms,
// written into the car list's rows (cars.js) at the moment shown, and the lap index's
// state. Built by race.js, whose lap table it reads; the rows are tower.js's arithmetic,
// the alarms alarms.js's. A view (core/view.js).

import { carAlarms } from './alarms.js';
import { AlarmPanel } from './alarm-panel.js';
import { towerRows } from './tower.js';

/** Recomputed at most this often. */
const TOWER_MS = 250;
const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export class TowerPanel {
  /** @param {object} race  the coordinator (race.js): the store, the lap table, the car list */
  constructor(race) {
    this.race = race;
    this.alarms = new AlarmPanel(race.root.querySelector('.car-panel'), (s) => {
      this.settings = s;
      this.resize();
    });
    this.settings = this.alarms.settings;
    this.indexNote = race.root.querySelector('[data-testid="lap-index"]');
    this.drawnAt = -Infinity;
    this.lastRows = [];
  }

  /** The tower is text only: it is written, not drawn (core/view.js `write`). */
  frame() {}

  write(now) {
    if (now - this.drawnAt < TOWER_MS) return;
    this.drawnAt = now;
    this.race.timed(() => this.renderTower(this.race.moment()));
  }

  resize() {
    this.drawnAt = -Infinity;
  }

  /** The tower with extra columns of channels `names` (the layout's `columns`), `unit(name)` in their headers. */
  withColumns(names, unit) {
    this.race.cars.setColumns(names, unit);
    this.resize();
    return this;
  }

  /** Race time now: the playhead, or live the newest record carried on by the wall clock since it came. */
  raceNow(t) {
    if (t != null) return t;
    let arrived = 0;
    for (const c of this.race.store.cars.values()) if (c.arrivedAt > arrived) arrived = c.arrivedAt;
    return this.race.store.maxTs + Math.max(0, performance.now() - arrived);
  }

  renderTower(t) {
    const { store } = this.race;
    const { settings } = this;
    const tracks = store.sortedIds.map((id) => store.cars.get(id));
    const rows = towerRows({
      tracks, table: this.race.table, t, now: this.raceNow(t), staleMs: settings.staleSecs * 1000, retiredMs: settings.retiredSecs * 1000,
    });
    const alarms = new Map();
    for (const r of rows) alarms.set(r.id, carAlarms(store.valuesAt(r.id, t), settings, r.status));
    this.race.cars.list.updateTower(rows, alarms);
    this.lastRows = rows;
    this.renderIndex();
  }

  renderIndex() {
    const ix = this.race.table.index;
    let text = '';
    if (!this.race.lapsServed) text = 'lap times: no lap index on this server';
    else if (ix?.state === 'reading') text = `reading laps ${fmt0.format(ix.read ?? 0)} / ${fmt0.format(ix.total ?? 0)}`;
    if (ix?.bound) text = `${text ? `${text} · ` : ''}${ix.bound}`;
    if (this.indexNote.textContent !== text) this.indexNote.textContent = text;
  }

}
