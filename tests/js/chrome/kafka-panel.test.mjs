// The Kafka panel's summary of what this server reads: what its group member owns and
// what its follower reads, by topic, ranges collapsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { summariseReading } from '../../../static/chrome/kafka-panel.js';

const tp = (topic, ...partitions) => partitions.map((partition) => ({ topic, partition }));

test('a replica says which partitions it owns in the group and which it follows', () => {
  assert.equal(summariseReading(tp('telemetry', 2, 0, 1), tp('telemetry', 5, 3, 4)), 'owns telemetry 0–2 · follows telemetry 3–5');
  assert.equal(summariseReading([...tp('telemetry', 0, 1, 2, 3, 4, 5), ...tp('pit', 1, 3)], []), 'owns telemetry 0–5, pit 1,3');
  assert.equal(summariseReading([], tp('telemetry', 0, 1)), 'follows telemetry 0,1');
  assert.equal(summariseReading([], []), 'none (yet)');
});
