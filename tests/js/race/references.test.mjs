// Reference laps pinned with "Compare with…" (static/race/references.js): their labels, how
// pinning and the delta's mark change the list, the picker's lap choices and its progress.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaReference, lapChoices, pinReference, readingText, referenceLabel } from '../../../static/race/references.js';

const quali = { topic: 'quali-sat', car: '7', lap: 12 };

test('a reference is labelled by topic, car, lap and, once known, its time', () => {
  assert.equal(referenceLabel(quali, 91_456), 'quali-sat · car 7 · lap 12 · 1:31.456');
  assert.equal(referenceLabel(quali), 'quali-sat · car 7 · lap 12');
});

test('a lap pinned becomes the delta\'s reference, once, and the bound refuses a fifth', () => {
  const other = { topic: 'race', car: 'A1', lap: 3, delta: true };
  assert.deepEqual(pinReference([other], quali, 4), [{ topic: 'race', car: 'A1', lap: 3 }, { ...quali, delta: true }]);
  assert.deepEqual(pinReference([{ ...quali }, other], quali, 4), [{ topic: 'race', car: 'A1', lap: 3 }, { ...quali, delta: true }], 'pinned again: moved last, not twice');
  const four = [1, 2, 3, 4].map((lap) => ({ topic: 'race', car: 'A1', lap }));
  assert.equal(pinReference(four, quali, 4), null);
  assert.deepEqual(deltaReference([{ ...quali, delta: true }, other], null).map((r) => !!r.delta), [false, false]);
  assert.deepEqual(deltaReference([quali, other], 0).map((r) => !!r.delta), [true, false]);
});

test('the picker lists each car\'s timed laps with its best marked, and says how far the index has read', () => {
  const table = {
    topic: 't',
    cars: [
      { car: '7', driver: 'Ada', laps: [{ lap: 2, time_ms: 90_000 }, { lap: 3, time_ms: 89_500, pit: false }, { lap: 4, time_ms: 120_000, pit: true }] },
      { car: '9', driver: null, laps: [] },
    ],
  };
  assert.deepEqual(lapChoices(table), [{
    car: '7', driver: 'Ada',
    laps: [
      { lap: 2, ms: 90_000, best: false, pit: false },
      { lap: 3, ms: 89_500, best: true, pit: false },
      { lap: 4, ms: 120_000, best: false, pit: true },
    ],
  }]);
  assert.deepEqual(lapChoices({}), []);
  assert.equal(readingText('t', { state: 'reading', read: 1_234, total: 2_915 }), 'Reading t: 42% of 2,915 records');
  assert.equal(readingText('t', { state: 'reading', read: 0, total: 0 }), 'Reading t…');
  assert.equal(readingText('t', { state: 'live', read: 2_915, total: 2_915 }), '');
});
