// make bench's browser figures: the real page in Debian's Chromium (playwright-core, as the
// browser tests drive it) against the real server, with the simulator producing 20 cars at
// 50 Hz in real time. Counts frames with requestAnimationFrame and samples the JS heap
// (after a forced garbage collection) over the run; prints one JSON line on stdout,
// progress on stderr. Not a test: `node --test e2e/` skips it (no .test.mjs).
//
//   node e2e/bench-browser.mjs --seconds 600
//   node e2e/bench-browser.mjs --seconds 60 --trace /tmp/t.json   # and a Chromium trace of the run
//
// `--trace FILE` also records the run as a Chromium trace (the timeline's tasks, script and GC
// events, and the CPU profiler's samples), for e2e/long-tasks.mjs to say what each long task
// was. Tracing costs the page time, so the figures of a traced run are not the bench's.
// Environment as e2e/harness.mjs: TRACKSIDE_BIN (make bench passes the release build),
// TRACKSIDE_TEST_BROKERS, TRACKSIDE_CHROMIUM.

import { spawn } from 'node:child_process';
import { BIN, BROKERS, launchBrowser, openPage, startServer, stop, uniqueName } from './harness.mjs';
import { endTrace, startTrace } from './trace.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 60);
const TRACE = process.argv.includes('--trace') ? process.argv[process.argv.indexOf('--trace') + 1] : null;
/** fps is counted over intervals this long; the heap is sampled every HEAP_EVERY of them. */
const INTERVAL_MS = 5_000;
const HEAP_EVERY = SECONDS >= 300 ? 6 : 2;
/** The rings are preallocated, and full after 60 s at 50 Hz; the heap is judged from here on. */
const SETTLED_S = Math.min(60, SECONDS / 4);

const log = (m) => process.stderr.write(`  browser: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once the simulator logs that it is simulating, which it does only after the
 * topic exists (created or found); fails if it exits first or stays silent for 30 s.
 */
function simulating(sim) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error('the simulator did not start within 30 s')), 30_000);
    const onExit = (code) => done(new Error(`the simulator exited (${code}) before it started: ${seen.trim()}`));
    const onData = (chunk) => {
      seen = (seen + chunk).slice(-4096);
      if (/\bsimulating\b/.test(seen)) done();
    };
    function done(err) {
      clearTimeout(timer);
      sim.off('exit', onExit);
      sim.stderr.off('data', onData);
      sim.stderr.resume(); // keep draining, so the simulator never blocks on a full pipe
      if (err) reject(err);
      else resolve();
    }
    sim.once('exit', onExit);
    sim.stderr.on('data', onData);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const topic = uniqueName('bench-browser');
const started = [];
try {
  // RUST_LOG=info: the line `simulating` waits for is an info one.
  const sim = spawn(BIN, ['simulate', '--brokers', BROKERS, '--topic', topic, '--partitions', '6', '--cars', '20', '--hz', '50'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RUST_LOG: 'info' } });
  started.push(() => stop(sim));
  await simulating(sim); // the server is started on a topic that exists
  const server = await startServer({ topic, groupId: uniqueName('bench-browser'), logName: 'bench-server.log' });
  started.push(() => stop(server.child));
  const browser = await launchBrowser();
  started.push(() => browser.close());
  const { page } = await openPage(browser, `${server.url}/?topic=${topic}`);
  await page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('Performance.enable');
  // Seconds the page's main thread spent in tasks and in script so far: over the run, they
  // say whether the page itself is the bound (busy main thread) or the machine is.
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
    return { task: m.TaskDuration, script: m.ScriptDuration, layout: m.LayoutDuration + m.RecalcStyleDuration };
  };
  // The garbage collections the bench forces to read the heap block the main thread: they
  // are the bench's, not the page's, so a long task during one is not counted.
  const forced = [];
  const heapMb = async () => {
    const from = await page.evaluate(() => performance.now());
    await cdp.send('HeapProfiler.collectGarbage');
    forced.push([from, await page.evaluate(() => performance.now())]);
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize / 1e6;
  };
  await page.evaluate(() => {
    window.__bench = { deltas: [], last: 0, tasks: [] };
    // Tasks over 50 ms (the browser's own definition of a long task): each one is a frame or
    // more the person sees stutter.
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.tasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
    const tick = (t) => {
      const b = window.__bench;
      if (b.last) b.deltas.push(t - b.last);
      b.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const take = () => page.evaluate(() => {
    const d = window.__bench.deltas;
    window.__bench.deltas = [];
    return { deltas: d, records: window.trackside.records, tasks: window.__bench.tasks };
  });

  if (TRACE) await startTrace(cdp);
  log(`${SECONDS} s on ${topic}`);
  await take();
  const fps = [];
  const deltas = [];
  const heap = [];
  const first = await take();
  const records0 = first.records;
  // Long tasks of the page's start (building the panels, the first history) are not the race's.
  await page.evaluate(() => { window.__bench.tasks = []; });
  const busy0 = await busy();
  const t0 = Date.now();
  for (let i = 1; (Date.now() - t0) / 1000 < SECONDS; i++) {
    const from = Date.now();
    await sleep(INTERVAL_MS);
    const got = await take();
    const secs = (Date.now() - from) / 1000;
    fps.push(got.deltas.length / secs);
    deltas.push(...got.deltas);
    if (i % HEAP_EVERY === 0) heap.push({ s: Math.round((Date.now() - t0) / 1000), mb: await heapMb() });
    if (i % 6 === 0) log(`${Math.round((Date.now() - t0) / 1000)} s: ${fps.at(-1).toFixed(1)} fps, heap ${heap.at(-1)?.mb.toFixed(1)} MB`);
  }
  const last = await take();
  if (TRACE) {
    await endTrace(cdp, TRACE);
    log(`trace written to ${TRACE}`);
  }
  const records = last.records - records0;
  const overlaps = ([start, dur]) => forced.some(([a, b]) => start < b && start + dur > a);
  const pageTasks = last.tasks.filter((t) => !overlaps(t));
  const elapsed = (Date.now() - t0) / 1000;
  const busy1 = await busy();
  const share = (k) => (busy1[k] - busy0[k]) / elapsed;
  deltas.sort((a, b) => a - b);
  // The heap after a collection moves by a few hundred kB between samples (messages in
  // flight), so growth is judged on medians: the later half of the run against the earlier.
  const settled = heap.filter((h) => h.s >= SETTLED_S).map((h) => h.mb);
  const half = Math.floor(settled.length / 2);
  const out = {
    seconds: Math.round(elapsed),
    fps_median: median(fps),
    fps_min: Math.min(...fps),
    frame_p99_ms: deltas[Math.floor(deltas.length * 0.99)] ?? null,
    records_per_s: records / elapsed,
    main_thread_busy: share('task'),
    main_thread_script: share('script'),
    main_thread_layout: share('layout'),
    longest_task_ms: Math.max(0, ...pageTasks.map(([, d]) => d)),
    long_tasks: pageTasks.length,
    long_tasks_during_forced_gc: last.tasks.length - pageTasks.length,
    panels: await page.evaluate(() => window.trackside.workbench?.panels().map((p) => p.kind) ?? null),
    heap_settled_s: SETTLED_S,
    heap_early_mb: median(settled.slice(0, Math.max(1, half))),
    heap_late_mb: median(settled.slice(half)),
    heap_samples_mb: heap,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  for (const s of started.reverse()) await s();
}
