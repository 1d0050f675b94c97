// The page's conversation with the server as a pure reducer: `next(state, event)` returns
// the new state and the effects to perform (messages to send, the store to clear, the URL
// to rewrite, notices to show, records to keep). No DOM and no clock: app.js performs the
// effects and renders from the state, and tests/js/core/session.test.mjs drives it with plain data.
//
// Events, each `{ type, ... }`:
//   connected                      the socket opened; the selection is (re)sent
//   disconnected { state }         the socket is gone ('connecting' | 'reconnecting')
//   subscribe { selection }        the person chose what to watch
//   subscribed                     the server took the last subscribe
//   refused { request, code, message }   the server's `error` for a request
//   replay { from? }               play from the start (or `from`) at the chosen speed
//   seek { ts }                    go to a moment: a replay starts there when live
//   pause { at? } | resume | toggle { at? }   `at`: the live edge, where pausing live freezes
//   step { ms, at? }               move the playhead by `ms` of race time, paused
//   speed { speed }                choose the speed (sent to a running replay)
//   preroll { ms }                 how much race a seek shows up to its moment (the chart window)
//   live                           back to the group's stream
//   progress { message }           the server's `replay` message
//   data { message }               the server's `data` message
//   ask-range                      time to ask what Kafka retains (every few seconds)
//   range { message }              the server's `range` message
//   ask-overview { purpose, request }   the timeline or the zoomed charts want a summary
//   overview { message }           the server's `overview` message
//   topics { names }               the broker's topics, refreshed every few seconds
//   ask-laps { topic }             the race views want the topic's lap table (again, after a refusal)
//   channels { names }             the channels the layout draws (workbench/replay-channels.js): replays ask for these
//
// Effects, each `{ type, ... }`:
//   send { message }               a control message for the server
//   clear-store                    forget the telemetry kept (the server sends history again)
//   write-url                      the selection changed: rewrite the query string
//   toast { title, text, kind }    a notice ('error' or 'info')
//   ingest { batches, selection }  keep a data message's records of the selection

import { sameSelection } from './selection.js';
import * as overviews from './overview-queue.js';

/**
 * @param {{selection: object[], connection?: string, speed?: number|'max',
 *   start?: {ts: number, paused: boolean}|null, preroll?: number}} start  the selection the URL
 *   (or the server's default topic) names, asked for once the socket opens; `start`: a moment
 *   a link names, played once the selection is confirmed
 */
export function initial({ selection, connection = 'connecting', speed = 1, start = null, preroll = 0, channels = null }) {
  return Object.freeze(withReplayFields({
    selection,
    /**
     * The replay this page plays on its own reader, as one value; null while live, so going
     * live is one assignment. `{ last, state, awaiting, paused, id, from, channels }`: see `replayFields`,
     * which spells them out as the flat fields views read (`mode`, `replay`, ...).
     */
    replaying: LIVE,
    /** After a subscribe, data still in flight belongs to the old selection until `subscribed`. */
    awaitingSubscribed: true,
    /** The selection the server last confirmed with `subscribed`: the one it streams. */
    confirmed: null,
    /** A selection the server refused (say, a topic that does not exist yet); retried when it appears. */
    refused: null,
    /** 'connecting', 'connected' or 'reconnecting'. */
    connection,
    /** Records the server dropped for this page since it loaded (from `data` messages). */
    dropped: 0,
    /** The speed chosen for replays: one of url.js's SPEEDS. */
    speed,
    nextId: 1,
    /** A moment a link names, to play once the selection is confirmed (once). */
    start,
    /** Race time (ms) before a moment the server delivers at once (`preroll_ms`): the chart window. */
    preroll,
    /** The channels a replay asks for (the layout's), sorted; null: every channel. */
    channels,
    /** The last `range` message of the selection: what Kafka retains. */
    range: null,
    /** The overviews asked for, by purpose ('timeline', 'chart'); see overview-queue.js. */
    overviews: overviews.NO_OVERVIEWS,
  }));
}

/** No replay: the page shows the group's live stream. */
const LIVE = null;

/**
 * The replay's fields as views read them, derived from `replaying` on every new state (the
 * reducer writes only `replaying`):
 * - `mode`: 'live' (the group's stream) or 'replay' (this page's own reader); data of the other mode is stale;
 * - `replay`: the last `replay` message of the running replay; `replayState` its state ('starting' before the first);
 * - `awaitingReplay`: after a replay or seek request, data in flight may be from before it until a `replay` message with its id;
 * - `wantPaused`: whether the person wants the replay paused (the server's answer follows in `replayState`);
 * - `replayId`: the id of the last `replay` or `seek` sent.
 */
export function replayFields(replaying) {
  return {
    mode: replaying ? 'replay' : 'live',
    replay: replaying?.last ?? null,
    replayState: replaying?.state ?? null,
    awaitingReplay: replaying?.awaiting ?? false,
    wantPaused: replaying?.paused ?? false,
    replayId: replaying?.id ?? null,
  };
}

const withReplayFields = (s) => Object.assign(s, replayFields(s.replaying));

/** @returns {{state: object, effects: object[]}} `state` is the same object when nothing changed */
export function next(state, event) {
  const effects = [];
  const out = (s) => ({ state: s === state ? state : Object.freeze(withReplayFields({ ...s })), effects });
  switch (event.type) {
    case 'connected':
      return out(subscribing({ ...state, connection: 'connected' }, effects));

    case 'disconnected':
      // A replay lives and dies with its socket, and the server forgets the selection;
      // the next socket starts live and asks for it again.
      return out({
        ...state, connection: event.state, confirmed: null, replaying: LIVE, overviews: overviews.NO_OVERVIEWS,
      });

    case 'subscribe':
      if (sameSelection(event.selection, state.selection) && !state.replaying) return out(state);
      effects.push({ type: 'write-url' });
      return out(subscribing({ ...state, selection: event.selection }, effects));

    case 'subscribed': {
      const s2 = { ...state, awaitingSubscribed: false, confirmed: state.selection, refused: null };
      effects.push({ type: 'send', message: { type: 'range' } });
      if (!state.start) return out(s2);
      // A link's moment: shown as the link says, paused or playing.
      return out(seek({ ...s2, start: null }, state.start.ts, state.start.paused, effects));
    }

    case 'refused':
      return out(refused(state, event, effects));

    case 'replay':
      if (state.connection !== 'connected') return out(state);
      return out(startReplay(state, event.from ?? 'earliest', false, effects));

    case 'seek':
      if (state.connection !== 'connected' || !Number.isFinite(event.ts)) return out(state);
      return out(seek(state, event.ts, state.replaying?.paused ?? false, effects));

    case 'pause':
    case 'resume':
    case 'toggle':
      return out(pauseOrResume(state, event, effects));

    case 'step':
      return out(step(state, event, effects));

    case 'speed':
      if (event.speed === state.speed) return out(state);
      if (state.connection === 'connected' && state.replaying) {
        effects.push({ type: 'send', message: { type: 'speed', speed: event.speed } });
      }
      effects.push({ type: 'write-url' });
      return out({ ...state, speed: event.speed });

    case 'preroll':
      return out(event.ms === state.preroll ? state : { ...state, preroll: Math.min(600_000, Math.max(0, event.ms)) });

    case 'live':
      if (state.connection !== 'connected') return out(state);
      // The server sends the history again, as live data.
      effects.push({ type: 'send', message: { type: 'live' } }, { type: 'clear-store' }, { type: 'write-url' });
      return out({ ...state, replaying: LIVE });

    case 'ask-range':
      if (state.connection === 'connected' && state.confirmed) effects.push({ type: 'send', message: { type: 'range' } });
      return out(state);

    case 'range':
      return out(rangeOf(state, event.message));

    case 'ask-laps':
      if (state.connection === 'connected' && event.topic) effects.push({ type: 'send', message: { type: 'laps', topic: event.topic } });
      return out(state);

    case 'channels':
      return out(channelsDrawn(state, event.names, effects));

    case 'ask-overview':
      return out(askOverview(state, event.purpose, event.request, effects));

    case 'overview':
      return out(overviewAnswer(state, event.message, effects));

    case 'progress':
      return out(progress(state, event.message, effects));

    case 'data':
      return out(data(state, event.message, effects));

    case 'topics':
      return out(retryRefused(state, event.names, effects));

    default:
      return out(state);
  }
}

/** Asks for `state.selection`; the charts start over with the history the server sends for it. */
function subscribing(state, effects) {
  effects.push({ type: 'clear-store' });
  if (state.connection === 'connected') {
    const selection = state.selection.map(({ topic, partitions }) => ({ topic, partitions }));
    effects.push({ type: 'send', message: { type: 'subscribe', selection } });
  }
  return {
    ...state, replaying: LIVE, awaitingSubscribed: true, range: null, overviews: overviews.NO_OVERVIEWS,
  };
}

/** A new id for a `replay`, `seek` or `overview`, and the state that has used it. */
function takeId(state) {
  return [state.nextId, { ...state, nextId: state.nextId + 1 }];
}

/**
 * Starts a replay `from` at the chosen speed, of the channels the layout draws; data is
 * discarded until its first message.
 */
function startReplay(state, from, paused, effects, extra = {}) {
  const [id, s] = takeId(state);
  const { channels } = state;
  const chosen = channels ? { channels } : {};
  effects.push(
    { type: 'send', message: { type: 'replay', from, speed: state.speed, paused, ...extra, ...chosen, id } },
    { type: 'clear-store' },
    { type: 'write-url' },
  );
  return {
    ...s, replaying: { last: null, state: 'starting', awaiting: true, paused, id, from, channels },
  };
}

/**
 * The layout draws `names` now. A running replay that did not ask for one of them starts
 * again from its playhead (with the chart window before it) asking for the new list, so the
 * new channel fills in; one that has them all goes on, sending a few channels no one draws.
 */
function channelsDrawn(state, names, effects) {
  const same = state.channels && names.length === state.channels.length && names.every((n, i) => n === state.channels[i]);
  if (same) return state;
  const s = { ...state, channels: names };
  const r = state.replaying;
  const asked = r?.channels ? new Set(r.channels) : null;
  if (state.connection !== 'connected' || !asked || names.every((n) => asked.has(n))) return s;
  const at = r.last?.position_ts;
  if (!Number.isFinite(at)) return startReplay(s, r.from, r.paused, effects);
  const extra = state.preroll >= 1 ? { preroll_ms: Math.round(state.preroll) } : {};
  return startReplay(s, { timestamp: Math.max(0, Math.round(at)) }, r.paused, effects, extra);
}

/**
 * Goes to the moment `ts`, playing or `paused`: a seek of the running replay, or a replay
 * starting there when live. The server delivers the `preroll` ms of race before the moment
 * at once, so the charts show what led to it rather than an empty window.
 */
function seek(state, ts, paused, effects) {
  const to = { timestamp: Math.max(0, Math.round(ts)) };
  const extra = state.preroll >= 1 ? { preroll_ms: Math.round(state.preroll) } : {};
  const r = state.replaying;
  if (!r) return startReplay(state, to, paused, effects, extra);
  const [id, s] = takeId(state);
  if (paused !== r.paused) effects.push({ type: 'send', message: { type: paused ? 'pause' : 'resume' } });
  effects.push({ type: 'send', message: { type: 'seek', to, ...extra, id } }, { type: 'write-url' });
  return { ...s, replaying: { ...r, awaiting: true, id, state: r.state ?? 'starting', paused, from: to } };
}

/** Pause, resume, or either (Space). Pausing live freezes the live edge `at` as a paused replay. */
function pauseOrResume(state, event, effects) {
  if (state.connection !== 'connected') return state;
  // The person's intent, not the server's last state: a seek that steps pauses for a moment.
  const r = state.replaying;
  const pause = event.type === 'pause' || (event.type === 'toggle' && !r?.paused);
  if (!r) {
    if (!pause) return state;
    if (!Number.isFinite(event.at)) {
      effects.push({ type: 'send', message: { type: 'pause' } });
      return state;
    }
    return seek(state, event.at, true, effects);
  }
  effects.push({ type: 'send', message: { type: pause ? 'pause' : 'resume' } }, { type: 'write-url' });
  return { ...state, replaying: { ...r, paused: pause } };
}

/**
 * ←/→: forward is the server's step (delivers `ms` at once, then pauses); back is a seek to
 * the playhead minus `ms`, paused, with an id of the page's, so the records the replay
 * already sent are not drawn twice. From live, back pauses `ms` before the live edge `at`.
 */
function step(state, { ms, at }, effects) {
  if (state.connection !== 'connected' || !ms) return state;
  const r = state.replaying;
  if (!r) return ms < 0 && Number.isFinite(at) ? seek(state, at + ms, true, effects) : state;
  const position = r.last?.position_ts;
  if (ms < 0 && Number.isFinite(position)) return seek(state, position + ms, true, effects);
  effects.push({ type: 'send', message: { type: 'step', ms } }, { type: 'write-url' });
  return { ...state, replaying: { ...r, paused: true } };
}

/** Keeps a `range` answer of the selection (one naming another topic is from before a subscribe). */
function rangeOf(state, message) {
  if (state.awaitingSubscribed) return state;
  const topics = new Set(state.selection.map((s) => s.topic));
  if ((message.partitions ?? []).some((p) => !topics.has(p.topic))) return state;
  return { ...state, range: message };
}

/** Sends `request` as an `overview` under a new id; returns the id. */
function overviewSender(holder, effects) {
  return (request) => {
    const [id, s] = takeId(holder.state);
    holder.state = s;
    effects.push({ type: 'send', message: { type: 'overview', ...request, id } });
    return id;
  };
}

function askOverview(state, purpose, request, effects) {
  if (state.connection !== 'connected' || !state.confirmed) return state;
  const holder = { state };
  const o = overviews.ask(state.overviews, purpose, request, overviewSender(holder, effects));
  return { ...holder.state, overviews: o };
}

function overviewAnswer(state, message, effects) {
  const holder = { state };
  const o = overviews.answer(state.overviews, message, overviewSender(holder, effects));
  return o === state.overviews ? state : { ...holder.state, overviews: o };
}

/**
 * An error while a `subscribe` awaits its answer is taken as that subscribe's refusal (the
 * protocol does not tie errors to requests). The server still streams the selection it had,
 * so the page goes back to it, asking again for its history; a refused first selection is
 * kept on screen and retried once its topics appear. A refused replay goes back to live.
 */
function refused(state, { request, code, message }, effects) {
  effects.push({ type: 'toast', title: errorTitle(code), text: message ?? 'The server refused a request.', kind: 'error' });
  if (state.awaitingSubscribed && request === 'subscribe') {
    const s = { ...state, awaitingSubscribed: false, refused: state.selection };
    if (!state.confirmed || sameSelection(state.confirmed, state.selection)) return s;
    effects.push({ type: 'write-url' });
    return subscribing({ ...s, selection: state.confirmed }, effects);
  }
  if (state.replaying?.awaiting && request === 'replay') return subscribing(state, effects);
  if (request === 'overview') return { ...state, overviews: overviews.refused(state.overviews, message) };
  return state;
}

function progress(state, message, effects) {
  const r = state.replaying;
  if (!r) return state; // the end of a replay the page already left
  // Messages of an earlier reading (before the last replay or seek) are still in flight: an
  // id that is not the last one sent is stale. A server that gives no id at all (an older
  // one) is taken at its word. A failure is shown whatever reading it ends.
  const stale = message.id !== undefined && message.id !== r.id && message.state !== 'failed';
  if (stale) return state;
  if (r.awaiting) effects.push({ type: 'clear-store' });
  if (message.state === 'failed') {
    effects.push({ type: 'toast', title: 'Replay failed', text: message.error ?? 'The replay reader stopped with an error.', kind: 'error' });
  } else if (message.state === 'stopped') {
    // The page leaves replay mode before it asks to stop, so this stop is the server's own.
    effects.push({
      type: 'toast', title: 'Replay stopped',
      text: 'The server stopped the replay. Use “Back to live” to return to the group stream.', kind: 'info',
    });
  }
  return { ...state, replaying: { ...r, awaiting: false, last: message, state: message.state } };
}

/** Keeps a `data` message only when it is of the mode shown and no request awaits its answer. */
function data(state, message, effects) {
  const mode = state.replaying ? 'replay' : 'live';
  if (state.awaitingSubscribed || state.replaying?.awaiting || message.mode !== mode) return state;
  if (Array.isArray(message.batches)) effects.push({ type: 'ingest', batches: message.batches, selection: state.selection });
  return message.dropped > 0 ? { ...state, dropped: state.dropped + message.dropped } : state;
}

/** While a replay reads as fast as Kafka serves, the views are drawn this often (ms), one view per animation frame. */
export const FAST_REPLAY_DRAW_MS = 1000;

/**
 * How often the views (strips, map, tower, timeline, legend) should be drawn: 0 for every
 * animation frame, or a period in ms. A replay at `max` delivers minutes of race a second;
 * drawing them as they come costs far more than keeping the records (measured: 11 s against
 * 4 s for 200,000 records) and shows nothing a person can follow, so until it catches up it
 * is drawn once a second; its progress display follows every `replay` message meanwhile.
 */
export function drawPeriod(state) {
  const fast = state.mode === 'replay' && (state.replayState === 'starting' || state.replayState === 'running')
    && (state.replay?.speed ?? state.speed) === 'max' && !state.wantPaused;
  return fast ? FAST_REPLAY_DRAW_MS : 0;
}

/** Subscribes again to a refused selection that is still on screen once all its topics exist. */
function retryRefused(state, names, effects) {
  const r = state.refused;
  if (!r || !sameSelection(r, state.selection) || state.awaitingSubscribed) return state;
  const known = new Set(names);
  return r.every((s) => known.has(s.topic)) ? subscribing(state, effects) : state;
}

/** The notice's title for an `error` message's code. */
export function errorTitle(code) {
  return {
    bad_request: 'Request refused',
    no_replay: 'No replay running',
    unknown_topic: 'Unknown topic',
    too_many_topics: 'Too many topics',
    too_many_replays: 'Too many replays',
    too_many_overviews: 'Too many overviews',
  }[code] ?? `Server error${code ? ` (${code})` : ''}`;
}
