// Race analysis as a race engineer uses it: the track map with the whole field on it, a
// click on a car to follow it, the Distance strips with the delta of a lap against the best
// one, and an alarm lighting a car's row in the timing tower. Against the real server and
// broker (see e2e/harness.mjs): a 20-car simulated race, and laps produced by hand with kcat.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  BIN, BROKERS, fillTopic, launchBrowser, openPage, produceLines, startServer, stop, uniqueName, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };
const CARS = 20;
/** The hand-made track: a circle of this length (m), sampled at 10 Hz. */
const LENGTH = 1000;
const PERIOD = 100;
/** Lap 2 is the best, lap 3 is 1.250 s slower; laps 1 and 4 are partial. */
const LAP2_MS = 25_000;
const LAP3_MS = 26_250;

/**
 * Car D1's records: from 600 m into lap 1, laps 2 and 3 whole, 10 s of lap 4; each lap at
 * its own constant speed, the line crossed between two samples, the last sample 3 s ago.
 */
function handLaps() {
  // Metres per ms: lap 1 covers its last 400 m in 16 s, lap 4 its first 400 m in 10 s.
  const speeds = { 1: 400 / 16_000, 2: LENGTH / LAP2_MS, 3: LENGTH / LAP3_MS, 4: 400 / 10_000 };
  const spans = [[1, 16_000], [2, LAP2_MS], [3, LAP3_MS], [4, 10_000]];
  const total = spans.reduce((a, [, ms]) => a + ms, 0);
  const t0 = Date.now() - total - 3000;
  const out = [];
  let start = t0;
  for (const [lap, ms] of spans) {
    const from = lap === 1 ? 600 : 0;
    // The first sample of a lap 37 ms after its line, so crossings fall between samples.
    for (let k = 0; ; k++) {
      const dt = 37 + k * PERIOD;
      if (dt >= ms) break;
      const d = from + dt * speeds[lap];
      const a = (2 * Math.PI * d) / LENGTH;
      out.push(JSON.stringify({
        car: 'D1', ts: start + dt, lap, lap_distance_m: Math.round(d * 1000) / 1000,
        x: Math.round(160 * Math.cos(a) * 10) / 10, y: Math.round(160 * Math.sin(a) * 10) / 10,
        speed_kph: speeds[lap] * 3600, rpm: 9000, gear: 5,
        tire_temp_c: { fl: 90, fr: 90, rl: 90, rr: 90 }, driver: 'Hand',
      }));
    }
    start += ms;
  }
  return out;
}

describe('race analysis', () => {
  let stack;

  before(async () => {
    const race = uniqueName('e2e-race');
    const hand = uniqueName('e2e-hand');
    const started = [];
    try {
      // The same seed as the live producer below, so the field is the same 20 cars.
      await fillTopic(race, { partitions: 3, cars: CARS, count: CARS * 20 * 5 });
      await fillTopic(hand, { partitions: 1, cars: 1, count: 0 });
      await produceLines({ topic: hand, partition: 0, key: 'D1', values: handLaps() });
      const producer = spawn(BIN, ['simulate', '--brokers', BROKERS, '--topic', race, '--cars', String(CARS), '--hz', '20', '--seed', '1'], { stdio: 'ignore' });
      started.push(() => stop(producer));
      const server = await startServer({ topic: race, groupId: uniqueName('e2e') });
      started.push(() => stop(server.child));
      const browser = await launchBrowser();
      started.push(() => browser.close());
      stack = { race, hand, url: server.url, browser, stop: async () => { for (const s of started.reverse()) await s(); } };
    } catch (err) {
      for (const s of started.reverse()) await s();
      throw err;
    }
  });

  after(async () => {
    await stack?.stop();
  });

  const dots = (page) => page.evaluate(() => window.trackside.map.dots);

  test('the map draws the 20 cars, and they move', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.race}`);
    try {
      await waitUntil(async () => (await dots(page)).length === CARS, 'the map draws a dot per car');
      const before = new Map((await dots(page)).map((d) => [d.car, d]));
      await waitUntil(async () => {
        const moved = (await dots(page)).filter((d) => Math.hypot(d.px - before.get(d.car).px, d.py - before.get(d.car).py) > 3);
        return moved.length >= CARS - 2;
      }, 'the dots move as the cars drive');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('clicking a car on the map follows it: the strips, the tower and the map focus it', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.race}`);
    try {
      await waitUntil(async () => (await dots(page)).length === CARS, 'the map draws a dot per car');
      // Paused, the dots stand still under the mouse: the race as it was, as in playback.
      await page.getByTestId('replay-pause').click();
      await page.waitForFunction(() => window.trackside.replay?.state === 'paused', null, { timeout: 30_000 });
      // The paused replay redraws the race up to its moment; then nothing moves.
      let prev = '';
      await waitUntil(async () => {
        const d = await dots(page);
        const same = d.length === CARS && JSON.stringify(d) === prev;
        prev = JSON.stringify(d);
        return same;
      }, 'the paused race shows every car, standing still', { interval: 500 });
      const now = await dots(page);
      const focus = await page.evaluate(() => window.trackside.focus);
      // The car furthest from any other, so the click cannot land on a neighbour.
      const alone = (d) => Math.min(...now.filter((o) => o !== d).map((o) => Math.hypot(o.px - d.px, o.py - d.py)));
      const target = now.filter((d) => d.car !== focus).sort((a, b) => alone(b) - alone(a))[0];
      const box = await page.getByTestId('track-map').boundingBox();
      await page.mouse.click(box.x + target.px, box.y + target.py);
      await waitUntil(async () => (await page.evaluate(() => window.trackside.focus)) === target.car, `car ${target.car} is focused`);
      assert.equal(await page.getByTestId(`car-row-${target.car}`).getAttribute('aria-selected'), 'true');
      assert.match(await page.locator('[data-readout="speed"]').innerText(), new RegExp(`#${target.car}\\b`));
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('in Distance mode the delta of a lap at the line is its lap-time difference to the best lap', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.hand}&car=D1`);
    try {
      await page.getByTestId('axis-distance').click();
      await waitUntil(() => page.evaluate(() => window.trackside.distance?.last?.lap === 3 && window.trackside.distance?.ref?.lap === 2),
        'the Distance strips show lap 3 against the best lap, lap 2');
      const d = await page.evaluate(() => window.trackside.distance);
      assert.ok(Math.abs(d.lastDeltaMs - (LAP3_MS - LAP2_MS)) <= PERIOD, `delta at the line ${d.lastDeltaMs} ms, lap times differ by 1250 ms`);
      assert.ok(Math.abs(d.ref.ms - LAP2_MS) <= PERIOD && Math.abs(d.last.ms - LAP3_MS) <= PERIOD, `laps of ${d.ref.ms} and ${d.last.ms} ms`);
      assert.deepEqual(d.laps, ['best L2', 'last L3', 'now L4']);
      assert.match(await page.getByTestId('delta-readout').innerText(), /last lap \+1\.2[0-9]{2}/);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a record over the rev limit set in the page lights that car\'s row', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.hand}`);
    const record = (rpm) => JSON.stringify({ car: 'A9', ts: Date.now(), lap: 1, speed_kph: 200, rpm, tire_temp_c: { fl: 90, fr: 90, rl: 90, rr: 90 } });
    const row = page.getByTestId('car-row-A9');
    try {
      await page.getByTestId('alarms-button').click();
      await page.getByTestId('alarm-rpmMax').fill('11500');
      await page.getByTestId('alarm-rpmMax').press('Enter');
      await page.getByTestId('alarm-rpmMax').blur();
      await produceLines({ topic: stack.hand, partition: 0, key: 'A9', values: [record(11_000)] });
      await waitUntil(async () => (await row.count()) === 1 && (await row.locator('td[data-value="rpm"]').innerText()) === '11,000', 'A9 shows 11,000 rpm');
      assert.doesNotMatch(await row.getAttribute('data-alarm') ?? '', /rpm/, 'under the limit: no alarm');
      await produceLines({ topic: stack.hand, partition: 0, key: 'A9', values: [record(11_800)] });
      await waitUntil(async () => /\brpm\b/.test(await row.getAttribute('data-alarm') ?? ''), 'A9\'s row lights for over-rev');
      assert.match(await row.getAttribute('title'), /11800 rpm > 11500/);
      // The threshold is kept: a new page has it.
      const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('trackside.alarms')).rpmMax);
      assert.equal(kept, 11_500);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
