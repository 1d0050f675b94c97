// The panel kinds a layout may hold, as data: each kind's fields (their type, bounds and
// default), its default size on the grid and whether a layout has one of it at most. Exactly
// the table of docs/layouts.md; workbench/layout.js reads and writes layouts by it. Pure.
//
// A field checker takes the value written (undefined when absent) and returns
// `{ value }` (the value to keep; undefined keeps nothing) or `{ error }` (the reason, without
// the panel's number, which layout.js adds).

/** A channel name is the server's: at most 128 bytes of UTF-8 (docs/contract.md). */
export const MAX_NAME_BYTES = 128;
const utf8 = new TextEncoder();

export function isChannelName(v) {
  return typeof v === 'string' && v !== '' && utf8.encode(v).length <= MAX_NAME_BYTES;
}

const ok = (value) => ({ value });
const bad = (error) => ({ error });
const quote = (v) => JSON.stringify(v);

/** `min` to `max` distinct channel names; `dflt` (an array) when absent, required when undefined. */
function names(field, min, max, dflt) {
  const rule = `"${field}" must hold ${min} to ${max} names`;
  return {
    default: dflt,
    check(v) {
      if (v === undefined) return dflt === undefined ? bad(`"${field}" is required`) : ok(dflt.slice());
      if (!Array.isArray(v) || v.length < min || v.length > max) return bad(rule);
      for (const n of v) {
        if (!isChannelName(n)) return bad(`${rule}, each a channel name (1 to ${MAX_NAME_BYTES} bytes)`);
      }
      const twice = v.find((n, i) => v.indexOf(n) !== i);
      if (twice !== undefined) return bad(`"${field}" names ${quote(twice)} twice`);
      return ok(v.slice());
    },
  };
}

/** One channel name (or one of `words`); `dflt` when absent, required when undefined. */
function name(field, dflt, words = []) {
  const rule = words.length
    ? `"${field}" must be a channel name or ${words.map(quote).join(' or ')}`
    : `"${field}" must be a channel name (1 to ${MAX_NAME_BYTES} bytes)`;
  return {
    default: dflt,
    check(v) {
      if (v === undefined) return dflt === undefined ? bad(`"${field}" is required`) : ok(dflt);
      return isChannelName(v) ? ok(v) : bad(rule);
    },
  };
}

function oneOf(field, values, dflt) {
  const list = values.map(quote);
  const said = list.length === 2 ? list.join(' or ') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  return {
    default: dflt,
    check(v) {
      if (v === undefined) return ok(dflt);
      return values.includes(v) ? ok(v) : bad(`"${field}" must be ${said}`);
    },
  };
}

function flag(field, dflt) {
  return {
    default: dflt,
    check(v) {
      if (v === undefined) return ok(dflt);
      return typeof v === 'boolean' ? ok(v) : bad(`"${field}" must be true or false`);
    },
  };
}

/** An integer from `min` to `max`, or nothing (no default: the panel chooses). */
function optionalInt(field, min, max) {
  return {
    default: undefined,
    check(v) {
      if (v === undefined) return ok(undefined);
      return Number.isInteger(v) && v >= min && v <= max ? ok(v) : bad(`"${field}" must be an integer from ${min} to ${max}`);
    },
  };
}

const CARS = ['all', 'focus'];
const OVER = ['window', 'lap', 'range'];

function kind(w, h, one, fields = {}) {
  return Object.freeze({ grid: Object.freeze({ w, h }), one, fields: Object.freeze(fields) });
}

/** Every kind, in the order docs/layouts.md lists them (and error messages name them). */
export const KINDS = Object.freeze({
  time: kind(8, 4, false, { channels: names('channels', 1, 16), cars: oneOf('cars', CARS, 'all') }),
  distance: kind(8, 4, false, { channels: names('channels', 1, 16) }),
  delta: kind(8, 3, true),
  xy: kind(4, 6, false, {
    x: name('x'),
    y: name('y'),
    color: name('color', 'car', ['car']),
    over: oneOf('over', OVER, 'window'),
    cars: oneOf('cars', CARS, 'all'),
    circle: flag('circle', false),
  }),
  histogram: kind(4, 5, false, {
    channel: name('channel'),
    over: oneOf('over', OVER, 'window'),
    cars: oneOf('cars', ['focus', 'all'], 'focus'),
    bins: optionalInt('bins', 5, 200),
  }),
  map: kind(4, 6, true, { color: name('color', 'speed_kph') }),
  tower: kind(4, 8, true, { columns: names('columns', 0, 6, []) }),
  tires: kind(4, 4, true),
  kafka: kind(12, 5, true),
  timeline: kind(12, 2, true),
  cursors: kind(6, 5, true),
});

export const KIND_NAMES = Object.freeze(Object.keys(KINDS));

/** The grid: 12 columns, rows of 40 px; where a panel goes (docs/layouts.md, `grid`). */
export const COLUMNS = 12;
export const ROW_PX = 40;
export const GRID_FIELDS = Object.freeze({
  w: { min: 1, max: COLUMNS },
  h: { min: 1, max: 24 },
  col: { min: 1, max: COLUMNS },
  row: { min: 1, max: 200 },
});
