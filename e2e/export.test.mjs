// Exports from the page: a lap exported from the timing tower (right-click on its time,
// then a format) downloads as a file whose rows are that lap's records, with the progress
// line saying how many were saved; the A–B range from the cursors' readout, as JSON lines.
// kcat gives the hand-made records its own clock as their Kafka timestamps, by which a
// time span is exported: the A–B range here spans the minutes they were produced in.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, fillTopic, openPage, produceLines, startStack, uniqueName, waitUntil } from './harness.mjs';
import { handLaps } from './hand-race.mjs';

const T = { timeout: 120_000 };
const A1 = [[1, 16_000], [2, 90_000], [3, 91_250], [4, 10_000]];
const B2 = [[1, 16_000], [2, 93_000], [3, 92_000], [4, 10_000]];

describe('exports', () => {
  let stack;

  before(async () => {
    stack = await startStack({
      topic: uniqueName('e2e-export'),
      async prepare(topic) {
        await fillTopic(topic, { partitions: 1, cars: 1, count: 0 });
        await produceLines({ topic, partition: 0, key: 'A1', values: handLaps('A1', A1, 0) });
        await produceLines({ topic, partition: 0, key: 'B2', values: handLaps('B2', B2, 0) });
      },
    });
  });

  after(async () => {
    await stack?.stop();
  });

  test('a lap exported from the tower downloads as a CSV of that lap\'s records', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`, { acceptDownloads: true });
    const best = page.getByTestId('car-row-A1').locator('td[data-value="best"]');
    try {
      await waitUntil(async () => (await best.count()) === 1 && (await best.innerText()) === '1:30.000', 'A1\'s best lap is shown');
      await best.click({ button: 'right' });
      const menu = page.getByTestId('export-menu');
      await menu.waitFor({ state: 'visible' });
      assert.equal(await menu.locator('.export-title').innerText(), `Export lap 2 of car A1 of ${stack.topic} as`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'export-menu-1440.png') });
      const downloading = page.waitForEvent('download');
      await menu.getByRole('menuitem', { name: 'CSV' }).click();
      const download = await downloading;
      assert.match(download.suggestedFilename(), new RegExp(`^${stack.topic}-A1-\\d+-\\d+\\.csv$`));
      const text = await readFile(await download.path(), 'utf8');
      const [head, ...lines] = text.trim().split('\n');
      const columns = head.split(',');
      assert.deepEqual(columns.slice(0, 7), ['ts [ms]', 'car', 'driver', 'lap', 'topic', 'partition', 'offset']);
      assert.ok(columns.includes('brake_temp_c.fl [°C]'), head);
      const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
      assert.ok(rows.every((r) => r.car === 'A1' && r.topic === stack.topic), 'only A1\'s records');
      const lap2 = rows.filter((r) => r.lap === '2');
      // 90 s at 10 Hz, and the sample either side of the lap.
      assert.equal(lap2.length, 900);
      assert.deepEqual([rows[0].lap, rows.at(-1).lap], ['1', '3']);
      assert.ok(lap2.every((r) => r['brake_temp_c.fl [°C]'] === '302'), 'lap 2\'s own brake temperature');
      const ts = rows.map((r) => Number(r['ts [ms]']));
      assert.ok(ts.every((t, i) => i === 0 || t > ts[i - 1]), 'in time order');
      await waitUntil(async () => /^Saved .*\(902 records\)$/.test(await page.getByTestId('export-progress').locator('.export-text').innerText()), 'the progress line says it was saved');
      await page.screenshot({ path: path.join(ARTIFACTS, 'export-saved-1440.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      await best.click({ button: 'right' });
      await menu.waitFor({ state: 'visible' });
      await page.screenshot({ path: path.join(ARTIFACTS, 'export-menu-1280.png') });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('the A–B range exports from the cursors\' readout as JSON lines', T, async () => {
    const [a, b] = [Date.now() - 10 * 60_000, Date.now()];
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&a=${a}&b=${b}`, { acceptDownloads: true });
    try {
      const button = page.getByTestId('cursors-export');
      await button.waitFor({ state: 'visible' });
      await page.screenshot({ path: path.join(ARTIFACTS, 'export-cursors-1440.png') });
      await button.click();
      const menu = page.getByTestId('export-menu');
      assert.equal(await menu.locator('.export-title').innerText(), `Export A–B of ${stack.topic} as`);
      const downloading = page.waitForEvent('download');
      await menu.getByRole('menuitem', { name: 'JSONL' }).click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), `${stack.topic}-all-${a}-${b}.jsonl`);
      const records = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      const count = (car) => records.filter((r) => r.car === car).length;
      assert.deepEqual([count('A1'), count('B2')], [handLaps('A1', A1, 0).length, handLaps('B2', B2, 0).length]);
      assert.ok(records.every((r, i) => r.topic === stack.topic && r.partition === 0 && (i === 0 || r.offset > records[i - 1].offset)));
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
