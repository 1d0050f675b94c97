// The page's conversation with the server as a pure reducer: `next(state, event)` returns
// the new state and the effects to perform (messages to send, the store to clear, the URL
// to rewrite, notices to show, records to keep). No DOM and no clock: app.js performs the
// effects and renders from the state, and tests/js/session.test.mjs drives it with plain data.
//
// Events, each `{ type, ... }`:
//   connected                      the socket opened; the selection is (re)sent
//   disconnected { state }         the socket is gone ('connecting' | 'reconnecting')
//   subscribe { selection }        the person chose what to watch
//   subscribed                     the server took the last subscribe
//   refused { request, code, message }   the server's `error` for a request
//   replay | pause | resume | live the person's replay buttons
//   progress { message }           the server's `replay` message
//   data { message }               the server's `data` message
//   topics { names }               the broker's topics, refreshed every few seconds
//
// Effects, each `{ type, ... }`:
//   send { message }               a control message for the server
//   clear-store                    forget the telemetry kept (the server sends history again)
//   write-url                      the selection changed: rewrite the query string
//   toast { title, text, kind }    a notice ('error' or 'info')
//   ingest { batches, selection }  keep a data message's records of the selection

import { sameSelection } from './selection.js';

/**
 * @param {{selection: object[], connection?: string}} start  the selection the URL (or the
 *   server's default topic) names; the page asks for it once the socket opens
 */
export function initial({ selection, connection = 'connecting' }) {
  return Object.freeze({
    selection,
    /** 'live' (the group's stream) or 'replay' (this page's own reader). Data of the other mode is stale. */
    mode: 'live',
    /** After a subscribe, data still in flight belongs to the old selection until `subscribed`. */
    awaitingSubscribed: true,
    /** The selection the server last confirmed with `subscribed`: the one it streams. */
    confirmed: null,
    /** A selection the server refused (say, a topic that does not exist yet); retried when it appears. */
    refused: null,
    /** After a replay request, data in flight may be from before it until the first `replay` message. */
    awaitingReplay: false,
    /** The last `replay` message of the running replay, and its state ('starting' before the first). */
    replay: null,
    replayState: null,
    /** 'connecting', 'connected' or 'reconnecting'. */
    connection,
    /** Records the server dropped for this page since it loaded (from `data` messages). */
    dropped: 0,
  });
}

/** @returns {{state: object, effects: object[]}} `state` is the same object when nothing changed */
export function next(state, event) {
  const effects = [];
  const out = (s) => ({ state: s === state ? state : Object.freeze(s), effects });
  switch (event.type) {
    case 'connected':
      return out(subscribing({ ...state, connection: 'connected' }, effects));

    case 'disconnected':
      // A replay lives and dies with its socket, and the server forgets the selection;
      // the next socket starts live and asks for it again.
      return out({
        ...state, connection: event.state, confirmed: null,
        mode: 'live', replay: null, replayState: null, awaitingReplay: false,
      });

    case 'subscribe':
      if (sameSelection(event.selection, state.selection) && state.mode === 'live') return out(state);
      effects.push({ type: 'write-url' });
      return out(subscribing({ ...state, selection: event.selection }, effects));

    case 'subscribed':
      return out({ ...state, awaitingSubscribed: false, confirmed: state.selection, refused: null });

    case 'refused':
      return out(refused(state, event, effects));

    case 'replay':
      if (state.connection !== 'connected') return out(state);
      effects.push({ type: 'send', message: { type: 'replay', from: 'earliest' } }, { type: 'clear-store' });
      return out({ ...state, mode: 'replay', replay: null, replayState: 'starting', awaitingReplay: true });

    case 'pause':
    case 'resume':
      if (state.connection === 'connected') effects.push({ type: 'send', message: { type: event.type } });
      return out(state);

    case 'live':
      if (state.connection !== 'connected') return out(state);
      // The server sends the history again, as live data.
      effects.push({ type: 'send', message: { type: 'live' } }, { type: 'clear-store' });
      return out({ ...state, mode: 'live', replay: null, replayState: null, awaitingReplay: false });

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
  return { ...state, mode: 'live', replay: null, replayState: null, awaitingReplay: false, awaitingSubscribed: true };
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
  if (state.awaitingReplay && request === 'replay') return subscribing(state, effects);
  return state;
}

function progress(state, message, effects) {
  if (state.mode !== 'replay') return state; // the end of a replay the page already left
  if (message.state === 'failed') {
    effects.push({ type: 'toast', title: 'Replay failed', text: message.error ?? 'The replay reader stopped with an error.', kind: 'error' });
  } else if (message.state === 'stopped') {
    // The page leaves replay mode before it asks to stop, so this stop is the server's own.
    effects.push({
      type: 'toast', title: 'Replay stopped',
      text: 'The server stopped the replay. Use “Back to live” to return to the group stream.', kind: 'info',
    });
  }
  return { ...state, awaitingReplay: false, replay: message, replayState: message.state };
}

/** Keeps a `data` message only when it is of the mode shown and no request awaits its answer. */
function data(state, message, effects) {
  if (state.awaitingSubscribed || state.awaitingReplay || message.mode !== state.mode) return state;
  if (Array.isArray(message.batches)) effects.push({ type: 'ingest', batches: message.batches, selection: state.selection });
  return message.dropped > 0 ? { ...state, dropped: state.dropped + message.dropped } : state;
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
  }[code] ?? `Server error${code ? ` (${code})` : ''}`;
}
