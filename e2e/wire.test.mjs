// How records reach the page: binary columnar frames (trackside.columnar.v1) unless a link
// asks for JSON (`?wire=json`); either way the legend and the rings hold exactly the values
// produced, live and replayed. Records are written by hand with kcat, as an outside
// producer would. Run with `node --test e2e/` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  BROKERS, assertText, fillTopic, openPage, produceLines, startStack, uniqueName, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };

/** Three records of `car`, 100 ms apart and just written, with a value in every field. */
function records(car, driver) {
  const now = Date.now();
  return [0, 1, 2].map((k) => ({
    car, ts: now - 300 + 100 * k, speed_kph: 234 + k, rpm: 10_987 + k,
    tire_temp_c: { fl: 91.25, fr: 92.5, rl: 88.75 + k, rr: 89.125 },
    lap: 7, gear: 6 - k, throttle: 0.83, brake: 0.125 * k, driver, x: 12.5 * k, y: -7.25, lap_distance_m: 1234.5 + k,
  }));
}

describe('the data format', () => {
  let stack;

  before(async () => {
    stack = await startStack({
      topic: uniqueName('e2e-wire'),
      prepare: (topic) => fillTopic(topic, { partitions: 1, cars: 1, count: 0 }),
    });
  });

  after(async () => {
    await stack?.stop();
  });

  /** The offset of the last record of partition 0, from the broker itself (kcat -Q: the latest offset). */
  function lastOffset() {
    const out = execFileSync('kcat', ['-Q', '-b', BROKERS, '-t', `${stack.topic}:0:-1`]).toString();
    const m = out.match(/\[0\] offset (\d+)/);
    assert.ok(m, `kcat -Q answered ${out}`);
    return Number(m[1]) - 1;
  }

  /**
   * Produces `car`'s records once the page is subscribed, then checks what a person sees of
   * them (the legend row) and what the rings hold (every field of the newest record), live,
   * then replayed from the earliest offset.
   */
  async function chartsExactly(page, car, driver) {
    await waitUntil(async () => /^No records on/.test(await page.getByTestId('charts-empty-text').innerText())
      || !(await page.getByTestId('charts-empty').isVisible()), 'the page is subscribed');
    const produced = records(car, driver);
    await produceLines({ topic: stack.topic, partition: 0, key: car, values: produced.map((r) => JSON.stringify(r)) });
    const offset = lastOffset();
    const last = produced.at(-1);
    const expected = {
      ts: last.ts, speed_kph: last.speed_kph, rpm: last.rpm, tire_temp_c: last.tire_temp_c, gear: last.gear,
      throttle: last.throttle, brake: last.brake, lap: last.lap, lap_distance_m: last.lap_distance_m, x: last.x, y: last.y,
      driver, topic: stack.topic, partition: 0, offset,
    };

    const row = page.getByTestId(`car-row-${car}`);
    const cell = (k) => row.locator(`td[data-value="${k}"]`);
    const shown = async () => {
      await waitUntil(async () => (await row.count()) === 1 && (await cell('rpm').innerText()) === '10,989', `${car}'s row shows 10,989 rpm`);
      assert.equal(await cell('speed').innerText(), '236');
      assert.equal(await cell('lap').innerText(), '7');
      assert.equal(await row.locator('.car-driver').innerText(), driver);
      assert.deepEqual(await page.evaluate((c) => window.trackside.lastValues[c], car), expected);
    };
    await shown();

    // The same records replayed, as fast as Kafka serves: the same values.
    await page.locator('[data-testid="speed-picker"] [data-speed="max"]').click();
    await page.getByTestId('replay-earliest').click();
    await waitUntil(async () => (await page.getByTestId('mode-badge').getAttribute('data-mode')) === 'caught-up', 'the replay catches up');
    assert.equal(await page.evaluate(() => window.trackside.mode), 'replay');
    await shown();
  }

  test('the page asks for columnar frames, says so, and charts the exact values produced', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    try {
      await waitUntil(async () => (await page.evaluate(() => window.trackside.dataFormat)) === 'columnar', 'the server takes the columnar subprotocol');
      await assertText(page.getByTestId('data-format'), 'columnar');
      assert.match(await page.getByTestId('connection-status').getAttribute('title'), /data: columnar/);
      await chartsExactly(page, 'W1', 'Wire Columnar');
      assert.equal(await page.evaluate(() => window.trackside.badFrames), 0, 'every binary frame was read');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('a link with ?wire=json gets JSON, keeps asking for it, and charts the same values', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}&wire=json`);
    try {
      await waitUntil(async () => (await page.evaluate(() => window.trackside.dataFormat)) === 'json', 'the page connects with JSON');
      await assertText(page.getByTestId('data-format'), 'JSON');
      assert.match(await page.getByTestId('connection-status').getAttribute('title'), /data: JSON/);
      await chartsExactly(page, 'J1', 'Wire Json');
      assert.equal(new URL(page.url()).searchParams.get('wire'), 'json', 'the link the page writes keeps the choice');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
