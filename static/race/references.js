// Reference laps pinned with "Compare with…" (a layout's `references`, docs/layouts.md), pure:
// how each is drawn and labelled, the lap table of a topic as the picker lists it, and how
// far the server's lap index has read. The picker is compare.js, the fetching
// reference-laps.js, the drawing distance-panel.js.

import { formatLapTime, personalBest } from './laps.js';

/** Each reference's line, by its place in the list: a colour and a dash of its own. */
export const REFERENCE_STYLES = Object.freeze([
  { color: '#f472b6', dash: [2, 3] },
  { color: '#fb923c', dash: [10, 4] },
  { color: '#2dd4bf', dash: [10, 3, 2, 3] },
  { color: '#e879f9', dash: [5, 5] },
]);

const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `quali-sat · car 7 · lap 12 · 1:31.456`; without the time until it is known. */
export function referenceLabel(ref, timeMs = NaN) {
  const head = `${ref.topic} · car ${ref.car} · lap ${ref.lap}`;
  return Number.isFinite(timeMs) ? `${head} · ${formatLapTime(timeMs)}` : head;
}

/** The same lap: topic, car and lap. */
export const sameReference = (a, b) => a.topic === b.topic && a.car === b.car && a.lap === b.lap;

/** `refs` with `ref` pinned as the delta's reference (the others lose the mark); null when `max` are pinned already. */
export function pinReference(refs, ref, max) {
  const rest = refs.filter((r) => !sameReference(r, ref)).map(({ delta, ...r }) => r);
  if (rest.length >= max) return null;
  return [...rest, { topic: ref.topic, car: ref.car, lap: ref.lap, delta: true }];
}

/** `refs` with reference `i` the delta's (`i` null: none of them). */
export function deltaReference(refs, i) {
  return refs.map(({ delta, ...r }, k) => (k === i ? { ...r, delta: true } : r));
}

/**
 * A `/api/laps` table as the picker lists it: cars with timed laps, in the table's order,
 * each lap with its time and whether it is the car's best.
 * @returns {{car: string, driver: string|null, laps: {lap: number, ms: number, best: boolean, pit: boolean}[]}[]}
 */
export function lapChoices(table) {
  const out = [];
  for (const c of Array.isArray(table?.cars) ? table.cars : []) {
    const done = (c.laps ?? []).filter((l) => Number.isFinite(l.time_ms));
    if (done.length === 0) continue;
    const best = personalBest(done).lapNo;
    out.push({
      car: c.car,
      driver: c.driver ?? null,
      laps: done.map((l) => ({ lap: l.lap, ms: l.time_ms, best: l.lap === best, pit: !!l.pit })),
    });
  }
  return out;
}

/** What the picker says of the index: how far it has read, or '' once it has read everything. */
export function readingText(topic, index) {
  if (!index || index.state !== 'reading') return '';
  if (!(index.total > 0)) return `Reading ${topic}…`;
  const pct = Math.floor((100 * Math.min(index.read, index.total)) / index.total);
  return `Reading ${topic}: ${pct}% of ${fmtInt.format(index.total)} records`;
}
