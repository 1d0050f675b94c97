// `GET /api/channels?topic=T` as the page asks it: the body on success, and an error a person
// can read when the server is away, slow, refuses, or answers something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { fetchChannels } from '../../../static/net/channels-api.js';

const json = (status, body) => ({ ok: status < 400, status, json: async () => body });

test('the topic is asked for by name, escaped, and its body returned', async () => {
  let asked;
  const body = { topic: 'a b&c', channels: [{ name: 'g_lat' }], dropped: {} };
  const got = await fetchChannels('a b&c', { fetchImpl: async (url) => ((asked = url), json(200, body)) });
  assert.equal(asked, '/api/channels?topic=a%20b%26c');
  assert.deepEqual(got, body);
});

test('a server that does not answer in time is an error saying so', async () => {
  const hang = (_url, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  await assert.rejects(fetchChannels('t', { timeoutMs: 20, fetchImpl: hang }), /no answer within 0.02 s/);
});

test('an unreachable server, a refusal and a wrong body are errors with their reason', async () => {
  await assert.rejects(fetchChannels('t', { fetchImpl: async () => { throw new TypeError('Failed to fetch'); } }),
    /could not be reached \(Failed to fetch\)/);
  await assert.rejects(fetchChannels('t', { fetchImpl: async () => json(400, { error: 'missing topic' }) }),
    /answered 400: missing topic/);
  await assert.rejects(fetchChannels('t', { fetchImpl: async () => ({ ok: false, status: 502, json: async () => { throw new SyntaxError('x'); } }) }),
    /answered 502$/);
  await assert.rejects(fetchChannels('t', { fetchImpl: async () => json(200, { topic: 'other', channels: [] }) }),
    /not the channel list of t/);
  await assert.rejects(fetchChannels('t', { fetchImpl: async () => ({ ok: true, status: 200, json: async () => { throw new SyntaxError('x'); } }) }),
    /not JSON/);
});
