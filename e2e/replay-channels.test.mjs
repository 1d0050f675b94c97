// A replay carries only the channels the layout draws (docs/protocol.md, "A replay of some
// channels"), and a strip added during the replay fills in: the page asks again from the
// playhead with the new channel. Against the real server and broker (see e2e/harness.mjs);
// every wait is for something the page shows or sends.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, liveRace, openPage, startStack, uniqueName, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
/** A minute of race (4 cars at 20 Hz): the simulator's records carry `g_lat` beside the v1 fields. */
const RACE = { partitions: 2, cars: 4, count: 4_800 };

describe('a replay of the channels drawn', () => {
  let stack;

  before(async () => {
    stack = await startStack({ topic: uniqueName('e2e-chan'), prepare: (topic, started) => liveRace(topic, started, RACE) });
  });

  after(async () => {
    await stack?.stop();
  });

  test('asks for the layout’s channels, and a g_lat strip added mid-replay draws its values', T, async () => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/?topic=${stack.topic}`);
    const replays = [];
    page.on('websocket', (ws) => ws.on('framesent', (f) => {
      const m = typeof f.payload === 'string' && f.payload.startsWith('{') ? JSON.parse(f.payload) : null;
      if (m?.type === 'replay') replays.push(m);
    }));
    try {
      await page.waitForFunction(() => window.trackside.range?.first_ts != null && window.trackside.timelineSpan, null, { timeout: 30_000 });
      const strips = () => page.evaluate(() => window.trackside.strips);
      assert.ok(!(await strips()).some((s) => s.channels.includes('g_lat')), 'the default layout draws no g_lat');

      // A person clicks the middle of the timeline: a replay of what the layout draws.
      const box = await page.getByTestId('timeline-canvas').boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await waitUntil(async () => replays.length === 1 && (await page.evaluate(() => window.trackside.replay?.state)) === 'running', 'the replay runs');
      assert.ok(replays[0].channels.includes('speed_kph') && replays[0].channels.includes('lap'), `${replays[0].channels}`);
      assert.ok(!replays[0].channels.includes('g_lat'), 'a channel no panel draws is not asked for');
      await waitUntil(() => page.evaluate(() => Object.values(window.trackside.lastValues).some((v) => Number.isFinite(v?.speed_kph))), 'replayed records arrive');
      const gLat = () => page.evaluate(() => Object.values(window.trackside.lastValues).map((v) => v?.channels?.g_lat));
      assert.deepEqual((await gLat()).filter((v) => v !== undefined), [], 'the replay carries no g_lat');

      // The person adds a strip of g_lat, as the channel picker does.
      await page.evaluate(() => {
        document.dispatchEvent(new CustomEvent('trackside:channel-picked', { detail: { strip: null, name: 'g_lat' } }));
      });
      await waitUntil(async () => replays.length === 2, 'the page asks again with the new channel');
      assert.ok(replays[1].channels.includes('g_lat'), `${replays[1].channels}`);
      assert.ok(Number.isFinite(replays[1].from?.timestamp), `from the playhead: ${JSON.stringify(replays[1].from)}`);
      const drawn = async () => (await strips()).find((s) => s.channels.includes('g_lat'))?.series.filter((s) => Number.isFinite(s.last)).length ?? 0;
      await waitUntil(async () => (await drawn()) > 0, 'the g_lat strip draws the replayed values');
      assert.equal(await page.evaluate(() => window.trackside.mode), 'replay');

      for (const width of [1280, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await page.getByText('g_lat').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(ARTIFACTS, `replay-channels-${width}.png`) });
      }
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
