// The replay of e2e/bench-replay-page.mjs without the page: the same WebSocket, opened by a
// bare document of the same server in the same Chromium, asks for the same replay at `max`
// and only counts what arrives, until the server reports `caught_up`. What it takes is what
// Chromium's WebSocket alone takes to hand the replay's bytes to a page's main thread; the
// page's own decoding, ingest and drawing are what the page's time adds to it.

import { SUBPROTOCOL } from '../static/net/wire.js';

/** A document of the server's with nothing running in it. */
const BARE = '/static/favicon.svg';

/** How long the browser is left to settle first: a renderer closed before may still be exiting. */
const SETTLE_MS = 1000;

/**
 * One replay of `topic` to a bare document in a fresh context of `browser`.
 * @param {() => number|null} cpu  the browser's CPU seconds so far (e2e/proc-cpu.mjs), read around the replay
 * @returns {Promise<{secs: number, frames: number, mb: number, cpu: number|null}>}  from the
 *   `replay` request to `caught_up`; `cpu`: the browser's CPU seconds over it
 */
export async function bareReplay(browser, url, topic, wire, cpu = () => null) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}${BARE}`);
    await page.waitForTimeout(SETTLE_MS);
    const cpu0 = cpu();
    const got = await page.evaluate(({ topic, protocol }) => new Promise((resolve, reject) => {
      const ws = protocol ? new WebSocket(`ws://${location.host}/ws`, protocol) : new WebSocket(`ws://${location.host}/ws`);
      ws.binaryType = 'arraybuffer';
      let t0 = 0;
      let bytes = 0;
      let frames = 0;
      ws.onerror = () => reject(new Error('the bare replay socket failed'));
      ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', selection: [{ topic, partitions: null }] }));
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') {
          bytes += ev.data.byteLength;
          frames++;
          return;
        }
        const m = JSON.parse(ev.data);
        if (m.type === 'data') {
          bytes += ev.data.length;
          frames++;
        } else if (m.type === 'subscribed' && t0 === 0) {
          t0 = performance.now();
          ws.send(JSON.stringify({ type: 'replay', from: 'earliest', speed: 'max', id: 1 }));
        } else if (m.type === 'replay' && m.id === 1 && (m.state === 'caught_up' || m.state === 'failed')) {
          ws.close();
          if (m.state === 'failed') reject(new Error(`the bare replay failed: ${m.error}`));
          else resolve({ secs: (performance.now() - t0) / 1000, frames, mb: bytes / 1e6 });
        }
      };
    }), { topic, protocol: wire === 'json' ? null : SUBPROTOCOL });
    const cpu1 = cpu();
    return { ...got, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  } finally {
    await context.close();
  }
}
