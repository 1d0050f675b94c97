// "Compare with…" as an engineer uses it: today's laps against yesterday's best, a lap of a
// topic the server's group does not read. Picked in the dialog from the delta panel, it is
// drawn on the distance strip with its label and is the delta's reference; the link carries
// it, so a colleague who opens the link sees the same; a reference the server cannot give
// says why where it would be drawn. Against the real server and broker (e2e/harness.mjs),
// laps produced by hand with kcat (e2e/hand-race.mjs).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, fillTopic, launchBrowser, openPage, produceLines, startServer, stop, uniqueName, waitUntil } from './harness.mjs';
import { PERIOD, handLaps } from './hand-race.mjs';

const T = { timeout: 120_000 };
/** Today: lap 3 is D1's last whole lap. Yesterday: R9's lap 2 is its best, 2.250 s quicker than D1's lap 3. */
const TODAY_LAP3_MS = 26_250;
const YDAY_LAP2_MS = 24_000;
const LABEL = (topic) => `${topic} · car R9 · lap 2 · 24.000`;

describe('compare with a lap of another topic', () => {
  let stack;

  before(async () => {
    const today = uniqueName('e2e-today');
    const yday = uniqueName('e2e-yday');
    const started = [];
    try {
      await fillTopic(today, { partitions: 1, cars: 1, count: 0 });
      await fillTopic(yday, { partitions: 1, cars: 1, count: 0 });
      await produceLines({ topic: today, partition: 0, key: 'D1', values: handLaps('D1', [[1, 16_000], [2, 25_000], [3, TODAY_LAP3_MS], [4, 10_000]], 0) });
      await produceLines({ topic: yday, partition: 0, key: 'R9', values: handLaps('R9', [[1, 16_000], [2, YDAY_LAP2_MS], [3, 27_000], [4, 10_000]], 0) });
      // The server's group reads today only: yesterday is read on demand.
      const server = await startServer({ topic: today, groupId: uniqueName('e2e') });
      started.push(() => stop(server.child));
      const browser = await launchBrowser();
      started.push(() => browser.close());
      stack = { today, yday, url: server.url, browser, stop: async () => { for (const s of started.reverse()) await s(); } };
    } catch (err) {
      for (const s of started.reverse()) await s();
      throw err;
    }
  });

  after(async () => {
    await stack?.stop();
  });

  const distance = (page) => page.evaluate(() => window.trackside.distance);

  /** The reference is drawn on the speed strip, is the delta's, and the page says so in words. */
  async function seesReference(page) {
    const label = LABEL(stack.yday);
    await waitUntil(async () => (await distance(page))?.ref?.label === label && (await distance(page))?.last?.lap === 3,
      'the delta is against yesterday\'s lap 2');
    const d = await distance(page);
    assert.equal(d.ref.topic, stack.yday);
    assert.ok(Math.abs(d.ref.ms - YDAY_LAP2_MS) <= PERIOD, `the reference lap is ${d.ref.ms} ms`);
    assert.ok(Math.abs(d.lastDeltaMs - (TODAY_LAP3_MS - YDAY_LAP2_MS)) <= PERIOD, `delta at the line ${d.lastDeltaMs} ms, laps differ by 2250 ms`);
    // The line drawn: yesterday's lap on the speed strip, ending at its own speed.
    const line = d.strips[0].series.find((s) => s.lap === label);
    assert.ok(line, `a line labelled ${label} on ${JSON.stringify(d.strips[0].series.map((s) => s.lap))}`);
    assert.ok(Math.abs(line.last - (1000 / YDAY_LAP2_MS) * 3600) < 1e-6, `yesterday's lap ends at ${line.last} km/h`);
    // What a person reads: the readout, and the pinned chip (the key of its line).
    const readout = page.getByTestId('delta-readout');
    assert.match(await readout.innerText(), new RegExp(`^Δ to #R9 L2 · ${stack.yday}: now .* · last lap \\+2\\.2[0-9]{2}$`));
    assert.ok(await readout.evaluate((e) => e.clientWidth > 0 && e.scrollWidth <= e.clientWidth + 1), 'the readout shows whole');
    assert.equal(await page.getByTestId('ref-chip').first().locator('.ref-label').innerText(), `Δ ${label}`);
  }

  /** Opens "Compare with…" from the delta panel, on yesterday's topic, and pins R9's lap `lap`. */
  async function pin(page, lap) {
    await page.locator('.distance-strips [data-testid=compare-open]').click();
    const dialog = page.getByTestId('compare');
    await waitUntil(async () => (await dialog.getByTestId('compare-topic').locator('option').count()) >= 2, 'the topics are listed');
    await dialog.getByTestId('compare-topic').selectOption(stack.yday);
    const button = dialog.locator(`[data-testid=compare-lap][data-lap="${lap}"]`);
    await waitUntil(async () => (await button.count()) === 1, `yesterday's lap ${lap} is listed`);
    return { dialog, button };
  }

  test('a lap picked from another topic is drawn, is the delta\'s reference, and a link opens it again', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.today}&car=D1&strip=all:speed_kph&axis=distance`);
    try {
      await waitUntil(async () => (await distance(page))?.last?.lap === 3, 'the distance strips show today\'s laps');
      await page.getByTestId('delta-readout').scrollIntoViewIfNeeded();
      // Read on demand: progress first, then R9's laps with the best marked.
      const { dialog, button: best } = await pin(page, 2);
      assert.equal(await dialog.getByTestId('compare-car').inputValue(), 'R9');
      assert.match(await best.innerText(), /L2\s+24\.000\s+★ best/);
      await page.screenshot({ path: `${ARTIFACTS}/compare-picker.png` });
      await best.click();
      assert.equal(await dialog.isVisible(), false, 'the dialog closes on a pick');
      await seesReference(page);
      await page.getByTestId('ref-chips').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/compare-pinned.png` });
      await page.locator('[data-panel-kind="distance"]').screenshot({ path: `${ARTIFACTS}/compare-distance.png` });
      const layout = await page.evaluate(() => window.trackside.workbench.layout());
      assert.deepEqual(layout.references, [{ topic: stack.yday, car: 'R9', lap: 2, delta: true }]);
      assert.deepEqual(errors, []);

      // The link carries it: a colleague opening it sees the same.
      const link = page.url();
      assert.match(link, /[?&]layout=/);
      const again = await openPage(stack.browser, link, { viewport: { width: 1280, height: 800 } });
      try {
        await seesReference(again.page);
        await again.page.getByTestId('ref-chips').scrollIntoViewIfNeeded();
        await again.page.screenshot({ path: `${ARTIFACTS}/compare-link-1280.png` });
        assert.deepEqual(again.errors, []);
      } finally {
        await again.close();
      }

      // A second lap pinned: both drawn, each with a line of its own; the newest is the delta's.
      const second = await pin(page, 3);
      await second.button.click();
      const label3 = `${stack.yday} · car R9 · lap 3 · 27.000`;
      await waitUntil(async () => (await distance(page))?.ref?.label === label3, 'the delta is against yesterday\'s lap 3');
      const d = await distance(page);
      assert.ok(Math.abs(d.lastDeltaMs - (TODAY_LAP3_MS - 27_000)) <= PERIOD, `delta at the line ${d.lastDeltaMs} ms, laps differ by −750 ms`);
      assert.deepEqual(d.strips[0].series.map((x) => x.lap).filter((l) => l.startsWith(stack.yday)), [LABEL(stack.yday), label3]);
      assert.deepEqual(await page.getByTestId('ref-chip').locator('.ref-label').allInnerTexts(), [LABEL(stack.yday), `Δ ${label3}`]);
      const colors = await page.locator('[data-testid=ref-chip] .ref-line').evaluateAll((els) => els.map((e) => e.style.color));
      assert.equal(new Set(colors).size, 2, `two colours: ${colors}`);
      assert.match(await page.getByTestId('delta-readout').innerText(), /last lap −0\.7[0-9]{2}$/);
      // The delta's picker makes the first one the reference again.
      await page.getByTestId('delta-ref').selectOption('ref:0');
      await seesReference(page);

      // Unpinned with their ✕: the delta goes back to the car's own best.
      await page.getByTestId('ref-remove').first().click();
      await waitUntil(async () => (await page.getByTestId('ref-chip').count()) === 1, 'one reference is left');
      await page.getByTestId('ref-remove').click();
      await waitUntil(async () => (await distance(page))?.ref?.label === 'own best (L2)', 'the delta is against the own best again');
      assert.equal(await page.getByTestId('ref-chip').count(), 0);
      assert.equal((await page.evaluate(() => window.trackside.workbench.layout())).references, undefined);
    } finally {
      await close();
    }
  });

  test('a reference the server cannot give says why, where it would be drawn', T, async () => {
    const layout = {
      version: 1,
      panels: [{ kind: 'distance', channels: ['speed_kph'] }, { kind: 'delta' }],
      references: [{ topic: stack.yday, car: 'R9', lap: 40, delta: true }],
    };
    const param = Buffer.from(JSON.stringify(layout)).toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.today}&car=D1&layout=${param}`);
    try {
      const said = page.getByTestId('ref-said');
      await waitUntil(async () => (await said.count()) === 1 && /has no lap 40/.test(await said.innerText()), 'the chip says the lap is not there');
      assert.equal(await said.innerText(), 'car `R9` has no lap 40 in what Kafka holds (its laps there are 1 to 4)');
      const readout = page.getByTestId('delta-readout');
      await waitUntil(async () => /has no lap 40/.test(await readout.innerText()), 'the delta says its reference is not there');
      // The browser logs the server's 404 for the lap itself: that answer is this test's point.
      assert.deepEqual(errors.filter((e) => !/Failed to load resource: .* 404/.test(e)), []);
    } finally {
      await close();
    }
  });
});
