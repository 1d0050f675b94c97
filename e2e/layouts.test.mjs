// Layouts as a person keeps and shares them (docs/layouts.md, docs/using.md "Layouts"): saved
// in the browser, exported to a file and imported again, sent as a link; a file that does not
// read is refused with its reason. Panels are found as a user sees them, by `data-panel-kind`.
// Run with `node --test e2e/layouts.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openPage, startStack, waitUntil } from './harness.mjs';
import { parseLayout, toParam } from '../static/workbench/layout.js';

const T = { timeout: 120_000 };

/** A layout of kinds every page has, in an order no built-in has. */
const MINE = parseLayout({
  version: 1,
  name: 'Écurie 東京',
  panels: [
    { kind: 'tower', grid: { w: 7, h: 8 } },
    { kind: 'time', channels: ['gear'], cars: 'focus', title: 'Gänge' },
    { kind: 'tires' },
    { kind: 'time', channels: ['speed_kph', 'rpm'] },
    { kind: 'kafka' },
  ],
}).layout;
const MINE_KINDS = MINE.panels.map((p) => p.kind);
const KAFKA_KINDS = ['kafka', 'timeline', 'time'];
const DEFAULT_KINDS = ['time', 'time', 'time', 'time', 'time', 'tower', 'map', 'tires', 'delta', 'kafka'];

/** The kinds of the panels on the page, in the order they stand in the grid. */
const shownKinds = (page) => page.$$eval('[data-panel-kind]', (els) => els.map((el) => el.dataset.panelKind));

async function waitForKinds(page, kinds, what) {
  let last;
  await waitUntil(async () => {
    last = await shownKinds(page);
    return JSON.stringify(last) === JSON.stringify(kinds);
  }, `${what}: the panels are ${kinds.join(', ')} (last seen: ${last?.join(', ')})`);
}

const menu = (page) => ({
  async open() {
    if ((await page.getByTestId('layouts-menu').isHidden())) await page.getByTestId('layouts-button').click();
  },
  async choose(name) {
    await this.open();
    await page.getByTestId('layouts-list').getByRole('button', { name, exact: true }).click();
  },
});

describe('layouts kept and shared', () => {
  let stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  test('a layout saved, exported and imported opens the same panels', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&layout=${toParam(MINE)}`);
    try {
      await waitForKinds(page, MINE_KINDS, 'the link opens its layout');
      const m = menu(page);

      // Saved under a name: listed, and opened again after another layout.
      await m.open();
      await page.getByTestId('layouts-name').fill('Mine ü');
      await page.getByRole('button', { name: 'Save as…' }).click();
      await assertStatus(page, 'Saved as “Mine ü”.');
      await m.choose('Kafka');
      await waitForKinds(page, KAFKA_KINDS, 'the built-in Kafka');
      await m.choose('Mine ü');
      await waitForKinds(page, MINE_KINDS, 'the saved layout');
      assert.equal(await page.getByTestId('layouts-current').innerText(), 'Mine ü');

      // From the keyboard: the menu opens on its first layout, Escape closes it back on its button.
      await page.getByTestId('layouts-button').focus();
      await page.keyboard.press('Enter');
      await waitUntil(() => page.evaluate(() => document.activeElement?.textContent === 'Race engineer'), 'the first layout has the focus');
      await page.keyboard.press('Escape');
      assert.ok(await page.getByTestId('layouts-menu').isHidden());
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'layouts-button');

      // Exported: a file named after it, holding the document.
      await m.open();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('layouts-export').click()]);
      assert.equal(download.suggestedFilename(), 'Mine ü.trackside-layout.json');
      const file = await download.path();
      const text = fs.readFileSync(file, 'utf8');
      assert.deepEqual(parseLayout(text).layout.panels, MINE.panels, 'the file is the layout, as docs/layouts.md writes it');

      // Imported into a page showing something else: the same panels again.
      await m.choose('Kafka');
      await waitForKinds(page, KAFKA_KINDS, 'the built-in Kafka');
      await m.open();
      await page.getByTestId('layouts-import-file').setInputFiles(file);
      await waitForKinds(page, MINE_KINDS, 'the imported file');

      // Deleted: no longer listed, nor kept in the browser.
      await m.open();
      await page.getByRole('button', { name: 'Delete Mine ü' }).click();
      await assertStatus(page, 'Deleted “Mine ü”.');
      assert.equal(await page.getByTestId('layouts-list').getByRole('button', { name: 'Mine ü', exact: true }).count(), 0);
      assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('trackside.layouts')).layouts), []);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a link copied opens the same panels in a new page', T, async () => {
    const first = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    let second;
    try {
      const m = menu(first.page);
      await m.choose('Kafka');
      await waitForKinds(first.page, KAFKA_KINDS, 'the built-in Kafka');
      await m.open();
      await first.page.getByTestId('layouts-copy-link').click();
      const link = first.page.getByTestId('layouts-link');
      await link.waitFor({ state: 'visible' });
      const href = await link.inputValue();
      assert.match(href, /[?&]layout=[A-Za-z0-9_-]+/, `the link carries the layout (${href})`);
      assert.doesNotMatch(href, /[?&](strip|axis)=/, 'and no strips of the page before layouts');

      second = await openPage(stack.browser, href);
      await waitForKinds(second.page, KAFKA_KINDS, 'the link in a new page');
      assert.equal(await second.page.getByTestId('layouts-current').innerText(), 'Kafka');
      assert.deepEqual([...first.errors, ...second.errors], []);
    } finally {
      await second?.close();
      await first.close();
    }
  });

  test('a file that does not read is refused with its reason, and the page keeps its panels', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&layout=${toParam(MINE)}`);
    try {
      await waitForKinds(page, MINE_KINDS, 'the link opens its layout');
      await menu(page).open();
      await page.getByTestId('layouts-import-file').setInputFiles({
        name: 'pie.trackside-layout.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"version": 1, "panels": [{"kind": "map"}, {"kind": "pie"}]}'),
      });
      const alert = page.getByRole('alert').filter({ hasText: 'pie.trackside-layout.json' });
      await alert.waitFor({ state: 'visible' });
      assert.equal(await alert.innerText(),
        'pie.trackside-layout.json does not read: panel 2: unknown kind "pie" (time, distance, delta, xy, histogram, map, tower, tires, kafka, timeline, cursors)');
      assert.deepEqual(await shownKinds(page), MINE_KINDS);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
  test('a link whose layout does not read opens the default layout and says why; an older link its strips', T, async () => {
    const bad = Buffer.from('{"version": 2, "panels": [{"kind": "map"}]}').toString('base64url');
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&layout=${bad}`);
    let old;
    try {
      await waitForKinds(page, DEFAULT_KINDS, 'the default layout');
      const toast = page.getByTestId('toast').filter({ hasText: 'layout version 2 is newer than this page reads (1)' });
      await toast.waitFor({ state: 'visible' });

      old = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&axis=distance&strip=car:gear&strip=all:speed_kph,rpm`);
      await waitForKinds(old.page, ['distance', 'distance', 'tower', 'map', 'tires', 'delta', 'kafka'], 'the strips of an older link, by distance');
      await waitUntil(async () => new URL(old.page.url()).searchParams.has('layout'), 'the page links its layout');
      const q = new URL(old.page.url()).searchParams;
      assert.deepEqual([q.getAll('strip'), q.get('axis')], [[], null], 'and no longer the strips of the page before layouts');
      assert.deepEqual([...errors, ...old.errors], []);
    } finally {
      await old?.close();
      await close();
    }
  });
});

async function assertStatus(page, text) {
  const status = page.getByTestId('layouts-status');
  await waitUntil(async () => (await status.innerText()) === text, `the menu says “${text}”`);
}
