// The analysis panels against the real server and broker: a link whose `layout=` holds an
// `xy` panel and a `histogram` panel opens both, and they draw exactly the values produced
// (the ranges of the points, the histogram's counts, mean, minimum and maximum). Screenshots
// of a G-G plot, a plot coloured by speed and the histograms on the simulator's race at 1280
// and 1440 px wide go to e2e/artifacts/. Run with `node --test e2e/analysis.test.mjs`.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, fillTopic, liveRace, openPage, produceLines, startStack, uniqueName, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
const CAR = 'P1';
const N = 50;
/** Known values: g_lat and g_long on straight lines, speed on ten values 10 km/h apart, five records each. */
const g_lat = (i) => -1.2 + i * 0.05;
const g_long = (i) => 0.8 - i * 0.03;
const speed = (i) => 100.5 + (i % 10) * 10;
const record = (i, ts) => JSON.stringify({
  car: CAR, ts, speed_kph: speed(i), rpm: 9000, gear: 4, lap: 1, lap_distance_m: i * 10, g_lat: g_lat(i), g_long: g_long(i),
});

/** `?layout=`: the document as JSON in base64url without padding (docs/layouts.md). */
export const layoutParam = (doc) => Buffer.from(JSON.stringify(doc)).toString('base64url');

const drawn = (page, kind) => page.evaluate((k) => {
  const el = document.querySelector(`[data-panel-kind="${k}"] [data-testid="${k}-plot"]`);
  return el?.drawn ? JSON.parse(JSON.stringify(el.drawn)) : null;
}, kind);

const close = (a, b) => Math.abs(a - b) < 1e-9;

describe('the analysis panels', () => {
  let stack;
  /** Record i's time (ms). */
  let tsOf;

  before(async () => {
    stack = await startStack({
      topic: uniqueName('e2e-analysis'),
      async prepare(topic) {
        await fillTopic(topic, { partitions: 1, cars: 1, count: 0 });
        const now = Date.now();
        tsOf = (i) => now - (N - i) * 50;
        await produceLines({ topic, partition: 0, key: CAR, values: Array.from({ length: N }, (_, i) => record(i, tsOf(i))) });
      },
    });
  });

  after(async () => {
    await stack?.stop();
  });

  test('a link with an xy and a histogram panel draws both with the values produced', T, async () => {
    const layout = {
      version: 1,
      panels: [
        { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'speed_kph', circle: true },
        { kind: 'histogram', channel: 'speed_kph', bins: 10 },
      ],
    };
    const url = `${stack.url}/?topic=${encodeURIComponent(stack.topic)}&layout=${layoutParam(layout)}`;
    const { page, errors, close: done } = await openPage(stack.browser, url);
    try {
      await waitUntil(async () => (await drawn(page, 'xy'))?.samples === N && (await drawn(page, 'histogram'))?.count === N, 'both panels read the 50 records');
      const xy = await drawn(page, 'xy');
      assert.deepEqual(xy.cars, [CAR]);
      assert.ok(close(xy.xRange[0], g_lat(0)) && close(xy.xRange[1], g_lat(N - 1)), `x spans the g_lat produced: ${xy.xRange}`);
      assert.ok(close(xy.yRange[0], g_long(N - 1)) && close(xy.yRange[1], g_long(0)), `y spans the g_long produced: ${xy.yRange}`);
      assert.deepEqual(xy.colorRange, [100.5, 190.5], 'coloured over the speeds produced');
      assert.ok(xy.points > 0 && xy.points <= N, `points drawn: ${xy.points}`);
      assert.equal(xy.latest.length, 1);
      assert.ok(close(xy.latest[0].x, g_lat(N - 1)) && close(xy.latest[0].y, g_long(N - 1)), 'the newest point is the last record');
      // The friction circle: the 99th percentile of √(g_lat² + g_long²) of the records.
      const radii = Array.from({ length: N }, (_, i) => Math.hypot(g_lat(i), g_long(i))).sort((a, b) => a - b);
      const at = 0.99 * (N - 1);
      const want = radii[Math.floor(at)] + (radii[Math.ceil(at)] - radii[Math.floor(at)]) * (at - Math.floor(at));
      assert.ok(close(xy.radius, want), `radius ${xy.radius}, want ${want}`);

      const h = await drawn(page, 'histogram');
      assert.equal(h.bins, 10);
      assert.deepEqual(h.edges, [100.5, 190.5]);
      assert.deepEqual(h.counts, Array(10).fill(5), 'ten speeds, five records each, one bin each');
      assert.equal(h.count, N);
      assert.ok(close(h.mean, 145.5), `mean ${h.mean}`);
      assert.equal(h.min, 100.5);
      assert.equal(h.max, 190.5);
      const stats = await page.locator('[data-panel-kind="histogram"] [data-testid="histogram-stats"]').innerText();
      assert.equal(stats, 'n 50 · mean 145.5 km/h · min 100.5 · max 190.5 km/h');

      // The x button picks another channel through the picker: the plot is of it, and no strip is added.
      await page.locator('[data-panel-kind="xy"] .an-tool', { hasText: 'g_lat' }).click();
      await page.getByTestId('channel-picker').waitFor({ state: 'visible' });
      await page.keyboard.type('speed_kph');
      await page.keyboard.press('Enter');
      await waitUntil(async () => (await drawn(page, 'xy'))?.x === 'speed_kph', 'the plot is of speed_kph');
      await waitUntil(async () => (await drawn(page, 'xy'))?.samples === N, 'the new plot has read the records');
      assert.deepEqual((await drawn(page, 'xy')).xRange, [100.5, 190.5]);
      const kinds = await page.evaluate(() => window.trackside.workbench.panels().map((p) => p.kind));
      assert.deepEqual(kinds, ['xy', 'histogram'], 'the pick was the panel\'s, not a new strip');
      assert.equal((await page.evaluate(() => window.trackside.workbench.layout())).panels[0].x, 'speed_kph', 'the layout keeps it');
      assert.deepEqual(errors, []);
    } finally {
      await done();
    }
  });

  test('over the range, the panels read the records between the A and B cursors of the link, both included', T, async () => {
    const layout = {
      version: 1,
      panels: [
        { kind: 'xy', x: 'g_lat', y: 'g_long', over: 'range' },
        { kind: 'histogram', channel: 'speed_kph', over: 'range', bins: 5 },
      ],
    };
    // B before A: the range is the same.
    const url = `${stack.url}/?topic=${encodeURIComponent(stack.topic)}&a=${tsOf(29)}&b=${tsOf(10)}&layout=${layoutParam(layout)}`;
    const { page, errors, close: done } = await openPage(stack.browser, url);
    try {
      await waitUntil(async () => (await drawn(page, 'histogram'))?.count === 20, 'the histogram reads records 10 to 29');
      const xy = await drawn(page, 'xy');
      assert.equal(xy.samples, 20);
      assert.ok(close(xy.xRange[0], g_lat(10)) && close(xy.xRange[1], g_lat(29)), `x: ${xy.xRange}`);
      assert.ok(close(xy.latest[0].x, g_lat(29)), 'the newest point read is the record at A');
      const h = await drawn(page, 'histogram');
      // Records 10 to 29: each of the ten speeds twice, over 100.5 to 190.5 in five bins of 18 km/h.
      assert.deepEqual(h.counts, [4, 4, 4, 4, 4]);
      assert.equal(h.mean, 145.5);
      assert.deepEqual(errors, []);
    } finally {
      await done();
    }
  });
});

describe('the analysis panels on the simulator\'s race', () => {
  let stack;

  before(async () => {
    stack = await startStack({ topic: uniqueName('e2e-analysis-sim'), prepare: liveRace });
  });

  after(async () => {
    await stack?.stop();
  });

  test('a G-G plot, a plot coloured by speed, histograms per car, the map by throttle and the tower\'s extra columns', T, async () => {
    const layout = {
      version: 1,
      panels: [
        { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'speed_kph', circle: true, grid: { w: 4, h: 7 } },
        { kind: 'xy', x: 'speed_kph', y: 'rpm', grid: { w: 4, h: 7 } },
        { kind: 'histogram', channel: 'speed_kph', cars: 'all', grid: { w: 4, h: 7 } },
        { kind: 'map', color: 'throttle' },
        { kind: 'tower', columns: ['g_lat', 'brake_temp_c.fl'] },
        { kind: 'histogram', channel: 'gear', over: 'lap', grid: { w: 4, h: 6 } },
      ],
    };
    for (const width of [768, 1280, 1440]) {
      const url = `${stack.url}/?topic=${encodeURIComponent(stack.topic)}&layout=${layoutParam(layout)}`;
      const { page, errors, close: done } = await openPage(stack.browser, url, { viewport: { width, height: 900 } });
      try {
        await waitUntil(async () => (await drawn(page, 'xy'))?.samples > 100, 'the G-G plot has the race');
        const gg = await drawn(page, 'xy');
        assert.ok(gg.radius > 0.3 && gg.radius < 6, `a friction circle of a car's g: ${gg.radius}`);
        assert.ok(gg.cars.length >= 2, 'every car drawn');
        // The tower's extra columns: the channel's value per car, its unit in the header.
        const head = page.locator('[data-panel-kind="tower"] th[data-column="brake_temp_c.fl"]');
        await waitUntil(async () => (await head.count()) === 1, 'the tower has the brake column');
        // The unit comes with the server's `channels` message, after the panels are built, and
        // a panel off screen draws nothing: at 768 px the tower is below the others.
        await page.locator('[data-panel-kind="tower"]').scrollIntoViewIfNeeded();
        await waitUntil(async () => /brake_temp_c\.fl\s+°C/.test(await head.innerText()), 'the brake column\'s header has its unit');
        const cell = page.locator('[data-panel-kind="tower"] td[data-value="x:brake_temp_c.fl"]').first();
        await waitUntil(async () => /^\d[\d,.]*$/.test(await cell.innerText()), 'a brake temperature is shown');
        assert.equal((await page.evaluate(() => window.trackside.map)).color, 'throttle', 'the map colours the lap by throttle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `nothing overflows sideways at ${width} px (${overflow} px)`);
        await page.screenshot({ path: path.join(ARTIFACTS, `analysis-${width}.png`), fullPage: width < 1000 });
        assert.deepEqual(errors, []);
      } finally {
        await done();
      }
    }
  });
});
