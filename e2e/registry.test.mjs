// The schema registry as the Kafka panel shows it: a server given --schema-registry says
// whether the registry answers, and a record in the wire format whose schema cannot be
// fetched waits rather than being counted as malformed. Run with `node --test e2e/`.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, openPage, produceRaw, startStack, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };

describe('the schema registry in the Kafka panel', () => {
  let stack;

  before(async () => {
    // Nothing listens on port 9: a registry that does not answer.
    stack = await startStack({ serverArgs: ['--schema-registry', 'http://127.0.0.1:9/apis/ccompat/v7'] });
  });

  after(async () => {
    await stack?.stop();
  });

  test('a registry that does not answer is shown, and its record is not malformed', T, async () => {
    const { page, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&partitions=0`);
    try {
      const registry = page.getByTestId('kafka-registry');
      await page.getByTestId('kafka-registry-row').waitFor({ state: 'visible' });
      assert.equal(await registry.innerText(), 'not asked yet');
      const row = page.getByTestId(`partition-row-${stack.topic}-0`);
      const lastOffset = row.locator('[data-field="last_offset"]');
      await waitUntil(async () => /^\d[\d,]*$/.test(await lastOffset.innerText()), 'the group consumes partition 0');

      // The wire format: a zero byte, schema id 1, then a record.
      await produceRaw({ topic: stack.topic, partition: 0, key: 5, value: '\u0000\u0000\u0000\u0000\u0001\u0002x' });

      await waitUntil(async () => (await registry.innerText()).startsWith('unavailable: '), 'the panel says the registry is down');
      assert.equal(await registry.getAttribute('data-state'), 'down');
      assert.equal(await row.locator('[data-field="malformed"]').innerText(), '0', 'the record waits, it is not malformed');
      for (const width of [1280, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await page.getByTestId('kafka-registry-row').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(ARTIFACTS, `registry-down-${width}.png`) });
      }
    } finally {
      await close();
    }
  });
});
