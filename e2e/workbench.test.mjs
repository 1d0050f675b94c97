// The workbench as a person arranges it, against the real server and broker: the default
// layout's panels, a panel added from "+ Panel" and one removed, panels resized and moved
// with the mouse and with the keyboard (what the grid then shows, and that the link opens
// the same again), and the page fitting the screen: nothing sideways at 768 px, the Kafka
// panel's Lag column inside its panel at 1280 × 800.
// Run with `node --test e2e/workbench.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, openPage, startStack, waitForStats, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
const GAP = 6;
const ROW = 40;

describe('the workbench', () => {
  let stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  const kinds = (page) => page.evaluate(() => window.trackside.workbench.panels().map((p) => p.kind));
  const layout = (page) => page.evaluate(() => window.trackside.workbench.layout());
  /** Each panel as a person sees it: kind, title and its box on the page (px). */
  const boxes = (page) => page.evaluate(() => window.trackside.workbench.panels().map((p) => {
    const r = p.el.getBoundingClientRect();
    return { kind: p.kind, title: p.el.querySelector('.panel-title').textContent, x: r.x, y: r.y + scrollY, w: r.width, h: r.height };
  }));
  const titles = async (page, kind) => (await boxes(page)).filter((b) => b.kind === kind).map((b) => b.title);
  const panel = (page, title) => page.locator('[data-testid="panel"]', { has: page.locator('.panel-title', { hasText: new RegExp(`^${title}$`) }) });

  async function open(viewport = { width: 1280, height: 800 }, query = '') {
    const opened = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}${query}`, { viewport });
    await opened.page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
    return opened;
  }

  test('a link without a layout opens "Race engineer": the strips, tower, map, tires, delta and Kafka', T, async () => {
    const { page, errors, close } = await open();
    try {
      assert.equal((await layout(page)).name, 'Race engineer');
      assert.deepEqual(await kinds(page), ['time', 'time', 'time', 'time', 'time', 'tower', 'map', 'tires', 'delta', 'kafka']);
      assert.deepEqual(await titles(page, 'time'), ['Speed', 'Throttle · Brake', 'Gear', 'Engine', 'Tire temperatures']);
      for (const el of await page.locator('[data-panel-kind]').all()) assert.equal(await el.getAttribute('data-testid'), 'panel');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a panel added from "+ Panel" and one removed; a kind shown once is not offered twice', T, async () => {
    const { page, errors, close } = await open();
    try {
      await page.getByTestId('add-panel').click();
      assert.equal(await page.getByTestId('add-panel-tower').isDisabled(), true, 'the tower is already shown');
      assert.equal(await page.getByTestId('add-panel-timeline').isDisabled(), false);
      // The timeline leaves the playback bar for its panel, and goes back when the panel goes.
      await page.getByTestId('add-panel-timeline').click();
      await waitUntil(async () => (await kinds(page)).at(-1) === 'timeline', 'a timeline panel is added');
      assert.equal(await page.locator('[data-panel-kind="timeline"] [data-testid="timeline-canvas"]').count(), 1, 'the timeline is in its panel');

      // A time strip asks for its channel first: the picker opens, a channel is typed and picked.
      await page.getByTestId('add-panel').click();
      await page.getByTestId('add-panel-time').click();
      const picker = page.getByTestId('channel-picker');
      await picker.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type('rpm');
      await waitUntil(async () => (await page.locator('[data-testid="channel-list"] [role=option]').first().getAttribute('data-channel')) === 'rpm', 'rpm is offered first');
      await page.keyboard.press('Enter');
      await waitUntil(async () => (await titles(page, 'time')).length === 6, 'a sixth strip');
      const added = (await layout(page)).panels.at(-1);
      assert.deepEqual([added.kind, added.channels, added.cars], ['time', ['rpm'], 'all'], 'a strip of every car, the default');
      await waitUntil(async () => (await page.evaluate(() => window.trackside.strips.at(-1))).series.some((s) => s.last != null), 'the new strip draws rpm');

      await panel(page, 'Timeline').getByRole('button', { name: 'Remove the Timeline panel' }).click();
      await waitUntil(async () => !(await kinds(page)).includes('timeline'), 'the timeline panel is gone');
      assert.equal(await page.locator('.playback [data-testid="timeline-canvas"]').count(), 1, 'the timeline is back in the playback bar');
      await panel(page, 'Tires').getByRole('button', { name: 'Remove the Tires panel' }).click();
      await waitUntil(async () => !(await kinds(page)).includes('tires'), 'the tires panel is gone');
      await page.getByTestId('add-panel').click();
      assert.equal(await page.getByTestId('add-panel-tires').isDisabled(), false, 'the tires may come back');
      await page.keyboard.press('Escape');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a layout opened from the Layouts menu takes the workbench, and the page’s own boxes follow their panels', T, async () => {
    const { page, errors, close } = await open();
    const openLayout = async (name) => {
      await page.getByTestId('layouts-button').click();
      await page.getByTestId('layout-open').filter({ hasText: new RegExp(`^${name}$`) }).click();
    };
    try {
      await openLayout('Kafka');
      await waitUntil(async () => (await kinds(page)).join() === 'kafka,timeline,time', 'the Kafka layout is shown');
      assert.equal(await page.locator('[data-panel-kind="timeline"] [data-testid="timeline-canvas"]').count(), 1, 'the timeline is in its panel');
      assert.equal(await page.locator('[data-panel-kind="kafka"] [data-testid="partition-table"]').count(), 1, 'the Kafka table is in its panel');
      assert.ok(new URL(page.url()).searchParams.has('layout'), 'the link holds it');
      await waitUntil(async () => (await page.evaluate(() => window.trackside.strips)).length === 1, 'one strip');

      await openLayout('Race engineer');
      await waitUntil(async () => (await kinds(page)).includes('map'), 'Race engineer is shown again');
      assert.equal(await page.locator('[data-panel-kind="map"] [data-testid="track-map"]').count(), 1, 'the track map is in its panel');
      assert.equal(await page.locator('[data-panel-kind="tower"] [data-testid="car-rows"]').count(), 1, 'the tower is in its panel');
      assert.equal(await page.locator('.playback [data-testid="timeline-canvas"]').count(), 1, 'the timeline is back in the playback bar');
      await waitUntil(async () => (await page.locator('[data-testid="car-rows"] tr').count()) > 0, 'the tower lists the cars');
      assert.equal(new URL(page.url()).searchParams.has('layout'), false, 'the default layout leaves the link');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('resized and moved with the mouse and the keyboard; the link opens the same arrangement', T, async () => {
    const { page, errors, close } = await open();
    try {
      const speed = panel(page, 'Speed');
      const before = (await boxes(page))[0];
      assert.equal(before.title, 'Speed');

      // The mouse: the corner handle dragged one column right and one row down.
      const pitch = (await page.evaluate(() => {
        const el = document.querySelector('[data-testid="workbench"]');
        return (el.clientWidth - 11 * 6) / 12;
      })) + GAP;
      const handle = await speed.locator('.panel-resize').boundingBox();
      const [hx, hy] = [handle.x + handle.width / 2, handle.y + handle.height / 2];
      await page.mouse.move(hx, hy);
      await page.mouse.down();
      await page.mouse.move(hx + pitch / 2, hy + (ROW + GAP) / 2, { steps: 4 });
      await page.mouse.move(hx + pitch, hy + ROW + GAP, { steps: 4 });
      await page.mouse.up();
      await waitUntil(async () => (await layout(page)).panels[0].grid.w === 6, 'the speed strip is 6 columns wide');
      const grown = (await boxes(page))[0];
      assert.ok(Math.abs(grown.w - (before.w + pitch)) <= 2, `one column wider: ${before.w} → ${grown.w} px (a column is ${pitch} px)`);
      assert.ok(Math.abs(grown.h - (before.h + ROW + GAP)) <= 2, `one row taller: ${before.h} → ${grown.h} px`);
      // Grown over the strip below, it pushed that one (and the ones under it) down: nothing overlaps.
      const after = await boxes(page);
      const pedals = after.find((b) => b.title === 'Throttle · Brake');
      assert.ok(pedals.y >= grown.y + grown.h, `the throttle strip starts under the speed strip (${pedals.y} ≥ ${grown.y + grown.h})`);

      // The mouse: the gear strip's header dragged onto the speed strip takes its place.
      const gearBar = await panel(page, 'Gear').locator('.panel-title').boundingBox();
      const target = await speed.boundingBox();
      await page.mouse.move(gearBar.x + 10, gearBar.y + gearBar.height / 2);
      await page.mouse.down();
      await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
      await page.mouse.up();
      await waitUntil(async () => (await titles(page, 'time'))[0] === 'Gear', 'the gear strip is first');
      const strips = await page.evaluate(() => window.trackside.strips.map((s) => s.label));
      assert.equal(strips[0], 'Gear', 'the strips are drawn in the new order');
      const gearAt = (await boxes(page)).find((b) => b.title === 'Gear');
      assert.ok(Math.abs(gearAt.y - before.y) <= 1 && Math.abs(gearAt.x - before.x) <= 1, 'it stands where the speed strip stood');

      // The keyboard: in the engine strip's header, Alt+Shift+↓ makes it taller, Alt+↑ moves it earlier.
      const engineBar = panel(page, 'Engine').locator('.panel-bar');
      const engineH = (await boxes(page)).find((b) => b.title === 'Engine').h;
      await engineBar.focus();
      await page.keyboard.press('Alt+Shift+ArrowDown');
      await waitUntil(async () => Math.abs((await boxes(page)).find((b) => b.title === 'Engine').h - (engineH + ROW + GAP)) <= 2, 'the engine strip is a row taller');
      const order = await titles(page, 'time');
      const at = order.indexOf('Engine');
      await page.keyboard.press('Alt+ArrowUp');
      await waitUntil(async () => (await titles(page, 'time')).indexOf('Engine') === at - 1, 'the engine strip moved earlier');
      assert.equal(await page.evaluate(() => document.activeElement.closest('[data-testid="panel"]')?.querySelector('.panel-title').textContent), 'Engine',
        'the keyboard stays on the panel it moved');
      // The buttons say their keys.
      assert.match(await engineBar.getByRole('button', { name: 'Make Engine taller' }).getAttribute('title'), /Alt\+Shift\+↓/);

      await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-arranged-1280.png') });
      // The link opens the same arrangement.
      const arranged = await layout(page);
      const again = await openPage(stack.browser, page.url(), { viewport: { width: 1280, height: 800 } });
      try {
        await again.page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
        assert.ok(new URL(page.url()).searchParams.has('layout'), 'the link holds the layout');
        assert.deepEqual(await layout(again.page), arranged, 'the link opens the same panels, in the same places');
        assert.deepEqual(await boxes(again.page), await boxes(page), 'and the same boxes on the screen');
        assert.deepEqual(again.errors, []);
      } finally {
        await again.close();
      }
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('at 768 px nothing overflows sideways; at 1280 × 800 the Kafka panel shows its Lag column', T, async () => {
    for (const width of [768, 1280, 1440, 2560]) {
      const { page, errors, close } = await open({ width, height: 800 });
      try {
        await waitForStats(page, 1);
        const doc = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
        assert.ok(doc.scroll <= doc.inner, `at ${width} px the page is ${doc.scroll} px wide`);
        const out = (await boxes(page)).filter((b) => b.x < 0 || b.x + b.w > width + 0.5);
        assert.deepEqual(out, [], `at ${width} px every panel is inside the window`);
        if (width === 768) await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-768.png'), fullPage: true });
        if (width === 1280) {
          const kafka = page.locator('[data-panel-kind="kafka"]');
          await kafka.scrollIntoViewIfNeeded();
          await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-kafka-1280.png') });
          const [p, lag] = await Promise.all([kafka.boundingBox(), page.getByTestId('lag-header').boundingBox()]);
          assert.ok(lag.x >= p.x && lag.x + lag.width <= p.x + p.width && lag.y >= p.y && lag.y + lag.height <= p.y + p.height,
            `the Lag header (${JSON.stringify(lag)}) is inside the Kafka panel (${JSON.stringify(p)})`);
          assert.ok(p.y >= 0 && p.y + p.height <= 800, 'scrolled to, the Kafka panel is on the screen whole');
          const seen = await page.getByTestId('lag-header').evaluate((el) => {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return el === hit || el.contains(hit);
          });
          assert.ok(seen, 'nothing covers the Lag header');
          // The strips are at least 120 px tall, and no value is cut: the strips' headers,
          // the tower's numbers, the tires.
          const heights = await page.evaluate(() => window.trackside.strips.map((s) => s.height));
          for (const h of heights) assert.ok(h >= 120, `a strip ${h} px tall`);
          const cut = await page.evaluate(() => [...document.querySelectorAll('.strip-head > *, [data-testid=car-rows] td.num, .tire-value, .panel-title')]
            .filter((e) => e.textContent !== '' && e.scrollWidth > e.clientWidth + 1).map((e) => `${e.className || e.dataset.value} ${e.textContent}`));
          assert.deepEqual(cut, [], 'no value is cut at 1280 × 800');
        }
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
  });
});
