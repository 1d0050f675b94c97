// The car panel as a view: which cars the strips draw and which one is focused (the car
// list's ticks and clicks, the track map's clicks), and the values at the cursor, shown in
// the list, the strips' readouts and the tire widget. Built by race.js; a view (core/view.js).

import { CarList, drawnCars, focusedCar } from './cars.js';
import { TireWidget } from './tires.js';
import { bucketValue, bucketValues } from '../strips/zoom.js';

/** The values at the cursor are written at most this often. */
const LEGEND_INTERVAL_MS = 120;

const fmtTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });

export class CarPanel {
  /**
   * @param {{root: HTMLElement, store: object, ui: object, charts: object, writeUrl: () => void,
   *   onCars: () => void}} page  `ui`: what the page shows (focus, hidden cars, cursor), shared
   *   with the URL; `onCars`: the cars drawn changed
   * @param {{onLap: (car: string, lap: number) => void, onSeekLap: (car: string, lap: number) => void,
   *   onExportLap: (car: string, lap: number, cell: HTMLElement) => void}} race
   */
  constructor(page, { onLap, onSeekLap, onExportLap }) {
    this.page = page;
    const { root, store, ui } = page;
    this.tires = new TireWidget(root.querySelector('[data-testid="tire-widget"]'));
    this.list = new CarList(root.querySelector('.car-panel'), {
      onToggle: (car, drawn) => {
        ui.urlCars = null;
        if (drawn) ui.hidden.delete(car);
        else ui.hidden.add(car);
        this.changed(true);
      },
      onFocus: (car) => this.focusCar(car),
      onLap,
      onSeekLap,
      onExportLap,
      onAll: () => {
        ui.hidden.clear();
        ui.hideNewCars = false;
        ui.urlCars = null;
        this.changed(true);
      },
      onFocusedOnly: () => {
        for (const car of store.sortedIds) if (car !== this.focus()) ui.hidden.add(car);
        ui.hideNewCars = true;
        ui.urlCars = null;
        this.changed(true);
      },
    });
    this.carsDirty = true;
    /** The cars drawn changed: the URL names them once they are drawn. */
    this.urlDirty = false;
    this.legendDirty = true;
    this.seenCarsVersion = -1;
    this.seenRefused = 0;
    this.knownCars = new Set();
    this.legendAt = 0;
    this.legendVersion = -1;
    this.legendCursor = null;
  }

  /** The focused car: the one chosen, else the first. */
  focus() {
    return focusedCar(this.page.ui.focus, this.page.store.sortedIds);
  }

  focusCar(car) {
    this.page.ui.focus = car;
    this.page.ui.hidden.delete(car);
    this.carsDirty = true;
    this.page.writeUrl();
  }

  changed(url) {
    this.carsDirty = true;
    this.urlDirty ||= url;
  }

  /** Which cars the strips draw: before them, on every frame. */
  frame() {
    this.syncCars();
  }

  /** The values at the cursor, in the list, the strips' readouts and the tires. */
  write(now) {
    const { store, ui } = this.page;
    const due = this.legendDirty || store.version !== this.legendVersion || ui.cursorIdx !== this.legendCursor;
    if (now - this.legendAt >= LEGEND_INTERVAL_MS && due) {
      this.legendAt = now;
      this.legendVersion = store.version;
      this.legendCursor = ui.cursorIdx;
      this.legendDirty = false;
      this.renderLegend();
    }
  }

  /** The tower's extra columns: channels `names` (the layout's `tower` `columns`), their units by `unit(name)`. */
  setColumns(names, unit) {
    this.list.setColumns(names, unit);
    this.carsDirty = true;
  }

  resize() {
    this.carsDirty = true;
    this.legendDirty = true;
  }

  syncCars() {
    const { store, ui, charts } = this.page;
    const refused = store.extraRings.refused;
    if (!this.carsDirty && store.carsVersion === this.seenCarsVersion && refused === this.seenRefused) return;
    this.carsDirty = false;
    this.seenCarsVersion = store.carsVersion;
    this.seenRefused = refused;
    for (const car of store.sortedIds) {
      if (!this.knownCars.has(car)) {
        this.knownCars.add(car);
        if (ui.hideNewCars && !ui.urlCars?.has(car)) ui.hidden.add(car);
      }
    }
    const focus = this.focus();
    const drawn = drawnCars(store.sortedIds, ui.hidden, focus);
    charts.configure(drawn, focus);
    this.list.render(store.sortedIds, new Set(drawn), focus, store.ignored, refused);
    if (this.urlDirty) {
      this.urlDirty = false;
      this.page.writeUrl();
    }
    this.page.onCars();
    this.legendDirty = true;
  }

  /** Values at the cursor: from the rings, or zoomed out from the overview's bucket under it. */
  valuesOf(car, t) {
    const { charts, ui, store } = this.page;
    return charts.bands && ui.cursorIdx != null ? bucketValues(charts.bands, car, ui.cursorIdx) : store.valuesAt(car, t);
  }

  renderLegend() {
    const { charts, ui, root } = this.page;
    const t = ui.cursorIdx == null ? null : charts.timeAt(ui.cursorIdx) ?? null;
    const when = t == null ? 'Latest values · click a row to focus · right-click a lap time to export it'
      : charts.bands ? `Highest in ${charts.bands.bucket_ms} ms at ${fmtTime.format(t)}` : `At ${fmtTime.format(t)}`;
    this.list.update((car) => this.valuesOf(car, t), when);
    root.querySelector('[data-testid="cursor-time"]').textContent = t == null ? '' : `cursor ${fmtTime.format(t)}`;
    const focus = this.focus();
    const v = focus === null ? null : this.valuesOf(focus, t);
    this.tires.show(focus, v ? { fl: v.fl, fr: v.fr, rl: v.rl, rr: v.rr } : null);
    charts.readouts(v ? focus : null, (car, channel) => this.valueOf(car, channel, t));
  }

  /** One channel of a car at the cursor: from the overview's bucket zoomed out, else from the rings. */
  valueOf(car, channel, t) {
    const { charts, ui, store } = this.page;
    if (charts.bands && ui.cursorIdx != null) return bucketValue(charts.bands, car, channel, ui.cursorIdx);
    const track = store.cars.get(car);
    const ring = track?.series(channel);
    if (!ring || track.count === 0) return NaN;
    const i = t == null ? track.indexFromNewest(0) : track.indexAt(t);
    return i < 0 ? NaN : ring[i];
  }
}
