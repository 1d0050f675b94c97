// What each long task of a traced run was: reads a Chromium trace (e2e/bench-browser.mjs
// --trace FILE) and, for every task of the page's main thread over 50 ms, prints what ran in
// it: the events directly inside it (a timer, an animation frame, a message, a GC, style,
// layout) with their durations, and where the CPU profiler's samples in it fell (the leaf,
// and the page's own function nearest it). Not a test: a tool for attributing long tasks by
// the trace rather than by wall times, on a machine too busy for wall times to mean much.
// With --frames, also the animation frames by thread time, and what the heaviest spent it on.
//
//   node e2e/long-tasks.mjs /tmp/t.json [--over 50] [--frames]

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

// --frames: the page's animation frames by thread time, whatever the machine's load did to
// their wall time: how they spread, and what the heaviest spent it on. A change to a frame's
// work shows here in any traced run, where its tasks over 50 ms need a quiet machine.
if (process.argv.includes('--frames')) {
  const KINDS = {
    script: ['FunctionCall'], layout: ['Layout'], style: ['UpdateLayoutTree'],
    paint: ['Paint', 'PrePaint', 'Layerize', 'Commit', 'UpdateLayer'], gc: ['MinorGC', 'MajorGC', 'V8.GC_MC_INCREMENTAL'],
  };
  const kindOf = new Map(Object.entries(KINDS).flatMap(([k, names]) => names.map((n) => [n, k])));
  // One pass over the thread's events (in order of start): each task, and what is in it.
  const costs = [];
  let task = null;
  let open = []; // the outermost event of each kind still open: [kind, end]
  const finish = () => {
    if (task?.frame) costs.push(task);
  };
  for (const e of all) {
    if (e.name === 'RunTask') {
      if (task && e.ts < task.end) continue; // a task inside a task: its events count in the outer one
      finish();
      task = { at: (e.ts - all[0].ts) / 1000, end: e.ts + e.dur, thread: (e.tdur ?? e.dur) / 1000, frame: false, ...Object.fromEntries(Object.keys(KINDS).map((k) => [k, 0])) };
      open = [];
      continue;
    }
    if (!task || e.ts >= task.end) continue;
    if (e.name === 'FireAnimationFrame') task.frame = true;
    const kind = kindOf.get(e.name);
    if (!kind) continue;
    open = open.filter(([, end]) => end > e.ts);
    if (open.some(([k]) => k === kind)) continue; // nested in one of its own kind: counted there
    open.push([kind, e.ts + e.dur]);
    task[kind] += (e.tdur ?? e.dur) / 1000;
  }
  finish();
  costs.sort((a, b) => a.thread - b.thread);
  const pct = (p) => costs[Math.min(costs.length - 1, Math.floor(costs.length * p))]?.thread ?? 0;
  const total = (k) => costs.reduce((s, c) => s + c[k], 0) / 1000;
  const over = (ms) => costs.filter((c) => c.thread > ms).length;
  console.log(`\n${costs.length} animation frames, thread ms: median ${pct(0.5).toFixed(1)}, p90 ${pct(0.9).toFixed(1)}, p99 ${pct(0.99).toFixed(1)}, max ${pct(1).toFixed(1)}; over 20 ms ${over(20)}, over 30 ms ${over(30)}`);
  console.log(`  in all of them, thread s: ${['thread', ...Object.keys(KINDS)].map((k) => `${k} ${total(k).toFixed(2)}`).join(', ')}`);
  console.log(`  the heaviest (thread ms: ${Object.keys(KINDS).join(', ')}; gc may be inside script):`);
  for (const c of costs.slice(-10).reverse()) {
    console.log(`    at ${c.at.toFixed(0)} ms: ${c.thread.toFixed(1)}: ${Object.keys(KINDS).map((k) => c[k].toFixed(1)).join(', ')}`);
  }
}
