// The session reducer (static/core/session.js) and the channels the layout draws: a replay
// asks for them, and asks again from its playhead when the layout draws one it lacks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initial, next } from '../../../static/core/session.js';
import { run, sent } from './session-run.mjs';

const TELEMETRY = [{ topic: 'telemetry', partitions: null }];

const DRAWN = ['lap', 'speed_kph', 'x', 'y'];
const progress = (extra) => ({ type: 'progress', message: { type: 'replay', state: 'running', ...extra } });

function watching(channels) {
  const start = initial({ selection: TELEMETRY, preroll: 30_000 });
  return run(start, { type: 'channels', names: channels }, { type: 'connected' }, { type: 'subscribed' }).state;
}

test('a replay asks for the channels the layout draws, and a seek keeps them without naming them again', () => {
  const asked = run(watching(DRAWN), { type: 'replay' });
  assert.deepEqual(sent(asked.effects), [{ type: 'replay', from: 'earliest', speed: 1, paused: false, channels: DRAWN, id: 1 }]);
  const sought = run(asked.state, progress({ id: 1, position_ts: 5_000 }), { type: 'seek', ts: 90_000 });
  assert.deepEqual(sent(sought.effects), [{ type: 'seek', to: { timestamp: 90_000 }, preroll_ms: 30_000, id: 2 }]);
});

test('a channel drawn during a replay that did not ask for it starts the replay again from the playhead with it', () => {
  const { state } = run(watching(DRAWN), { type: 'replay' }, progress({ id: 1, position_ts: 123_456.7 }), { type: 'pause' });
  const wider = [...DRAWN, 'brake_temp_c.fl'].sort();
  const again = run(state, { type: 'channels', names: wider });
  assert.deepEqual(sent(again.effects), [{
    type: 'replay', from: { timestamp: 123_457 }, speed: 1, paused: true, preroll_ms: 30_000, channels: wider, id: 2,
  }], 'paused as it was, with the chart window before the playhead');
  assert.ok(again.effects.some((e) => e.type === 'clear-store'), 'the charts fill again from the new replay');
  assert.equal(again.state.replayId, 2);
});

test('before the playhead is known, the replay starts again where it started', () => {
  const { state } = run(watching(DRAWN), { type: 'replay' });
  const again = run(state, { type: 'channels', names: [...DRAWN, 'g_lat'] });
  assert.deepEqual(sent(again.effects).map((m) => [m.type, m.from]), [['replay', 'earliest']]);
});

test('fewer channels, the same channels, or a change while live ask nothing of the server', () => {
  const { state } = run(watching(DRAWN), { type: 'replay' }, progress({ id: 1, position_ts: 5_000 }));
  for (const names of [['lap', 'x'], [...DRAWN]]) {
    const r = next(state, { type: 'channels', names });
    assert.deepEqual(r.effects, [], `${names}`);
    assert.deepEqual(r.state.channels, names, 'the next replay asks for them');
  }
  const live = next(watching(DRAWN), { type: 'channels', names: [...DRAWN, 'g_lat'] });
  assert.deepEqual(live.effects, []);
  assert.equal(next(live.state, { type: 'channels', names: [...DRAWN, 'g_lat'] }).state, live.state, 'the same list again is no change');
});

test('a page that never said what it draws replays every channel, as before', () => {
  const start = run(initial({ selection: TELEMETRY }), { type: 'connected' }, { type: 'subscribed' }, { type: 'replay' });
  assert.equal(sent(start.effects).find((m) => m.type === 'replay').channels, undefined);
});
