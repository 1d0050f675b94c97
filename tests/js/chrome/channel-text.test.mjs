// The channel picker's words: ranges with the decimals their span needs, record counts, and
// what the server's bounds dropped from a topic.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { describeDropped, formatRange, formatRecords } from '../../../static/chrome/channel-text.js';

test('a range shows as many decimals as its span needs', () => {
  assert.equal(formatRange(88.5, 1012), '89 – 1,012');
  assert.equal(formatRange(0, 331.2), '0 – 331');
  assert.equal(formatRange(-4.134, 4.318), '-4.13 – 4.32');
  assert.equal(formatRange(22.5, 28.54), '22.5 – 28.54');
  assert.equal(formatRange(0.0012, 0.0031), '0.0012 – 0.0031');
  assert.equal(formatRange(0, 1), '0 – 1');
});

test('a channel that never moved shows its one value; one with no value yet says so', () => {
  assert.equal(formatRange(7, 7), '7');
  assert.equal(formatRange(0.25, 0.25), '0.25');
  assert.equal(formatRange(0, 0), '0');
  assert.equal(formatRange(null, null), 'no value yet');
});

test('record counts are grouped and plural', () => {
  assert.equal(formatRecords(52310), '52,310 records');
  assert.equal(formatRecords(1), '1 record');
  assert.equal(formatRecords(0), '0 records');
});

test('the bounds\' counts make one sentence naming the topic; nothing dropped says nothing', () => {
  assert.equal(
    describeDropped('telemetry', { name_too_long: 2, over_record_limit: 0, over_topic_limit: 1200, refused_channels: 3 }),
    'telemetry: the server\'s bounds left out 3 new channel names (the topic is full at 512); 1,200 values of channels beyond the topic\'s 512; 2 values named over 128 bytes.',
  );
  assert.equal(
    describeDropped('t', { name_too_long: 0, over_record_limit: 1, over_topic_limit: 0, refused_channels: 0 }),
    't: the server\'s bounds left out 1 value beyond a record\'s 256 channels.',
  );
  assert.equal(describeDropped('t', { name_too_long: 0, over_record_limit: 0, over_topic_limit: 0, refused_channels: 0 }), null);
  assert.equal(describeDropped('t', null), null);
});
