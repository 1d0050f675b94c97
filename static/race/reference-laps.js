// The pinned reference laps' samples, fetched from `/api/lap` (any topic the server can
// read: docs/protocol.md), and what the server said when it could not give them (a lap
// whose records have left Kafka, a topic that does not exist), to show in their place.
// A topic whose laps the server is still reading is asked again, RETRY_MS apart, at most
// MAX_TRIES times. Bounded: past MAX_KEPT laps, the oldest asked for goes first.

/** Laps kept: the references pinned at most, and as many just unpinned. */
export const MAX_KEPT = 8;
export const RETRY_MS = 1000;
export const MAX_TRIES = 120;

export class ReferenceLaps {
  /** @param {() => void} onChange  a lap arrived or failed: draw again */
  constructor(onChange) {
    this.onChange = onChange;
    /** key -> {state: 'loading'|'ready'|'failed', lap?, samples?, error?, tries} */
    this.laps = new Map();
  }

  /**
   * What is known of `ref`'s lap: `{state: 'loading'}`, `{state: 'ready', lap, samples}`
   * (`lap`: its lap-table row: `start_ts`, `end_ts`, `time_ms`) or `{state: 'failed', error}`.
   * Asked for the first time it is called.
   */
  get(ref) {
    const key = `${ref.topic}|${ref.car}|${ref.lap}`;
    let got = this.laps.get(key);
    if (!got) {
      if (this.laps.size >= MAX_KEPT) this.laps.delete(this.laps.keys().next().value);
      got = { state: 'loading', tries: 0 };
      this.laps.set(key, got);
      this.ask(key, ref, got);
    }
    return got;
  }

  ask(key, ref, got) {
    got.tries++;
    const q = new URLSearchParams({ topic: ref.topic, car: ref.car, lap: String(ref.lap) });
    fetch(`/api/lap?${q}`, { headers: { accept: 'application/json' } })
      .then(async (res) => {
        const body = await res.json().catch(() => ({}));
        if (this.laps.get(key) !== got) return;
        if (res.ok && Array.isArray(body.samples)) {
          const { samples, ...lap } = body;
          Object.assign(got, { state: 'ready', lap, samples });
        } else if (res.status === 503 && got.tries < MAX_TRIES) {
          // The server is still reading the topic's laps (or is busy): it will have them.
          got.error = body.error ?? null;
          setTimeout(() => this.laps.get(key) === got && this.ask(key, ref, got), RETRY_MS);
          return this.onChange();
        } else {
          Object.assign(got, { state: 'failed', error: body.error ?? `the server answered ${res.status}` });
        }
        this.onChange();
      })
      .catch((e) => {
        if (this.laps.get(key) !== got) return;
        Object.assign(got, { state: 'failed', error: `the server could not be reached (${e.message})` });
        this.onChange();
      });
  }
}
