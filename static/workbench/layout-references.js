// A layout's `references` (docs/layouts.md): the laps pinned with "Compare with…", each a
// topic, a car and a lap, one of them (`"delta": true`) the delta's reference. Read, checked
// and written back for workbench/layout.js. Pure.

/** References pinned at once: each is a line on every distance strip and a lap fetched. */
export const MAX_REFERENCES = 4;
/** A car's id in a reference, in characters (a key of the topic's records). */
export const MAX_CAR = 64;
/** The highest lap number a reference names. */
export const MAX_LAP = 100_000;

const FIELDS = ['topic', 'car', 'lap', 'delta'];
const quote = (v) => JSON.stringify(v);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Kafka's rule for a topic's name: 1 to 249 of `[a-zA-Z0-9._-]`. */
export function isTopicName(v) {
  return typeof v === 'string' && /^[A-Za-z0-9._-]{1,249}$/.test(v);
}

/** The key two references are the same lap by. */
export const referenceKey = (r) => `${r.topic}\u0000${r.car}\u0000${r.lap}`;

/**
 * `references` as written (undefined when absent): `{value}` (the list to keep, `delta`
 * only where true; undefined for none) or `{error}` (the reason).
 */
export function parseReferences(v) {
  if (v === undefined) return { value: undefined };
  const rule = `"references" must be a list of 0 to ${MAX_REFERENCES} laps ({"topic", "car", "lap"})`;
  if (!Array.isArray(v) || v.length > MAX_REFERENCES) return { error: rule };
  const out = [];
  const seen = new Set();
  for (const [i, r] of v.entries()) {
    const at = `reference ${i + 1}`;
    if (!isObject(r)) return { error: `${at}: a reference is an object {"topic", "car", "lap"}` };
    const extra = Object.keys(r).find((k) => !FIELDS.includes(k));
    if (extra !== undefined) return { error: `${at}: unknown field ${quote(extra)} (${FIELDS.join(', ')})` };
    if (!isTopicName(r.topic)) return { error: `${at}: "topic" must be a topic's name (1 to 249 of a-z, A-Z, 0-9, ".", "_", "-")` };
    if (typeof r.car !== 'string' || r.car === '' || [...r.car].length > MAX_CAR) return { error: `${at}: "car" must be 1 to ${MAX_CAR} characters` };
    if (!Number.isInteger(r.lap) || r.lap < 1 || r.lap > MAX_LAP) return { error: `${at}: "lap" must be an integer from 1 to ${MAX_LAP}` };
    if (r.delta !== undefined && typeof r.delta !== 'boolean') return { error: `${at}: "delta" must be true or false` };
    const ref = { topic: r.topic, car: r.car, lap: r.lap };
    if (r.delta === true) {
      if (out.some((o) => o.delta)) return { error: `${at}: only one reference is the delta's ("delta": true)` };
      ref.delta = true;
    }
    const key = referenceKey(ref);
    if (seen.has(key)) return { error: `${at}: lap ${ref.lap} of car ${quote(ref.car)} in ${quote(ref.topic)} is pinned twice` };
    seen.add(key);
    out.push(ref);
  }
  return { value: out.length ? out : undefined };
}

/** The references as a person would write them: `delta` only where true. */
export function formatReferences(refs) {
  return refs.map((r) => ({ topic: r.topic, car: r.car, lap: r.lap, ...(r.delta ? { delta: true } : {}) }));
}
