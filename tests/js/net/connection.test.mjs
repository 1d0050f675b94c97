// What the page makes of each WebSocket message (static/net/connection.js readMessage): JSON
// text, or a binary columnar frame that becomes the same `data` message.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offersColumnar, readMessage } from '../../../static/net/connection.js';
import { encodeFrame } from './frames.mjs';

const records = [{ offset: 5, car: '7', ts: 1000, speed_kph: 250, rpm: 11000 }];

test('a JSON text message is read as it is', () => {
  const msg = { type: 'data', mode: 'live', dropped: 0, batches: [{ topic: 't', partition: 0, records }] };
  assert.deepEqual(readMessage(JSON.stringify(msg)), { message: msg });
  assert.deepEqual(readMessage('{"type":"stats","kafka":{}}').message, { type: 'stats', kafka: {} });
});

test('a binary frame becomes the data message its JSON form would be, batches in columnar form', () => {
  const { message } = readMessage(encodeFrame({ mode: 'replay', dropped: 4, batches: [{ topic: 't', partition: 2, records }] }));
  assert.equal(message.type, 'data');
  assert.equal(message.mode, 'replay');
  assert.equal(message.dropped, 4);
  const [b] = message.batches;
  assert.deepEqual([b.topic, b.partition, b.n, b.columns.speed_kph[0], b.strings[b.columns.car[0]]], ['t', 2, 1, 250, '7']);
});

test('what cannot be read is reported, never passed on', () => {
  assert.deepEqual(readMessage('this is not telemetry'), { problem: 'not JSON' });
  assert.deepEqual(readMessage('[1,2]'), { problem: 'a JSON message without a type' });
  const frame = encodeFrame({ mode: 'live', batches: [{ topic: 't', partition: 0, records }] });
  assert.match(readMessage(frame.slice(0, 40)).problem, /^columnar data frame: batch 0 .* says it is \d+ bytes; the frame has \d+ left/);
  assert.deepEqual(readMessage(new TextEncoder().encode('TSD9....').buffer), { message: null }, 'another layout: ignored');
});

test('a handshake that offered columnar and failed is tried once with JSON, which any server speaks', () => {
  assert.equal(offersColumnar('columnar', null), true, 'the first attempt offers columnar');
  assert.equal(offersColumnar('columnar', { offered: true, opened: false }), false, 'an older server: ask for JSON');
  assert.equal(offersColumnar('columnar', { offered: false, opened: false }), true, 'the server was away: columnar again');
  assert.equal(offersColumnar('columnar', { offered: false, opened: true }), true, 'after a JSON connection closes, columnar is asked anew');
  assert.equal(offersColumnar('columnar', { offered: true, opened: true }), true);
  assert.equal(offersColumnar('json', null), false, '?wire=json never offers it');
});
