// The pace of the analysis panels (static/analysis/plot.js Reader): they read and redraw at
// most every REDRAW_MS, and only when what they read from changed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TelemetryStore } from '../../../static/core/state.js';
import { REDRAW_MS, Reader } from '../../../static/analysis/plot.js';

function page() {
  const store = new TelemetryStore();
  const add = (ts) => store.ingest([{ topic: 't', partition: 0, records: [{ car: '1', ts, offset: ts, speed_kph: ts / 10, rpm: 1, lap: 1 }] }], () => true, false);
  for (let ts = 0; ts < 1000; ts += 100) add(ts);
  const ui = { cursors: { a: null, b: null } };
  const ctx = { store, ui, focus: () => '1', drawn: () => ['1'], span: () => [0, store.maxTs], moment: () => null };
  return { ctx, add, ui };
}
const canvas = { clientWidth: 300, clientHeight: 200 };

test('a panel reads when something changed, at most every REDRAW_MS, and not again while nothing did', () => {
  const { ctx, add } = page();
  const r = new Reader(['speed_kph']);
  const spec = { over: 'window', cars: 'focus' };
  assert.equal(r.read(1000, ctx, spec, canvas), true, 'the first frame reads');
  assert.equal(r.data.n, 10);
  add(1000);
  assert.equal(r.read(1000 + REDRAW_MS - 1, ctx, spec, canvas), false, 'too soon after the last read');
  assert.equal(r.read(1000 + REDRAW_MS, ctx, spec, canvas), true, 'a new record, and time enough');
  assert.equal(r.data.n, 11);
  assert.equal(r.read(5000, ctx, spec, canvas), false, 'nothing changed: no read, however long after');
  r.reset();
  assert.equal(r.read(5001, ctx, spec, canvas), true, 'a resize reads and draws again at once');
});

test('cursors moved count only for a panel over the range, which then reads between them', () => {
  const { ctx, ui } = page();
  const byWindow = new Reader(['speed_kph']);
  const byRange = new Reader(['speed_kph']);
  byWindow.read(0, ctx, { over: 'window', cars: 'focus' }, canvas);
  byRange.read(0, ctx, { over: 'range', cars: 'focus' }, canvas);
  ui.cursors = { a: 200, b: 400 };
  assert.equal(byWindow.read(1000, ctx, { over: 'window', cars: 'focus' }, canvas), false);
  assert.equal(byRange.read(1000, ctx, { over: 'range', cars: 'focus' }, canvas), true);
  assert.deepEqual(Array.from(byRange.data.v[0].subarray(0, byRange.data.n)), [20, 30, 40]);
});
