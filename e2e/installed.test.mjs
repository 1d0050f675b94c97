// The binary as a user installs it: started from an empty directory, far from the
// repository's static/ and node_modules/, the page still loads its scripts and uPlot and
// draws the race. Run with `node --test e2e/` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { colouredPixels, openPage, startStack, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
const SOON = { timeout: 30_000 };

describe('the binary started from an empty directory', () => {
  let stack;
  let dir;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-elsewhere-'));
    stack = await startStack({ serverCwd: dir });
  });

  after(async () => {
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves a page that draws the race live', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    try {
      // uPlot is what draws the strips: without it there would be no canvas at all.
      await page.waitForFunction(() => typeof window.uPlot === 'function', null, SOON);
      await page.waitForFunction(() => window.trackside.records > 0, null, SOON);
      for (const strip of ['speed', 'rpm', 'tires']) {
        const canvas = `[data-testid="strip-${strip}"] canvas`;
        await page.waitForSelector(canvas, SOON);
        // A panel below the fold draws nothing until it is scrolled to, as a person would.
        await page.locator(`[data-testid="strip-${strip}"]`).scrollIntoViewIfNeeded();
        await waitUntil(async () => (await colouredPixels(page, canvas)) > 200, `the ${strip} strip draws lines`);
      }
      // The styles are there: the top bar is laid out as a row (style.css), not as the browser's default block.
      const display = await page.$eval('.topbar', (el) => getComputedStyle(el).display);
      assert.equal(display, 'flex', 'style.css is applied');
      await page.screenshot({ path: path.join(path.dirname(new URL(import.meta.url).pathname), 'artifacts', 'installed.png') });
      assert.deepEqual(errors, []);
      assert.deepEqual(fs.readdirSync(dir), [], 'the server wrote nothing where it was started');
    } finally {
      await close();
    }
  });
});
