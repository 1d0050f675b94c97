// The strips' layout, pure (no DOM, no uPlot): which strips the page shows, in which order,
// each with its channels and whether it draws every car or the focused one; the edits the
// strip headers and the channel picker make, each returning a new array; a strip's label,
// unit, y range and axis format from its channels. Its round trip through the URL is
// core/url.js's (`strip=` parameters); the page leaves the default set out.
//
// A strip is `{ channels: string[], cars: 'all' | 'focus' }`. Channels are the server's
// names (docs/protocol.md: `speed_kph`, `tire_temp_c.fl`, `brake_temp_c.fl`, math channels).
// A 'focus' strip draws the focused car, which is the car chosen, else the first car listed
// (race/cars.js `focusedCar`): with no car chosen it shows the first one.

import { CORNER_COLORS, carColor } from '../core/colors.js';
import { MAX_CHANNELS, MAX_STRIPS } from '../core/url.js';

export { MAX_CHANNELS, MAX_STRIPS };

const CORNERS = ['fl', 'fr', 'rl', 'rr'];

/** The strips a page opens with: Speed; Throttle and Brake; Gear; RPM; Tires. */
export const DEFAULT_STRIPS = Object.freeze([
  strip(['speed_kph'], 'all'),
  strip(['throttle', 'brake'], 'focus'),
  strip(['gear'], 'focus'),
  strip(['rpm'], 'all'),
  strip(CORNERS.map((c) => `tire_temp_c.${c}`), 'focus'),
]);

function strip(channels, cars) {
  return Object.freeze({ channels: Object.freeze(channels.slice()), cars });
}

/** A new strip of `name` at the end; a strip shows every car until its header says otherwise. */
export function addStrip(strips, name, cars = 'all') {
  if (strips.length >= MAX_STRIPS || typeof name !== 'string' || name === '') return strips;
  return [...strips, strip([name], cars)];
}

export function removeStrip(strips, i) {
  if (!(i >= 0 && i < strips.length)) return strips;
  return strips.filter((_, k) => k !== i);
}

/** Strip `i` moved by `delta` places (-1 up, +1 down); unchanged at either end. */
export function moveStrip(strips, i, delta) {
  const j = i + delta;
  if (!(i >= 0 && i < strips.length && j >= 0 && j < strips.length)) return strips;
  const out = strips.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** `name` added to strip `i` (once). */
export function addChannel(strips, i, name) {
  const s = strips[i];
  if (!s || typeof name !== 'string' || name === '' || s.channels.includes(name) || s.channels.length >= MAX_CHANNELS) return strips;
  return strips.map((t, k) => (k === i ? strip([...t.channels, name], t.cars) : t));
}

/** `name` taken out of strip `i`; a strip left without channels goes. */
export function removeChannel(strips, i, name) {
  const s = strips[i];
  if (!s || !s.channels.includes(name)) return strips;
  if (s.channels.length === 1) return removeStrip(strips, i);
  return strips.map((t, k) => (k === i ? strip(t.channels.filter((c) => c !== name), t.cars) : t));
}

/** Strip `i` drawing every car ('all') or the focused one ('focus'). */
export function setCars(strips, i, cars) {
  const s = strips[i];
  if (!s || (cars !== 'all' && cars !== 'focus') || s.cars === cars) return strips;
  return strips.map((t, k) => (k === i ? strip(t.channels, cars) : t));
}

export function sameStrips(a, b) {
  return a.length === b.length && a.every((s, i) => s.cars === b[i].cars
    && s.channels.length === b[i].channels.length && s.channels.every((c, k) => c === b[i].channels[k]));
}

// ---- what a strip says about itself ----------------------------------------------------------

const NAMES = {
  speed_kph: 'Speed', rpm: 'Engine', throttle: 'Throttle', brake: 'Brake', gear: 'Gear',
  lap: 'Lap', lap_distance_m: 'Lap distance', x: 'x', y: 'y',
};
const V1_UNITS = {
  speed_kph: 'km/h', rpm: 'rpm', throttle: '0–1', brake: '0–1', gear: 'gear', lap: 'lap', lap_distance_m: 'm', x: 'm', y: 'm',
  'tire_temp_c.fl': '°C', 'tire_temp_c.fr': '°C', 'tire_temp_c.rl': '°C', 'tire_temp_c.rr': '°C',
};
/** The contract's name suffixes (docs/protocol.md, `unit`), for a channel the server has not described yet. */
const SUFFIXES = [['_kph', 'km/h'], ['_psi', 'psi'], ['_bar', 'bar'], ['_kg', 'kg'], ['_pct', '%'], ['_nm', 'N·m'],
  ['_c', '°C'], ['_m', 'm'], ['_j', 'J'], ['_g', 'g'], ['_w', 'W']];

/**
 * A channel's unit: what the server said (`units(name)`: the page's channel catalogue, from
 * the `channels` message and `/api/channels`), else the v1 fields' or the name's suffix (or
 * its group's: `brake_temp_c.fl`), else ''.
 * @param {((name: string) => string|null|undefined)|null} units
 */
export function unitOf(name, units = null) {
  const said = units?.(name);
  if (said) return said;
  if (V1_UNITS[name]) return V1_UNITS[name];
  for (const part of [name, name.slice(0, Math.max(0, name.lastIndexOf('.')))]) {
    const hit = SUFFIXES.find(([suffix]) => part.endsWith(suffix));
    if (hit) return hit[1];
  }
  return '';
}

/** The group of corner channels (`tire_temp_c` for its four corners), or null. */
function cornerGroup(channels) {
  if (channels.length !== 4) return null;
  const dot = channels[0].lastIndexOf('.');
  const group = channels[0].slice(0, dot);
  return dot > 0 && channels.every((c, k) => c === `${group}.${CORNERS[k]}`) ? group : null;
}

/** A strip's label: 'Speed', 'Throttle · Brake', 'Tire temperatures', 'brake_temp_c (4 corners)', 'g_lat'. */
export function labelOf(s) {
  const group = cornerGroup(s.channels);
  if (group === 'tire_temp_c') return 'Tire temperatures';
  if (group) return `${group} (4 corners)`;
  return s.channels.map((c) => NAMES[c] ?? c).join(' · ');
}

/** The strip's unit: its channels' one unit, else each different one in order. */
export function stripUnit(s, units = null) {
  const all = [...new Set(s.channels.map((c) => unitOf(c, units)).filter(Boolean))];
  return all.join(' / ');
}

/** Whether the strip's series are the four corners of one group (drawn in the corner colours). */
export function isCorners(s) {
  return cornerGroup(s.channels) !== null;
}

/** How a strip's y axis is scaled, from its channels: 'speed', 'rpm', 'pedal', 'gear', 'temp' or 'auto'. */
export function scaleOf(s) {
  const ch = s.channels;
  const every = (test) => ch.length > 0 && ch.every(test);
  if (every((c) => c === 'speed_kph' || c.endsWith('_kph'))) return 'speed';
  if (every((c) => c === 'rpm')) return 'rpm';
  if (every((c) => c === 'throttle' || c === 'brake' || c === 'clutch')) return 'pedal';
  if (every((c) => c === 'gear')) return 'gear';
  if (every((c) => unitOf(c) === '°C')) return 'temp';
  return 'auto';
}

const niceUp = (v, step) => Math.ceil(v / step) * step;

/**
 * The y range of a strip scaled as `scale`, given its data's min and max (null when nothing
 * is drawn): pedals 0 to 1, gears reverse to at least 8th, temperatures by 10 °C with 30 °C
 * at least, speed and rpm from 0, anything else its range padded by a twentieth.
 * @returns {[number, number]}
 */
export function yRange(scale, min, max) {
  const have = Number.isFinite(min) && Number.isFinite(max);
  switch (scale) {
    case 'speed': return [0, Math.max(100, niceUp(have ? max : 0, 50))];
    case 'rpm': return [0, Math.max(1000, niceUp(have ? max : 0, 1000))];
    case 'pedal': return [-0.05, 1.05];
    case 'gear': return [Math.min(-1, have ? min : 0) - 0.5, Math.max(8, have ? max : 0) + 0.5];
    case 'temp': {
      if (!have) return [40, 120];
      const lo = Math.floor(min / 10) * 10 - 5;
      const hi = Math.ceil(max / 10) * 10 + 5;
      return hi - lo < 30 ? [lo, lo + 30] : [lo, hi];
    }
    default: {
      if (!have) return [0, 1];
      if (min === max) return [min - Math.max(1, Math.abs(min) / 10), max + Math.max(1, Math.abs(max) / 10)];
      const pad = (max - min) / 20;
      return [min - pad, max + pad];
    }
  }
}

const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtSmall = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmtCompact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** How a value is written on a strip's axis (`axis`: rpm in thousands) and in its readout. */
export function formatValue(scale, v, axis = false) {
  if (!Number.isFinite(v)) return '—';
  if (scale === 'rpm') return axis && v >= 1000 ? `${v / 1000}k` : fmtInt.format(v);
  if (scale === 'gear') return v === -1 ? 'R' : v === 0 ? 'N' : fmtInt.format(v);
  if (scale === 'pedal') return fmtSmall.format(v);
  const a = Math.abs(v);
  return a >= 10000 ? fmtCompact.format(v) : a >= 100 ? fmtInt.format(v) : fmtSmall.format(v);
}

// ---- what a strip draws ---------------------------------------------------------------------------

/** Colours of a focused-car strip's channels, in order: throttle green, brake red, then others. */
const CHANNEL_COLORS = ['#4ade80', '#f87171', '#38bdf8', '#facc15', '#c084fc', '#fb923c', '#2dd4bf', '#e5e7eb'];

/**
 * The series a strip draws, in drawing order: every car of `order` (the focused car last, on
 * top) or only `focus`, each with each channel. A focused-car strip colours its channels
 * (the four corners in the corner colours; one channel in the car's colour); a strip of
 * every car colours by car, dimming all but the focused one, its later channels dashed.
 * Gears are drawn as steps.
 * @param {string[]} order  the cars drawn
 * @param {string|null} focus  the focused car (null: no car yet)
 * @returns {{car: string, channel: string, color: string, strong: boolean, width: number, dash: boolean, step: boolean}[]}
 */
export function stripSeries(s, order, focus) {
  const corners = isCorners(s);
  const out = [];
  if (s.cars === 'focus') {
    if (focus === null) return out;
    s.channels.forEach((channel, k) => {
      const color = corners ? Object.values(CORNER_COLORS)[k] : s.channels.length === 1 ? carColor(focus) : CHANNEL_COLORS[k % CHANNEL_COLORS.length];
      out.push({ car: focus, channel, color, strong: true, width: s.channels.length === 1 ? 2 : 1.75, dash: false, step: channel === 'gear' });
    });
    return out;
  }
  for (const car of order) {
    s.channels.forEach((channel, k) => {
      const strong = car === focus;
      out.push({ car, channel, color: carColor(car), strong, width: strong ? 2.5 : 1, dash: k > 0, step: channel === 'gear' });
    });
  }
  return out;
}
