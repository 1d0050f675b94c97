// The car picker, live legend and timing tower in one table: which cars are drawn, which
// one is focused, each car's current values (or its values under the chart cursor), and its
// place in the race (tower.js computes the rows), with its alarms lit.
//
// Rows are rebuilt only when the set of cars, the drawn set or the focus changes; values
// are written in place, at most a few times a second, and only when their text changes;
// rows move only when the running order changes. Extra columns (the layout's `tower`
// `columns`, set by `setColumns`) show each car's value of any channel at the moment shown.

import { carColor } from '../core/colors.js';
import { MAX_EXTRA_RINGS, splitCarKey } from '../core/state.js';
import { formatValue } from '../analysis/scale.js';
import { reorderChildren } from '../core/reorder.js';

/** Cars drawn at once: twenty lines per strip is already a lot to read. */
export const MAX_DRAWN = 20;

/**
 * The car the strips and the tire widget follow: the one the person chose while it is in
 * the store, else the first in the list's order.
 * @param {string|null} chosen  @param {string[]} sortedIds  the store's cars, in list order
 */
export function focusedCar(chosen, sortedIds) {
  if (chosen !== null && sortedIds.includes(chosen)) return chosen;
  return sortedIds[0] ?? null;
}

/**
 * The cars drawn, in list order: every car not hidden, at most `max`, and always the focused
 * one (in the last place when the cap would leave it out).
 * @param {Set<string>} hidden  cars the person unticked
 */
export function drawnCars(sortedIds, hidden, focus, max = MAX_DRAWN) {
  const drawn = sortedIds.filter((c) => c === focus || !hidden.has(c)).slice(0, max);
  if (focus !== null && !drawn.includes(focus)) drawn[drawn.length - 1] = focus;
  return drawn;
}

const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export class CarList {
  /**
   * @param {HTMLElement} root  the sidebar's car panel
   * @param {{onToggle: (car: string, drawn: boolean) => void, onFocus: (car: string) => void,
   *          onAll: () => void, onFocusedOnly: () => void, onLap?: (car: string, lap: number) => void,
   *          onSeekLap?: (car: string, lap: number) => void,
   *          onExportLap?: (car: string, lap: number, cell: HTMLElement) => void}} actions
   */
  constructor(root, actions) {
    this.body = root.querySelector('[data-testid=car-rows]');
    this.count = root.querySelector('[data-testid=car-count]');
    this.when = root.querySelector('[data-testid=car-values-when]');
    this.note = root.querySelector('[data-testid=car-note]');
    this.rows = new Map(); // car -> { tr, cells: {pos, lap, last, best, ..., speed, rpm}, shown: {} }
    this.key = '';
    this.orderKey = '';
    this.table = root.querySelector('[data-testid=car-table]');
    /** The channels of the extra columns, after the timing columns. */
    this.columns = [];
    this.unit = () => null;
    root.querySelector('[data-testid=cars-all]').addEventListener('click', actions.onAll);
    root.querySelector('[data-testid=cars-none]').addEventListener('click', actions.onFocusedOnly);
    this.body.addEventListener('change', (e) => {
      const box = e.target.closest('input[type=checkbox]');
      if (box) actions.onToggle(box.dataset.car, box.checked);
    });
    this.body.addEventListener('click', (e) => {
      if (e.target.closest('input')) return;
      const lapCell = e.target.closest('td[data-lap]');
      if (lapCell && lapCell.dataset.lap !== '' && actions.onLap) {
        const car = lapCell.closest('tr').dataset.car;
        if (e.shiftKey && actions.onSeekLap) actions.onSeekLap(car, Number(lapCell.dataset.lap));
        else actions.onLap(car, Number(lapCell.dataset.lap));
        return;
      }
      const tr = e.target.closest('tr[data-car]');
      if (tr) actions.onFocus(tr.dataset.car);
    });
    // Right-click on a lap time: export that lap (chrome/export.js).
    this.body.addEventListener('contextmenu', (e) => {
      const lapCell = e.target.closest('td[data-lap]');
      if (!lapCell || lapCell.dataset.lap === '' || !actions.onExportLap) return;
      e.preventDefault();
      actions.onExportLap(lapCell.closest('tr').dataset.car, Number(lapCell.dataset.lap), lapCell);
    });
    this.body.addEventListener('keydown', (e) => {
      const tr = e.target.closest('tr[data-car]');
      if (tr && e.target === tr && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        actions.onFocus(tr.dataset.car);
      }
    });
  }

  /**
   * Extra columns of each car's value of channels `names` (at most 6, docs/layouts.md), their
   * headers the channel's name and `unit(name)`; [] for none, as by default.
   */
  setColumns(names, unit = () => null) {
    this.columns = [...names];
    this.unit = unit;
    this.table.querySelectorAll('[data-column]').forEach((el) => el.remove());
    const headRow = this.table.querySelector('thead tr');
    const cols = this.table.querySelector('colgroup');
    for (const name of this.columns) {
      const th = document.createElement('th');
      th.className = 'num x-col';
      th.dataset.column = name;
      const n = document.createElement('span');
      n.className = 'x-name';
      n.textContent = name;
      const u = document.createElement('span');
      u.className = 'x-unit';
      th.append(n, u);
      headRow.append(th);
      const col = document.createElement('col');
      col.className = 'c-extra';
      col.dataset.column = name;
      cols?.append(col);
    }
    this.units();
    this.key = '';
  }

  /** The extra columns' units in their headers: the server may name them after the columns are set. */
  units() {
    for (const th of this.table.querySelectorAll('thead th[data-column]')) {
      const name = th.dataset.column;
      const u = this.unit(name) ?? '';
      const span = th.querySelector('.x-unit');
      if (span.textContent === u) continue;
      span.textContent = u;
      th.title = `${name}${u ? ` (${u})` : ''} at the moment shown`;
    }
  }

  /** @param {string[]} cars  sorted ids  @param {Set<string>} drawn  @param {string|null} focus */
  render(cars, drawn, focus, ignored, refused = 0) {
    const key = JSON.stringify([cars, [...drawn], focus, refused]);
    if (key === this.key) return;
    this.key = key;
    this.rows.clear();
    const frag = document.createDocumentFragment();
    for (const car of cars) {
      const tr = document.createElement('tr');
      tr.dataset.car = car;
      tr.dataset.testid = `car-row-${car}`;
      tr.tabIndex = 0;
      tr.setAttribute('aria-selected', String(car === focus));
      if (car === focus) tr.className = 'focused';
      if (!drawn.has(car)) tr.classList.add('hidden-car');
      const pick = document.createElement('td');
      pick.className = 'pick';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = drawn.has(car);
      box.dataset.car = car;
      box.setAttribute('aria-label', `Draw car ${car}`);
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = carColor(car); // CSSOM, allowed by a strict CSP
      pick.append(box, sw);
      const name = document.createElement('td');
      name.className = 'car-name';
      const [id, topic] = splitCarKey(car);
      const num = document.createElement('span');
      num.className = 'car-num';
      num.textContent = `#${id}`;
      const driver = document.createElement('span');
      driver.className = 'car-driver';
      name.append(num);
      if (topic !== null) {
        // Several topics: the topic tells apart cars with the same id.
        name.title = `Car ${id} on ${topic}`;
        const t = document.createElement('span');
        t.className = 'car-topic';
        t.textContent = topic;
        name.append(t);
      }
      name.append(driver);
      const cells = { driver };
      const td = (k) => {
        const cell = document.createElement('td');
        cell.className = 'num';
        cell.dataset.value = k;
        cells[k] = cell;
        return cell;
      };
      tr.append(td('pos'), pick, name);
      for (const k of COLUMNS) tr.append(td(k));
      for (const name of this.columns) tr.append(td(`x:${name}`));
      cells.last.dataset.lap = '';
      cells.best.dataset.lap = '';
      frag.append(tr);
      this.rows.set(car, { tr, cells, shown: {} });
    }
    this.body.replaceChildren(frag);
    this.orderKey = '';
    this.count.textContent = cars.length ? `${drawn.size} of ${cars.length} drawn` : '';
    const notes = [];
    if (cars.length > MAX_DRAWN) notes.push(`At most ${MAX_DRAWN} cars are drawn at once.`);
    if (ignored > 0) notes.push(`${fmt0.format(ignored)} records of further cars ignored: the page keeps ${cars.length} cars.`);
    if (refused > 0) notes.push(`${fmt0.format(refused)} car channels not kept, so not drawn: the page keeps at most ${fmt0.format(MAX_EXTRA_RINGS)} beyond the v1 fields, over all cars.`);
    this.note.hidden = notes.length === 0;
    this.note.textContent = notes.join(' ');
  }

  /**
   * Writes the values. `valuesOf(car)` returns {speed, rpm, gear, lap, part, driver} or null.
   * @param {string|null} whenText  what the values are ("Latest values", "At 14:03:22.350")
   */
  update(valuesOf, whenText) {
    if (this.when.textContent !== whenText) this.when.textContent = whenText;
    for (const [car, row] of this.rows) {
      const v = valuesOf(car);
      set(row, 'speed', v ? num(v.speed) : '');
      set(row, 'rpm', v ? num(v.rpm) : '');
      set(row, 'lap', v ? num(v.lap) : '');
      set(row, 'driver', v && v.driver ? v.driver : '');
      const title = v && v.part != null ? `partition ${v.part}` : '';
      if (row.cells.driver.title !== title) row.cells.driver.title = title;
    }
  }

  /**
   * Writes the tower: the rows in running order (tower.js), each car's alarms lit.
   * @param {object[]} rows  @param {Map<string, {kind: string, text: string}[]>} alarms
   */
  updateTower(rows, alarms) {
    if (this.columns.length > 0) this.units();
    const order = rows.map((r) => r.id).join('\n');
    if (order !== this.orderKey && rows.length === this.rows.size) {
      this.orderKey = order;
      // Only the rows out of place move: re-appending every row laid the whole table out.
      reorderChildren(this.body, rows.map((r) => this.rows.get(r.id)?.tr).filter(Boolean));
    }
    for (const r of rows) {
      const row = this.rows.get(r.id);
      if (!row) continue;
      set(row, 'pos', String(r.pos));
      set(row, 'gap', r.gap);
      set(row, 'int', r.interval);
      timed(row, 'last', r.last);
      timed(row, 'best', r.bestCell);
      r.sectors.forEach((s, n) => timed(row, `s${n + 1}`, s));
      for (const name of this.columns) {
        const ring = r.i < 0 ? null : r.track.series(name);
        set(row, `x:${name}`, ring === null ? '—' : formatValue(ring[r.i]));
      }
      const a = alarms.get(r.id) ?? [];
      const kinds = [...new Set(a.map((x) => x.kind))].join(' ');
      const status = r.status;
      if (row.tr.dataset.alarm !== kinds) {
        row.tr.dataset.alarm = kinds;
        row.tr.title = a.map((x) => x.text).join('; ');
      }
      if (row.tr.dataset.status !== status) row.tr.dataset.status = status;
    }
  }
}

/** The tower's columns after the car (the legend's values last). */
const COLUMNS = ['lap', 'last', 'best', 'gap', 'int', 's1', 's2', 's3', 'speed', 'rpm'];

/** A time cell: its text, its colour (purple/green), whether it is the previous lap's, its lap number. */
function timed(row, k, c) {
  set(row, k, c.text);
  const td = row.cells[k];
  const cls = `num${c.cls ? ` t-${c.cls}` : ''}${c.prev ? ' t-prev' : ''}`;
  if (td.className !== cls) td.className = cls;
  if (c.lap !== undefined) {
    const lap = c.lap == null ? '' : String(c.lap);
    if (td.dataset.lap !== lap) {
      td.dataset.lap = lap;
      // The lap time's three actions, said where the pointer is (docs/using.md).
      td.title = lap === '' ? '' : `Lap ${lap}: click to overlay it by distance · Shift+click to play from its start · right-click to export it`;
    }
  }
}

function set(row, k, text) {
  if (row.shown[k] === text) return;
  row.shown[k] = text;
  row.cells[k].textContent = text;
}

const num = (v) => (v == null || Number.isNaN(v) ? '—' : fmt0.format(v));
