// What each long task of a traced run was: reads a Chromium trace (e2e/bench-browser.mjs
// --trace FILE) and, for every task of the page's main thread over 50 ms, prints what ran in
// it: the events directly inside it (a timer, an animation frame, a message, a GC, style,
// layout) with their durations, and where the CPU profiler's samples in it fell (the leaf,
// and the page's own function nearest it). Not a test: a tool for attributing long tasks by
// the trace rather than by wall times, on a machine too busy for wall times to mean much.
//
//   node e2e/long-tasks.mjs /tmp/t.json [--over 50]

import fs from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node e2e/long-tasks.mjs TRACE.json [--over MS]\n');
  process.exit(2);
}
const at = process.argv.indexOf('--over');
const OVER_US = (at > 0 ? Number(process.argv[at + 1]) : 50) * 1000;

const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
const events = Array.isArray(raw) ? raw : raw.traceEvents;
const key = (e) => `${e.pid}:${e.tid}`;

/** The page's main thread: the CrRendererMain with the most tasks (other renderers idle). */
function mainThread() {
  const count = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') count.set(key(e), 0);
  }
  for (const e of events) if (e.name === 'RunTask' && count.has(key(e))) count.set(key(e), count.get(key(e)) + 1);
  const best = [...count].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error('no CrRendererMain thread with tasks in the trace');
  return best[0];
}

/** The thread's events as complete ones ([ts, ts + dur]; B/E pairs joined), in order. */
function completeEvents(thread) {
  const out = [];
  const open = [];
  const mine = events.filter((e) => key(e) === thread && 'XBE'.includes(e.ph)).sort((a, b) => a.ts - b.ts);
  for (const e of mine) {
    if (e.ph === 'X') out.push(e);
    else if (e.ph === 'B') open.push(e);
    else if (open.length) {
      const b = open.pop();
      out.push({ ...b, ph: 'X', dur: e.ts - b.ts, args: { ...b.args, ...e.args } });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
}

const shortUrl = (u) => (u ?? '').replace(/^.*\/static\//, '').replace(/^https?:\/\/[^/]+\//, '');

/** A short label for an event: its name and what it ran (a function, an event type). */
function label(e) {
  const d = e.args?.data ?? e.args?.beginData ?? {};
  if (e.name === 'FunctionCall') return `FunctionCall ${d.functionName || '(anonymous)'} ${shortUrl(d.url)}:${d.lineNumber ?? ''}`;
  if (e.name === 'EventDispatch') return `EventDispatch ${d.type}`;
  if (e.name === 'V8.GC_SCAVENGER' || e.name === 'MinorGC' || e.name === 'MajorGC') return `${e.name} ${d.usedHeapSizeBefore ?? e.args?.usedHeapSizeBefore ?? ''}`;
  return e.name;
}

/**
 * The CPU profiler's samples of the process `pid`: [time, stack] with the stack leaf first,
 * each frame `function file:line`.
 */
function profileSamples(pid) {
  const nodes = new Map(); // `${profile id}:${node id}` -> { frame, parent }
  const clock = new Map(); // profile id -> time of its last sample
  const out = [];
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === 'Profile') clock.set(e.id, e.args?.data?.startTime ?? e.ts);
    if (e.name !== 'ProfileChunk') continue;
    const d = e.args?.data ?? {};
    for (const n of d.cpuProfile?.nodes ?? []) {
      const f = n.callFrame ?? {};
      nodes.set(`${e.id}:${n.id}`, { frame: `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber ?? ''}`, parent: n.parent === undefined ? null : `${e.id}:${n.parent}` });
    }
    let t = clock.get(e.id) ?? e.ts;
    const ids = d.cpuProfile?.samples ?? [];
    for (let i = 0; i < ids.length; i++) {
      t += d.timeDeltas?.[i] ?? 0;
      out.push([t, `${e.id}:${ids[i]}`]);
    }
    clock.set(e.id, t);
  }
  const stack = (id) => {
    const frames = [];
    for (let n = nodes.get(id); n; n = n.parent ? nodes.get(n.parent) : null) frames.push(n.frame);
    return frames;
  };
  return out.sort((a, b) => a[0] - b[0]).map(([t, id]) => [t, stack(id)]);
}

const tally = (list) => [...list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map())].sort((a, b) => b[1] - a[1]);
const ms = (us) => (us / 1000).toFixed(1);

const main = mainThread();
const all = completeEvents(main);
const samples = profileSamples(Number(main.split(':')[0]));
// A task's wall time (dur) includes the time the thread waited for a core; its thread time
// (tdur) does not. On a machine shared with builds the two differ widely, so both are shown,
// and a task long in thread time is long whatever the machine does.
const tasks = all.filter((e) => e.name === 'RunTask' && e.dur > OVER_US);
const span = all.length ? (all.at(-1).ts - all[0].ts) / 1e6 : 0;
const cpuLong = tasks.filter((e) => (e.tdur ?? 0) > OVER_US).length;
console.log(`${tasks.length} tasks over ${OVER_US / 1000} ms in ${span.toFixed(0)} s of trace, ${cpuLong} of them in thread time too (${samples.length} samples)`);
for (const task of tasks) {
  const end = task.ts + task.dur;
  const inside = all.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end);
  console.log(`\n== task at ${ms(task.ts - all[0].ts)} ms, ${ms(task.dur)} ms (thread ${ms(task.tdur ?? 0)} ms)`);
  // Events two levels down at most, and only those of 2 ms or more: the shape of the task.
  const depth = (e) => inside.filter((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur && p.dur > e.dur).length;
  for (const e of inside.filter((x) => x.dur >= 2000)) {
    const d = depth(e);
    if (d <= 3) console.log(`${'  '.repeat(d + 1)}${ms(e.dur)} ms (${ms(e.tdur ?? 0)})  ${label(e)}`);
  }
  const mine = samples.filter(([t]) => t >= task.ts && t <= end).map(([, s]) => s);
  if (!mine.length) continue;
  console.log(`  samples (${mine.length}), by leaf:`);
  for (const [f, n] of tally(mine.map((s) => s[0])).slice(0, 8)) console.log(`    ${n}  ${f}`);
  console.log('  by the page\'s function nearest the leaf:');
  const ours = (s) => s.find((f) => /\.js:/.test(f) && !/node_modules|uPlot/.test(f)) ?? s[0];
  for (const [f, n] of tally(mine.map(ours)).slice(0, 8)) console.log(`    ${n}  ${f}`);
}

// Layouts and style recalculations that script forced (inside a function call rather than
// in the frame's rendering), by the samples' stacks in them: each is the page laid out in
// the middle of a frame, and again at its end if more was written after it.
const calls = all.filter((e) => e.name === 'FunctionCall');
const forced = new Map();
let next = 0;
for (const e of all) {
  if (e.name !== 'Layout' && e.name !== 'UpdateLayoutTree') continue;
  const inScript = calls.some((f) => f.ts <= e.ts && f.ts + f.dur >= e.ts + e.dur);
  if (!inScript) continue;
  while (next < samples.length && samples[next][0] < e.ts) next++;
  const seen = new Set();
  for (let j = next; j < samples.length && samples[j][0] <= e.ts + e.dur; j++) {
    const by = samples[j][1].slice(0, 3).join(' < ');
    if (seen.has(by)) continue;
    seen.add(by);
    const v = forced.get(`${e.name}: ${by}`) ?? [0, 0];
    forced.set(`${e.name}: ${by}`, [v[0] + 1, v[1] + (e.tdur ?? e.dur)]);
  }
}
console.log(`\nlayouts and style recalculations forced by script, by who forced them (count, thread ms):`);
for (const [k, [n, us]] of [...forced].sort((a, b) => b[1][1] - a[1][1]).slice(0, 10)) console.log(`  ${n}  ${ms(us)}  ${k}`);
