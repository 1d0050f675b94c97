// The timing tower against the server's lap index: laps produced by hand with known times
// show as 1:30.000 and 1:31.250, in motorsport's colours (purple: the session's best lap;
// green: a car's own best; neither: slower than the car's best).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fillTopic, openPage, produceLines, startStack, uniqueName, waitUntil } from './harness.mjs';
import { handLaps } from './hand-race.mjs';

const T = { timeout: 120_000 };

describe('the timing tower', () => {
  let stack;

  before(async () => {
    stack = await startStack({
      topic: uniqueName('e2e-tower'),
      async prepare(topic) {
        await fillTopic(topic, { partitions: 1, cars: 1, count: 0 });
        // A crossing exactly on a sample, so the lap times are exact.
        await produceLines({ topic, partition: 0, key: 'A1', values: handLaps('A1', [[1, 16_000], [2, 90_000], [3, 91_250], [4, 10_000]], 0) });
        await produceLines({ topic, partition: 0, key: 'B2', values: handLaps('B2', [[1, 16_000], [2, 93_000], [3, 92_000], [4, 10_000]], 0) });
      },
    });
  });

  after(async () => {
    await stack?.stop();
  });

  test('shows A1\'s best 1:30.000 in purple and its last 1:31.250 plain; B2\'s best in green', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    const cell = (car, k) => page.getByTestId(`car-row-${car}`).locator(`td[data-value="${k}"]`);
    const shown = async (car, k) => [await cell(car, k).innerText(), await cell(car, k).getAttribute('class')];
    try {
      await waitUntil(async () => (await cell('B2', 'best').count()) === 1 && (await cell('B2', 'best').innerText()) === '1:32.000', 'B2\'s best lap is shown');
      assert.deepEqual(await shown('A1', 'best'), ['1:30.000', 'num t-purple']);
      assert.deepEqual(await shown('A1', 'last'), ['1:31.250', 'num']);
      assert.deepEqual(await shown('B2', 'best'), ['1:32.000', 'num t-green']);
      assert.deepEqual(await shown('B2', 'last'), ['1:32.000', 'num t-green']);
      assert.equal(await page.getByTestId('car-row-A1').locator('td[data-value="pos"]').innerText(), '1');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
