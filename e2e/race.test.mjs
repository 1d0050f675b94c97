// Race analysis as a race engineer uses it: the track map with the whole field on it, a
// click on a car to follow it, the distance strips with the delta of a lap against the best
// one, and an alarm lighting a car's row in the timing tower. Against the real server and
// broker (see e2e/harness.mjs): a 20-car simulated race, and laps produced by hand with kcat.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  BIN, BROKERS, fillTopic, launchBrowser, openPage, produceLines, startServer, stop, uniqueName, waitUntil,
} from './harness.mjs';
import { PERIOD, handLaps } from './hand-race.mjs';

const T = { timeout: 120_000 };
const CARS = 20;
/** Lap 2 is the best, lap 3 is 1.250 s slower; laps 1 and 4 are partial. */
const LAP2_MS = 25_000;
const LAP3_MS = 26_250;

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
      // The first sample of each lap 37 ms after the line: the crossings are interpolated.
      await produceLines({ topic: hand, partition: 0, key: 'D1', values: handLaps('D1', [[1, 16_000], [2, LAP2_MS], [3, LAP3_MS], [4, 10_000]], 37) });
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
      // The tower at 1440 px shows whole values: no number is cut to "10,2…".
      const cut = await page.evaluate(() => [...document.querySelectorAll('[data-testid=car-rows] td.num')]
        .filter((td) => td.textContent !== '' && td.scrollWidth > td.clientWidth).map((td) => `${td.dataset.value} ${td.textContent}`));
      assert.deepEqual(cut, []);
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
      // The map's panel may reach below the screen: scrolled to, as a person would.
      await page.getByTestId('track-map').scrollIntoViewIfNeeded();
      const box = await page.getByTestId('track-map').boundingBox();
      await page.mouse.click(box.x + target.px, box.y + target.py);
      await waitUntil(async () => (await page.evaluate(() => window.trackside.focus)) === target.car, `car ${target.car} is focused`);
      // The page's state takes the focus at once; the tower and the readouts show it on the
      // next frame they draw.
      await waitUntil(async () => (await page.getByTestId(`car-row-${target.car}`).getAttribute('aria-selected')) === 'true', `car ${target.car}'s row is selected`);
      await waitUntil(async () => new RegExp(`#${target.car}\\b`).test(await page.locator('[data-readout="speed"]').innerText()), `the speed readout names car ${target.car}`);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('on the distance strips the delta of a lap at the line is its lap-time difference to the best lap', T, async () => {
    // A link made before layouts, by distance: its strips become distance panels beside a
    // delta panel (docs/layouts.md): speed, and a channel beyond the v1 fields (over JSON:
    // columnar frames carry such channels once the server sends their section).
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.hand}&car=D1&strip=all:speed_kph&strip=car:brake_temp_c.fl&axis=distance&wire=json`);
    try {
      const kinds = await page.evaluate(() => window.trackside.workbench.panels().map((p) => p.kind));
      assert.deepEqual(kinds.filter((k) => k === 'distance' || k === 'delta' || k === 'time'), ['distance', 'distance', 'delta']);
      await waitUntil(() => page.evaluate(() => window.trackside.distance?.last?.lap === 3 && window.trackside.distance?.ref?.lap === 2),
        'the Distance strips show lap 3 against the best lap, lap 2');
      const d = await page.evaluate(() => window.trackside.distance);
      assert.ok(Math.abs(d.lastDeltaMs - (LAP3_MS - LAP2_MS)) <= PERIOD, `delta at the line ${d.lastDeltaMs} ms, lap times differ by 1250 ms`);
      assert.ok(Math.abs(d.ref.ms - LAP2_MS) <= PERIOD && Math.abs(d.last.ms - LAP3_MS) <= PERIOD, `laps of ${d.ref.ms} and ${d.last.ms} ms`);
      assert.deepEqual(d.laps, ['best L2', 'last L3', 'now L4']);
      assert.match(await page.getByTestId('delta-readout').innerText(), /last lap \+1\.2[0-9]{2}/);
      // Each lap's line ends on its own values: lap 2 at its speed, each lap at its brake temperature.
      const lines = Object.fromEntries(d.strips.flatMap((s) => s.series.map((x) => [`${x.lap} ${x.channel}`, x.last])));
      assert.ok(Math.abs(lines['best L2 speed_kph'] - (1000 / LAP2_MS) * 3600) < 1e-6, `lap 2 at ${lines['best L2 speed_kph']} km/h`);
      assert.deepEqual([lines['best L2 brake_temp_c.fl'], lines['last L3 brake_temp_c.fl'], lines['now L4 brake_temp_c.fl']], [302, 303, 304]);
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
