// The strips as a person arranges them, against the real server and broker: a link with
// strips in it opens those strips (an extra channel such as `brake_temp_c.fl` included), they
// draw the values produced, and removing, moving and adding strips work from the page: each
// strip is a time panel of the workbench, removed and moved by its panel's tools.
// Run with `node --test e2e/strips.test.mjs` (see e2e/harness.mjs for the environment).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, liveRace, openPage, produceLines, startStack, waitForStats, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };
const PROBE = 'probe';
/** The probe car's records, produced with exact values: what its strips must end on. */
const PROBE_RECORDS = 40;
const probeRecord = (i, ts) => JSON.stringify({
  car: PROBE, ts, speed_kph: 100 + i * 1.5, rpm: 9000 + i, gear: 3 + (i % 4), throttle: 0.5, brake: 0.25,
  tire_temp_c: { fl: 90, fr: 91, rl: 92, rr: 93 },
  brake_temp_c: { fl: 500 + i + 0.25, fr: 600 + i + 0.5, rl: 450, rr: 451 },
  g_lat: -1.5 + i / 100,
});
const LAST = PROBE_RECORDS - 1;

/** The strips of the link: speed of every car, the probe's brake temperatures, its gear, every car's front-left brake. */
const LINK_STRIPS = ['all:speed_kph', 'car:brake_temp_c.fl,brake_temp_c.fr', 'car:gear', 'all:brake_temp_c.fl'];
/**
 * The strips a page's link keeps, as `strip=` says them: from its `layout=` (the document in
 * base64url, docs/layouts.md: its time panels, every car unless `cars` says otherwise), or
 * from `strip=` in a link made before layouts.
 */
const linkStrips = (url) => {
  const q = new URL(url).searchParams;
  if (!q.has('layout')) return q.getAll('strip');
  const doc = JSON.parse(Buffer.from(q.get('layout'), 'base64url').toString('utf8'));
  return doc.panels.filter((p) => p.kind === 'time').map((p) => `${p.cars === 'focus' ? 'car' : 'all'}:${p.channels.join(',')}`);
};
const query = (topic, strips, extra = '') => `?topic=${encodeURIComponent(topic)}${extra}${strips.map((s) => `&strip=${encodeURIComponent(s)}`).join('')}`;

describe('the strips of a link', () => {
  let stack;

  before(async () => {
    stack = await startStack({
      // The simulator's race, live, and a car of our own whose values are known exactly.
      prepare: async (topic, started) => {
        await liveRace(topic, started);
        const now = Date.now();
        const values = Array.from({ length: PROBE_RECORDS }, (_, i) => probeRecord(i, now - (PROBE_RECORDS - i) * 50));
        await produceLines({ topic, partition: 0, key: PROBE, values });
      },
    });
  });

  after(async () => {
    await stack?.stop();
  });

  const strips = (page) => page.evaluate(() => window.trackside.strips);
  /** "+ Panel", then a time strip: what a person does for a new strip. */
  const addTimeStrip = async (page) => {
    await page.getByTestId('add-panel').click();
    await page.getByTestId('add-panel-time').click();
  };

  for (const wire of ['json', 'columnar']) {
    test(`open those strips and draw the values produced (${wire}); remove, move and add work`, T, (t) => linkOpens(t, wire));
  }

  async function linkOpens(t, wire) {
    const url = `${stack.url}/${query(stack.topic, LINK_STRIPS, `&car=${PROBE}${wire === 'json' ? '&wire=json' : ''}`)}`;
    const { page, errors, close } = await openPage(stack.browser, url);
    try {
      // The probe's records are history: they arrive together, before anything is drawn of it.
      await page.waitForFunction((car) => window.trackside.lastValues[car], PROBE, { timeout: 30_000 });
      if (wire === 'columnar' && !(await page.evaluate((car) => window.trackside.lastValues[car].channels, PROBE))) {
        t.skip('this server sends no columnar channels section yet (docs/protocol.md, "The channels section")');
        return;
      }
      const shown = await strips(page);
      assert.deepEqual(shown.map((s) => `${s.cars === 'all' ? 'all' : 'car'}:${s.channels.join(',')}`), LINK_STRIPS, 'the link’s strips, in its order');
      assert.deepEqual(shown.map((s) => s.unit), ['km/h', '°C', 'gear', '°C'], 'each with its unit');
      assert.equal(shown[0].key, 'speed', 'the speed strip keeps its test id');

      // The probe's lines end on the last values produced, exactly.
      const ofProbe = (s, channel) => s.series.find((x) => x.car === PROBE && x.channel === channel)?.last;
      await waitUntil(async () => ofProbe((await strips(page))[1], 'brake_temp_c.fr') != null, 'the brake strip draws the probe');
      const drawn = await strips(page);
      assert.equal(ofProbe(drawn[0], 'speed_kph'), 100 + LAST * 1.5);
      assert.equal(ofProbe(drawn[1], 'brake_temp_c.fl'), 500 + LAST + 0.25);
      assert.equal(ofProbe(drawn[1], 'brake_temp_c.fr'), 600 + LAST + 0.5);
      assert.equal(ofProbe(drawn[2], 'gear'), 3 + (LAST % 4));
      assert.equal(drawn[1].series.length, 2, 'a focused-car strip draws the focused car only');

      // The simulator's cars send brake temperatures too: each line ends where its car's rings do.
      await waitUntil(async () => (await strips(page))[3].series.filter((s) => s.last != null).length >= 3, 'the simulator’s brake temperatures are drawn');
      const check = await page.evaluate(() => {
        const latest = window.trackside.lastValues;
        return window.trackside.strips[3].series.map((s) => ({ car: s.car, last: s.last, brake: latest[s.car]?.channels?.['brake_temp_c.fl'] }));
      });
      for (const c of check.filter((x) => x.car !== PROBE && x.last != null)) {
        assert.ok(c.last > 0 && Number.isFinite(c.brake), `car ${c.car} draws a brake temperature (${c.last})`);
      }

      // Remove the gear strip with its panel's button: the strip goes, and the link says so.
      await page.getByRole('button', { name: 'Remove the Gear panel' }).click();
      await waitUntil(async () => (await strips(page)).length === 3, 'the gear strip is gone');
      assert.deepEqual(linkStrips(page.url()), ['all:speed_kph', 'car:brake_temp_c.fl,brake_temp_c.fr', 'all:brake_temp_c.fl'], 'the URL forgets it');

      // Move the brake strip up from the keyboard: Tab to its panel's button, Enter.
      const up = page.getByRole('button', { name: 'Move brake_temp_c.fl · brake_temp_c.fr earlier' });
      await up.focus();
      await page.keyboard.press('Enter');
      await waitUntil(async () => (await strips(page))[0].channels[0] === 'brake_temp_c.fl', 'the brake strip is first');
      assert.deepEqual(linkStrips(page.url()), ['car:brake_temp_c.fl,brake_temp_c.fr', 'all:speed_kph', 'all:brake_temp_c.fl']);

      // "+ Panel", "Time strip" and "+" ask the channel picker; its answer adds the strip or the channel.
      const asked = page.evaluate(() => new Promise((resolve) => {
        const seen = [];
        document.addEventListener('trackside:pick-channel', (e) => {
          seen.push(e.detail.strip);
          if (seen.length === 2) resolve(seen);
        });
      }));
      // Where the channel picker is on the page it opens on each: closed with Escape, unpicked.
      const closePicker = async () => {
        const picker = page.getByTestId('channel-picker');
        if ((await picker.count()) > 0) {
          await picker.waitFor({ state: 'visible', timeout: 10_000 });
          await page.keyboard.press('Escape');
          await picker.waitFor({ state: 'hidden', timeout: 10_000 });
        }
      };
      await addTimeStrip(page);
      await closePicker();
      await page.getByRole('button', { name: 'Add a channel to Speed' }).click();
      await closePicker();
      assert.deepEqual(await asked, [null, 1]);
      await page.evaluate(() => {
        document.dispatchEvent(new CustomEvent('trackside:channel-picked', { detail: { strip: null, name: 'g_lat' } }));
        document.dispatchEvent(new CustomEvent('trackside:channel-picked', { detail: { strip: 1, name: 'rpm' } }));
      });
      await waitUntil(async () => (await strips(page)).length === 4, 'the picked channel has a strip');
      const after = await strips(page);
      assert.deepEqual(after[1].channels, ['speed_kph', 'rpm']);
      assert.deepEqual(after[3].channels, ['g_lat']);
      await waitUntil(async () => ofProbe((await strips(page))[3], 'g_lat') === -1.5 + LAST / 100, 'the new strip draws the probe’s g_lat');

      // The link now opens the same strips.
      const link = page.url();
      const again = await openPage(stack.browser, link);
      try {
        await again.page.waitForFunction(() => window.trackside.records > 0, null, { timeout: 30_000 });
        const same = await strips(again.page);
        assert.deepEqual(same.map((s) => [s.cars, s.channels]), after.map((s) => [s.cars, s.channels]));
        assert.deepEqual(again.errors, []);
      } finally {
        await again.close();
      }
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  }

  test('a channel found in the picker gets a strip of its own, which draws the values produced', T, async (t) => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/${query(stack.topic, [], `&car=${PROBE}&wire=json`)}`);
    try {
      await page.waitForFunction((car) => window.trackside.lastValues[car], PROBE, { timeout: 30_000 });
      const dialog = page.getByTestId('channel-picker');
      if ((await dialog.count()) === 0) {
        t.skip('this page has no channel picker yet (chrome/channel-picker.js)');
        return;
      }
      const before = (await strips(page)).length;
      await addTimeStrip(page);
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type('brake fl');
      await waitUntil(async () => (await page.locator('[data-testid="channel-list"] [role=option]').count()) === 1, 'one channel matches');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      await waitUntil(async () => (await strips(page)).length === before + 1, 'the picked channel has a strip');
      const added = (await strips(page)).at(-1);
      assert.deepEqual([added.channels, added.cars, added.unit], [['brake_temp_c.fl'], 'all', '°C']);
      await waitUntil(async () => (await strips(page)).at(-1).series.find((x) => x.car === PROBE)?.last === 500 + LAST + 0.25,
        'the new strip ends on the probe’s last brake temperature');
      assert.ok(linkStrips(page.url()).includes('all:brake_temp_c.fl'), 'the link keeps it');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('zoomed out, a strip of any channel draws the overview’s bands of it', T, async (t) => {
    const { page, errors, close } = await openPage(stack.browser, `${stack.url}/${query(stack.topic, ['all:speed_kph', 'car:brake_temp_c.fl'], `&car=${PROBE}`)}`);
    try {
      await page.waitForFunction((car) => window.trackside.lastValues[car], PROBE, { timeout: 30_000 });
      // Once the timeline knows what Kafka holds (the probe's records included), zoom out to it.
      const probeTs = await page.evaluate((car) => window.trackside.lastValues[car].ts, PROBE);
      await page.waitForFunction((ts) => window.trackside.timelineSpan?.from <= ts - 1000, probeTs, { timeout: 30_000 });
      await page.locator('[data-zoom="0"]').click();
      await page.waitForFunction(() => window.trackside.overviews.chart?.state === 'done', null, { timeout: 60_000 });
      const ov = await page.evaluate(() => window.trackside.overviews.chart);
      assert.deepEqual(ov.request.channels, ['speed_kph', 'brake_temp_c.fl'], 'the overview is asked for the strips’ channels');
      const probe = ov.message.cars.find((c) => c.car === PROBE);
      if (!probe?.channels?.['brake_temp_c.fl']) {
        t.skip('this server’s overview summarises the v1 channels only (`channels` in an overview request)');
        return;
      }
      const lastMax = probe.channels['brake_temp_c.fl'].max.findLast((v) => v !== null);
      assert.equal(lastMax, 500 + LAST + 0.25, 'the overview holds the probe’s last brake temperature');
      await waitUntil(async () => (await strips(page))[1].series[0]?.last === lastMax, 'the brake strip’s band ends on it');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('the default strips and one more stay readable at 1280 and 1440 wide', T, async () => {
    const six = ['all:speed_kph', 'car:throttle,brake', 'car:gear', 'all:rpm',
      'car:tire_temp_c.fl,tire_temp_c.fr,tire_temp_c.rl,tire_temp_c.rr', 'car:brake_temp_c.fl,brake_temp_c.fr,brake_temp_c.rl,brake_temp_c.rr'];
    for (const [width, height] of [[1280, 800], [1440, 900]]) {
      const { page, errors, close } = await openPage(stack.browser, `${stack.url}/${query(stack.topic, six, '&wire=json')}`, { viewport: { width, height } });
      try {
        await waitUntil(async () => (await strips(page)).every((s) => s.series.some((x) => x.last != null)), 'every strip draws');
        // The Kafka panel below the strips takes its full height once stats fill its table:
        // measure the strips after that, not in the moment before it.
        await waitForStats(page, 2);
        await page.screenshot({ path: path.join(ARTIFACTS, `strips-six-${width}.png`) });
        const shown = await strips(page);
        assert.equal(shown.length, 6);
        assert.deepEqual(shown.map((s) => s.label), ['Speed', 'Throttle · Brake', 'Gear', 'Engine', 'Tire temperatures', 'brake_temp_c (4 corners)']);
        const heights = shown.map((s) => Math.round(s.height));
        process.stderr.write(`  strips at ${width}×${height}: ${heights.join(', ')} px tall\n`);
        // Each strip is a panel of its own size (docs/layouts.md): at least 120 px tall, and
        // the page scrolls down to the ones below the screen, never sideways.
        for (const h of heights) assert.ok(h >= 120, `each strip at least 120 px tall at ${width}×${height} (${heights})`);
        const doc = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: innerWidth }));
        assert.ok(doc.scroll <= doc.client, `the page does not scroll sideways (${doc.scroll} > ${doc.client})`);
        // Every strip's header fits: its label, unit, readout and tools are not cut.
        const cut = await page.$$eval('.strip-head', (heads) => heads
          .filter((h) => h.scrollWidth > h.clientWidth + 1 || [...h.children].some((c) => c.scrollWidth > c.clientWidth + 1))
          .map((h) => h.querySelector('.strip-name').textContent));
        assert.deepEqual(cut, [], `no strip header is cut at ${width}×${height}`);
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
  });
});
