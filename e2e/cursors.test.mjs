// The A/B cursors against the real server and broker: a car of our own with known values,
// cursors placed on two of its records (by the link's a= and b=, by the keyboard, by an
// Alt-drag, then a line dragged) and the readout showing exactly those records' values, their
// difference and the mean of the records between; Esc clears them; a drag without Alt still zooms.
// Run with `node --test e2e/cursors.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, fillTopic, openPage, produceLines, startStack, uniqueName, waitUntil } from './harness.mjs';
import { handLaps } from './hand-race.mjs';

const T = { timeout: 120_000 };
const PROBE = 'probe';
const N = 40;
const STEP_MS = 100;
/** Record i: speed 120 + 3i km/h; g_lat −1.5 + i/100, missing from every fifth record. */
const speedOf = (i) => 120 + 3 * i;
const gLatOf = (i) => (i % 5 === 4 ? null : -1.5 + i / 100);
/** The hand-made laps (e2e/hand-race.mjs) of car D1, each at its own constant speed: lap 2 is the best. */
const LAPS = [[1, 16_000], [2, 25_000], [3, 26_250], [4, 10_000]];
const kphOf = (lap) => (1000 / LAPS.find(([l]) => l === lap)[1]) * 3600;

describe('the A/B cursors', () => {
  let stack;
  /** The probe's record times (ms), oldest first. */
  let times;
  /** A topic of hand-made laps, for the distance cursors. */
  const hand = uniqueName('e2e-cursors-laps');

  before(async () => {
    stack = await startStack({
      topic: uniqueName('e2e-cursors'),
      prepare: async (topic) => {
        const now = Date.now();
        times = Array.from({ length: N }, (_, i) => now - (N - i) * STEP_MS);
        const values = times.map((ts, i) => JSON.stringify({
          car: PROBE, ts, speed_kph: speedOf(i), rpm: 9000, tire_temp_c: { fl: 90, fr: 90, rl: 90, rr: 90 },
          ...(gLatOf(i) === null ? {} : { g_lat: gLatOf(i) }),
        }));
        await produceLines({ topic, partition: 0, key: PROBE, values });
        await fillTopic(hand, { partitions: 1, cars: 1, count: 0 });
        await produceLines({ topic: hand, partition: 0, key: 'D1', values: handLaps('D1', LAPS, 37) });
      },
    });
  });

  after(async () => {
    await stack?.stop();
  });

  const link = (extra = '') => `${stack.url}/?topic=${stack.topic}&car=${PROBE}&strip=car:speed_kph&strip=car:g_lat${extra}`;
  const readout = (page) => page.locator('[data-testid="cursors-dock"]');
  /** What the readout's row of `channel` says: the text of each statistic and its exact value. */
  const row = (page, channel, scope = '[data-testid="cursors-dock"]') => page.evaluate(([ch, car, within]) => {
    const tr = document.querySelector(`${within} tbody[data-channel="${ch}"] tr[data-car="${car}"]`);
    if (!tr) return null;
    const out = {};
    for (const td of tr.querySelectorAll('td[data-stat]')) out[td.dataset.stat] = { text: td.textContent, value: td.dataset.value === undefined ? null : Number(td.dataset.value) };
    return out;
  }, [channel, PROBE, scope]);
  /** The expected statistics of `of(i)` with cursors at times a and b (the records at or before each, the records between). */
  function expected(of, a, b) {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const atOrBefore = (t) => {
      for (let i = N - 1; i >= 0; i--) if (times[i] <= t && of(i) !== null) return t - times[i] <= 1500 ? of(i) : null;
      return null;
    };
    const between = times.map((t, i) => (t >= lo && t <= hi ? of(i) : null)).filter((v) => v !== null);
    return {
      a: atOrBefore(lo), b: atOrBefore(hi),
      mean: between.reduce((s, v) => s + v, 0) / between.length,
      min: Math.min(...between), max: Math.max(...between),
    };
  }

  test('a link with a= and b= on two records shows their values, the difference and the mean between', T, async () => {
    const [i, j] = [10, 30];
    const { page, errors, close } = await openPage(stack.browser, link(`&a=${times[i]}&b=${new Date(times[j]).toISOString()}`), { viewport: { width: 1280, height: 800 } });
    try {
      await page.waitForFunction((car) => window.trackside.lastValues[car], PROBE, { timeout: 30_000 });
      await waitUntil(async () => (await row(page, 'g_lat'))?.a?.value != null, 'the readout lists the probe’s g_lat');
      assert.deepEqual(await page.evaluate(() => window.trackside.cursors), { a: times[i], b: times[j], axis: 'time' });

      const speed = await row(page, 'speed_kph');
      assert.equal(speed.a.text, String(speedOf(i)));
      assert.equal(speed.b.text, String(speedOf(j)));
      assert.equal(speed.diff.text, `+${speedOf(j) - speedOf(i)}`);
      // 120 + 3k for k = 10..30: the mean of the 21 records between, both cursors' included.
      assert.equal(speed.mean.value, speedOf(20));
      assert.equal(speed.mean.text, String(speedOf(20)));
      assert.deepEqual([speed.min.value, speed.max.value], [speedOf(i), speedOf(j)]);

      const g = await row(page, 'g_lat');
      const want = expected(gLatOf, times[i], times[j]);
      assert.deepEqual([g.a.value, g.b.value], [gLatOf(i), gLatOf(j)]);
      assert.equal(g.a.text, '-1.4');
      assert.equal(g.b.text, '-1.2');
      assert.ok(Math.abs(g.diff.value - 0.2) < 1e-9, `B − A is 0.2, not ${g.diff.value}`);
      assert.ok(Math.abs(g.mean.value - want.mean) < 1e-9, `the mean skips the records without g_lat: ${g.mean.value} vs ${want.mean}`);

      const head = await readout(page).locator('[data-testid="cursors-dt"]').innerText();
      assert.equal(head, `Δt ${((times[j] - times[i]) / 1000).toFixed(3)} s`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'cursors-link-1280.png') });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a layout with a cursors panel shows the readout there, not in the dock; the dock can add the panel', T, async () => {
    const [i, j] = [12, 20];
    const layout = { version: 1, panels: [{ kind: 'time', channels: ['speed_kph', 'g_lat'], cars: 'focus' }, { kind: 'cursors' }] };
    const param = Buffer.from(JSON.stringify(layout)).toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&car=${PROBE}&layout=${param}&a=${times[i]}&b=${times[j]}`);
    try {
      const panel = '[data-panel-kind="cursors"]';
      await waitUntil(async () => (await row(page, 'speed_kph', panel))?.mean?.value != null, 'the cursors panel lists the probe’s speed');
      const speed = await row(page, 'speed_kph', panel);
      assert.deepEqual([speed.a.value, speed.b.value, speed.diff.value, speed.mean.value], [speedOf(i), speedOf(j), speedOf(j) - speedOf(i), speedOf((i + j) / 2)]);
      const g = await row(page, 'g_lat', panel);
      assert.ok(Math.abs(g.mean.value - expected(gLatOf, times[i], times[j]).mean) < 1e-9);
      assert.equal(await readout(page).isHidden(), true, 'no dock beside a cursors panel');
      await page.screenshot({ path: path.join(ARTIFACTS, 'cursors-panel-1440.png') });

      // Without the panel, the dock shows the readout; "Keep as a panel" puts the panel back.
      await page.locator(`${panel} [data-tool="remove"]`).click();
      await readout(page).waitFor({ state: 'visible' });
      // Folded to one line, it still says Δt.
      await readout(page).locator('[data-testid="cursors-fold"]').click();
      await readout(page).locator('[data-testid="cursors-table"]').waitFor({ state: 'hidden' });
      assert.equal(await readout(page).locator('[data-testid="cursors-dt"]').innerText(), `Δt ${((times[j] - times[i]) / 1000).toFixed(3)} s`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'cursors-folded-1440.png') });
      await readout(page).locator('[data-testid="cursors-keep"]').click();
      await page.locator(panel).waitFor({ state: 'visible' });
      await readout(page).waitFor({ state: 'hidden' });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a and b over a strip, then an Alt-drag, place the cursors; the readout follows; Esc clears them', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, link());
    try {
      await page.waitForFunction((car) => window.trackside.lastValues[car], PROBE, { timeout: 30_000 });
      await waitUntil(() => page.evaluate(() => window.trackside.frames > 0), 'the strips drew');
      assert.equal(await readout(page).isHidden(), true, 'no readout before a cursor is placed');
      const plot = await page.locator('[data-testid="strip-s1"] .u-over').boundingBox();
      const y = plot.y + plot.height / 2;
      // The strips end on the newest record: the probe's records fill their right part.
      const x1 = plot.x + plot.width * 0.7;
      const x2 = plot.x + plot.width * 0.9;
      await page.mouse.move(x1, y);
      await page.keyboard.press('a');
      await page.mouse.move(x2, y);
      await page.keyboard.press('b');
      const c = await page.evaluate(() => window.trackside.cursors);
      assert.ok(c.a < c.b, `A (${c.a}) before B (${c.b})`);
      await readout(page).waitFor({ state: 'visible' });
      let want = expected(gLatOf, c.a, c.b);
      await waitUntil(async () => (await row(page, 'g_lat'))?.b?.value === want.b, 'the readout shows the value at B');
      let g = await row(page, 'g_lat');
      assert.equal(g.a.value, want.a);
      assert.ok(Math.abs(g.mean.value - want.mean) < 1e-9);
      await waitUntil(async () => {
        const q = new URL(page.url()).searchParams;
        return Date.parse(q.get('a')) === Math.round(c.a) && Date.parse(q.get('b')) === Math.round(c.b);
      }, 'the link holds both cursors');

      // An Alt-drag from right to left sets a new range and does not zoom.
      const x3 = plot.x + plot.width * 0.95;
      const x4 = plot.x + plot.width * 0.75;
      await page.mouse.move(x3, y);
      await page.keyboard.down('Alt');
      await page.mouse.down();
      await page.mouse.move(x4, y, { steps: 5 });
      await page.mouse.up();
      await page.keyboard.up('Alt');
      const d = await page.evaluate(() => window.trackside.cursors);
      assert.ok(d.a < d.b, 'A is the range’s start, B its end, though the mouse went from right to left');
      assert.equal(await page.locator('[data-testid="zoom-note"]').isHidden(), true, 'an Alt-drag does not zoom');
      want = expected(gLatOf, d.a, d.b);
      await waitUntil(async () => (await row(page, 'g_lat'))?.min?.value === want.min, 'the readout follows the new range');
      g = await row(page, 'g_lat');
      assert.equal(g.max.value, want.max);
      assert.ok(Math.abs(g.mean.value - want.mean) < 1e-9);
      await page.screenshot({ path: path.join(ARTIFACTS, 'cursors-keys-1440.png') });

      // B's line, grabbed where the drag ended, moves alone and zooms nothing.
      await page.mouse.move(x3, y);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.85, y, { steps: 5 });
      await page.mouse.up();
      const e = await page.evaluate(() => window.trackside.cursors);
      assert.equal(e.a, d.a, 'A stays');
      assert.ok(e.b < d.b && e.b > e.a, `B moved left with the mouse (${d.b} → ${e.b})`);
      assert.equal(await page.locator('[data-testid="zoom-note"]').isHidden(), true, 'dragging a line does not zoom');
      want = expected(gLatOf, e.a, e.b);
      await waitUntil(async () => (await row(page, 'g_lat'))?.max?.value === want.max, 'the readout follows the line');

      await readout(page).locator('.cursors-readout').focus();
      await page.keyboard.press('Escape');
      await readout(page).waitFor({ state: 'hidden' });
      assert.deepEqual(await page.evaluate(() => window.trackside.cursors), { a: null, b: null, axis: 'time' });
      await waitUntil(async () => !new URL(page.url()).searchParams.has('a'), 'the link forgets the cursors');

      // Without Alt, the same drag zooms as it always did, and places no cursor.
      await page.mouse.move(x4, y);
      await page.mouse.down();
      await page.mouse.move(x3, y, { steps: 5 });
      await page.mouse.up();
      await page.locator('[data-testid="zoom-note"]').waitFor({ state: 'visible' });
      assert.deepEqual(await page.evaluate(() => window.trackside.cursors), { a: null, b: null, axis: 'time' });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('on distance strips the cursors are metres into the lap, and the readout lists each lap drawn', T, async () => {
    const layout = {
      version: 1,
      panels: [{ kind: 'distance', channels: ['speed_kph'] }, { kind: 'distance', channels: ['brake_temp_c.fl'] }, { kind: 'cursors' }],
    };
    const param = Buffer.from(JSON.stringify(layout)).toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${hand}&car=D1&wire=json&layout=${param}`);
    try {
      await waitUntil(() => page.evaluate(() => window.trackside.distance?.last?.lap === 3 && window.trackside.distance?.ref?.lap === 2),
        'the Distance strips show lap 3 and the best lap, lap 2');
      const plot = await page.locator('[data-panel-kind="distance"] .u-over').first().boundingBox();
      const y = plot.y + plot.height / 2;
      await page.mouse.move(plot.x + plot.width * 0.3, y);
      await page.keyboard.press('a');
      await page.mouse.move(plot.x + plot.width * 0.6, y);
      await page.keyboard.press('b');
      const c = await page.evaluate(() => window.trackside.cursors);
      assert.equal(c.axis, 'distance');
      assert.ok(c.a > 200 && c.a < 400 && c.b > 500 && c.b < 700, `A at ${c.a} m, B at ${c.b} m of a 1000 m lap`);
      const line = (channel, lap) => page.evaluate(([ch, who]) => {
        const tr = document.querySelector(`[data-panel-kind="cursors"] tbody[data-channel="${ch}"] tr[data-line="${who}"]`);
        return tr && Object.fromEntries([...tr.querySelectorAll('td[data-stat]')].map((td) => [td.dataset.stat, td.dataset.value === undefined ? null : Number(td.dataset.value)]));
      }, [channel, lap]);
      await waitUntil(async () => (await line('speed_kph', 'best L2'))?.mean != null, 'the readout lists the best lap’s speed');
      // Each lap at its own constant speed and brake temperature: A, B, min, max and mean are that value.
      const best = await line('speed_kph', 'best L2');
      for (const k of ['a', 'b', 'min', 'max', 'mean']) assert.ok(Math.abs(best[k] - kphOf(2)) < 1e-6, `best L2 ${k}: ${best[k]} km/h, not ${kphOf(2)}`);
      assert.ok(Math.abs(best.diff) < 1e-6);
      const last = await line('speed_kph', 'last L3');
      assert.ok(Math.abs(last.mean - kphOf(3)) < 1e-6, `last L3 at ${last.mean} km/h`);
      assert.deepEqual([(await line('brake_temp_c.fl', 'best L2')).mean, (await line('brake_temp_c.fl', 'last L3')).mean], [302, 303]);
      const now = await line('speed_kph', 'now L4');
      assert.equal(now.b, null, 'the lap in progress, at most 400 m in, has no value at B');
      assert.equal(Number(await page.locator('[data-panel-kind="cursors"] [data-testid="cursors-dt"]').getAttribute('data-value')), c.b - c.a);
      assert.equal(new URL(page.url()).searchParams.has('a'), false, 'distance cursors stay out of the link');
      await page.screenshot({ path: path.join(ARTIFACTS, 'cursors-distance-1440.png') });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
