// The four-corner tire heat widget of the focused car: a car-shaped 2×2 grid, each corner
// coloured by its temperature and labelled with it.

import { CORNERS } from '../core/colors.js';

// Temperature (°C) -> colour stops: cold blue, working-range green, hot yellow, overheating red.
const STOPS = [
  [50, [59, 130, 246]],
  [75, [34, 211, 238]],
  [90, [34, 197, 94]],
  [102, [234, 179, 8]],
  [115, [239, 68, 68]],
  [130, [190, 24, 93]],
];

export function tireColor(t) {
  if (!Number.isFinite(t)) return '#2a3140';
  if (t <= STOPS[0][0]) return rgb(STOPS[0][1]);
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i];
    if (t <= t1) {
      const [t0, c0] = STOPS[i - 1];
      const f = (t - t0) / (t1 - t0);
      return rgb(c0.map((v, k) => v + (c1[k] - v) * f));
    }
  }
  return rgb(STOPS[STOPS.length - 1][1]);
}

const rgb = (c) => `rgb(${c.map((v) => Math.round(v)).join(',')})`;

export function tireBand(t) {
  if (!Number.isFinite(t)) return 'none';
  if (t < 75) return 'cold';
  if (t < 102) return 'ok';
  if (t < 115) return 'hot';
  return 'over';
}

/**
 * The line under the grid: "no tire data" for a focused car whose reading has no tire
 * temperatures at all (the contract makes them optional: OutGauge sends none), else empty.
 * @param {string|null} car  @param {{fl,fr,rl,rr}|null} temps
 */
export function tireNote(car, temps) {
  if (car == null || temps == null) return '';
  return CORNERS.some((c) => Number.isFinite(temps[c])) ? '' : 'no tire data';
}

export class TireWidget {
  /** @param {HTMLElement} el  holds `[data-corner=fl|fr|rl|rr]` cells and a `[data-tire-car]` label */
  constructor(el) {
    this.el = el;
    this.cells = {};
    for (const c of CORNERS) {
      const cell = el.querySelector(`[data-corner="${c}"]`);
      this.cells[c] = { cell, value: cell.querySelector('.tire-value'), shown: null };
    }
    this.carLabel = el.querySelector('[data-tire-car]');
    this.note = el.querySelector('[data-tire-note]');
  }

  /** @param {string|null} car  @param {{fl,fr,rl,rr}|null} temps */
  show(car, temps) {
    const label = car == null ? '—' : `#${car}`;
    if (this.carLabel.textContent !== label) this.carLabel.textContent = label;
    const note = tireNote(car, temps);
    if (this.note && this.note.textContent !== note) {
      this.note.textContent = note;
      this.note.hidden = note === '';
    }
    for (const c of CORNERS) {
      const t = temps ? temps[c] : NaN;
      const rounded = Number.isFinite(t) ? Math.round(t) : null;
      const slot = this.cells[c];
      if (slot.shown === rounded) continue;
      slot.shown = rounded;
      slot.value.textContent = rounded == null ? '—' : String(rounded);
      // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
      slot.cell.style.backgroundColor = tireColor(t);
      slot.cell.dataset.band = tireBand(t);
    }
  }
}
