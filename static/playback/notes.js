// The notes on the timeline, pure (no DOM): the latest state of each note of the selected
// topics from the server's `annotations` and `annotation` messages (docs/protocol.md),
// where their markers go across the timeline, which ones a playing replay has just
// passed, and the rules a note must meet before it is sent (the server checks them again).

import { timeToX } from './timeline.js';

/** As the server: text 1 to 1,000 characters, author 1 to 64, counted in characters. */
export const MAX_TEXT_CHARS = 1000;
export const MAX_AUTHOR_CHARS = 64;
/** Markers closer than this (px) are drawn as one, which names how many it holds. */
const MARKER_GAP_PX = 6;
/** A playhead that jumps further than this forward was moved (a seek), not played: no toasts. */
const PLAYED_MAX_MS = 10_000;

export class NoteBook {
  constructor() {
    /** topic → Map(id → note), latest state, removed notes left out. */
    this.topics = new Map();
    /** topic → why no note can be added (null: writable). */
    this.why = new Map();
    /** Bumped on every change, so views redraw only when it moved. */
    this.version = 0;
  }

  /** An `annotations` message: a topic's notes when it was subscribed to. */
  replace(msg) {
    const notes = new Map();
    for (const n of msg.annotations ?? []) if (!n.deleted) notes.set(n.id, { ...n, topic: msg.topic });
    this.topics.set(msg.topic, notes);
    this.why.set(msg.topic, msg.writable ? null : (msg.why ?? 'this server does not write notes'));
    this.version++;
  }

  /**
   * An `annotation` message: a note's new state. Returns 'added', 'changed', 'removed' or
   * null (a topic not followed, or nothing new).
   */
  apply(msg) {
    const notes = this.topics.get(msg.topic);
    if (!notes) return null;
    const old = notes.get(msg.id);
    if (msg.deleted) {
      if (!old) return null;
      notes.delete(msg.id);
      this.version++;
      return 'removed';
    }
    if (old && old.written_at === msg.written_at && old.text === msg.text && old.ts === msg.ts) return null;
    const { type: _type, ...note } = msg;
    notes.set(msg.id, note);
    this.version++;
    return old ? 'changed' : 'added';
  }

  /** Keeps only the topics of the selection. */
  keep(topics) {
    for (const t of [...this.topics.keys()]) {
      if (!topics.includes(t)) {
        this.topics.delete(t);
        this.why.delete(t);
        this.version++;
      }
    }
  }

  /** Every note of the selection, by race time. */
  list() {
    const all = [];
    for (const notes of this.topics.values()) all.push(...notes.values());
    return all.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  }

  /** Why `topic` takes no new note (null when it does, undefined when unknown yet). */
  whyNot(topic) {
    return this.why.get(topic);
  }
}

/**
 * Where the notes' markers go on a timeline `width` px wide: notes within the span, those
 * closer than MARKER_GAP_PX merged into one marker holding them all.
 * @returns {{x: number, notes: object[]}[]}
 */
export function noteMarkers(notes, sp, width) {
  if (!sp || width <= 0) return [];
  const out = [];
  for (const n of notes) {
    if (n.ts < sp.from || n.ts > sp.to) continue;
    const x = timeToX(n.ts, sp, width);
    const last = out.at(-1);
    if (last && x - last.x < MARKER_GAP_PX) last.notes.push(n);
    else out.push({ x, notes: [n] });
  }
  return out;
}

/**
 * The notes a playing replay passed going from `prev` to `head` (ms): those in (prev,
 * head]. None when the playhead went back or jumped (a seek).
 */
export function passedNotes(notes, prev, head) {
  if (!Number.isFinite(prev) || !Number.isFinite(head) || head <= prev || head - prev > PLAYED_MAX_MS) return [];
  return notes.filter((n) => n.ts > prev && n.ts <= head);
}

/** Why a note cannot be sent as it is, or null. Counted in characters, as the server does. */
export function noteProblem(text, author) {
  const chars = [...text].length;
  if (text.trim() === '') return 'Write the note first.';
  if (chars > MAX_TEXT_CHARS) return `A note is at most ${MAX_TEXT_CHARS} characters; this one has ${chars}.`;
  if (author.trim() === '') return 'Give your name, so colleagues know who wrote it.';
  if ([...author.trim()].length > MAX_AUTHOR_CHARS) return `A name is at most ${MAX_AUTHOR_CHARS} characters.`;
  return null;
}

/** One line about a note: who, where on the car, what. */
export function noteLine(n) {
  const where = [n.car != null ? `#${n.car}` : null, n.lap != null ? `lap ${n.lap}` : null].filter(Boolean).join(' ');
  return `${n.author}${where ? ` · ${where}` : ''}: ${n.text}`;
}
