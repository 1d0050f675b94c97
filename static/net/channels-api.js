// `GET /api/channels?topic=T`: a topic's channels with their latest counts and ranges, and
// what the server's bounds dropped (docs/protocol.md). The `channels` message names a
// channel once; the counts and ranges move after it, so the channel picker asks here each
// time it opens. Every failure is an Error whose message a person can read.

/** How long an answer may take: the server answers from memory, so a wait is a stall. */
export const CHANNELS_TIMEOUT_MS = 5_000;

/**
 * @param {string} topic
 * @param {{timeoutMs?: number, fetchImpl?: typeof fetch}} [options]  `fetchImpl`: for tests
 * @returns {Promise<object>} the body, `{ topic, channels: [...], dropped: {...} }`
 */
export async function fetchChannels(topic, { timeoutMs = CHANNELS_TIMEOUT_MS, fetchImpl = globalThis.fetch } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let res;
    try {
      res = await fetchImpl(`/api/channels?topic=${encodeURIComponent(topic)}`, {
        headers: { accept: 'application/json' }, signal: abort.signal,
      });
    } catch (err) {
      if (abort.signal.aborted) throw new Error(`no answer within ${timeoutMs / 1000} s`);
      throw new Error(`the server could not be reached (${err.message})`);
    }
    if (!res.ok) throw new Error(`the server answered ${res.status}${await reason(res)}`);
    let body;
    try {
      body = await res.json();
    } catch {
      throw new Error(abort.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : 'the answer is not JSON');
    }
    if (!body || body.topic !== topic || !Array.isArray(body.channels)) {
      throw new Error(`the answer is not the channel list of ${topic}`);
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/** The server's `{ "error": "…" }`, as `: …`, when it gave one. */
async function reason(res) {
  try {
    const body = await res.json();
    return typeof body?.error === 'string' ? `: ${body.error}` : '';
  } catch {
    return '';
  }
}
