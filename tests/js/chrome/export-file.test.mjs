// Exports from the page: the link of a span, the server's file name, and counting a
// download's records as its chunks come, split anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { RecordCounter, exportUrl, filenameOf, progressText } from '../../../static/chrome/export-file.js';

test('a lap is asked by car and lap, a window by its times rounded outwards', () => {
  assert.equal(exportUrl('race.1', 'csv', { car: '7 B', lap: 3 }), '/api/export?topic=race.1&format=csv&car=7+B&lap=3');
  assert.equal(
    exportUrl('t', 'parquet', { fromTs: 1000.4, toTs: 2000.2, cars: ['1', '44'] }),
    '/api/export?topic=t&format=parquet&from_ts=1000&to_ts=2001&cars=1%2C44',
  );
});

test('the file name is the server\'s, else the fallback', () => {
  assert.equal(filenameOf('attachment; filename="t-7-1-2.csv"', 'x'), 't-7-1-2.csv');
  assert.equal(filenameOf(null, 't.csv'), 't.csv');
});

const bytes = (s) => new TextEncoder().encode(s);

test('a csv counts its lines past the header, however its chunks split, and reads its note', () => {
  const text = 'ts [ms],car\n1,7\n2,7\n3,7\n# trackside: channels that first appeared after the columns were fixed were left out: late_kg (2)\n';
  for (const at of [1, 5, 13, 40, text.length - 3]) {
    const c = new RecordCounter('csv');
    c.add(bytes(text.slice(0, at)));
    c.add(bytes(text.slice(at)));
    assert.equal(c.records(), 3, `split at ${at}`);
    assert.match(c.note(), /late_kg \(2\)$/);
  }
  const plain = new RecordCounter('csv');
  plain.add(bytes('ts [ms],car\n1,7\n'));
  assert.equal(plain.note(), null);
  assert.equal(progressText(plain, 5000), '1 of up to 5,000 records');
});

test('jsonl counts every line and parquet only its bytes', () => {
  const j = new RecordCounter('jsonl');
  j.add(bytes('{"a":1}\n{"a":2}\n'));
  assert.equal(j.records(), 2);
  const p = new RecordCounter('parquet');
  p.add(new Uint8Array(2_400_000));
  assert.equal(p.records(), null);
  assert.equal(progressText(p, 120), '2.4 MB of up to 120 records');
});
