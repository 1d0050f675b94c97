// How the cursors readout (static/cursors/readout.js) writes the cursors' times and Δt.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockMs, formatSpan } from '../../../static/cursors/readout.js';

test('Δt reads in seconds to the millisecond, with minutes past a minute', () => {
  assert.equal(formatSpan(2_380), '2.380 s');
  assert.equal(formatSpan(0), '0.000 s');
  assert.equal(formatSpan(62_500), '1 min 02.500 s');
  assert.equal(formatSpan(600_001), '10 min 00.001 s');
});

test('a cursor’s time is the local wall clock to the millisecond, as the strips’ axis writes it', () => {
  const t = new Date(2025, 10, 25, 9, 5, 7, 45).getTime();
  assert.equal(clockMs(t), '09:05:07.045');
});
