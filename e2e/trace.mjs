// A Chromium trace of a page over CDP, as DevTools' Performance panel records one: the
// timeline's tasks, script, GC and layout events and the CPU profiler's samples, for
// e2e/long-tasks.mjs to read. Shared by the benches' `--trace FILE` (bench-browser.mjs,
// bench-replay-page.mjs). Tracing costs the page time: a traced run's figures are not the bench's.

import fs from 'node:fs';

/** The categories of DevTools' own Performance recording: tasks, script, GC, layout, samples. */
const TRACE_CATEGORIES = [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame',
  'v8.execute', 'v8', 'disabled-by-default-v8.gc', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing',
];

/** Starts tracing the page of the CDP session `cdp`. */
export const startTrace = (cdp) => cdp.send('Tracing.start', {
  transferMode: 'ReturnAsStream', traceConfig: { includedCategories: TRACE_CATEGORIES, recordMode: 'recordContinuously' },
});

/** Ends the trace and copies its stream to `file`. */
export async function endTrace(cdp, file) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  const out = fs.createWriteStream(file);
  for (;;) {
    const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    out.write(base64Encoded ? Buffer.from(data, 'base64') : data);
    if (eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  await new Promise((resolve) => out.end(resolve));
}
