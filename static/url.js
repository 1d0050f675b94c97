// The view's round trip through the URL query, so a view can be shared as a link: the
// selection, the focused car and the chart window. Pure: the page reads `location.search`
// and writes the result with `history.replaceState`.
//
//   ?topic=telemetry&partitions=0,2&car=7&window=30   one topic
//   ?topic=a:0,2&topic=b                              several (a colon cannot occur in a Kafka topic name)

/** The chart windows the page offers, in seconds, and the one a URL without `window` means. */
export const WINDOWS = Object.freeze([30, 60, 120]);
export const DEFAULT_WINDOW = 60;

/**
 * Reads a query string. `selection` is null when the query names no topic (the page then
 * watches the server's default topic); `car` is null when no car is focused.
 * @returns {{selection: object[]|null, car: string|null, window: number}}
 */
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const window = Number(q.get('window'));
  return {
    selection: selectionFromQuery(search),
    car: q.get('car'),
    window: WINDOWS.includes(window) ? window : DEFAULT_WINDOW,
  };
}

/** The query string of a view; the default window is left out. */
export function formatQuery({ selection, car = null, window = DEFAULT_WINDOW }) {
  return queryFromSelection(selection, { car, window: window !== DEFAULT_WINDOW ? window : null });
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

/** The query string for a selection, then `extra`'s settings (null or '' ones left out). */
export function queryFromSelection(selection, extra = {}) {
  const q = new URLSearchParams();
  if (selection.length === 1) {
    q.append('topic', selection[0].topic);
    if (selection[0].partitions) q.append('partitions', selection[0].partitions.join(','));
  } else {
    for (const s of selection) q.append('topic', s.partitions ? `${s.topic}:${s.partitions.join(',')}` : s.topic);
  }
  for (const [k, v] of Object.entries(extra)) if (v != null && v !== '') q.append(k, String(v));
  // URLSearchParams escapes commas and colons; they are safe in a query and easier to read plain.
  return `?${q.toString().replaceAll('%2C', ',').replaceAll('%3A', ':')}`;
}
