// How far a replay is, as the progress strip and the badge show it (static/playback/timeline.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayProgress } from '../../../static/playback/timeline.js';

const part = { topic: 't', partition: 0, start: 0, offset: 50, end: 100 };

test('a replay whose partitions are not known yet is starting, not done', () => {
  // The server's first message of a replay: nothing found yet, so nothing to pass.
  assert.equal(replayProgress({ state: 'running', partitions: [], delivered: 0, total: 0, progress: 1 }), null);
  assert.equal(replayProgress(null), null);
});

test('once its partitions are known, the progress is the server’s, within 0 and 1', () => {
  assert.equal(replayProgress({ state: 'running', partitions: [part], progress: 0.5 }), 0.5);
  assert.equal(replayProgress({ state: 'caught_up', partitions: [part], progress: 1.2 }), 1);
  assert.equal(replayProgress({ state: 'running', partitions: [part], progress: null }), 0);
});
