// The timeline's geometry, pure (no DOM): where a time sits across the bar and back, the
// span it covers (Kafka's retained range up to the live edge), the focused car's lap
// markers and the lane of missing records, both from an `overview` of the whole range.
// timeline-view.js draws what these return.

/**
 * The span the timeline covers: from the earliest record Kafka retains to the live edge,
 * which grows with the data that arrives after the last `range` answer and with the
 * playhead. Null while nothing is known.
 * @param {{first_ts: number|null, last_ts: number|null}|null} range  the last `range` message
 * @param {number[]} later  other times known to exist (newest record seen, the playhead)
 * @returns {{from: number, to: number}|null}
 */
export function span(range, later = []) {
  const known = later.filter(Number.isFinite);
  const first = range?.first_ts ?? null;
  const last = Math.max(range?.last_ts ?? -Infinity, ...known);
  if (first === null && known.length === 0) return null;
  const from = first ?? Math.min(...known);
  const to = Math.max(last, from + 1); // never empty, so the scale is defined
  return { from, to };
}

/** x (px, 0 at the left edge) of time `t` on a bar `width` px wide; clamped to the bar. */
export function timeToX(t, sp, width) {
  const x = ((t - sp.from) / (sp.to - sp.from)) * width;
  return Math.min(width, Math.max(0, x));
}

/** The time (ms, whole) at `x` px across a bar `width` px wide; clamped to the span. */
export function xToTime(x, sp, width) {
  const f = Math.min(1, Math.max(0, x / width));
  return Math.round(sp.from + f * (sp.to - sp.from));
}

/**
 * The lap markers of `car` that fall inside the span, with their x. Labels are kept only
 * where there is room for them (`minGapPx` after the previous label).
 * @param {object|null} overview  a `done` overview message
 * @returns {{lap: number, ts: number, offset: number, partition: number|null, x: number, label: boolean}[]}
 */
export function lapMarkers(overview, car, sp, width, minGapPx = 28) {
  const entry = overview?.cars?.find((c) => sameCar(c, car));
  if (!entry || !sp) return [];
  const out = [];
  let lastLabel = -Infinity;
  for (const l of entry.laps ?? []) {
    if (l.ts < sp.from || l.ts > sp.to) continue;
    const x = timeToX(l.ts, sp, width);
    const label = x - lastLabel >= minGapPx;
    if (label) lastLabel = x;
    out.push({ lap: l.lap, ts: l.ts, offset: l.offset, partition: entry.partition ?? null, x, label });
  }
  return out;
}

/**
 * Whether an overview's entry is the page's car: its id, or `id@topic` when several topics
 * are watched (state.js's carKey; the overview has one entry per car of each topic).
 */
export function sameCar(entry, key) {
  return entry.car === key || `${entry.car}@${entry.topic}` === key;
}

/**
 * Where records are missing, from an overview's per-car counts: runs of buckets in which no
 * car sent anything (`gap`) or some of the cars seen in the span sent nothing (`partial`,
 * a car that stopped sending). Runs are in bucket indexes, `[start, end)`; `missing` lists
 * the cars absent over the whole run.
 * @returns {{kind: 'gap'|'partial', start: number, end: number, from: number, to: number, missing: string[]}[]}
 */
export function gapRuns(overview) {
  const cars = overview?.cars ?? [];
  const n = Math.max(0, ...cars.map((c) => c.count?.length ?? 0));
  if (cars.length === 0 || n === 0) return [];
  // Before a car's first record and after its last it is not "missing" from a bucket: it
  // may have joined late or the race ended for it. Inside that stretch, zeros are gaps.
  const bounds = cars.map((c) => {
    const count = c.count ?? [];
    let first = count.findIndex((v) => v > 0);
    let last = count.length - 1;
    while (last >= 0 && !(count[last] > 0)) last--;
    if (first < 0) first = Infinity;
    return { car: c.car, count, first, last };
  });
  const kindAt = (i) => {
    let present = 0;
    const missing = [];
    for (const b of bounds) {
      if (b.count[i] > 0) present++;
      else if (i > b.first && i < b.last) missing.push(b.car);
    }
    if (present === 0) return { kind: 'gap', missing: bounds.filter((b) => b.first !== Infinity).map((b) => b.car) };
    return missing.length ? { kind: 'partial', missing } : null;
  };
  const runs = [];
  let run = null;
  for (let i = 0; i < n; i++) {
    const k = kindAt(i);
    if (run && (!k || k.kind !== run.kind)) {
      runs.push(run);
      run = null;
    }
    if (k && !run) run = { kind: k.kind, start: i, end: i + 1, missing: k.missing };
    else if (k) {
      run.end = i + 1;
      run.missing = run.missing.filter((c) => k.missing.includes(c));
    }
  }
  if (run) runs.push(run);
  // Leading and trailing silence of the whole field is the edge of the data, not a gap.
  const trimmed = runs.filter((r) => !(r.kind === 'gap' && (r.start === 0 || r.end === n)));
  return trimmed.map((r) => ({
    ...r,
    from: overview.from_ts + r.start * overview.bucket_ms,
    to: overview.from_ts + r.end * overview.bucket_ms,
  }));
}

/**
 * Tick marks for a time axis: a step from a fixed ladder that leaves at least `minPx`
 * between ticks, and the tick times (multiples of the step) inside the span.
 * @returns {{step: number, ticks: number[]}}
 */
export function timeTicks(sp, width, minPx = 90) {
  const ladder = [1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 21600e3, 43200e3, 86400e3];
  const msPerPx = (sp.to - sp.from) / Math.max(1, width);
  const step = ladder.find((s) => s / msPerPx >= minPx) ?? ladder.at(-1);
  const ticks = [];
  for (let t = Math.ceil(sp.from / step) * step; t <= sp.to; t += step) ticks.push(t);
  return { step, ticks };
}

/** "−12 s", "−4 min 05 s", "−1 h 02 min": how far the playhead is behind live. */
export function behindText(ms) {
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `−${s} s behind live`;
  const m = Math.floor(s / 60);
  if (m < 60) return `−${m} min ${String(s % 60).padStart(2, '0')} s behind live`;
  return `−${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min behind live`;
}

/**
 * How far a replay is, 0 to 1, from its last `replay` message; null before it is known. The
 * server's first message of a replay may come before the reader has found its partitions
 * (none listed, nothing to pass, so `progress` 1): that is a replay starting, not one done.
 */
export function replayProgress(msg) {
  if (!msg || !(msg.partitions?.length > 0)) return null;
  return Number.isFinite(msg.progress) ? Math.min(1, Math.max(0, msg.progress)) : 0;
}
