// The notes on the timeline (static/playback/notes.js): the latest state of each note, the
// markers across the timeline, the notes a replay passes, and the rules before sending.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoteBook, noteLine, noteMarkers, noteProblem, passedNotes } from '../../../static/playback/notes.js';

const note = (id, ts, more = {}) => ({ id, ts, car: '7', lap: 2, text: `note ${id}`, author: 'Ana', written_at: 1, deleted: false, ...more });

test('a topic’s notes come whole on subscribing, then one state at a time, the latest kept', () => {
  const book = new NoteBook();
  book.replace({ topic: 't', annotations: [note('a', 20), note('b', 10)], writable: true, why: null });
  assert.deepEqual(book.list().map((n) => n.id), ['b', 'a'], 'by race time');
  assert.equal(book.apply({ type: 'annotation', topic: 't', ...note('c', 15) }), 'added');
  assert.equal(book.apply({ type: 'annotation', topic: 't', ...note('c', 15) }), null, 'the same state twice is no news');
  assert.equal(book.apply({ type: 'annotation', topic: 't', ...note('c', 15, { text: 'edited', written_at: 2 }) }), 'changed');
  assert.equal(book.list().find((n) => n.id === 'c').text, 'edited');
  assert.equal(book.apply({ type: 'annotation', topic: 't', ...note('a', 20, { deleted: true }) }), 'removed');
  assert.deepEqual(book.list().map((n) => n.id), ['b', 'c']);
  assert.equal(book.apply({ type: 'annotation', topic: 'other', ...note('x', 1) }), null, 'a topic not selected');
  assert.equal(book.list()[0].type, undefined, 'the message type is not kept');
});

test('why a topic takes no note is kept until the selection drops it', () => {
  const book = new NoteBook();
  book.replace({ topic: 't', annotations: [], writable: false, why: 'read-only' });
  book.replace({ topic: 'u', annotations: [note('a', 1)], writable: true, why: null });
  assert.equal(book.whyNot('t'), 'read-only');
  assert.equal(book.whyNot('u'), null);
  book.keep(['t']);
  assert.equal(book.whyNot('u'), undefined);
  assert.equal(book.list().length, 0);
});

test('markers sit where their note is, and near ones merge into one', () => {
  const sp = { from: 0, to: 1000 };
  const m = noteMarkers([note('a', 100), note('b', 102), note('c', 500), note('late', 2000)], sp, 100);
  assert.deepEqual(m.map((x) => [x.x, x.notes.map((n) => n.id)]), [[10, ['a', 'b']], [50, ['c']]]);
  assert.deepEqual(noteMarkers([note('a', 1)], null, 100), []);
});

test('a playing replay passes the notes between two playheads, a seek passes none', () => {
  const notes = [note('a', 1000), note('b', 2000), note('c', 3000)];
  assert.deepEqual(passedNotes(notes, 999, 2000).map((n) => n.id), ['a', 'b']);
  assert.deepEqual(passedNotes(notes, 2000, 2500), []);
  assert.deepEqual(passedNotes(notes, 3000, 1000), [], 'backwards');
  assert.deepEqual(passedNotes(notes, 0, 60_000), [], 'a jump is a seek');
  assert.deepEqual(passedNotes(notes, null, 2000), []);
});

test('a note is checked as the server checks it, in characters', () => {
  assert.equal(noteProblem('Lock-up at turn 4', 'Ana'), null);
  assert.match(noteProblem('  ', 'Ana'), /Write/);
  assert.match(noteProblem('x', ' '), /name/);
  assert.equal(noteProblem('車'.repeat(1000), 'Ana'), null, '1,000 characters of 3 bytes each');
  assert.match(noteProblem('車'.repeat(1001), 'Ana'), /1001/);
  assert.match(noteProblem('x', 'a'.repeat(65)), /64/);
});

test('a note’s line names its author, car and lap', () => {
  assert.equal(noteLine(note('a', 1)), 'Ana · #7 lap 2: note a');
  assert.equal(noteLine({ ...note('a', 1), car: null, lap: null }), 'Ana: note a');
});
