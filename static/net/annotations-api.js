// `POST /api/annotations`: writes a new note, an edit (with `id`) or a removal (`id` and
// `deleted: true`) (docs/protocol.md). A refusal is an Error whose message is the server's
// reason (read-only, the broker refused, a note too long), so a person can act on it.

/** The broker acknowledges a note within the server's own 10 s, or the server says why. */
export const WRITE_TIMEOUT_MS = 15_000;

/**
 * @param {object} body  `{ topic, ts, car, lap, text, author }`, `id` to edit, `deleted` to remove
 * @param {{fetchImpl?: typeof fetch}} [options]
 * @returns {Promise<object>} the note as written, with its `id`
 */
export async function writeNote(body, { fetchImpl = globalThis.fetch } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), WRITE_TIMEOUT_MS);
  try {
    let res;
    try {
      res = await fetchImpl('/api/annotations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (err) {
      if (abort.signal.aborted) throw new Error(`no answer within ${WRITE_TIMEOUT_MS / 1000} s`);
      throw new Error(`the server could not be reached (${err.message})`);
    }
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(answer.error ?? `the server answered ${res.status}`);
    return answer;
  } finally {
    clearTimeout(timer);
  }
}
