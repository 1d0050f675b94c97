// make bench's `replay_page` figures: the real page in Debian's Chromium replaying a whole
// topic that make bench has filled, as a person does it: once the page has drawn its
// timeline, "as fast as Kafka serves", a click on "Play from start", and the wait until the
// replay progress shows 100%. Timed in the page from
// the click event to the first frame drawn after the progress text turned 100%; long tasks
// are counted with a PerformanceObserver; the JS heap is sampled over CDP; the CPU time of
// all Chromium's processes over each replay is read from /proc (e2e/proc-cpu.mjs). Prints one JSON
// line on stdout, progress on stderr. Not a test: `node --test e2e/` skips it (no .test.mjs).
//
//   node e2e/bench-replay-page.mjs --topic bench-replay-1 --records 1000000 --runs 3 [--wire json]
//   node e2e/bench-replay-page.mjs --topic T --records 200000 --runs 1 --trace /tmp/r.json   # and a trace
//   node e2e/bench-replay-page.mjs --topic T --records 200000 --runs 3 --bare   # and the bare socket's time
//
// `--bare` also times, after each page run, the same replay to a bare document in the same
// Chromium that only counts the bytes (e2e/bare-replay.mjs): what the page adds to the time
// Chromium's WebSocket takes anyway.
// `--trace FILE` records each replay, from the click to 100%, as a Chromium trace (e2e/trace.mjs;
// FILE, or FILE-2.json and on for later runs) for e2e/long-tasks.mjs to read. Tracing costs
// the page time, so a traced run's figures are not the bench's.
//
// Environment as e2e/harness.mjs: TRACKSIDE_BIN (make bench passes the release build),
// TRACKSIDE_TEST_BROKERS, TRACKSIDE_CHROMIUM.

import { CHROMIUM, launchBrowser, openPage, startServer, stop, uniqueName, waitUntil } from './harness.mjs';
import { endTrace, startTrace } from './trace.mjs';
import { bareReplay } from './bare-replay.mjs';
import { childrenCpuSeconds } from './proc-cpu.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const TOPIC = arg('topic');
const RECORDS = Number(arg('records', 0));
const RUNS = Number(arg('runs', 3));
const WIRE = arg('wire', 'columnar') === 'json' ? 'json' : 'columnar';
const TRACE = arg('trace', null);
const BARE = process.argv.includes('--bare');
/** Where run `run`'s trace goes: the file named, then a numbered one for each later run. */
const traceFile = (run) => (run === 1 ? TRACE : TRACE.replace(/(\.json)?$/, `-${run}.json`));
/** A replay that has not reached 100% by then has failed (1,000,000 records take seconds). */
const TIMEOUT_MS = 300_000;
/** The JS heap is sampled (without a collection) this often during a replay. */
const HEAP_EVERY_MS = 250;

const log = (m) => process.stderr.write(`  replay_page: ${m}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (!TOPIC || !RECORDS) throw new Error('usage: bench-replay-page.mjs --topic T --records N [--runs 3] [--wire json]');

/** Waits until the server's lap index has read the topic, as the `replay` figure does: it reads everything too. */
async function lapIndexRead(url) {
  await waitUntil(async () => {
    const res = await fetch(`${url}/api/laps?topic=${encodeURIComponent(TOPIC)}`);
    return res.ok && (await res.json()).index?.state === 'live';
  }, 'the lap index has read the topic', { timeout: 600_000, interval: 250 });
}

/** One replay in a fresh page; returns its figures. */
async function once(browser, url, run) {
  const query = `?topic=${encodeURIComponent(TOPIC)}${WIRE === 'json' ? '&wire=json' : ''}`;
  const { page, errors, close } = await openPage(browser, `${url}/${query}`);
  try {
    // Subscribed: with no history kept, the page says there is nothing recent.
    await waitUntil(async () => /^No records on/.test(await page.getByTestId('charts-empty-text').innerText()),
      'the page is subscribed to the topic');
    // And settled, as a person sees it before reaching for the button: the timeline has
    // drawn what Kafka holds (its overview, read at load, is done), so the replay is not
    // timed against the page still loading.
    await page.waitForFunction(() => window.trackside.overviews.timeline?.state === 'done', null, { timeout: 120_000 });
    const format = await page.evaluate(() => window.trackside.dataFormat);
    await page.locator('[data-testid="speed-picker"] [data-speed="max"]').click();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      const { metrics: m } = await cdp.send('Performance.getMetrics');
      const v = Object.fromEntries(m.map(({ name, value }) => [name, value]));
      return { task: v.TaskDuration, script: v.ScriptDuration, layout: v.LayoutDuration + v.RecalcStyleDuration };
    };
    await page.evaluate(() => {
      const b = { longTasks: [], clickAt: null, shownAt: null, records0: window.trackside.records, recordsAtShown: null };
      window.__bench = b;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) b.longTasks.push({ at: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
      document.querySelector('[data-testid="replay-earliest"]').addEventListener('click', () => {
        b.clickAt = performance.now();
      }, { capture: true });
      const text = document.querySelector('[data-testid="replay-progress-text"]');
      const seen = new MutationObserver(() => {
        if (b.clickAt === null || !/^100%/.test(text.textContent)) return;
        seen.disconnect();
        b.recordsAtShown = window.trackside.records - b.records0;
        // Shown once a frame has been drawn with it.
        requestAnimationFrame(() => {
          b.shownAt = performance.now();
        });
      });
      seen.observe(text, { childList: true, characterData: true, subtree: true });
    });
    if (TRACE) await startTrace(cdp);
    const cpu0 = childrenCpuSeconds(CHROMIUM);
    const before = await metrics();
    const heap = [];
    await page.getByTestId('replay-earliest').click();
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      if (await page.evaluate(() => window.__bench.shownAt !== null)) break;
      if (Date.now() > deadline) throw new Error(`the replay did not show 100% within ${TIMEOUT_MS / 1000} s`);
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      heap.push(usedSize / 1e6);
      await new Promise((r) => setTimeout(r, HEAP_EVERY_MS));
    }
    const after = await metrics();
    const cpu1 = childrenCpuSeconds(CHROMIUM);
    if (TRACE) {
      await endTrace(cdp, traceFile(run));
      log(`run ${run}: trace written to ${traceFile(run)}`);
    }
    // Long tasks are reported after they end: give the observer a frame to catch up.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    const b = await page.evaluate(() => window.__bench);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize: settled } = await cdp.send('Runtime.getHeapUsage');
    const replay = await page.evaluate(() => window.trackside.replay);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    const secs = (b.shownAt - b.clickAt) / 1000;
    const tasks = b.longTasks.filter((t) => t.at >= b.clickAt - 1).map((t) => t.ms);
    const out = {
      secs,
      format,
      records: b.recordsAtShown,
      replay_total: replay?.total ?? null,
      longtask_max_ms: tasks.length ? Math.max(...tasks) : 0,
      longtasks: tasks.length,
      longtasks_over_100ms: tasks.filter((ms) => ms > 100).length,
      main_thread_busy_s: after.task - before.task,
      chromium_cpu_s: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
      main_thread_script_s: after.script - before.script,
      main_thread_layout_s: after.layout - before.layout,
      heap_peak_mb: heap.length ? Math.max(...heap) : null,
      heap_after_gc_mb: settled / 1e6,
    };
    log(`run ${run}: ${secs.toFixed(2)} s (${format}), ${out.records} records at 100%, longest task ${out.longtask_max_ms.toFixed(0)} ms `
      + `(${out.longtasks} over 50 ms), main thread busy ${out.main_thread_busy_s.toFixed(2)} s, Chromium CPU ${out.chromium_cpu_s?.toFixed(2)} s, `
      + `heap peak ${out.heap_peak_mb?.toFixed(1)} MB`);
    return out;
  } finally {
    await close();
  }
}

const started = [];
try {
  const server = await startServer({
    topic: TOPIC, groupId: uniqueName('bench-replay-page'), logName: 'bench-replay-page-server.log', extraArgs: ['--history-secs', '0'],
  });
  started.push(() => stop(server.child));
  await lapIndexRead(server.url);
  const browser = await launchBrowser();
  started.push(() => browser.close());
  const runs = [];
  const bare = [];
  for (let i = 1; i <= RUNS; i++) {
    runs.push(await once(browser, server.url, i));
    if (!BARE) continue;
    const b = await bareReplay(browser, server.url, TOPIC, WIRE, () => childrenCpuSeconds(CHROMIUM));
    log(`run ${i}, bare socket: ${b.secs.toFixed(2)} s, ${b.frames} frames, ${b.mb.toFixed(1)} MB, Chromium CPU ${b.cpu?.toFixed(2)} s`);
    bare.push(b);
  }
  const secs = runs.map((r) => r.secs);
  const mid = runs.find((r) => r.secs === median(secs));
  process.stdout.write(`${JSON.stringify({
    wire: WIRE,
    format: mid.format,
    records: RECORDS,
    median_s: median(secs),
    runs_s: secs,
    records_at_100: runs.map((r) => r.records),
    longtask_max_ms: Math.max(...runs.map((r) => r.longtask_max_ms)),
    longtasks: runs.map((r) => r.longtasks),
    longtasks_over_100ms: runs.map((r) => r.longtasks_over_100ms),
    main_thread_busy_s: mid.main_thread_busy_s,
    main_thread_script_s: mid.main_thread_script_s,
    main_thread_layout_s: mid.main_thread_layout_s,
    chromium_cpu_s: runs.map((r) => r.chromium_cpu_s),
    heap_peak_mb: Math.max(...runs.map((r) => r.heap_peak_mb ?? 0)),
    heap_after_gc_mb: mid.heap_after_gc_mb,
    ...(BARE ? { bare_median_s: median(bare.map((b) => b.secs)), bare_runs_s: bare.map((b) => b.secs), bare_mb: bare[0].mb, bare_chromium_cpu_s: bare.map((b) => b.cpu) } : {}),
  })}\n`);
} finally {
  for (const s of started.reverse()) await s();
}
