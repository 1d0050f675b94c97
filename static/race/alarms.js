// Alarm thresholds, pure: tire temperatures outside a working window per axle, an engine
// over its rev limit, a car that went quiet; which of them a car's values cross; and the
// settings kept in local storage (the stale and retired periods of the tower with them).

import { DEFAULT_RETIRED_SECS, DEFAULT_STALE_SECS } from './tower.js';

export const STORAGE_KEY = 'trackside.alarms';

/** The defaults: a window the simulator's tires stay inside once warm, and its rev limit. */
export const DEFAULT_ALARMS = Object.freeze({
  frontMin: 60, frontMax: 125, rearMin: 60, rearMax: 125,
  rpmMax: 13_000,
  staleSecs: DEFAULT_STALE_SECS, retiredSecs: DEFAULT_RETIRED_SECS,
});

/** What a person may set, with the range each setting accepts. */
export const LIMITS = Object.freeze({
  frontMin: [0, 300], frontMax: [0, 300], rearMin: [0, 300], rearMax: [0, 300],
  rpmMax: [1000, 30_000], staleSecs: [1, 600], retiredSecs: [2, 3600],
});

/**
 * Settings from stored text: every valid field kept, anything else (missing, out of range,
 * not JSON) from the defaults, so a bad entry never stops the page.
 */
export function parseAlarms(text) {
  let raw;
  try {
    raw = JSON.parse(text ?? 'null');
  } catch {
    raw = null;
  }
  const out = { ...DEFAULT_ALARMS };
  if (raw && typeof raw === 'object') {
    for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
      const v = raw[k];
      if (typeof v === 'number' && v >= lo && v <= hi) out[k] = v;
    }
  }
  if (out.retiredSecs <= out.staleSecs) out.retiredSecs = Math.min(LIMITS.retiredSecs[1], out.staleSecs * 2);
  return Object.freeze(out);
}

/**
 * One setting changed from the page: the new settings, or an error sentence when the value
 * is not acceptable (the settings then stay as they were).
 * @returns {{settings: object, error: string|null}}
 */
export function setAlarm(settings, key, text) {
  const range = LIMITS[key];
  const v = Number(text);
  if (!range) return { settings, error: `No such setting: ${key}.` };
  if (text === '' || !Number.isFinite(v) || v < range[0] || v > range[1]) {
    return { settings, error: `${key} must be a number from ${range[0]} to ${range[1]}.` };
  }
  const next = { ...settings, [key]: v };
  if (next.frontMin >= next.frontMax || next.rearMin >= next.rearMax) {
    return { settings, error: 'A working window needs its minimum below its maximum.' };
  }
  if (next.retiredSecs <= next.staleSecs) return { settings, error: 'Retired must be longer than stale.' };
  return { settings: Object.freeze(next), error: null };
}

/**
 * The alarms a car's values raise: `v` as the store's `valuesAt` gives them (speed, rpm,
 * fl, fr, rl, rr), `status` the tower's ('' | 'stale' | 'retired').
 * @returns {{kind: string, text: string}[]}
 */
export function carAlarms(v, settings, status) {
  const out = [];
  if (status === 'stale' || status === 'retired') out.push({ kind: 'silent', text: `no records (${status})` });
  if (!v) return out;
  const axle = (name, a, b, min, max) => {
    const hot = Math.max(a, b);
    const cold = Math.min(a, b);
    if (hot > max) out.push({ kind: 'tires', text: `${name} tires ${Math.round(hot)} °C > ${max}` });
    else if (cold < min) out.push({ kind: 'tires', text: `${name} tires ${Math.round(cold)} °C < ${min}` });
  };
  axle('front', v.fl, v.fr, settings.frontMin, settings.frontMax);
  axle('rear', v.rl, v.rr, settings.rearMin, settings.rearMax);
  if (v.rpm > settings.rpmMax) out.push({ kind: 'rpm', text: `${Math.round(v.rpm)} rpm > ${settings.rpmMax}` });
  return out;
}
