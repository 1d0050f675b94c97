// The page's overview requests, pure: the timeline and the zoomed charts each want an
// `overview`, but the server reads one per connection and a newer request replaces the one
// still being read. So one is in flight at a time; a request for the purpose in flight
// replaces it (the server drops the old one too), a request for the other purpose waits
// its turn, replacing one that already waited. Answers are matched by `id`.
//
// The sub-state, kept by session.js as `state.overviews`:
//   inflight  { purpose, id } | null
//   queued    { [purpose]: request } (at most one per purpose)
//   byPurpose { [purpose]: { state: 'running'|'done'|'failed', progress, message, error } }

export const NO_OVERVIEWS = Object.freeze({ inflight: null, queued: {}, byPurpose: {} });

/**
 * Asks for an overview for `purpose`. `send(request)` returns the id it was sent under.
 * @returns the new sub-state
 */
export function ask(o, purpose, request, send) {
  if (o.inflight && o.inflight.purpose !== purpose) {
    return { ...o, queued: { ...o.queued, [purpose]: request } };
  }
  const queued = { ...o.queued };
  delete queued[purpose];
  return dispatchOne({ ...o, queued }, purpose, request, send);
}

function dispatchOne(o, purpose, request, send) {
  const id = send(request);
  const prev = o.byPurpose[purpose];
  return {
    ...o,
    inflight: { purpose, id },
    byPurpose: { ...o.byPurpose, [purpose]: { ...prev, state: 'running', progress: 0, request } },
  };
}

/** Sends the next waiting request, if any. */
function drain(o, send) {
  const [purpose] = Object.keys(o.queued);
  if (purpose === undefined) return o;
  const queued = { ...o.queued };
  const request = queued[purpose];
  delete queued[purpose];
  return dispatchOne({ ...o, queued }, purpose, request, send);
}

/**
 * Takes the server's `overview` message. Answers to anything but the request in flight are
 * stale and change nothing (the same object is returned). A finished overview keeps the
 * last good answer when it failed, so the timeline does not blank on one bad read.
 */
export function answer(o, message, send) {
  const f = o.inflight;
  if (!f || message.id !== f.id) return o;
  const prev = o.byPurpose[f.purpose] ?? {};
  if (message.state === 'running') {
    return { ...o, byPurpose: { ...o.byPurpose, [f.purpose]: { ...prev, state: 'running', progress: message.progress ?? 0 } } };
  }
  const entry = message.state === 'done'
    ? { state: 'done', progress: 1, message, error: null, request: prev.request }
    : { ...prev, state: 'failed', error: message.error ?? 'the overview failed' };
  return drain({ ...o, inflight: null, byPurpose: { ...o.byPurpose, [f.purpose]: entry } }, send);
}

/** The server refused the request in flight (say, too many readers): nothing waits any more. */
export function refused(o, message) {
  const f = o.inflight;
  if (!f) return o;
  const prev = o.byPurpose[f.purpose] ?? {};
  return { inflight: null, queued: {}, byPurpose: { ...o.byPurpose, [f.purpose]: { ...prev, state: 'failed', error: message } } };
}
