// Playback as a person uses it: the timeline of what Kafka retains, a click to go back in
// the race, a speed, a shared link that opens the same moment, and Go live. Against the real
// server and broker (see e2e/harness.mjs). Every wait is for something shown on the page;
// the pace is measured from the playhead the page shows over a few seconds of wall time.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  colouredPixels, liveRace, openPage, startStack, uniqueName, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };
/** Two minutes of race (4 cars at 20 Hz), long enough to play at 2× for a while. */
const RACE = { partitions: 2, cars: 4, count: 9_600 };

describe('playback', () => {
  let stack;

  before(async () => {
    stack = await startStack({ topic: uniqueName('e2e-play'), prepare: (topic, started) => liveRace(topic, started, RACE) });
  });

  after(async () => {
    await stack?.stop();
  });

  const open = (query = `?topic=${stack.topic}`) => openPage(stack.browser, `${stack.url}/${query}`);
  /** The playhead the page shows (ms), from the readout's `data-ts`. */
  const shown = async (page) => Number(await page.getByTestId('playhead-time').getAttribute('data-ts'));
  const mode = (page) => page.getByTestId('mode-badge').getAttribute('data-mode');

  /** Clicks the timeline `f` of the way across; returns the time there (ms). */
  async function clickTimeline(page, f) {
    const box = await page.getByTestId('timeline-canvas').boundingBox();
    const span = await page.evaluate(() => window.trackside.timelineSpan);
    const x = Math.round(box.width * f);
    await page.mouse.click(box.x + x, box.y + box.height / 2);
    return span.from + (x / box.width) * (span.to - span.from);
  }

  async function timelineReady(page) {
    await page.waitForFunction(() => window.trackside.range?.first_ts != null && window.trackside.timelineSpan, null, { timeout: 30_000 });
  }

  test('the timeline shows what Kafka retains, and clicking its middle moves the playhead there', T, async () => {
    const { page, errors, close } = await open();
    try {
      await timelineReady(page);
      const { range, span } = await page.evaluate(() => ({ range: window.trackside.range, span: window.trackside.timelineSpan }));
      assert.equal(span.from, range.first_ts, 'the timeline starts at the earliest record Kafka holds');
      assert.ok(span.to >= range.last_ts, 'and runs to the live edge');
      assert.ok(span.to - span.from >= 100_000, `it spans the whole race (${span.to - span.from} ms)`);
      // The lane under it turns green where the overview of the whole span found records.
      await waitUntil(async () => (await colouredPixels(page, '[data-testid="timeline-canvas"]')) > 2000, 'the timeline draws its lane');

      // A person hovers the left end: the tooltip names the earliest record's time.
      const box = await page.getByTestId('timeline-canvas').boundingBox();
      await page.mouse.move(box.x + 0.5, box.y + box.height / 2);
      const dayMs = (d) => ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
      await waitUntil(async () => {
        const m = (await page.getByTestId('timeline-tip').innerText()).match(/^(\d\d):(\d\d):(\d\d)\.(\d{3})/);
        const tip = m && ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
        return m && Math.abs(tip - dayMs(new Date(range.first_ts))) <= 1000;
      }, 'the tooltip at the left end says the earliest record’s time');

      // Zoomed out to everything Kafka holds: the strips draw each car's min/max per pixel.
      await page.locator('[data-testid="zoom-picker"] [data-zoom="0"]').click();
      await waitUntil(async () => /min\/max per \d+ ms/.test(await page.getByTestId('zoom-text').innerText()), 'the zoom note says what is drawn');
      const spanShown = await page.evaluate(() => window.trackside.spanSecs);
      assert.ok(spanShown * 1000 >= 0.9 * (span.to - span.from), `the strips span the whole race (${spanShown} s)`);
      await waitUntil(async () => (await colouredPixels(page, '[data-testid="strip-rpm"] canvas')) > 500, 'the rpm strip draws bands');
      await page.getByTestId('zoom-out-back').click();

      const target = await clickTimeline(page, 0.5);
      await waitUntil(async () => (await mode(page)).startsWith('replay'), 'the badge says replay');
      // The playhead lands where the click was, then plays on at race speed.
      await waitUntil(async () => {
        const t = await shown(page);
        return t >= target - 1500 && t <= target + 6000;
      }, `the playhead shows the clicked moment (${target})`);
      await waitUntil(async () => /^−\d.* behind live$/.test(await page.getByTestId('behind-live').innerText()), 'the badge says how far behind live');
      await page.getByTestId('charts-empty').waitFor({ state: 'hidden', timeout: 30_000 });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('at 2× the playhead moves at about twice race speed', T, async (t) => {
    const { page, errors, close } = await open();
    try {
      await timelineReady(page);
      await page.locator('[data-testid="speed-picker"] [data-speed="2"]').click();
      await clickTimeline(page, 0.25);
      await page.waitForFunction(() => {
        const r = window.trackside.replay;
        return r && r.state === 'running' && r.speed === 2 && Number.isFinite(r.position_ts);
      }, null, { timeout: 30_000 });

      // Race time shown against wall time, over about four seconds.
      const sample = async () => ({ ts: await shown(page), at: await page.evaluate(() => performance.now()) });
      const a = await sample();
      await page.waitForFunction((t0) => performance.now() - t0 >= 4000, a.at, { timeout: 10_000 });
      const b = await sample();
      const rate = (b.ts - a.ts) / (b.at - a.at);
      t.diagnostic(`playhead moved ${b.ts - a.ts} ms of race in ${Math.round(b.at - a.at)} ms: ${rate.toFixed(3)}×`);
      assert.ok(rate > 1.5 && rate < 2.6, `the playhead moved ${rate.toFixed(2)}× race speed (2× wanted; 1× and max are told apart)`);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a paused moment’s URL opens the same moment in a new tab; Go live returns to live', T, async () => {
    const { page, errors, close } = await open();
    let other;
    try {
      await timelineReady(page);
      await page.locator('[data-testid="speed-picker"] [data-speed="0.5"]').click();
      await clickTimeline(page, 0.4);
      await page.waitForFunction(() => window.trackside.replay?.state === 'running', null, { timeout: 30_000 });
      await page.keyboard.press('Space');
      await waitUntil(async () => (await mode(page)) === 'replay-paused', 'Space pauses: the badge says paused');
      assert.match(await page.getByTestId('replay-pause').innerText(), /resume/i);

      // The link names the moment shown, once it holds still.
      let t;
      await waitUntil(async () => {
        const q = new URL(page.url()).searchParams;
        t = await shown(page);
        return q.get('paused') === '1' && q.get('speed') === '0.5' && Math.abs(Date.parse(q.get('t')) - t) <= 1;
      }, 'the URL holds the paused playhead and the speed');

      other = await openPage(stack.browser, page.url());
      const p2 = other.page;
      await waitUntil(async () => (await mode(p2)) === 'replay-paused', 'the new tab shows a paused replay');
      await waitUntil(async () => Math.abs((await shown(p2)) - t) <= 500, `the new tab's playhead is the same moment (${t})`);
      assert.equal(await p2.locator('[data-testid="speed-picker"] [aria-pressed="true"]').getAttribute('data-speed'), '0.5');
      await p2.getByTestId('charts-empty').waitFor({ state: 'hidden', timeout: 30_000 });
      assert.deepEqual(other.errors, []);

      // Go live: the badge, the readout and the URL say live, and records keep arriving.
      await page.getByTestId('back-to-live').click();
      await waitUntil(async () => (await mode(page)) === 'live', 'the badge says live');
      await waitUntil(async () => /^live/.test(await page.getByTestId('playhead-time').innerText()), 'the readout says live');
      assert.equal(new URL(page.url()).searchParams.get('t'), null);
      assert.equal(await page.getByTestId('behind-live').isHidden(), true);
      const n = await page.evaluate(() => window.trackside.records);
      await page.waitForFunction((m) => window.trackside.records > m + 20, n, { timeout: 30_000 });
      assert.deepEqual(errors, []);
    } finally {
      await other?.close();
      await close();
    }
  });
});
