// A car from `trackside bridge` on the dashboard: OutGauge datagrams (Live for Speed,
// BeamNG) in on UDP, a car without tire data on the page. Run with `node --test e2e/`.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ARTIFACTS, BIN, BROKERS, assertText, colouredPixels, launchBrowser, openPage, startServer, stop, uniqueName, waitUntil,
} from './harness.mjs';

const T = { timeout: 120_000 };
const SOON = { timeout: 30_000 };

/** An OutGauge datagram (92 bytes): third gear, `speed` m/s, 6000 rpm, no tires anywhere. */
function outgauge(speed) {
  const d = Buffer.alloc(92);
  d.writeUInt8(4, 10);
  d.writeFloatLE(speed, 12);
  d.writeFloatLE(6000, 16);
  d.writeFloatLE(0.8, 48);
  return d;
}

/** Starts the bridge; resolves with it and the UDP port it prints once it listens. */
async function startBridge(topic) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const log = fs.createWriteStream(path.join(ARTIFACTS, 'bridge.log'), { flags: 'a' });
  const child = spawn(BIN, ['bridge', '--brokers', BROKERS, '--topic', topic, '--partitions', '1', '--listen', '127.0.0.1:0',
    '--format', 'outgauge', '--car', 'LFS'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'info' } });
  child.stderr.pipe(log);
  let stderr = '';
  child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-8192); });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bridge printed no udp:// line within 30 s')), 30_000);
    child.stdout.on('data', (chunk) => {
      const m = String(chunk).match(/udp:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the bridge exited (${code})`)));
  });
  return { child, port, created: () => /created topic|topic exists/.test(stderr) };
}

describe('a game on the dashboard through the bridge', () => {
  const topic = uniqueName('e2e-bridge');
  let bridge, server, browser, game, timer;

  before(async () => {
    bridge = await startBridge(topic);
    game = dgram.createSocket('udp4');
    let n = 0;
    // OutGauge at 20 Hz, speeding up and slowing down.
    timer = setInterval(() => game.send(outgauge(30 + 10 * Math.sin(n++ / 10)), bridge.port, '127.0.0.1'), 50);
    await waitUntil(async () => bridge.created(), 'the bridge made its topic');
    server = await startServer({ topic, groupId: uniqueName('e2e') });
    browser = await launchBrowser();
  });

  after(async () => {
    clearInterval(timer);
    game?.close();
    await browser?.close();
    await stop(server?.child);
    await stop(bridge?.child);
  });

  test('an OutGauge car charts its speed and the tire widget says it has no tire data', T, async () => {
    const { page, errors, close } = await openPage(browser, server.url);
    try {
      await page.waitForFunction(() => window.trackside.records > 20, null, SOON);
      await assertText(page.locator('[data-tire-car]'), '#LFS');
      await assertText(page.getByTestId('tire-note'), 'no tire data');
      await page.getByTestId('tire-note').waitFor({ state: 'visible', ...SOON });
      for (const strip of ['speed', 'rpm']) {
        const canvas = `[data-testid="strip-${strip}"] canvas`;
        await waitUntil(async () => (await colouredPixels(page, canvas)) > 200, `the ${strip} strip draws the car`);
      }
      // The tire strip has nothing to draw for this car. It is below the fold: scrolled to, it
      // draws with the next records (a panel off screen draws nothing), and shows no line.
      await page.getByTestId('strip-tires').scrollIntoViewIfNeeded();
      const frames = await page.evaluate(() => window.trackside.frames);
      await waitUntil(async () => (await page.evaluate(() => window.trackside.frames)) >= frames + 2, 'the strips draw with the tire strip on screen');
      assert.ok((await colouredPixels(page, '[data-testid="strip-tires"] canvas')) < 50, 'no tire lines');
      await page.screenshot({ path: path.join(ARTIFACTS, 'bridge-outgauge.png') });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
