// The view's round trip through the URL query, so a view can be shared as a link: the
// selection, the focused car, the cars drawn, the chart window and the moment watched (the
// playhead, the speed, paused or playing; no `t` is live). Pure: the page reads
// `location.search` and writes the result with `history.replaceState`.
//
//   ?topic=telemetry&partitions=0,2&car=7&window=30   one topic, live
//   ?topic=a:0,2&topic=b                              several (a colon cannot occur in a Kafka topic name)
//   ?topic=t&cars=3&cars=7&t=2025-11-25T00:00:12.345Z&speed=2&paused=1   cars 3 and 7, a paused moment
//   ?topic=t&car=7&axis=distance                      car 7's laps overlaid by distance
//   ?topic=t&wire=json                                data as JSON rather than columnar (debugging)
//   ?topic=t&layout=eyJ2ZXJzaW9uIjox…                 the panels (docs/layouts.md: the document in base64url)
//   ?topic=t&strip=all:speed_kph&strip=car:brake_temp_c.fl,brake_temp_c.fr   the strips, as links made
//                                                     before layouts said them (still read: workbench/link.js)
//   ?topic=t&a=2025-11-25T00:00:10.000Z&b=2025-11-25T00:00:12.500Z   the A/B cursors (docs/layouts.md)
//
// `layout=` is carried here as its text: core/ imports nothing outside itself, so the
// document is read and written by workbench/layout.js (`fromParam`, `toParam`) and
// workbench/link.js, which also turns `strip=` and `axis=` into a layout.

/** The chart windows the page offers, in seconds, and the one a URL without `window` means. */
export const WINDOWS = Object.freeze([30, 60, 120]);
export const DEFAULT_WINDOW = 60;

/** The replay speeds the page offers, in the order of its selector (digits 1..8 choose them). */
export const SPEEDS = Object.freeze([0.1, 0.25, 0.5, 1, 2, 5, 10, 'max']);
export const DEFAULT_SPEED = 1;

/**
 * Reads a query string. `selection` is null when the query names no topic (the page then
 * watches the server's default topic); `car` is null when no car is focused; `cars` is null
 * when every car is drawn; `t` (ms) is null when the link is live.
 * @returns {{selection: object[]|null, car: string|null, cars: string[]|null, window: number,
 *   t: number|null, speed: number|'max', paused: boolean, axis: 'time'|'distance',
 *   wire: 'columnar'|'json', strips: object[], layout: string|null, a: number|null, b: number|null}}  `wire`:
 *   how `data` messages are asked for (columnar unless the link says json); `strips`: the strips shown
 *   ({channels, cars} as strips/layout.js keeps them), null when the link names none (the page's default
 *   set); `layout`: the `layout=` value as written (base64url of the document: workbench/layout.js
 *   `fromParam`), null when the link has none; `a`, `b`: the A/B cursors (ms, read as `t` is), null when unset
 */
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const window = Number(q.get('window'));
  const cars = [...new Set(q.getAll('cars').filter((c) => c !== ''))];
  const t = parseTime(q.get('t'));
  return {
    selection: selectionFromQuery(search),
    car: q.get('car'),
    cars: cars.length ? cars : null,
    window: WINDOWS.includes(window) ? window : DEFAULT_WINDOW,
    t,
    speed: parseSpeed(q.get('speed')),
    paused: t !== null && ['1', 'true', 'yes'].includes(q.get('paused')),
    axis: q.get('axis') === 'distance' ? 'distance' : 'time',
    wire: q.get('wire') === 'json' ? 'json' : 'columnar',
    strips: parseStrips(q.getAll('strip')),
    layout: q.get('layout') || null,
    a: parseTime(q.get('a')),
    b: parseTime(q.get('b')),
  };
}

/**
 * The query string of a view; defaults (the 60 s window, every car, live, 1×, by time,
 * columnar) are left out, and so are the strips when `strips` is null (the page's default set).
 * `layout` is the `layout=` value (workbench/layout.js `toParam`), null for the default layout:
 * with a layout in the link, `strip=` and `axis=` are not written, the layout says it all.
 */
export function formatQuery({
  selection, car = null, cars = null, window = DEFAULT_WINDOW, t = null, speed = DEFAULT_SPEED, paused = false, axis = 'time',
  wire = 'columnar', strips = null, layout = null, a = null, b = null,
}) {
  const live = !Number.isFinite(t);
  const legacy = !layout;
  return queryFromSelection(selection, {
    car,
    cars: cars && cars.length ? cars : null,
    window: window !== DEFAULT_WINDOW ? window : null,
    t: live ? null : new Date(Math.round(t)).toISOString(),
    speed: speed !== DEFAULT_SPEED && SPEEDS.includes(speed) ? speed : null,
    paused: !live && paused ? 1 : null,
    axis: legacy && axis === 'distance' ? 'distance' : null,
    wire: wire === 'json' ? 'json' : null,
    strip: legacy && strips ? formatStrips(strips) : null,
    layout: layout || null,
    a: cursorTime(a),
    b: cursorTime(b),
  });
}

/** A cursor's time as a link writes it: ISO 8601 to the millisecond, null when unset. */
const cursorTime = (ms) => (Number.isFinite(ms) && ms >= 0 ? new Date(Math.round(ms)).toISOString() : null);

/** A playhead time: an ISO 8601 time or ms since the epoch; null when absent or unreadable. */
export function parseTime(s) {
  if (s == null) return null;
  const v = s.trim();
  // Date.parse alone reads nearly anything ("-5" is a date in 2001), so only these two forms.
  const n = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** One of SPEEDS, or the default for anything else. */
export function parseSpeed(s) {
  if (s === 'max') return 'max';
  const n = Number(s);
  return s != null && s !== '' && SPEEDS.includes(n) ? n : DEFAULT_SPEED;
}

/** The selection a query names, or null when it names no topic. */
export function selectionFromQuery(search) {
  const q = new URLSearchParams(search);
  const topics = q.getAll('topic').map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) return null;
  const shared = parsePartitions(q.get('partitions'));
  const seen = new Set();
  const out = [];
  for (const t of topics) {
    const colon = t.indexOf(':');
    const [name, parts] = colon >= 0 ? [t.slice(0, colon), parsePartitions(t.slice(colon + 1))] : [t, shared];
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push({ topic: name, partitions: topics.length === 1 ? shared ?? parts : parts });
  }
  return out;
}

/** "0,2" -> [0, 2]; "all", nothing or nothing valid -> null (every partition). Sorted, no repeats. */
function parsePartitions(s) {
  if (s == null || s.trim() === '' || s === 'all') return null;
  const ps = [...new Set(s.split(',').map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p >= 0))];
  return ps.length ? ps.sort((a, b) => a - b) : null;
}

/** The query string for a selection, then `extra`'s settings (null or '' ones left out; an array repeats its key). */
export function queryFromSelection(selection, extra = {}) {
  const q = new URLSearchParams();
  if (selection.length === 1) {
    q.append('topic', selection[0].topic);
    if (selection[0].partitions) q.append('partitions', selection[0].partitions.join(','));
  } else {
    for (const s of selection) q.append('topic', s.partitions ? `${s.topic}:${s.partitions.join(',')}` : s.topic);
  }
  for (const [k, v] of Object.entries(extra)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one != null && one !== '') q.append(k, String(one));
  }
  // URLSearchParams escapes commas and colons; they are safe in a query and easier to read plain.
  return `?${q.toString().replaceAll('%2C', ',').replaceAll('%3A', ':')}`;
}

// ---- the strips: `strip=all:speed_kph&strip=car:throttle,brake` ------------------------------

/** Strips at most, and channels at most in one strip: a link cannot ask for more. */
export const MAX_STRIPS = 12;
export const MAX_CHANNELS = 16;

/** Only `%` and `,` are escaped in a name: `,` separates a strip's channels; the query escapes the rest. */
const escapeName = (name) => name.replaceAll('%', '%25').replaceAll(',', '%2C');
const unescapeName = (s) => s.replace(/%(25|2C)/gi, (m, h) => (h === '25' ? '%' : ','));
/** A URL's word for a strip's cars: every car, or the focused car. */
const CARS_WORD = { all: 'all', focus: 'car' };
const WORD_CARS = { all: 'all', car: 'focus' };

/** The `strip` parameters of a layout (one per strip, in order); no strips at all is `-`. */
export function formatStrips(strips) {
  if (strips.length === 0) return ['-'];
  return strips.map((s) => `${CARS_WORD[s.cars]}:${s.channels.map(escapeName).join(',')}`);
}

/**
 * The strips the `strip` parameters say (as URLSearchParams.getAll gives them), or null when
 * there are none. A parameter that does not read is skipped; at most MAX_STRIPS strips of
 * MAX_CHANNELS channels, each named once in its strip.
 * @returns {{channels: string[], cars: 'all'|'focus'}[]|null}
 */
export function parseStrips(values) {
  if (!values || values.length === 0) return null;
  const out = [];
  for (const v of values) {
    const colon = v.indexOf(':');
    const cars = colon < 0 ? undefined : WORD_CARS[v.slice(0, colon)];
    if (!cars || out.length >= MAX_STRIPS) continue;
    const names = [...new Set(v.slice(colon + 1).split(',').map(unescapeName).filter((n) => n !== ''))].slice(0, MAX_CHANNELS);
    if (names.length > 0) out.push({ channels: names, cars });
  }
  return out;
}
