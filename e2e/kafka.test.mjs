// What a person sees of Kafka itself: records that break the contract, and a broker the
// server cannot reach. Run with `node --test e2e/` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  BIN, openPage, produceRaw, startServer, startStack, stop, uniqueName, waitForStats, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };

/** "1,234" → 1234; NaN for "—". */
const count = (text) => Number(text.replaceAll(',', ''));

describe('Kafka as the dashboard shows it', () => {
  let stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  test('a record that is not JSON is counted, highlighted and explained in the Kafka panel', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&partitions=0`);
    try {
      const row = page.getByTestId(`partition-row-${stack.topic}-0`);
      const malformed = row.locator('[data-field="malformed"]');
      const reason = page.getByTestId(`malformed-reason-${stack.topic}-0`);

      // The group starts new partitions at their latest offset, so write only once it reads
      // partition 0 (the live producer writes there): its last offset shows then.
      const lastOffset = row.locator('[data-field="last_offset"]');
      await waitUntil(async () => /^\d[\d,]*$/.test(await lastOffset.innerText()), 'the group consumes partition 0');
      const offsetBefore = count(await lastOffset.innerText());
      assert.equal(await malformed.innerText(), '0', 'nothing malformed before the bad record');
      assert.equal(await reason.count(), 0, 'no reason shown before the bad record');

      await produceRaw({ topic: stack.topic, partition: 0, key: 5, value: 'this is not telemetry' });

      // The partition's count goes up and turns red, and so does the panel's total.
      await waitUntil(async () => count(await malformed.innerText()) >= 1, 'partition 0 counts a malformed record');
      assert.match(await malformed.getAttribute('class'), /\bbad\b/);
      const colour = (locator) => locator.evaluate((el) => getComputedStyle(el).color);
      assert.notEqual(await colour(malformed), await colour(row.locator('[data-field="consumed"]')),
        'the malformed count stands out from the other numbers');
      const total = page.getByTestId('kafka-malformed');
      assert.ok(count(await total.innerText()) >= 1, `the total counts it (${await total.innerText()})`);
      assert.match(await total.getAttribute('class'), /\bbad\b/);

      // Why: a line under the row, readable in full without hovering.
      await reason.waitFor({ state: 'visible' });
      const [, offset] = (await reason.innerText()).match(/^Last malformed record, offset (\d[\d,]*): not JSON/) ?? [];
      assert.ok(offset, `the reason starts “not JSON” (${await reason.innerText()})`);
      assert.ok(count(offset) > offsetBefore, `it is the record just written (offset ${offset}, after ${offsetBefore})`);
      const cell = reason.locator('td');
      assert.ok(await cell.evaluate((td) => td.scrollWidth <= td.clientWidth), 'the reason is not cut off');
      assert.equal(await cell.getAttribute('title'), await cell.innerText(), 'the tooltip holds the same reason');

      // The bad record is skipped, not fatal: valid records keep arriving.
      const n = await page.evaluate(() => window.trackside.records);
      await page.waitForFunction((m) => window.trackside.records > m + 20, n, { timeout: 30_000 });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  /**
   * Whether a person sees `locator` whole, once the page is scrolled down to it (the
   * workbench scrolls vertically, never sideways): inside the viewport, and not cut off by
   * a panel that scrolls (the point at its centre is the element itself, not what lies beside it).
   */
  // The panel replaces its rows at every stats and replay message, and a locator's
  // evaluate finds the element and runs on it in two steps: a row replaced in between
  // leaves a detached cell with an empty box. Such a measure says nothing of the page,
  // so it is taken again on the row that replaced it (one evaluate runs whole, between
  // two renders).
  const seenWhole = async (locator) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const seen = await locator.evaluate((el) => {
        if (!el.isConnected) return null;
        el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return { right: r.right, viewport: window.innerWidth, hit: el === hit || el.contains(hit) };
      });
      if (seen) return seen;
    }
    throw new Error('the cell was replaced under every one of 20 measures');
  };
  const scrollsSideways = (page) => page.evaluate(() => {
    const doc = document.documentElement;
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth };
  });

  for (const [width, height] of [[1280, 800], [1440, 900]]) {
    test(`at ${width} × ${height} the partition table shows every column, Lag and Consumed included, and Reads is one line`, T, async () => {
      const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`, { viewport: { width, height } });
      try {
        const row = page.getByTestId(`partition-row-${stack.topic}-0`);
        const lag = row.locator('[data-field="lag"]');
        await waitUntil(async () => /^\d[\d,]*$/.test(await lag.innerText()), 'partition 0 shows its lag');

        const table = page.getByTestId('partition-table');
        for (const [what, cell] of [
          ['the Lag header', page.getByTestId('lag-header')], ['a Lag cell', lag],
          ['the Consumed header', table.locator('th', { hasText: 'Consumed' })], ['a Consumed cell', row.locator('[data-field="consumed"]')],
          ['the last column', row.locator('[data-field="read_by"]')],
        ]) {
          const seen = await seenWhole(cell);
          assert.ok(seen.right <= seen.viewport, `${what} ends at ${seen.right}, inside the ${seen.viewport} px window`);
          assert.ok(seen.hit, `${what} is not cut off by its panel`);
        }
        const wrap = await table.evaluate((t) => ({ scrollWidth: t.parentElement.scrollWidth, clientWidth: t.parentElement.clientWidth }));
        assert.ok(wrap.scrollWidth <= wrap.clientWidth, `the table does not scroll sideways in its panel (${JSON.stringify(wrap)})`);
        const doc = await scrollsSideways(page);
        assert.ok(doc.scrollWidth <= doc.clientWidth, `the page does not scroll sideways (${JSON.stringify(doc)})`);

        // Reads: one line of counts; the partitions themselves on demand.
        const summary = page.getByTestId('kafka-reads-summary');
        await waitUntil(async () => /^owns 3 · follows 0 · 1 topic$/.test(await summary.innerText()), 'Reads counts the partitions owned');
        const lines = await summary.evaluate((el) => el.getClientRects().length);
        assert.equal(lines, 1, 'the Reads summary is one line');
        const details = page.getByTestId('kafka-assignment');
        assert.equal(await details.isVisible(), false, 'the partitions are shown on demand');
        await summary.click();
        await details.waitFor({ state: 'visible' });
        assert.equal(await details.innerText(), `owns ${stack.topic} 0–2`);

        // A replay adds its column, which fits too.
        await page.getByTestId('replay-earliest').click();
        const replayCell = row.locator('[data-field="replay"]');
        await waitUntil(async () => /^\d[\d,]* \/ \d[\d,]*$/.test(await replayCell.innerText()), 'the replay column shows its offsets');
        for (const [what, cell] of [['the Replay header', table.locator('th.replay-col')], ['a Replay cell', replayCell], ['a Lag cell', lag]]) {
          const seen = await seenWhole(cell);
          assert.ok(seen.right <= seen.viewport && seen.hit, `${what} is seen whole while replaying (${JSON.stringify(seen)})`);
        }
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    });
  }

  test('at 768 px wide nothing overflows the page sideways', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`, { viewport: { width: 768, height: 1024 } });
    try {
      await page.waitForFunction(() => window.trackside.records > 0 && window.trackside.stats, null, { timeout: 30_000 });
      await waitForStats(page, 2);
      const doc = await scrollsSideways(page);
      assert.ok(doc.scrollWidth <= doc.clientWidth, `the page does not scroll sideways (${JSON.stringify(doc)})`);
      const lag = await seenWhole(page.getByTestId('lag-header'));
      assert.ok(lag.right <= 768, `the Lag header ends at ${lag.right}`);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('with Kafka unreachable the header says so while the page stays connected', T, async () => {
    // Nothing listens on port 1: the server starts, serves the page and keeps trying Kafka.
    const server = await startServer({
      topic: uniqueName('e2e'), groupId: uniqueName('e2e'), brokers: '127.0.0.1:1', logName: 'server-no-kafka.log',
    });
    try {
      const { page, errors, close } = await openPage(stack.browser, server.url);
      try {
        const status = page.getByTestId('connection-status');
        await waitUntil(async () => (await status.getAttribute('data-state')) === 'kafka-down', 'the header says Kafka is down');
        assert.equal(await page.getByTestId('connection-text').innerText(), 'Kafka unavailable');
        assert.equal(await page.evaluate(() => window.trackside.connection), 'connected', 'the WebSocket is connected');

        // Once the server has tried the broker, the tooltip says what failed, and the Kafka panel agrees.
        await waitUntil(async () => /broker/i.test(await status.getAttribute('title')), 'the tooltip names the broker failure');
        const reach = page.getByTestId('kafka-reachable');
        assert.equal(await reach.getAttribute('data-state'), 'down');
        assert.match(await reach.innerText(), /^unavailable: .*broker/i);

        // It is a lasting state, not a blip: the server keeps reporting, the page keeps saying it.
        await waitForStats(page, 2);
        assert.equal(await status.getAttribute('data-state'), 'kafka-down');
        assert.equal(await page.evaluate(() => window.trackside.connection), 'connected');
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    } finally {
      await stop(server.child);
    }
  });

  // `make test` builds with fail points; a plain `cargo build` cannot stall its consumer.
  const failPoints = (() => {
    try {
      return execFileSync(BIN, ['--version']).toString().includes('fail points');
    } catch {
      return false; // no binary: the harness says so when a test starts a server
    }
  })();
  const needsFailPoints = failPoints ? T : { ...T, skip: 'needs a test build: cargo build --features failpoints' };

  test('a group consumer the watchdog replaced is counted and explained, and the charts carry on', needsFailPoints, async () => {
    // The test build's fail point stalls this server's first consumer, as librdkafka's can
    // after a broker restart, while the stack's producer keeps writing.
    const groupId = uniqueName('e2e-stuck');
    const server = await startServer({
      topic: stack.topic, groupId, logName: 'server-stuck.log', extraArgs: ['--stuck-timeout-secs', '2'],
      env: { FAILPOINTS: `group-consumer-stall=return(${groupId})` },
    });
    try {
      const { page, errors, close } = await openPage(stack.browser, `${server.url}/?topic=${stack.topic}`);
      try {
        const row = page.getByTestId('kafka-restarts-row');
        await row.waitFor({ state: 'visible', timeout: 60_000 });
        assert.equal(await page.getByTestId('kafka-restarts').innerText(), '1');
        assert.match(await row.getAttribute('title'), /^Last: no progress for \d+ s while \d+ partition\(s\) had records waiting/);
        const before = await page.evaluate(() => window.trackside.records);
        await page.waitForFunction((n) => window.trackside.records > n + 20, before, { timeout: 30_000 });
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    } finally {
      await stop(server.child);
    }
  });

  test('with an access token set, a person who gives it watches live; without it, sees nothing', T, async () => {
    const token = `pitwall-${uniqueName('t')}`;
    const secured = await startServer({
      topic: stack.topic, groupId: uniqueName('e2e-auth'), logName: 'server-auth.log', extraArgs: ['--auth-token', token],
    });
    try {
      // The browser asks for credentials; the person types any name and the token.
      const ok = await openPage(stack.browser, `${secured.url}/?topic=${stack.topic}`, {
        httpCredentials: { username: 'engineer', password: token },
      });
      try {
        const status = ok.page.getByTestId('connection-status');
        await waitUntil(async () => (await status.getAttribute('data-state')) === 'connected', 'the page connects');
        await ok.page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
        assert.deepEqual(ok.errors, []);
      } finally {
        await ok.close();
      }

      // Without it the page itself is refused, with the challenge that makes a browser
      // ask for the token (headless Chromium cannot show the prompt, so ask as a client).
      const context = await stack.browser.newContext();
      try {
        const response = await context.request.get(secured.url);
        assert.equal(response.status(), 401);
        assert.match(response.headers()['www-authenticate'], /^Basic realm="Trackside"/);
      } finally {
        await context.close();
      }
    } finally {
      await stop(secured.child);
    }
  });
});
