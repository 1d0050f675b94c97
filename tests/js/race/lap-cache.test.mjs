// Laps fetched from /api/lap (static/race/lap-cache.js): each asked for once, kept, and bounded.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LapCache, MAX_LAPS } from '../../../static/race/lap-cache.js';

describe('the lap cache', () => {
  test('asks once per lap, hands the samples over once they came, and keeps at most MAX_LAPS', async () => {
    const asked = [];
    globalThis.fetch = async (url) => {
      asked.push(url);
      if (url.includes('lap=13')) return { ok: false, status: 404 };
      return { ok: true, json: async () => ({ samples: [{ ts: 1, lap: 12 }] }) };
    };
    let loaded = 0;
    const cache = new LapCache(() => loaded++);
    assert.equal(cache.get('t', '7', 12), null, 'not there yet');
    assert.equal(cache.get('t', '7', 12), null);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(cache.get('t', '7', 12), [{ ts: 1, lap: 12 }]);
    assert.equal(loaded, 1);
    assert.deepEqual(asked, ['/api/lap?topic=t&car=7&lap=12']);
    cache.get('t', '7', 13);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cache.get('t', '7', 13), null, 'a lap the server does not have stays missing, and is not asked again');
    assert.equal(asked.length, 2);
    for (let lap = 100; lap < 100 + MAX_LAPS; lap++) cache.get('t', '7', lap);
    assert.equal(cache.laps.size, MAX_LAPS);
    assert.equal(cache.laps.has('t|7|12'), false, 'the oldest went first');
    delete globalThis.fetch;
  });
});
