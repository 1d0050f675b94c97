// Laps fetched from `/api/lap` for the Distance strips (a best lap, a lap chosen in the
// tower), which may lie far outside the page's history. Bounded: the oldest entry goes first.

/** Laps kept: a few cars' bests and some chosen laps, each a lap of samples. */
export const MAX_LAPS = 32;

export class LapCache {
  /** @param {() => void} onLoaded  a lap arrived: draw again */
  constructor(onLoaded) {
    this.onLoaded = onLoaded;
    /** key -> null while loading, the samples once loaded, 'failed' after an error. */
    this.laps = new Map();
  }

  clear() {
    this.laps.clear();
  }

  /** The samples of `car`'s lap `lap` on `topic`, or null while they load (asked for once). */
  get(topic, car, lap) {
    const key = `${topic}|${car}|${lap}`;
    if (this.laps.has(key)) {
      const v = this.laps.get(key);
      return Array.isArray(v) ? v : null;
    }
    if (this.laps.size >= MAX_LAPS) this.laps.delete(this.laps.keys().next().value);
    this.laps.set(key, null);
    const q = new URLSearchParams({ topic, car, lap: String(lap) });
    fetch(`/api/lap?${q}`, { headers: { accept: 'application/json' } })
      .then((res) => (res.ok ? res.json() : Promise.reject(new Error(String(res.status)))))
      .then((body) => {
        if (!this.laps.has(key)) return;
        this.laps.set(key, Array.isArray(body.samples) ? body.samples : 'failed');
        this.onLoaded();
      })
      .catch(() => {
        if (this.laps.has(key)) this.laps.set(key, 'failed');
      });
    return null;
  }
}
