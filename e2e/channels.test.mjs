// The channel picker against the real server: the simulator's channels and two math
// channels (`serve --channels`) are found by searching, with their units, ranges and the
// math badge; a pick answers with `trackside:channel-picked`; a failed refresh and the
// server's bounds are said on screen. The strips' buttons that open the picker live in
// strips/; here the picker is opened with the event they dispatch.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ARTIFACTS, fillTopic, openPage, produceRaw, startStack, uniqueName, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };
const SOON = { timeout: 30_000 };

const MATH = `[channels]
g_total = "sqrt(g_lat^2 + g_long^2)"
brake_temp_front_max_c = "max(brake_temp_c.fl, brake_temp_c.fr)"
`;

/** Opens the picker as the strips' buttons do: an event bubbling up from the workbench's panels. */
const openPicker = (page, strip = null) => page.getByTestId('workbench').evaluate((el, s) => {
  el.dispatchEvent(new CustomEvent('trackside:pick-channel', { bubbles: true, detail: { strip: s } }));
}, strip);

/** Records every `trackside:channel-picked` detail in `window.picked`. */
const listenForPicks = (page) => page.evaluate(() => {
  window.picked = [];
  document.addEventListener('trackside:channel-picked', (e) => window.picked.push(e.detail));
});

const shownNames = (page) => page.locator('[data-testid="channel-list"] [role=option]').evaluateAll((os) => os.map((o) => o.dataset.channel));
const option = (page, name) => page.locator(`[data-testid="channel-list"] [role=option][data-channel="${name}"]`);
const settled = (page) => waitUntil(async () => !/Updating/.test(await page.getByTestId('channel-status').innerText()), 'the picker has the latest counts');

describe('the channel picker', () => {
  let stack;

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'picker-math.toml');
    fs.writeFileSync(file, MATH);
    stack = await startStack({ topic: uniqueName('e2e-picker'), serverArgs: ['--channels', file] });
  });

  after(async () => {
    await stack?.stop();
  });

  test('finds brake_temp_c.fl by "brake fl" with its unit and range, marks math channels, and picks with Enter', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    try {
      // The `channels` message names the topic's channels once the page subscribes.
      await page.waitForFunction(() => window.trackside.channels.list.some((c) => c.name === 'g_total'), null, SOON);
      await listenForPicks(page);

      await openPicker(page);
      const dialog = page.getByTestId('channel-picker');
      await dialog.waitFor({ state: 'visible', ...SOON });
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'channel-search', 'the search box has the focus');
      await settled(page);
      assert.deepEqual(await page.getByTestId('channel-error').isVisible(), false);

      // Everything the simulator sends is listed, the math channels marked and only them.
      const all = await shownNames(page);
      for (const name of ['speed_kph', 'rpm', 'steer', 'g_lat', 'brake_temp_c.fl', 'tire_pressure_psi.rr', 'fuel_kg', 'g_total', 'brake_temp_front_max_c']) {
        assert.ok(all.includes(name), `${name} is listed (${all.join(', ')})`);
      }
      const marked = await page.locator('[data-testid="channel-list"] [role=option]:has(.cp-math)').evaluateAll((os) => os.map((o) => o.dataset.channel));
      assert.deepEqual(marked.sort(), ['brake_temp_front_max_c', 'g_total']);
      await page.screenshot({ path: path.join(ARTIFACTS, 'channel-picker-1440.png') });

      // "math" finds the math channels, with the badge.
      await page.keyboard.type('math');
      assert.deepEqual(await shownNames(page), ['g_total', 'brake_temp_front_max_c']);
      assert.equal(await option(page, 'g_total').locator('.cp-math').innerText(), 'MATH');

      await page.getByTestId('channel-search').fill('');
      await page.keyboard.type('brake fl');
      assert.deepEqual(await shownNames(page), ['brake_temp_c.fl']);
      const row = option(page, 'brake_temp_c.fl');
      assert.equal(await row.getAttribute('aria-selected'), 'true', 'the one match is ready for Enter');
      assert.equal(await row.locator('.cp-unit').innerText(), '°C');
      // Brake temperatures run from a few hundred to about 800 °C: whole degrees, grouped.
      const range = await row.locator('.cp-range').innerText();
      const [lo, hi] = range.split(' – ').map((v) => Number(v.replaceAll(',', '')));
      assert.ok(lo >= 0 && hi > lo && hi < 1500, `a range of brake temperatures, got “${range}”`);
      const records = Number((await row.locator('.cp-records').innerText()).match(/^([\d,]+) records$/)[1].replaceAll(',', ''));
      assert.ok(records > 0, 'records carried it');
      assert.equal(await option(page, 'brake_temp_c.fl').locator('.cp-math').count(), 0, 'a channel the car sends is not marked math');

      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden', ...SOON });
      assert.deepEqual(await page.evaluate(() => window.picked), [{ strip: null, name: 'brake_temp_c.fl' }]);

      // For a strip's "+": ↓ moves, Enter picks the second match; Escape closes without a pick.
      await openPicker(page, 2);
      await page.keyboard.type('g_l');
      assert.deepEqual(await shownNames(page), ['g_lat', 'g_long']);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await openPicker(page, 0);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', ...SOON });
      // And the mouse.
      await openPicker(page, 1);
      await page.keyboard.type('press rr');
      await option(page, 'tire_pressure_psi.rr').click();
      assert.deepEqual(await page.evaluate(() => window.picked), [
        { strip: null, name: 'brake_temp_c.fl' }, { strip: 2, name: 'g_long' }, { strip: 1, name: 'tire_pressure_psi.rr' },
      ]);

      // What the strips read for a label.
      const units = await page.evaluate(() => Object.fromEntries(window.trackside.channels.list.map((c) => [c.name, c.unit])));
      assert.equal(units['tire_pressure_psi.rr'], 'psi');
      assert.equal(units.g_lat, 'g');

      // A search that finds nothing says what was searched.
      await openPicker(page);
      await page.keyboard.type('nothing like it');
      assert.match(await page.getByTestId('channel-empty').innerText(), /No channel matches “nothing like it”/);
      await page.keyboard.press('Escape');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('fits the window at 1280 and 768 px, and says so when the server cannot refresh the counts', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`, { viewport: { width: 1280, height: 800 } });
    try {
      await page.waitForFunction(() => window.trackside.channels.list.length > 0, null, SOON);
      await openPicker(page);
      await settled(page);
      await page.keyboard.type('brake');
      await page.screenshot({ path: path.join(ARTIFACTS, 'channel-picker-1280.png') });

      await page.keyboard.press('Escape');
      await page.setViewportSize({ width: 768, height: 1024 });
      await openPicker(page);
      await settled(page);
      const box = await page.getByTestId('channel-picker').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 768, `the picker fits 768 px (${JSON.stringify(box)})`);
      const cell = await option(page, 'brake_temp_c.fl').locator('.cp-range').boundingBox();
      assert.ok(cell.x + cell.width <= box.x + box.width, 'the range is not cut off');
      await page.screenshot({ path: path.join(ARTIFACTS, 'channel-picker-768.png') });
      await page.keyboard.press('Escape');

      // The API fails: the list still shows what the `channels` message said, and an error says why.
      await page.route('**/api/channels?*', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"busy"}' }));
      await openPicker(page);
      const error = page.getByTestId('channel-error');
      await error.waitFor({ state: 'visible', ...SOON });
      assert.match(await error.innerText(), new RegExp(`Could not update the counts and ranges \\(${stack.topic}: the server answered 503: busy\\)`));
      assert.ok((await shownNames(page)).includes('brake_temp_c.fl'), 'the channels already known stay listed');
      await page.keyboard.press('Escape');
      // The 503s are the test's own; nothing else went wrong.
      assert.deepEqual(errors.filter((e) => !/503/.test(e)), []);
    } finally {
      await close();
    }
  });

  test('a topic with no record yet says so, and what the bounds dropped is shown', T, async () => {
    const topic = uniqueName('e2e-bounds');
    await fillTopic(topic, { partitions: 1, cars: 1, count: 0 });
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${topic}`);
    try {
      await page.waitForFunction(() => window.trackside.connection === 'connected' && window.trackside.selection.length === 1, null, SOON);
      await openPicker(page);
      await settled(page);
      assert.equal(await page.getByTestId('channel-empty').innerText(), 'No record decoded on these topics yet.');
      await page.keyboard.press('Escape');

      // A record with a name over 128 bytes: the server keeps the rest and counts the value.
      // It carries a channel the server keeps too: a record whose other channels were all
      // dropped goes uncounted today (src/telemetry/mod.rs skips the dictionary for it).
      const long = 'x'.repeat(200);
      await waitUntil(async () => {
        await produceRaw({ topic, partition: 0, key: 'Z9', value: JSON.stringify({ car: 'Z9', speed_kph: 100, fuel_kg: 50, [long]: 1 }) });
        const res = await fetch(`${stack.url}/api/channels?topic=${topic}`);
        return (await res.json()).dropped.name_too_long > 0;
      }, 'the server counts the name over 128 bytes', { interval: 1000 });

      await openPicker(page);
      await settled(page);
      const dropped = page.getByTestId('channel-dropped');
      await dropped.waitFor({ state: 'visible', ...SOON });
      assert.match(await dropped.innerText(), new RegExp(`${topic}: the server's bounds left out [\\d,]+ values? named over 128 bytes`));
      await page.screenshot({ path: path.join(ARTIFACTS, 'channel-picker-dropped.png') });
      // The channels it kept, and the math channels every topic has from `--channels`.
      assert.deepEqual(await shownNames(page), ['speed_kph', 'fuel_kg', 'g_total', 'brake_temp_front_max_c']);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
