// The pinned reference laps' fetching (static/race/reference-laps.js): a lap once, what the
// server said when it could not give it, and a topic still being read asked again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceLaps, RETRY_MS } from '../../../static/race/reference-laps.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const answer = (status, body) => ({ ok: status === 200, status, json: async () => body });

test('a lap is asked for once; a lap that left Kafka keeps the server\'s words; a topic being read is asked again', async (t) => {
  const asked = [];
  let reading = 1;
  t.mock.method(globalThis, 'fetch', async (url) => {
    asked.push(url);
    if (url.includes('lap=12')) return answer(410, { error: 'lap 12 of car `7` in `q`: its records have left Kafka (retention); the topic now starts at 2026-12-06T14:03:11.200Z' });
    if (url.includes('lap=3') && reading-- > 0) return answer(503, { error: 'the laps of `q` are still being read (40% of what Kafka holds)' });
    return answer(200, { topic: 'q', car: '7', lap: 3, start_ts: 10, end_ts: 90_010, time_ms: 90_000, length_m: 3000, samples: [{ ts: 1, lap: 3 }] });
  });
  let changed = 0;
  const laps = new ReferenceLaps(() => changed++);
  const gone = { topic: 'q', car: '7', lap: 12 };
  assert.equal(laps.get(gone).state, 'loading');
  await tick();
  assert.deepEqual({ ...laps.get(gone) }, { state: 'failed', tries: 1, error: 'lap 12 of car `7` in `q`: its records have left Kafka (retention); the topic now starts at 2026-12-06T14:03:11.200Z' });
  assert.equal(asked.length, 1, 'a failed lap is not asked again');

  const later = { topic: 'q', car: '7', lap: 3 };
  laps.get(later);
  await tick();
  assert.equal(laps.get(later).state, 'loading');
  assert.match(laps.get(later).error, /still being read/);
  await tick(RETRY_MS + 50);
  const got = laps.get(later);
  assert.equal(got.state, 'ready');
  assert.deepEqual([got.lap.time_ms, got.lap.length_m, got.samples.length], [90_000, 3000, 1]);
  assert.equal(asked.filter((u) => u.includes('lap=3')).length, 2);
  assert.ok(changed >= 3);
});
