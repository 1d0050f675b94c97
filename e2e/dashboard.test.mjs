// What a person sees on the dashboard, against the real server and the real broker.
// Run with `node --test e2e/` (see e2e/harness.mjs for the environment it needs).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FILL, REPO, assertText, colouredPixels, fillTopic, openPage, startStack, uniqueName, waitForStats, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };
const SOON = { timeout: 30_000 };

describe('the Trackside dashboard', () => {
  let stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  test('a person picks a topic and some of its partitions and watches them live', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, stack.url);
    try {
      // Choose the topic as a person would: open the picker, find it, click it.
      await page.getByTestId('topic-button').click();
      await page.getByTestId('topic-filter').fill(stack.topic);
      await page.getByTestId(`topic-option-${stack.topic}`).click();
      await assertText(page.getByTestId('topic-current'), stack.topic);

      // Its partitions appear with their record counts. Cars are keys, so some partitions
      // may hold none: like a person, choose the two fullest (a strict subset of three);
      // the live producer's partitions grow, so they are among them.
      const chip = (p) => page.getByTestId(`partition-chip-${stack.topic}-${p}`);
      await chip(FILL.partitions - 1).waitFor(SOON);
      const counts = [];
      for (let p = 0; p < FILL.partitions; p++) {
        counts.push(Number((await chip(p).getAttribute('title')).match(/: ([\d,]+) records/)[1].replaceAll(',', '')));
      }
      const chosen = [...counts.keys()]
        .filter((p) => counts[p] > 0)
        .sort((a, b) => counts[b] - counts[a])
        .slice(0, 2)
        .sort((a, b) => a - b);
      const others = [...counts.keys()].filter((p) => !chosen.includes(p));
      assert.ok(chosen.length > 0, `some partition holds records (${counts})`);
      for (const p of chosen) await chip(p).click();
      for (const p of chosen) assert.equal(await chip(p).getAttribute('aria-pressed'), 'true');
      for (const p of others) assert.equal(await chip(p).getAttribute('aria-pressed'), 'false');
      assert.match(page.url(), new RegExp(`\\?topic=${stack.topic}&partitions=${chosen.join(',')}(&|$)`), 'the view is shareable');

      // Records arrive and the strips draw them.
      await page.waitForFunction(() => window.trackside.records > 0, null, SOON);
      await page.getByTestId('charts-empty').waitFor({ state: 'hidden', ...SOON });
      // A strip below the screen is drawn once it is scrolled to (panels out of sight draw nothing).
      for (const strip of ['speed', 'rpm', 'tires']) {
        const canvas = `[data-testid="strip-${strip}"] canvas`;
        await page.waitForSelector(canvas, SOON);
        await page.locator(`[data-testid="strip-${strip}"]`).scrollIntoViewIfNeeded();
        await waitUntil(async () => (await colouredPixels(page, canvas)) > 200, `the ${strip} strip draws lines`);
      }
      const before = await page.evaluate(() => window.trackside.records);
      await page.waitForFunction((n) => window.trackside.records > n + 40, before, SOON);

      // Only the chosen partitions' cars are charted.
      const partitions = await page.evaluate(() => Object.values(window.trackside.lastValues).map((v) => v.partition));
      assert.ok(partitions.length > 0, 'some car is charted');
      assert.ok(partitions.every((p) => chosen.includes(p)), `cars come from partitions ${chosen} only, got ${partitions}`);

      // The numbers in the legend move over a couple of seconds.
      const speeds = () => page.getByTestId('car-rows').locator('td[data-value="speed"]').allTextContents();
      const first = (await speeds()).join(' ');
      assert.match(first, /\d/, 'the legend shows speeds');
      await waitUntil(async () => (await speeds()).join(' ') !== first, 'the legend values change');

      // The Kafka panel lists exactly the chosen partitions, with offsets.
      const rows = page.getByTestId('partition-rows').locator('tr[data-testid^="partition-row-"]');
      await waitUntil(async () => (await rows.count()) === chosen.length, `the Kafka panel shows ${chosen.length} partitions`);
      for (const p of chosen) {
        const row = page.getByTestId(`partition-row-${stack.topic}-${p}`);
        await waitUntil(async () => /^\d[\d,]*$/.test(await row.locator('[data-field="last_offset"]').innerText()),
          `partition ${p} shows the group's last offset`);
        const high = Number((await row.locator('[data-field="high"]').innerText()).replaceAll(',', ''));
        const low = Number((await row.locator('[data-field="low"]').innerText()).replaceAll(',', ''));
        assert.ok(high > low, `partition ${p} holds records (low ${low}, high ${high})`);
      }
      for (const p of others) {
        assert.equal(await page.getByTestId(`partition-row-${stack.topic}-${p}`).count(), 0, `partition ${p} is not listed`);
      }

      // The README's picture: once the strips show a good stretch of the race.
      await page.waitForFunction(() => window.trackside.spanSecs >= 20, null, { timeout: 60_000 });
      await page.screenshot({ path: path.join(REPO, 'e2e', 'artifacts', 'dashboard.png') });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a replay from the earliest offset reaches 100% and carries on live', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    try {
      await page.waitForFunction(() => window.trackside.records > 0, null, SOON);
      const badge = page.getByTestId('mode-badge');
      assert.equal(await badge.getAttribute('data-mode'), 'live');

      // Watch the badge the way a person would: every state it shows, in order.
      await page.evaluate(() => {
        const badge = document.querySelector('[data-testid="mode-badge"]');
        window.badgeSeen = [badge.dataset.mode];
        new MutationObserver(() => {
          if (window.badgeSeen.at(-1) !== badge.dataset.mode) window.badgeSeen.push(badge.dataset.mode);
        }).observe(badge, { attributes: true, attributeFilter: ['data-mode'] });
      });
      // As fast as Kafka serves: the whole topic in a moment (the default is race speed).
      await page.locator('[data-testid="speed-picker"] [data-speed="max"]').click();
      await page.getByTestId('replay-earliest').click();

      const progress = page.getByTestId('replay-progress-text');
      await waitUntil(async () => /^100%/.test(await progress.innerText()), 'the replay progress reaches 100%');
      await waitUntil(async () => (await badge.getAttribute('data-mode')) === 'caught-up', 'the badge says caught up');
      assert.match(await page.getByTestId('mode-text').innerText(), /caught up/i);
      assert.match(await page.getByTestId('mode-sub').innerText(), /live/i);
      const seen = await page.evaluate(() => window.badgeSeen);
      assert.equal(seen[0], 'live');
      assert.equal(seen[1], 'replay', `the badge switched to replay first (saw ${seen})`);
      assert.equal(seen.at(-1), 'caught-up');

      // The whole topic came back: at least what was written before the server started.
      const replay = await page.evaluate(() => window.trackside.replay);
      assert.equal(replay.state, 'caught_up');
      assert.ok(replay.total >= FILL.count, `replayed ${replay.total} records, expected at least ${FILL.count}`);

      // Still live from the replay reader.
      const n = await page.evaluate(() => window.trackside.records);
      await page.waitForFunction((m) => window.trackside.records > m + 20, n, SOON);

      // And back to the group's stream.
      await page.getByTestId('back-to-live').click();
      await waitUntil(async () => (await badge.getAttribute('data-mode')) === 'live', 'the badge says live again');
      await page.getByTestId('replay-progress').waitFor({ state: 'hidden', ...SOON });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a person pauses a long replay, sees it hold still, and resumes it to 100%', T, async () => {
    // The shared topic's 600 records replay in a blink; this one is long enough to pause midway.
    const topic = uniqueName('e2e-long');
    const LONG = { partitions: 2, cars: 10, count: 50_000 };
    await fillTopic(topic, LONG);
    await waitUntil(async () => (await storedRecords(stack.url, topic)) >= LONG.count,
      `the server lists ${topic} with its ${LONG.count} records`);

    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${topic}`);
    try {
      // Nobody writes to this topic live. Once the server has taken the selection the page
      // says there is nothing recent (or draws whatever history the server holds).
      const empty = page.getByTestId('charts-empty');
      const emptyText = page.getByTestId('charts-empty-text');
      await waitUntil(async () => (await empty.isHidden()) || /^No records on/.test(await emptyText.innerText()),
        'the page is subscribed to the topic');
      // At 10× the 250 s of race take 25 s: long enough to pause midway. Read as fast as
      // Kafka serves, they go by before a person could click.
      const speed = (s) => page.locator(`[data-testid="speed-picker"] [data-speed="${s}"]`);
      await speed(10).click();
      await page.getByTestId('replay-earliest').click();

      const badge = page.getByTestId('mode-badge');
      const state = page.getByTestId('replay-state');
      const button = page.getByTestId('replay-pause');
      const progress = page.getByTestId('replay-progress-text');
      const percent = async () => Number((await progress.innerText()).match(/^(\d+)%/)?.[1]);
      await waitUntil(async () => /^replaying$/i.test(await state.innerText()) && (await percent()) > 0, 'the replay is under way');
      await button.click();

      // The pause shows wherever a person looks: the badge, the progress strip, the button.
      await waitUntil(async () => (await badge.getAttribute('data-mode')) === 'replay-paused', 'the badge says paused');
      assert.match(await page.getByTestId('mode-text').innerText(), /^replay paused$/i);
      assert.match(await state.innerText(), /^replay paused$/i);
      assert.match(await button.innerText(), /resume/i);
      // The badge shows the person's intent at once; the server's `replay` messages sent
      // before it took the pause still carry a moving progress. Hold it from its answer on.
      await waitUntil(async () => (await page.evaluate(() => window.trackside.replay?.state)) === 'paused',
        'the server says the replay is paused');
      await waitForStats(page, 1); // the page has drawn that answer
      const held = await progress.innerText();
      assert.ok((await percent()) < 100, `paused midway (${held})`);

      // And it holds still: the same progress across two stats messages, two seconds of the server's clock.
      await waitForStats(page, 2);
      assert.equal(await progress.innerText(), held, 'the progress does not move while paused');
      assert.equal(await badge.getAttribute('data-mode'), 'replay-paused');

      // The rest as fast as Kafka serves: the speed changes on the paused replay, then it resumes.
      await speed('max').click();
      await button.click();
      await waitUntil(async () => (await progress.innerText()) !== held, 'the progress moves again after resuming');
      await waitUntil(async () => /^100%/.test(await progress.innerText()), 'the replay progress reaches 100%');
      await waitUntil(async () => (await badge.getAttribute('data-mode')) === 'caught-up', 'the badge says caught up');
      const replay = await page.evaluate(() => window.trackside.replay);
      assert.equal(replay.state, 'caught_up');
      assert.equal(replay.total, LONG.count, 'every record of the topic was replayed');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('the connection indicator says connected', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, stack.url);
    try {
      const status = page.getByTestId('connection-status');
      await waitUntil(async () => (await status.getAttribute('data-state')) === 'connected', 'the page connects');
      assert.equal(await page.getByTestId('connection-text').innerText(), 'Connected');
      assert.equal(await page.getByTestId('group-id').innerText(), stack.groupId);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

/** Records the server says `topic` stores (high − low over its partitions), from /api/topics. */
async function storedRecords(url, topic) {
  const res = await fetch(`${url}/api/topics`);
  const t = (await res.json()).topics.find((x) => x.name === topic);
  return t ? t.partitions.reduce((n, p) => n + Math.max(0, p.high - p.low), 0) : 0;
}
