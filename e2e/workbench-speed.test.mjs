// The workbench staying fast (issue 21, "Stays fast"): a panel not on screen draws nothing.
// On a live race, a layout with a tall Kafka panel between a speed strip at the top and the
// track map below the fold: while the map is below the window it draws no frame and shows no
// car, however many frames the strip draws; scrolled to, it draws the cars; scrolled away
// again, it stops drawing.
// Run with `node --test e2e/workbench-speed.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { colouredPixels, openPage, startStack, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
/** Frames of the race the strips draw while a panel out of sight is watched drawing none. */
const FRAMES = 10;

const LAYOUT = {
  version: 1,
  panels: [
    { kind: 'time', channels: ['speed_kph'], grid: { w: 12, h: 4 } },
    // 24 rows (over 1000 px): what is under it starts below an 800 px window.
    { kind: 'kafka', grid: { w: 12, h: 24 } },
    { kind: 'map', grid: { w: 12, h: 6 } },
  ],
};

describe('panels not on screen', () => {
  let stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  /** Whether each panel is in the window, the strips' frames and the map's. */
  const state = (page) => page.evaluate(() => {
    const inView = (el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight;
    };
    return {
      inView: window.trackside.workbench.panels().map((p) => `${p.kind}:${inView(p.el)}`),
      frames: window.trackside.frames,
      map: window.trackside.map.frames,
    };
  });
  const STRIP = '[data-panel-kind="time"] .strip-plot canvas';
  const MAP = '[data-panel-kind="map"] canvas';

  test('the map below the fold draws nothing until scrolled to, and stops when scrolled away', T, async () => {
    const param = Buffer.from(JSON.stringify(LAYOUT)).toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&layout=${param}`, { viewport: { width: 1280, height: 800 } });
    try {
      await page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
      let s = await state(page);
      assert.deepEqual(s.inView, ['time:true', 'kafka:true', 'map:false'], 'the map starts below the window');

      // The race goes on: the strip draws it; the map, below the window, no frame and no car.
      await waitUntil(async () => (await state(page)).frames >= s.frames + FRAMES, `the strip draws ${FRAMES} frames`);
      await waitUntil(async () => await colouredPixels(page, STRIP) > 0, 'the strip shows the cars');
      const hidden = await state(page);
      assert.equal(hidden.map, s.map, 'the map, below the window, drew no frame');
      assert.equal(await colouredPixels(page, MAP), 0, 'the map, below the window, shows no car');

      // Scrolled to, it draws the cars.
      await page.locator('[data-panel-kind="map"]').scrollIntoViewIfNeeded();
      await waitUntil(async () => (await state(page)).map > hidden.map, 'the map draws once on screen');
      await waitUntil(async () => await colouredPixels(page, MAP) > 0, 'the map shows the cars once on screen');
      s = await state(page);
      assert.deepEqual(s.inView, ['time:false', 'kafka:true', 'map:true'], 'the strip is scrolled out');
      await waitUntil(async () => (await state(page)).map >= s.map + FRAMES, `the map draws ${FRAMES} frames`);

      // Scrolled away again, the map stops drawing while the strip goes on.
      await page.evaluate(() => scrollTo(0, 0));
      await waitUntil(async () => (await state(page)).inView.at(-1) === 'map:false', 'the map is scrolled out');
      // A frame may be under way as the window scrolls: the count is taken once the strip drew two more.
      const f = (await state(page)).frames;
      await waitUntil(async () => (await state(page)).frames >= f + 2, 'the strip draws on');
      s = await state(page);
      await waitUntil(async () => (await state(page)).frames >= s.frames + FRAMES, `the strip draws ${FRAMES} frames`);
      assert.equal((await state(page)).map, s.map, 'the map, scrolled out, drew no frame');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
