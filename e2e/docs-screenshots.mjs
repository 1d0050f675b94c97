// Makes the screenshots the README and docs/ show, from the real stack: a six-minute race of
// the simulator written to a fresh topic, `trackside serve` with the demo's math channels
// (examples/channels/simulator.toml), and Debian's Chromium at 1440×900. Each picture is the
// page paused near the race's end, in one of the built-in layouts (docs/layouts.md) or the
// brake layout of the README.
//
//   TRACKSIDE_TEST_BROKERS=127.0.0.1:9092 node e2e/docs-screenshots.mjs
//   (SHOT_ONLY=race.png: only that one)
//
// Not a test: it asserts only what it needs to take a picture worth showing (the strips
// have drawn values), and writes docs/screenshot.png, docs/playback.png, docs/race.png,
// docs/layout-*.png and docs/channels.png.

import path from 'node:path';
import { REPO, fillTopic, openPage, startStack, uniqueName, waitUntil } from './harness.mjs';
import { builtin } from '../static/workbench/builtins.js';
import { toParam } from '../static/workbench/layout.js';

const CARS = 8;
const HZ = 20;
/** Seconds of race: a few laps, so the tower has lap times and Distance strips a best lap. */
const RACE_SECS = Number(process.env.SHOT_RACE_SECS ?? 360);

const brakes = {
  version: 1,
  name: 'Brakes',
  panels: [
    { kind: 'time', channels: ['speed_kph'], grid: { w: 8, h: 4 } },
    { kind: 'time', channels: ['brake_temp_c.fl', 'brake_temp_c.fr', 'brake_temp_c.rl', 'brake_temp_c.rr'], cars: 'focus', grid: { w: 8, h: 4 } },
    { kind: 'time', channels: ['brake_temp_balance_c'], cars: 'focus', grid: { w: 8, h: 4 } },
    { kind: 'time', channels: ['g_total'], grid: { w: 8, h: 4 } },
    { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'speed_kph', circle: true, title: 'G-G', grid: { w: 4, h: 8 } },
    { kind: 'histogram', channel: 'brake_temp_front_max_c', grid: { w: 4, h: 8 } },
  ],
};

/** Race analysis (docs/using.md): the focused car's laps by distance, its delta, the map and the tower. */
const race = {
  version: 1,
  name: 'Race analysis',
  panels: [
    { kind: 'distance', channels: ['speed_kph'], grid: { col: 1, row: 1, w: 6, h: 4 } },
    { kind: 'distance', channels: ['rpm'], grid: { col: 1, row: 5, w: 6, h: 4 } },
    { kind: 'delta', grid: { col: 1, row: 9, w: 6, h: 4 } },
    { kind: 'map', grid: { col: 7, row: 1, w: 6, h: 5 } },
    { kind: 'tower', grid: { col: 7, row: 6, w: 6, h: 7 } },
  ],
};

/**
 * Each picture: its file, its layout (null: the default) and how far before the race's end
 * the page is paused (`back`, ms; playback.png is taken mid-race so the timeline shows the
 * playhead with the race still to come).
 */
const SHOTS = [
  { file: 'screenshot.png', layout: null },
  { file: 'playback.png', layout: null, back: 150_000 },
  { file: 'race.png', layout: race, back: 40_000 },
  { file: 'layout-driver-coach.png', layout: builtin('Driver coach') },
  { file: 'layout-kafka.png', layout: builtin('Kafka') },
  { file: 'channels.png', layout: brakes },
];

const stack = await startStack({
  topic: uniqueName('telemetry'),
  prepare: (topic) => fillTopic(topic, { partitions: 3, cars: CARS, count: CARS * HZ * RACE_SECS }),
  serverArgs: ['--channels', path.join(REPO, 'examples/channels/simulator.toml')],
});
// A bounded run as fast as possible is stamped so that it ends now (src/simulate).
const moment = new Date(Date.now() - 15_000).toISOString();
try {
  // The lap index read the whole race: the tower has lap times, the Distance strips laps to
  // overlay. The car with the most laps is focused.
  let car = null;
  await waitUntil(async () => {
    const res = await fetch(`${stack.url}/api/laps?topic=${stack.topic}`);
    const table = res.ok ? await res.json() : null;
    if (table?.index?.state !== 'live') return false;
    car = [...table.cars].sort((a, b) => b.laps.length - a.laps.length)[0]?.car ?? null;
    return car !== null;
  }, 'the lap index has read the race', { timeout: 60_000 });
  // SHOT_ONLY=race.png takes one picture again.
  for (const shot of SHOTS.filter((s) => !process.env.SHOT_ONLY || s.file === process.env.SHOT_ONLY)) {
    const at = new Date(Date.parse(moment) - (shot.back ?? 0)).toISOString();
    const query = new URLSearchParams({ topic: stack.topic, t: at, paused: '1', car });
    if (shot.layout) query.set('layout', toParam(shot.layout));
    const { page, close } = await openPage(stack.browser, `${stack.url}/?${query}`);
    try {
      const distance = shot.layout?.panels.some((p) => p.kind === 'distance') ?? false;
      await waitUntil(async () => {
        const t = await page.evaluate(() => ({
          strips: window.trackside.strips ?? [], playhead: window.trackside.playhead, laps: window.trackside.distance?.laps ?? [],
        }));
        return t.playhead >= Date.parse(at) - 1_000
          && t.strips.every((s) => s.series.some((x) => Number.isFinite(x.last)))
          && (!distance || t.laps.some((l) => l.startsWith('best')));
      }, 'the replay at its moment, every strip drawing a value, the Distance strips a best lap', { timeout: 90_000 }).catch(async (e) => {
        console.error(JSON.stringify(await page.evaluate(() => ({ playhead: window.trackside.playhead, mode: window.trackside.mode, strips: window.trackside.strips, laps: window.trackside.distance?.laps }))).slice(0, 1500), Date.parse(at));
        throw e;
      });
      await page.waitForTimeout(5_000); // the lap table, the Distance strips and the panels' slower redraws
      const out = path.join(REPO, 'docs', shot.file);
      await page.screenshot({ path: out });
      console.log(`wrote ${path.relative(REPO, out)}`);
    } finally {
      await close();
    }
  }
} finally {
  await stack.stop();
}
