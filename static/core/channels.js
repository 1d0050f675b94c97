// The channels the server knows of each topic (contract v2), as its `channels` messages and
// `GET /api/channels?topic=T` report them: unit, records, range, math, and what the bounds
// dropped. Pure: no DOM, no clock. The channel picker lists and searches it; the strips
// read a channel's unit from it. Test: tests/js/core/channels.test.mjs.

/**
 * Topics kept: the server reads at most 64 at once; one over that forgets the topic told
 * least recently (its channels come back with its next `channels` message).
 */
export const MAX_TOPICS = 64;
/**
 * Names kept per topic. The server keeps at most 512 channels a topic (docs/protocol.md);
 * the room over that is for a server configured otherwise. Names past it are ignored.
 */
export const MAX_NAMES = 1024;
/** A name longer than this is no channel the server sends (its bound is 128 bytes). */
const MAX_NAME_CHARS = 256;

const DROPPED_KEYS = ['name_too_long', 'over_record_limit', 'over_topic_limit', 'refused_channels'];

export class ChannelCatalogue {
  constructor() {
    /** topic → { names: string[], byName: Map<string, channel>, dropped } in the order told. */
    this.topics = new Map();
    /** Moves whenever anything a reader sees changes. */
    this.version = 0;
    /** Channel entries skipped because they were not channels (no name, a bad number). */
    this.rejected = 0;
  }

  /**
   * Takes a `channels` message or an `/api/channels` body: channels named before keep their
   * place with the new counts; new names are appended. Throws a TypeError for a body that is
   * not a topic's channel list.
   * @returns {boolean} whether anything changed
   */
  apply(body) {
    if (!body || typeof body.topic !== 'string' || !Array.isArray(body.channels)) {
      throw new TypeError('a channels body needs a "topic" string and a "channels" array');
    }
    let entry = this.topics.get(body.topic);
    let changed = false;
    if (!entry) {
      entry = { names: [], byName: new Map(), dropped: null };
      changed = true;
    }
    // Most recently told last, so the first key is the one to forget.
    this.topics.delete(body.topic);
    this.topics.set(body.topic, entry);
    while (this.topics.size > MAX_TOPICS) this.topics.delete(this.topics.keys().next().value);

    for (const raw of body.channels) {
      const c = channelOf(raw);
      if (!c) {
        this.rejected++;
        continue;
      }
      const old = entry.byName.get(c.name);
      if (!old) {
        if (entry.names.length >= MAX_NAMES) continue;
        entry.names.push(c.name);
      } else if (sameChannel(old, c)) {
        continue;
      }
      entry.byName.set(c.name, c);
      changed = true;
    }
    const dropped = droppedOf(body.dropped);
    if (dropped && !sameDropped(entry.dropped, dropped)) {
      entry.dropped = dropped;
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  /**
   * The channels of `topics` merged by name, in the first topic's order then each next
   * topic's new names: ranges widened over the topics, records summed, math if any says so.
   * @param {string[]} topics
   * @returns {{name: string, unit: string|null, min: number|null, max: number|null,
   *   records: number, math: boolean, topics: string[]}[]}
   */
  list(topics) {
    const out = new Map();
    for (const topic of new Set(topics)) {
      const entry = this.topics.get(topic);
      if (!entry) continue;
      for (const name of entry.names) {
        const c = entry.byName.get(name);
        const m = out.get(name);
        if (!m) {
          out.set(name, { ...c, topics: [topic] });
          continue;
        }
        m.unit ??= c.unit;
        m.min = widen(m.min, c.min, Math.min);
        m.max = widen(m.max, c.max, Math.max);
        m.records += c.records;
        m.math ||= c.math;
        m.topics.push(topic);
      }
    }
    return [...out.values()];
  }

  /** The unit of `name` in any topic told (null when none says one, or it is unknown). */
  unit(name) {
    for (const entry of this.topics.values()) {
      const u = entry.byName.get(name)?.unit;
      if (u) return u;
    }
    return null;
  }

  /**
   * What the server's bounds took from `topic`'s live stream, or null before it said.
   * @returns {{name_too_long: number, over_record_limit: number, over_topic_limit: number,
   *   refused_channels: number}|null}
   */
  dropped(topic) {
    const d = this.topics.get(topic)?.dropped;
    return d ? { ...d } : null;
  }
}

/** A channel entry as kept, or null when `raw` is not one. */
function channelOf(raw) {
  if (!raw || typeof raw.name !== 'string' || raw.name === '' || raw.name.length > MAX_NAME_CHARS) return null;
  const num = (v) => (v === null || v === undefined ? null : Number.isFinite(v) ? v : undefined);
  const min = num(raw.min);
  const max = num(raw.max);
  const records = raw.records ?? 0;
  if (min === undefined || max === undefined || !Number.isFinite(records) || records < 0) return null;
  return {
    name: raw.name,
    unit: typeof raw.unit === 'string' && raw.unit !== '' ? raw.unit : null,
    min,
    max,
    records,
    math: raw.math === true,
  };
}

function sameChannel(a, b) {
  return a.unit === b.unit && a.min === b.min && a.max === b.max && a.records === b.records && a.math === b.math;
}

function droppedOf(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const out = {};
  for (const k of DROPPED_KEYS) out[k] = Number.isFinite(raw[k]) && raw[k] > 0 ? raw[k] : 0;
  return out;
}

function sameDropped(a, b) {
  return a !== null && DROPPED_KEYS.every((k) => a[k] === b[k]);
}

const widen = (a, b, pick) => (a === null ? b : b === null ? a : pick(a, b));

// ---- search ------------------------------------------------------------------------------

/** How well a query token matches, best first; a channel's score is the sum over its tokens. */
const SCORE = { segment: 0, prefix: 1, substring: 2, abbreviation: 3, unit: 4, math: 4 };

/**
 * The channels of `list` that match `query`, best first (list order among equals). The query
 * is words separated by spaces, all of which must match, case-insensitively: a word matches a
 * part of the name (parts are split at `.` and `_`) exactly, as its start, inside it, or as an
 * abbreviation of it (`brk` for `brake`: its letters in order, the first one first); or
 * anywhere in the name (`temp_c.f`); or the unit (`psi`, `°c`); `math` finds math channels.
 * The whole name, then a name starting with the query, come before any other match.
 * @param {{name: string, unit: string|null, math: boolean}[]} list
 * @param {string} query
 */
export function search(list, query) {
  const q = query.trim().toLowerCase();
  if (q === '') return list.slice();
  const words = q.split(/\s+/);
  const scored = [];
  list.forEach((c, i) => {
    const name = c.name.toLowerCase();
    let score;
    if (name === q) score = -2;
    else if (name.startsWith(q)) score = -1;
    else score = scoreWords(c, name, words);
    if (score !== null) scored.push({ c, i, score });
  });
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.map((s) => s.c);
}

/** The sum of each word's best score, or null when some word matches nothing. */
function scoreWords(c, name, words) {
  const parts = name.split(/[._]/).filter(Boolean);
  const unit = c.unit?.toLowerCase() ?? '';
  let total = 0;
  for (const w of words) {
    const s = scoreWord(w, name, parts, unit, c.math);
    if (s === null) return null;
    total += s;
  }
  return total;
}

function scoreWord(w, name, parts, unit, math) {
  let best = null;
  const take = (s) => {
    if (best === null || s < best) best = s;
  };
  for (const p of parts) {
    if (p === w) return SCORE.segment;
    if (p.startsWith(w)) take(SCORE.prefix);
    else if (p.includes(w)) take(SCORE.substring);
    else if (abbreviates(w, p)) take(SCORE.abbreviation);
  }
  if (best === null && name.includes(w)) take(SCORE.substring);
  if (best === null && unit !== '' && unit.includes(w)) take(SCORE.unit);
  if (best === null && math && 'math'.startsWith(w) && w.length >= 2) take(SCORE.math);
  return best;
}

/** Whether `w`'s letters appear in `part` in order, starting with its first letter. */
function abbreviates(w, part) {
  if (w.length < 2 || w[0] !== part[0]) return false;
  let i = 1;
  for (let j = 1; j < part.length && i < w.length; j++) if (part[j] === w[i]) i++;
  return i === w.length;
}
