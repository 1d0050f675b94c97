// Makes the screenshots the README and docs/using.md show, from the real stack: the
// simulator racing into a fresh topic, `trackside serve` with the demo's math channels
// (examples/channels/simulator.toml), and Debian's Chromium at 1440×900.
//
//   TRACKSIDE_TEST_BROKERS=127.0.0.1:9092 node e2e/docs-screenshots.mjs
//
// Not a test: it asserts only what it needs to take a picture worth showing (the strips
// have drawn values), and writes docs/channels.png.

import path from 'node:path';
import { REPO, openPage, startStack, uniqueName, waitUntil } from './harness.mjs';

/** Seconds of race before the picture: brakes heat over a few corners. */
const RACE_SECS = Number(process.env.SHOT_RACE_SECS ?? 45);

const STRIPS = [
  'all:speed_kph',
  'car:brake_temp_c.fl,brake_temp_c.fr,brake_temp_c.rl,brake_temp_c.rr',
  'car:brake_temp_balance_c',
  'all:g_total',
  'car:throttle,brake',
];

const stack = await startStack({ topic: uniqueName('telemetry'), serverArgs: ['--channels', path.join(REPO, 'examples/channels/simulator.toml')] });
try {
  const query = new URLSearchParams({ topic: stack.topic, window: '60' });
  for (const s of STRIPS) query.append('strip', s);
  const { page, close } = await openPage(stack.browser, `${stack.url}/?${query}`);
  try {
    await waitUntil(async () => {
      const strips = await page.evaluate(() => window.trackside.strips);
      return strips.length === STRIPS.length && strips.every((s) => s.series.some((x) => Number.isFinite(x.last)));
    }, 'every strip draws a value', { timeout: 60_000 });
    await page.waitForTimeout(RACE_SECS * 1000); // a picture of a race under way, not of its first second
    const out = path.join(REPO, 'docs', 'channels.png');
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(REPO, out)}`);
  } finally {
    await close();
  }
} finally {
  await stack.stop();
}
