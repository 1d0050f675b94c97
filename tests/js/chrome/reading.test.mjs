// The Kafka panel's words for what this server reads: one line of counts, and on demand
// what its group member owns and what its follower reads, by topic, ranges collapsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readingLine, summariseReading } from '../../../static/chrome/reading.js';

const tp = (topic, ...partitions) => partitions.map((partition) => ({ topic, partition }));

test('a replica says which partitions it owns in the group and which it follows', () => {
  assert.equal(summariseReading(tp('telemetry', 2, 0, 1), tp('telemetry', 5, 3, 4)), 'owns telemetry 0–2 · follows telemetry 3–5');
  assert.equal(summariseReading([...tp('telemetry', 0, 1, 2, 3, 4, 5), ...tp('pit', 1, 3)], []), 'owns telemetry 0–5, pit 1,3');
  assert.equal(summariseReading([], tp('telemetry', 0, 1)), 'follows telemetry 0,1');
  assert.equal(summariseReading([], []), 'none (yet)');
});

test('the Reads line counts partitions and topics, however many topics there are', () => {
  const many = Array.from({ length: 14 }, (_, i) => tp(`topic-${i}`, 0)).flat();
  assert.equal(readingLine(many.slice(0, 6), []), 'owns 6 · follows 0 · 6 topics');
  assert.equal(readingLine(tp('telemetry', 0, 1, 2), [...tp('telemetry', 3, 4, 5), ...many]), 'owns 3 · follows 17 · 15 topics');
  assert.equal(readingLine(tp('telemetry', 0), []), 'owns 1 · follows 0 · 1 topic');
  assert.equal(readingLine([], []), 'owns 0 · follows 0 · 0 topics');
});
