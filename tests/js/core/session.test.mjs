// The page's session reducer (static/core/session.js): what the page sends, keeps and shows for
// each thing the person or the server does. Run with `node --test tests/js/`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FAST_REPLAY_DRAW_MS, drawPeriod, initial, next, replayFields } from '../../../static/core/session.js';
import { run, sent } from './session-run.mjs';

const TELEMETRY = [{ topic: 'telemetry', partitions: null }];
const PIT = [{ topic: 'pit', partitions: [0, 2] }];

const toasts = (effects) => effects.filter((e) => e.type === 'toast');
const has = (effects, type) => effects.some((e) => e.type === type);
const data = (mode, cars = ['7'], extra = {}) => ({
  type: 'data',
  message: { type: 'data', mode, batches: [{ topic: 'telemetry', partition: 0, records: cars.map((car) => ({ car, ts: 1 })) }], ...extra },
});
/** Whether the page keeps a data message's records. */
const keeps = (state, event) => has(next(state, event).effects, 'ingest');

/** A page connected and subscribed to `selection`, as after the server's `subscribed`. */
function watching(selection = TELEMETRY) {
  return run(initial({ selection }), { type: 'connected' }, { type: 'subscribed' }).state;
}

describe('subscribing', () => {
  test('the page asks for the URL’s selection once the socket opens, and starts the charts over', () => {
    const { state, effects } = run(initial({ selection: PIT }), { type: 'connected' });
    assert.deepEqual(sent(effects), [{ type: 'subscribe', selection: PIT }]);
    assert.ok(has(effects, 'clear-store'));
    assert.equal(state.connection, 'connected');
    assert.equal(state.awaitingSubscribed, true);
  });

  test('nothing is sent before the socket opens; the choice is sent when it does', () => {
    const chosen = run(initial({ selection: TELEMETRY }), { type: 'subscribe', selection: PIT });
    assert.deepEqual(sent(chosen.effects), []);
    assert.ok(has(chosen.effects, 'write-url'), 'the URL names the new choice at once');
    const { effects } = run(chosen.state, { type: 'connected' });
    assert.deepEqual(sent(effects), [{ type: 'subscribe', selection: PIT }]);
  });

  test('data is kept only once the server has acknowledged the subscribe', () => {
    const connected = run(initial({ selection: TELEMETRY }), { type: 'connected' }).state;
    assert.equal(keeps(connected, data('live')), false, 'history of an earlier selection may still be in flight');
    const subscribed = run(connected, { type: 'subscribed' }).state;
    assert.equal(subscribed.awaitingSubscribed, false);
    assert.deepEqual(subscribed.confirmed, TELEMETRY);
    const { effects } = next(subscribed, data('live'));
    assert.deepEqual(effects.find((e) => e.type === 'ingest').selection, TELEMETRY, 'records are filtered by the selection');
  });

  test('choosing another selection sends it, rewrites the URL and ignores the old one’s data until the ack', () => {
    const { state, effects } = run(watching(), { type: 'subscribe', selection: PIT });
    assert.deepEqual(sent(effects), [{ type: 'subscribe', selection: PIT }]);
    assert.ok(has(effects, 'write-url'));
    assert.ok(has(effects, 'clear-store'));
    assert.deepEqual(state.selection, PIT);
    assert.equal(keeps(state, data('live')), false);
    assert.equal(keeps(run(state, { type: 'subscribed' }).state, data('live')), true);
  });

  test('choosing what is already watched live changes nothing', () => {
    const state = watching();
    const r = next(state, { type: 'subscribe', selection: structuredClone(TELEMETRY) });
    assert.equal(r.state, state);
    assert.deepEqual(r.effects, []);
  });

  test('the message sent names only topics and partitions', () => {
    const { effects } = run(initial({ selection: [{ topic: 'pit', partitions: [1], extra: 'x' }] }), { type: 'connected' });
    assert.deepEqual(sent(effects), [{ type: 'subscribe', selection: [{ topic: 'pit', partitions: [1] }] }]);
  });
});

describe('a refused subscribe', () => {
  test('keeps the previous selection: the page goes back to it and asks again for its history', () => {
    const { state, effects } = run(watching(TELEMETRY),
      { type: 'subscribe', selection: [{ topic: 'nope', partitions: null }] },
      { type: 'refused', request: 'subscribe', code: 'unknown_topic', message: 'topic `nope` does not exist' });
    assert.deepEqual(state.selection, TELEMETRY);
    assert.deepEqual(state.refused, [{ topic: 'nope', partitions: null }]);
    assert.deepEqual(toasts(effects).map((t) => [t.title, t.text, t.kind]), [['Unknown topic', 'topic `nope` does not exist', 'error']]);
    assert.deepEqual(sent(effects).at(-1), { type: 'subscribe', selection: TELEMETRY });
    assert.equal(effects.filter((e) => e.type === 'write-url').length, 2, 'the URL names the refused choice, then the kept one');
    assert.equal(state.awaitingSubscribed, true, 'the kept selection’s history is awaited');
  });

  test('of the first selection keeps it on screen, and asks again once its topic exists', () => {
    const refused = run(initial({ selection: PIT }), { type: 'connected' },
      { type: 'refused', request: 'subscribe', code: 'unknown_topic', message: 'no pit' });
    assert.deepEqual(refused.state.selection, PIT);
    assert.deepEqual(refused.state.refused, PIT);
    assert.equal(refused.state.awaitingSubscribed, false);
    assert.deepEqual(sent(refused.effects), [{ type: 'subscribe', selection: PIT }], 'sent once, not again at once');

    const without = next(refused.state, { type: 'topics', names: ['telemetry'] });
    assert.equal(without.state, refused.state);
    assert.deepEqual(without.effects, []);

    const { state, effects } = next(refused.state, { type: 'topics', names: ['telemetry', 'pit'] });
    assert.deepEqual(sent(effects), [{ type: 'subscribe', selection: PIT }]);
    assert.equal(state.awaitingSubscribed, true);
    assert.deepEqual(run(state, { type: 'subscribed' }).state.refused, null, 'accepted at last');
  });

  test('an error for another request shows a notice and changes nothing', () => {
    const state = watching();
    const { state: after, effects } = next(state, { type: 'refused', request: 'pause', code: 'no_replay', message: 'no replay' });
    assert.equal(after, state);
    assert.deepEqual(toasts(effects).map((t) => t.title), ['No replay running']);
    const odd = next(state, { type: 'refused', request: null, code: 'teapot' });
    assert.deepEqual(toasts(odd.effects).map((t) => [t.title, t.text]), [['Server error (teapot)', 'The server refused a request.']]);
  });
});

describe('replay', () => {
  const progress = (state, extra = {}) => ({ type: 'progress', message: { type: 'replay', state, progress: 0.5, ...extra } });

  test('a replay then live: each mode keeps only its own data, and going live asks for history again', () => {
    const asked = run(watching(), { type: 'replay' });
    assert.deepEqual(sent(asked.effects), [{ type: 'replay', from: 'earliest', speed: 1, paused: false, id: 1 }],
      'from the start at the chosen speed, 1× by default');
    assert.ok(has(asked.effects, 'clear-store'));
    assert.equal(asked.state.mode, 'replay');
    assert.equal(asked.state.replayState, 'starting');
    assert.equal(keeps(asked.state, data('live')), false, 'live data in flight is not drawn into the replay');
    assert.equal(keeps(asked.state, data('replay')), false, 'nor replay data before the replay reports');

    const running = run(asked.state, progress('running'));
    assert.equal(running.state.replayState, 'running');
    assert.equal(running.state.replay.progress, 0.5);
    assert.equal(keeps(running.state, data('replay')), true);
    assert.equal(keeps(running.state, data('live')), false);

    const live = run(running.state, { type: 'live' });
    assert.deepEqual(sent(live.effects), [{ type: 'live' }]);
    assert.ok(has(live.effects, 'clear-store'));
    assert.equal(live.state.mode, 'live');
    assert.equal(live.state.replay, null);
    assert.equal(keeps(live.state, data('replay')), false, 'the replay’s last records in flight are dropped');
    assert.equal(keeps(live.state, data('live')), true);

    const stopped = next(live.state, progress('stopped'));
    assert.equal(stopped.state, live.state, 'the server’s confirmation of the stop changes nothing');
    assert.deepEqual(toasts(stopped.effects), []);
  });

  test('progress through pause, resume and caught up is shown as it comes', () => {
    let state = run(watching(), { type: 'replay' }, progress('running')).state;
    assert.deepEqual(sent(next(state, { type: 'pause' }).effects), [{ type: 'pause' }]);
    state = run(state, progress('paused')).state;
    assert.equal(state.replayState, 'paused');
    assert.deepEqual(sent(next(state, { type: 'resume' }).effects), [{ type: 'resume' }]);
    state = run(state, progress('caught_up', { progress: 1 })).state;
    assert.equal(state.replayState, 'caught_up');
    assert.equal(state.mode, 'replay', 'caught up carries on from the replay reader');
    assert.equal(keeps(state, data('replay')), true);
  });

  test('a replay the server stops or that fails is said in a notice', () => {
    const running = run(watching(), { type: 'replay' }, progress('running')).state;
    const stopped = next(running, progress('stopped'));
    assert.deepEqual(toasts(stopped.effects).map((t) => [t.title, t.kind]), [['Replay stopped', 'info']]);
    assert.equal(stopped.state.mode, 'replay', 'the person goes back to live themselves');
    const failed = next(running, progress('failed', { error: 'broker gone' }));
    assert.deepEqual(toasts(failed.effects).map((t) => [t.title, t.text, t.kind]), [['Replay failed', 'broker gone', 'error']]);
  });

  test('a refused replay goes back to live, with history', () => {
    const { state, effects } = run(watching(), { type: 'replay' },
      { type: 'refused', request: 'replay', code: 'too_many_replays', message: 'busy' });
    assert.equal(state.mode, 'live');
    assert.deepEqual(toasts(effects).map((t) => t.title), ['Too many replays']);
    assert.deepEqual(sent(effects).at(-1), { type: 'subscribe', selection: TELEMETRY });
  });

  test('restarting a replay starts it over', () => {
    const { state, effects } = run(watching(), { type: 'replay' }, progress('caught_up'), { type: 'replay' });
    assert.equal(state.replayState, 'starting');
    assert.equal(state.replay, null);
    assert.equal(sent(effects).filter((m) => m.type === 'replay').length, 2);
    assert.equal(keeps(state, data('replay')), false, 'the old replay’s records in flight are not drawn');
  });

  test('choosing a topic while replaying goes back to live on it', () => {
    const { state, effects } = run(watching(), { type: 'replay' }, progress('running'), { type: 'subscribe', selection: PIT });
    assert.equal(state.mode, 'live');
    assert.equal(state.replay, null);
    assert.deepEqual(sent(effects).at(-1), { type: 'subscribe', selection: PIT });
  });

  test('choosing the same topic while replaying goes back to live on it too', () => {
    const { state, effects } = run(watching(), { type: 'replay' }, { type: 'subscribe', selection: TELEMETRY });
    assert.equal(state.mode, 'live');
    assert.deepEqual(sent(effects).at(-1), { type: 'subscribe', selection: TELEMETRY });
  });

  test('the buttons do nothing without a connection', () => {
    const offline = run(watching(), { type: 'disconnected', state: 'reconnecting' }).state;
    for (const type of ['replay', 'pause', 'resume', 'live']) {
      const r = next(offline, { type });
      assert.equal(r.state, offline, type);
      assert.deepEqual(r.effects, [], type);
    }
  });
});

describe('the connection', () => {
  test('a disconnect ends the replay; the reconnect subscribes again, live', () => {
    const replaying = run(watching(), { type: 'replay' }, { type: 'progress', message: { state: 'running', progress: 0.3 } }).state;
    const gone = run(replaying, { type: 'disconnected', state: 'reconnecting' });
    assert.equal(gone.state.connection, 'reconnecting');
    assert.equal(gone.state.mode, 'live');
    assert.equal(gone.state.replay, null);
    assert.equal(gone.state.replayState, null);
    assert.equal(gone.state.confirmed, null, 'the server forgot the selection');
    assert.deepEqual(gone.effects, [], 'the charts keep what they show until the server is back');

    const back = run(gone.state, { type: 'connected' });
    assert.deepEqual(sent(back.effects), [{ type: 'subscribe', selection: TELEMETRY }]);
    assert.equal(back.state.connection, 'connected');
    assert.equal(back.state.awaitingSubscribed, true);
    assert.equal(keeps(back.state, data('replay')), false);
    assert.equal(keeps(run(back.state, { type: 'subscribed' }).state, data('live')), true);
  });

  test('a refused subscribe after a reconnect keeps the refused selection on screen', () => {
    // The server streams nothing for the new socket yet, so there is nothing to go back to.
    const state = run(watching(TELEMETRY), { type: 'subscribe', selection: PIT }, { type: 'subscribed' },
      { type: 'disconnected', state: 'reconnecting' }, { type: 'connected' },
      { type: 'refused', request: 'subscribe', code: 'unknown_topic', message: 'gone' }).state;
    assert.deepEqual(state.selection, PIT);
    assert.deepEqual(state.refused, PIT);
  });
});

describe('data', () => {
  test('records the server dropped for this page add up, from the data shown only', () => {
    let state = watching();
    state = run(state, data('live', ['1'], { dropped: 5 }), data('live', ['1'], { dropped: 0 }), data('live', ['1'], { dropped: 7 })).state;
    assert.equal(state.dropped, 12);
    assert.equal(run(state, data('replay', ['1'], { dropped: 100 })).state.dropped, 12, 'stale data is not counted');
  });

  test('a data message without batches is kept for its count only', () => {
    const r = next(watching(), { type: 'data', message: { type: 'data', mode: 'live', dropped: 3 } });
    assert.equal(r.state.dropped, 3);
    assert.deepEqual(r.effects, []);
  });

  test('the state is never changed in place', () => {
    const state = watching();
    assert.throws(() => { state.mode = 'replay'; });
    const after = run(state, { type: 'replay' }).state;
    assert.equal(state.mode, 'live');
    assert.notEqual(after, state);
  });
});

describe('playback: ids, seeks, steps and speed', () => {
  const progress = (state, extra = {}) => ({ type: 'progress', message: { type: 'replay', state, progress: 0.5, ...extra } });
  /** A page replaying from the start, its first message (id 1) in. */
  const replaying = (extra = {}) => run(watching(), { type: 'replay' }, progress('running', { id: 1, position_ts: 5000, ...extra })).state;

  test('after a seek, data and progress of the old reading are discarded until the seek’s id arrives; then the store is cleared', () => {
    const asked = run(replaying(), { type: 'seek', ts: 60_000 });
    assert.deepEqual(sent(asked.effects), [{ type: 'seek', to: { timestamp: 60_000 }, id: 2 }]);
    assert.equal(has(asked.effects, 'clear-store'), false, 'the charts keep the old picture until the new one starts');
    assert.equal(keeps(asked.state, data('replay')), false, 'old records in flight are dropped');

    const old = next(asked.state, progress('running', { id: 1, position_ts: 5100 }));
    assert.equal(old.state, asked.state, 'an old progress message changes nothing');
    assert.deepEqual(old.effects, []);

    const arrived = next(asked.state, progress('running', { id: 2, position_ts: 60_000 }));
    assert.ok(has(arrived.effects, 'clear-store'), 'the store starts over at the new moment');
    assert.equal(arrived.state.replay.position_ts, 60_000);
    assert.equal(keeps(arrived.state, data('replay')), true);
    const again = next(arrived.state, progress('running', { id: 2 }));
    assert.equal(has(again.effects, 'clear-store'), false, 'cleared once');
  });

  test('clicking the timeline while live starts a replay there at the chosen speed', () => {
    const { state, effects } = run(watching(), { type: 'speed', speed: 2 }, { type: 'seek', ts: 42_000 });
    assert.deepEqual(sent(effects), [{ type: 'replay', from: { timestamp: 42_000 }, speed: 2, paused: false, id: 1 }],
      'nothing is sent for the speed while live: it goes with the replay');
    assert.equal(state.mode, 'replay');
    assert.equal(state.speed, 2);
    assert.ok(has(effects, 'write-url'));
  });

  test('a seek asks for the chart window’s worth of race before its moment, so the charts show what led to it', () => {
    const live = run(watching(), { type: 'preroll', ms: 60_000 }, { type: 'seek', ts: 100_000 });
    assert.deepEqual(sent(live.effects), [{ type: 'replay', from: { timestamp: 100_000 }, speed: 1, paused: false, preroll_ms: 60_000, id: 1 }]);
    const replaying2 = run(replaying(), { type: 'preroll', ms: 30_000 }, { type: 'seek', ts: 200_000 });
    assert.deepEqual(sent(replaying2.effects), [{ type: 'seek', to: { timestamp: 200_000 }, preroll_ms: 30_000, id: 2 }]);
    const earliest = run(watching(), { type: 'preroll', ms: 30_000 }, { type: 'replay' });
    assert.deepEqual(sent(earliest.effects), [{ type: 'replay', from: 'earliest', speed: 1, paused: false, id: 1 }], 'nothing comes before the start');
    assert.equal(run(watching(), { type: 'preroll', ms: 9e9 }).state.preroll, 600_000, 'the protocol’s bound');
  });

  test('← steps back with a seek of the page’s own (paused); → is the server’s step', () => {
    const back = run(replaying(), { type: 'step', ms: -100 });
    assert.deepEqual(sent(back.effects), [{ type: 'pause' }, { type: 'seek', to: { timestamp: 4900 }, id: 2 }]);
    assert.equal(back.state.wantPaused, true);
    assert.equal(back.state.awaitingReplay, true);

    const fwd = run(replaying(), { type: 'step', ms: 1000 });
    assert.deepEqual(sent(fwd.effects), [{ type: 'step', ms: 1000 }]);
    assert.equal(fwd.state.wantPaused, true, 'a step pauses');
    assert.equal(fwd.state.awaitingReplay, false, 'a step forward keeps the records already drawn');

    const unknown = run(replaying({ position_ts: null }), { type: 'step', ms: -1000 });
    assert.deepEqual(sent(unknown.effects), [{ type: 'step', ms: -1000 }], 'without a playhead the server steps back itself');
  });

  test('from live, ← pauses just before the live edge and → does nothing', () => {
    const back = run(watching(), { type: 'step', ms: -1000, at: 50_000 });
    assert.deepEqual(sent(back.effects), [{ type: 'replay', from: { timestamp: 49_000 }, speed: 1, paused: true, id: 1 }]);
    const fwd = next(watching(), { type: 'step', ms: 100, at: 50_000 });
    assert.deepEqual(fwd.effects, []);
  });

  test('Space pauses live at the live edge, then plays and pauses the replay', () => {
    let r = run(watching(), { type: 'toggle', at: 70_000 });
    assert.deepEqual(sent(r.effects), [{ type: 'replay', from: { timestamp: 70_000 }, speed: 1, paused: true, id: 1 }]);
    r = run(r.state, progress('paused', { id: 1 }), { type: 'toggle' });
    assert.deepEqual(sent(r.effects), [{ type: 'resume' }]);
    r = run(r.state, { type: 'toggle' });
    assert.deepEqual(sent(r.effects), [{ type: 'pause' }]);
  });

  test('a speed change goes to the running replay and into the URL', () => {
    const { state, effects } = run(replaying(), { type: 'speed', speed: 'max' });
    assert.deepEqual(sent(effects), [{ type: 'speed', speed: 'max' }]);
    assert.ok(has(effects, 'write-url'));
    assert.equal(state.speed, 'max');
    const same = next(state, { type: 'speed', speed: 'max' });
    assert.equal(same.state, state);
  });

  test('a link’s moment is played once the selection is confirmed, paused as the link says', () => {
    const start = initial({ selection: TELEMETRY, speed: 0.5, start: { ts: 123_000, paused: true } });
    const connected = run(start, { type: 'connected' });
    assert.deepEqual(sent(connected.effects), [{ type: 'subscribe', selection: TELEMETRY }], 'nothing before the selection is taken');
    const { state, effects } = run(connected.state, { type: 'subscribed' });
    assert.deepEqual(sent(effects), [{ type: 'range' }, { type: 'replay', from: { timestamp: 123_000 }, speed: 0.5, paused: true, id: 1 }]);
    assert.equal(state.start, null, 'once');
    assert.equal(state.mode, 'replay');
    const back = run(state, { type: 'disconnected', state: 'reconnecting' }, { type: 'connected' }, { type: 'subscribed' });
    assert.equal(back.state.mode, 'live', 'a reconnect is live, as before');
  });

  test('a failure is shown even with another id; a server without ids is taken at its word', () => {
    const asked = run(replaying(), { type: 'seek', ts: 9000 }).state;
    const failed = next(asked, progress('failed', { id: 1, error: 'gone' }));
    assert.equal(failed.state.replayState, 'failed');
    const noIds = run(watching(), { type: 'replay' }, progress('running'));
    assert.equal(noIds.state.awaitingReplay, false);
  });
});

describe('range and overviews', () => {
  const range = (extra = {}) => ({ type: 'range', message: { type: 'range', first_ts: 1, last_ts: 9, partitions: [{ topic: 'telemetry', partition: 0 }], ...extra } });
  const ov = (id, state = 'done', extra = {}) => ({ type: 'overview', message: { type: 'overview', id, state, ...extra } });
  const REQ = { from_ts: 0, to_ts: 10, buckets: 100 };

  test('the range is asked for once the selection is taken, and when the page asks; one of another topic is stale', () => {
    assert.deepEqual(sent(run(initial({ selection: TELEMETRY }), { type: 'connected' }, { type: 'subscribed' }).effects).at(-1), { type: 'range' });
    assert.deepEqual(sent(next(watching(), { type: 'ask-range' }).effects), [{ type: 'range' }]);
    assert.deepEqual(next(initial({ selection: TELEMETRY }), { type: 'ask-range' }).effects, [], 'not before the socket opens');
    assert.equal(run(watching(), range()).state.range.last_ts, 9);
    const other = run(watching(), range({ partitions: [{ topic: 'pit', partition: 0 }] }));
    assert.equal(other.state.range, null);
    assert.equal(run(watching(), range(), { type: 'subscribe', selection: PIT }).state.range, null, 'a new selection forgets it');
  });

  test('one overview at a time: the other purpose waits its turn, the same purpose replaces', () => {
    let r = run(watching(), { type: 'ask-overview', purpose: 'timeline', request: REQ });
    assert.deepEqual(sent(r.effects), [{ type: 'overview', ...REQ, id: 1 }]);
    r = run(r.state, { type: 'ask-overview', purpose: 'chart', request: { ...REQ, buckets: 50 } });
    assert.deepEqual(sent(r.effects), [], 'the chart waits: a new request would cancel the timeline’s');
    r = run(r.state, { type: 'ask-overview', purpose: 'chart', request: { ...REQ, buckets: 60 } });
    r = run(r.state, ov(1, 'running', { progress: 0.5 }));
    assert.equal(r.state.overviews.byPurpose.timeline.progress, 0.5);
    r = run(r.state, ov(1, 'done', { cars: [] }));
    assert.equal(r.state.overviews.byPurpose.timeline.state, 'done');
    assert.deepEqual(sent(r.effects), [{ type: 'overview', ...REQ, buckets: 60, id: 2 }], 'the latest waiting chart request goes next');
    r = run(r.state, { type: 'ask-overview', purpose: 'chart', request: REQ });
    assert.deepEqual(sent(r.effects), [{ type: 'overview', ...REQ, id: 3 }], 'a newer chart request replaces the chart’s own');
    const stale = next(r.state, ov(2, 'done'));
    assert.equal(stale.state, r.state, 'the replaced answer is ignored');
  });

  test('a failed overview keeps the last good one; a refused one lets the next ask go', () => {
    let r = run(watching(), { type: 'ask-overview', purpose: 'timeline', request: REQ }, ov(1, 'done', { cars: ['x'] }),
      { type: 'ask-overview', purpose: 'timeline', request: REQ }, ov(2, 'failed', { error: 'broker gone' }));
    const t = r.state.overviews.byPurpose.timeline;
    assert.equal(t.state, 'failed');
    assert.equal(t.error, 'broker gone');
    assert.deepEqual(t.message.cars, ['x']);
    r = run(r.state, { type: 'ask-overview', purpose: 'chart', request: REQ },
      { type: 'refused', request: 'overview', code: 'too_many_overviews', message: 'busy' });
    assert.deepEqual(toasts(r.effects).map((x) => x.title), ['Too many overviews']);
    assert.equal(r.state.overviews.inflight, null);
    assert.equal(sent(next(r.state, { type: 'ask-overview', purpose: 'chart', request: REQ }).effects).length, 1);
  });

  test('ids are shared by replays and overviews, so no answer is mistaken for another', () => {
    const r = run(watching(), { type: 'ask-overview', purpose: 'timeline', request: REQ }, { type: 'replay' });
    assert.deepEqual(sent(r.effects).map((m) => [m.type, m.id]), [['overview', 1], ['replay', 2]]);
  });
});

describe('how often the views are drawn', () => {
  const replaying = (speed, state = 'running') => {
    const s = run(watching(), { type: 'speed', speed }, { type: 'replay' }).state;
    return state === 'starting' ? s : next(s, { type: 'progress', message: { type: 'replay', id: s.replayId, state, speed, partitions: [] } }).state;
  };

  test('every frame live, and in a replay a person can follow', () => {
    assert.equal(drawPeriod(watching()), 0);
    assert.equal(drawPeriod(replaying(2)), 0);
  });

  test('once a second while a replay reads as fast as Kafka serves, until it catches up', () => {
    assert.equal(drawPeriod(replaying('max', 'starting')), FAST_REPLAY_DRAW_MS);
    assert.equal(drawPeriod(replaying('max')), FAST_REPLAY_DRAW_MS);
    assert.equal(drawPeriod(replaying('max', 'caught_up')), 0, 'then live from the replay reader');
    assert.equal(drawPeriod(replaying('max', 'paused')), 0);
  });
});

describe('the race views’ requests', () => {
  test('a lap table is asked for through the session, and only over an open socket', () => {
    const before = watching();
    const { state, effects } = next(before, { type: 'ask-laps', topic: 'telemetry' });
    assert.deepEqual(sent(effects), [{ type: 'laps', topic: 'telemetry' }]);
    assert.equal(state, before, 'the state is unchanged');
    assert.deepEqual(next(initial({ selection: TELEMETRY }), { type: 'ask-laps', topic: 'telemetry' }).effects, [], 'not before the socket opens');
    assert.deepEqual(next(watching(), { type: 'ask-laps', topic: null }).effects, [], 'no topic, nothing to ask');
  });
});

describe('the replay as one value', () => {
  test('every state’s replay fields are those of its one `replaying` value, and going live clears them all', () => {
    const progress = (id, extra = {}) => ({ type: 'progress', message: { type: 'replay', id, state: 'running', position_ts: 5, partitions: [], ...extra } });
    const events = [
      { type: 'replay' }, progress(1), { type: 'pause' }, { type: 'step', ms: -100 }, progress(2, { state: 'paused' }),
      { type: 'resume' }, { type: 'seek', ts: 9 }, { type: 'live' }, { type: 'toggle', at: 20 }, { type: 'disconnected', state: 'reconnecting' },
    ];
    let state = watching();
    const seen = new Set();
    for (const event of events) {
      state = next(state, event).state;
      const { mode, replay, replayState, awaitingReplay, wantPaused, replayId } = state;
      assert.deepEqual({ mode, replay, replayState, awaitingReplay, wantPaused, replayId }, replayFields(state.replaying), event.type);
      seen.add(mode);
      if (event.type === 'live' || event.type === 'disconnected') {
        assert.equal(state.replaying, null, `${event.type}: one value says live`);
        assert.deepEqual(replayFields(null), { mode: 'live', replay: null, replayState: null, awaitingReplay: false, wantPaused: false, replayId: null });
      }
    }
    assert.deepEqual([...seen].sort(), ['live', 'replay']);
  });
});
