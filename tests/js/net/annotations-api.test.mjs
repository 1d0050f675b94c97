// `POST /api/annotations` as the page sends it: the note as JSON, the server's answer on
// success, and the server's own reason when it refuses (read-only, Kafka said no).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { writeNote } from '../../../static/net/annotations-api.js';

const json = (status, body) => ({ ok: status < 400, status, json: async () => body });

test('a note is posted as JSON and the note as written comes back', async () => {
  let asked;
  const note = { topic: 't', ts: 1, text: '<b>x</b>', author: 'Ana' };
  const got = await writeNote(note, { fetchImpl: async (url, init) => ((asked = { url, init }), json(201, { ...note, id: 'n1' })) });
  assert.equal(asked.url, '/api/annotations');
  assert.equal(asked.init.method, 'POST');
  assert.equal(asked.init.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(asked.init.body), note);
  assert.equal(got.id, 'n1');
});

test('a refusal is an error with the server’s reason, or its status when it gave none', async () => {
  const readOnly = 'this Trackside is read-only: it writes notes to Kafka only when started with --annotations';
  await assert.rejects(writeNote({}, { fetchImpl: async () => json(403, { error: readOnly }) }), new RegExp(readOnly));
  await assert.rejects(writeNote({}, { fetchImpl: async () => ({ ok: false, status: 502, json: async () => { throw new SyntaxError('x'); } }) }),
    /answered 502/);
  await assert.rejects(writeNote({}, { fetchImpl: async () => { throw new TypeError('Failed to fetch'); } }), /could not be reached/);
});
