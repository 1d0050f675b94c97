// The workbench staying fast (issue 21, "Stays fast"): a panel not on screen draws nothing.
// A layout of two time strips with a tall Kafka panel between them, on a live race: the
// strip below the fold draws no frame however many the strip on screen draws, and draws
// the race as soon as it is scrolled into view, while the strip scrolled out stops.
// Run with `node --test e2e/workbench-speed.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { colouredPixels, openPage, startStack, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
/** Frames the strip on screen draws while the other one is watched drawing none. */
const FRAMES = 10;

const LAYOUT = {
  version: 1,
  panels: [
    { kind: 'time', channels: ['speed_kph'], grid: { w: 12, h: 4 } },
    // 24 rows (over 1000 px): whatever is under it starts below an 800 px window.
    { kind: 'kafka', grid: { w: 12, h: 24 } },
    { kind: 'time', channels: ['rpm'], grid: { w: 12, h: 4 } },
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

  /** Each strip's frames drawn (the hook's counter) and whether its panel is in the window. */
  const strips = (page) => page.evaluate(() => {
    const panels = window.trackside.workbench.panels().filter((p) => p.kind === 'time');
    return window.trackside.strips.map((s, i) => {
      const r = panels[i].el.getBoundingClientRect();
      return { channels: s.channels, frames: s.frames, inView: r.bottom > 0 && r.top < innerHeight };
    });
  });
  const plot = (n) => `[data-panel-kind="time"] >> nth=${n} >> .strip-plot canvas`;

  test('a strip below the fold draws nothing until it is scrolled into view, and the one scrolled out stops', T, async () => {
    const param = Buffer.from(JSON.stringify(LAYOUT)).toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&layout=${param}`, { viewport: { width: 1280, height: 800 } });
    try {
      await page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
      let [speed, rpm] = await strips(page);
      assert.deepEqual([speed.channels, rpm.channels], [['speed_kph'], ['rpm']]);
      assert.deepEqual([speed.inView, rpm.inView], [true, false], 'the rpm strip starts below the window');

      // The race goes on: the speed strip draws it, the rpm strip not once.
      await waitUntil(async () => (await strips(page))[0].frames >= speed.frames + FRAMES, `the speed strip draws ${FRAMES} frames`);
      [speed, rpm] = await strips(page);
      assert.equal(rpm.frames, 0, 'the rpm strip, never on screen, drew no frame');
      assert.ok(await colouredPixels(page, plot(0)) > 0, 'the speed strip shows the cars');
      assert.equal(await colouredPixels(page, plot(1)), 0, 'the rpm strip has no line drawn');

      // Scrolled into view, it draws the race at once; the speed strip, now above the window, stops.
      await page.locator('[data-panel-kind="time"]').nth(1).scrollIntoViewIfNeeded();
      await waitUntil(async () => (await strips(page))[1].frames > 0, 'the rpm strip draws once on screen');
      await waitUntil(async () => await colouredPixels(page, plot(1)) > 0, 'the rpm strip shows the cars');
      [speed, rpm] = await strips(page);
      assert.deepEqual([speed.inView, rpm.inView], [false, true], 'the speed strip is scrolled out');
      await waitUntil(async () => (await strips(page))[1].frames >= rpm.frames + FRAMES, `the rpm strip draws ${FRAMES} frames`);
      assert.equal((await strips(page))[0].frames, speed.frames, 'the speed strip, scrolled out, drew no frame');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
