// The columnar `data` frames (static/net/wire.js), decoded from bytes laid out as
// docs/protocol.md says: what a page reads from them, and frames it must refuse without
// reading past their end.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COLUMNS, WireError, decodeDataFrame, hasField } from '../../../static/net/wire.js';
import { encodeFrame } from './frames.mjs';

const full = (offset, car, ts, extra = {}) => ({
  offset, car, ts, speed_kph: 287.4, rpm: 11234, tire_temp_c: { fl: 96.1, fr: 98.4, rl: 92.0, rr: 93.7 },
  lap: 4, gear: 7, throttle: 1.0, brake: 0.0, driver: 'A. Senna', x: 120.5, y: -40.2, lap_distance_m: 2311.0, ...extra,
});
const values = (column) => (column === null ? null : [...column]);

describe('a columnar data frame', () => {
  test('laid out by hand: one batch of one record with two columns beyond the first five', () => {
    // Frame header: "TSD1", mode 1 (replay), dropped 3, 1 batch.
    const bytes = [0x54, 0x53, 0x44, 0x31, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0];
    const u16 = (v) => [v & 0xff, v >> 8];
    const u32 = (v) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
    const f64 = (v) => [...new Uint8Array(new Float64Array([v]).buffer)];
    // Batch header: columns 0-4, 9 (lap) and 13 (driver); no bitmaps; topic "t1"; strings "7", "Ana".
    const columns = 0b11111 | (1 << 9) | (1 << 13);
    const head = [...u32(0), ...u32(1), ...u32(5), ...u32(columns), ...u32(0), ...u16(2), ...u16(2)];
    const names = [0x74, 0x31, ...u16(1), 0x37, ...u16(3), 0x41, 0x6e, 0x61]; // 10 bytes: 24 + 10, padded to 40
    const padding = [0, 0, 0, 0, 0, 0];
    const body = [...f64(1042), ...f64(1764028800123), ...f64(0), ...f64(287.4), ...f64(11234), ...f64(4), ...f64(1)];
    const batch = [...head, ...names, ...padding, ...body];
    batch.splice(0, 4, ...u32(batch.length));
    assert.equal(batch.length, 40 + 7 * 8);
    const frame = decodeDataFrame(new Uint8Array([...bytes, ...batch]).buffer);

    assert.equal(frame.mode, 'replay');
    assert.equal(frame.dropped, 3);
    assert.equal(frame.batches.length, 1);
    const [b] = frame.batches;
    assert.equal(b.topic, 't1');
    assert.equal(b.partition, 5);
    assert.equal(b.n, 1);
    assert.deepEqual(b.strings, ['7', 'Ana']);
    assert.deepEqual(values(b.columns.offset), [1042]);
    assert.deepEqual(values(b.columns.ts), [1764028800123]);
    assert.equal(b.strings[b.columns.car[0]], '7');
    assert.deepEqual(values(b.columns.speed_kph), [287.4]);
    assert.deepEqual(values(b.columns.rpm), [11234]);
    assert.deepEqual(values(b.columns.lap), [4]);
    assert.equal(b.strings[b.columns.driver[0]], 'Ana');
    for (const name of ['fl', 'fr', 'rl', 'rr', 'gear', 'throttle', 'brake', 'x', 'y', 'lap_distance_m']) {
      assert.equal(b.columns[name], null, `${name} is absent`);
    }
  });

  test('columns are views on the frame’s own bytes, not copies', () => {
    const buffer = encodeFrame({ mode: 'live', batches: [{ topic: 't', partition: 0, records: [full(1, '7', 10), full(2, '7', 20)] }] });
    const { batches: [b] } = decodeDataFrame(buffer);
    for (const name of COLUMNS) {
      assert.ok(b.columns[name] instanceof Float64Array, name);
      assert.equal(b.columns[name].buffer, buffer, `${name} reads the frame's buffer`);
    }
  });

  test('several batches, one after another, each with its topic, partition and string table', () => {
    const frame = decodeDataFrame(encodeFrame({
      mode: 'live',
      dropped: 12,
      batches: [
        { topic: 'telemetry', partition: 3, records: [full(1042, '7', 100), full(1043, '12', 150, { driver: 'L. Moreau' })] },
        { topic: 'pit-wall', partition: 0, records: [full(9, '7', 120)] },
        { topic: 'empty', partition: 1, records: [] },
      ],
    }));
    assert.equal(frame.mode, 'live');
    assert.equal(frame.dropped, 12);
    assert.deepEqual(frame.batches.map((b) => [b.topic, b.partition, b.n]), [['telemetry', 3, 2], ['pit-wall', 0, 1], ['empty', 1, 0]]);
    const [a, b] = frame.batches;
    assert.deepEqual(values(a.columns.offset), [1042, 1043]);
    assert.deepEqual([...a.columns.car].map((i) => a.strings[i]), ['7', '12']);
    assert.deepEqual([...a.columns.driver].map((i) => a.strings[i]), ['A. Senna', 'L. Moreau']);
    assert.deepEqual(values(a.columns.fl), [96.1, 96.1]);
    assert.deepEqual(values(b.columns.ts), [120]);
    assert.deepEqual(b.strings, ['7', 'A. Senna']);
  });

  test('names that repeat from batch to batch, and names that change, are each read right', () => {
    const frame = (car, driver) => encodeFrame({ mode: 'live', batches: [{ topic: 'télémétrie', partition: 0, records: [full(1, car, 1, { driver })] }] });
    const names = (buffer) => {
      const { batches: [b] } = decodeDataFrame(buffer);
      return [b.topic, b.strings[b.columns.car[0]], b.strings[b.columns.driver[0]]];
    };
    assert.deepEqual(names(frame('7', 'A. Senna')), ['télémétrie', '7', 'A. Senna']);
    assert.deepEqual(names(frame('7', 'A. Senna')), ['télémétrie', '7', 'A. Senna'], 'the same names again');
    assert.deepEqual(names(frame('7', 'A. Sennb')), ['télémétrie', '7', 'A. Sennb'], 'one byte apart');
    assert.deepEqual(names(frame('77', 'A. Senna')), ['télémétrie', '77', 'A. Senna']);
  });

  test('partitions whose batches alternate, and two topics on the same partition number, keep their own names', () => {
    const one = (topic, partition, car) => ({ topic, partition, records: [full(1, car, 1)] });
    const read = (batches) => decodeDataFrame(encodeFrame({ mode: 'replay', batches })).batches.map((b) => `${b.topic}/${b.partition}/${b.strings[b.columns.car[0]]}`);
    const batches = [one('a', 0, '7'), one('a', 1, '8'), one('b', 0, '9'), one('a', 0, '7'), one('a', 1, '10'), one('b', 0, '9')];
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(read(batches), ['a/0/7', 'a/1/8', 'b/0/9', 'a/0/7', 'a/1/10', 'b/0/9'], `round ${round}`);
    }
  });

  test('sparse columns: NaN and a clear bit where a record lacks the field', () => {
    const records = [
      full(0, '7', 0),
      { offset: 1, car: '7', ts: 50, speed_kph: 100, rpm: 9000 }, // no optional field at all
      ...Array.from({ length: 8 }, (_, k) => full(2 + k, '7', 100 + k, { gear: k === 7 ? undefined : k })),
    ];
    const { batches: [b] } = decodeDataFrame(encodeFrame({ mode: 'replay', batches: [{ topic: 't', partition: 0, records }] }));
    assert.equal(b.n, 10);
    assert.equal(b.present.speed_kph, null, 'in every record: no bitmap');
    for (const name of ['fl', 'rr', 'gear', 'driver', 'lap_distance_m']) assert.ok(b.present[name] instanceof Uint8Array, name);
    const has = (name) => Array.from({ length: b.n }, (_, j) => hasField(b.present[name], j));
    assert.deepEqual(has('fl'), [true, false, true, true, true, true, true, true, true, true]);
    assert.deepEqual(has('gear'), [true, false, true, true, true, true, true, true, true, false], 'record 9 is bit 1 of the second byte');
    assert.ok(Number.isNaN(b.columns.fl[1]) && Number.isNaN(b.columns.gear[9]));
    assert.deepEqual(values(b.columns.gear).slice(2, 9), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(values(b.columns.speed_kph).slice(0, 2), [287.4, 100]);
  });

  test('a column after 16, from a later version, is skipped by its size, bitmap and all', () => {
    const records = [full(1, '7', 10), full(2, '7', 20), full(3, '7', 30)];
    const frame = decodeDataFrame(encodeFrame({
      mode: 'live',
      batches: [
        { topic: 't', partition: 0, records, extra: { 17: { values: [1, undefined, 3] }, 20: { values: [4, 5, 6] } } },
        { topic: 'u', partition: 1, records: [full(7, '9', 40)] },
      ],
    }));
    const [a, b] = frame.batches;
    assert.deepEqual(values(a.columns.lap_distance_m), [2311, 2311, 2311], 'the known columns are read');
    assert.equal(Object.keys(a.columns).length, COLUMNS.length, 'nothing is made of the unknown ones');
    assert.deepEqual([b.topic, b.partition, values(b.columns.offset)], ['u', 1, [7]], 'the next batch is found');
  });

  test('a frame whose magic is not TSD1 is not a data frame: ignored', () => {
    const buffer = encodeFrame({ mode: 'live', batches: [{ topic: 't', partition: 0, records: [full(1, '7', 1)] }] });
    new Uint8Array(buffer)[3] = 0x32; // "TSD2"
    assert.equal(decodeDataFrame(buffer), null);
    assert.equal(decodeDataFrame(new TextEncoder().encode('{"type":"data"}').buffer), null);
    assert.equal(decodeDataFrame(new ArrayBuffer(0)), null);
  });

  test('a truncated frame is refused at any length, never read past its end', () => {
    const buffer = encodeFrame({
      mode: 'live',
      batches: [
        { topic: 'telemetry', partition: 0, records: [full(1, '7', 1), { offset: 2, car: '8', ts: 2, speed_kph: 1, rpm: 1 }] },
        { topic: 'telemetry', partition: 1, records: [full(3, '9', 3)] },
      ],
    });
    assert.equal(decodeDataFrame(buffer).batches.length, 2, 'whole, it reads');
    for (let len = 4; len < buffer.byteLength; len++) {
      assert.throws(() => decodeDataFrame(buffer.slice(0, len)), WireError, `cut at ${len} of ${buffer.byteLength} bytes`);
    }
  });

  test('lengths that contradict the bytes are refused with a reason a person can act on', () => {
    const make = () => encodeFrame({ mode: 'live', batches: [{ topic: 't', partition: 0, records: [full(1, '7', 1)] }] });
    const tamper = (edit) => {
      const buffer = make();
      edit(new DataView(buffer));
      return () => decodeDataFrame(buffer);
    };
    assert.throws(tamper((v) => v.setUint32(12, 2, true)), /batch 1 of 2 starts at byte \d+, past the end/);
    assert.throws(tamper((v) => v.setUint32(16, 12, true)), /says it is 12 bytes/);
    assert.throws(tamper((v) => v.setUint32(16 + 4, 1000, true)), /column 0 \(1000 values\) runs past the batch/);
    assert.throws(tamper((v) => v.setUint16(16 + 20, 5000, true)), /topic name \(5000 bytes\)/);
    assert.throws(tamper((v) => v.setUint16(16 + 22, 900, true)), /string \d+ .*runs past the batch/);
    assert.throws(tamper((v) => v.setUint32(16 + 16, 1 << 30, true)), /bitmap but is not in the batch/);
    assert.throws(tamper((v) => v.setUint8(4, 7)), /unknown mode 7/);
  });
});

describe('the channels section (columns 17 and up)', () => {
  const withChannels = (offset, car, ts, channels) => ({ ...full(offset, car, ts), channels });
  /** The one batch of a frame of these records, and the frame's bytes. */
  const oneBatch = (records, opts = {}) => {
    const buffer = encodeFrame({ mode: 'live', batches: [{ topic: 't', partition: 0, records, ...opts }] });
    return { buffer, batch: decodeDataFrame(buffer).batches[0] };
  };
  const channelValues = (batch, name) => {
    const col = batch.channel(name);
    return col === null ? null : [...col];
  };

  test('dense channels: every record carries them, found by name, no bitmap', () => {
    const { batch } = oneBatch([
      withChannels(1, '7', 10, { g_lat: 1.25, 'brake_temp_c.fl': 512 }),
      withChannels(2, '7', 20, { g_lat: -0.5, 'brake_temp_c.fl': 530.5 }),
    ]);
    assert.deepEqual([...batch.names], ['g_lat', 'brake_temp_c.fl']);
    assert.deepEqual(channelValues(batch, 'g_lat'), [1.25, -0.5]);
    assert.deepEqual(channelValues(batch, 'brake_temp_c.fl'), [512, 530.5]);
    assert.equal(batch.channelPresent('g_lat'), null);
    assert.equal(batch.channel('steer'), null, 'a channel the batch lacks');
    assert.deepEqual(values(batch.columns.speed_kph), [287.4, 287.4], 'the v1 columns are read as before');
  });

  test('sparse channels: NaN and a clear bit where a record lacks one', () => {
    const { batch } = oneBatch([
      withChannels(1, '7', 10, { steer: 0.1 }),
      full(2, '7', 20),
      withChannels(3, '8', 30, { steer: -0.2, fuel_kg: 41.5 }),
    ]);
    const steer = channelValues(batch, 'steer');
    assert.deepEqual([steer[0], Number.isNaN(steer[1]), steer[2]], [0.1, true, -0.2]);
    const present = batch.channelPresent('steer');
    assert.deepEqual([0, 1, 2].map((j) => hasField(present, j)), [true, false, true]);
    assert.deepEqual([0, 1, 2].map((j) => hasField(batch.channelPresent('fuel_kg'), j)), [false, false, true]);
    assert.equal(channelValues(batch, 'fuel_kg')[2], 41.5);
  });

  test('a bitmap on a column every record carries is read the same', () => {
    const { batch } = oneBatch([withChannels(1, '7', 10, { a: 1 }), withChannels(2, '7', 20, { a: 2 })], { bitmapAll: true });
    assert.deepEqual(channelValues(batch, 'a'), [1, 2]);
    assert.notEqual(batch.channelPresent('a'), null);
  });

  test('names share the string table with car ids and drivers: the same string is one entry', () => {
    const { batch } = oneBatch([withChannels(1, '7', 10, { 7: 3.5, 'A. Senna': 1 })]);
    assert.deepEqual(batch.strings, ['7', 'A. Senna'], 'the encoder wrote each string once');
    assert.deepEqual(channelValues(batch, '7'), [3.5]);
    assert.deepEqual(channelValues(batch, 'A. Senna'), [1]);
    assert.equal(batch.columns.car[0], 0);
  });

  test('a batch without a section has no channels; the next batch has its own', () => {
    const frame = decodeDataFrame(encodeFrame({
      mode: 'live',
      batches: [
        { topic: 't', partition: 0, records: [full(1, '7', 10)] },
        { topic: 't', partition: 1, records: [withChannels(2, '8', 20, { b: 2 })] },
        { topic: 't', partition: 2, records: [withChannels(3, '9', 30, { c: 3 })] },
      ],
    }));
    const [a, b, c] = frame.batches;
    assert.deepEqual([[...a.names], [...b.names], [...c.names]], [[], ['b'], ['c']]);
    assert.deepEqual([channelValues(b, 'b'), channelValues(c, 'c'), channelValues(c, 'b')], [[2], [3], null]);
  });

  test('a section after columns of a later version is found after them', () => {
    const { batch } = oneBatch([withChannels(1, '7', 10, { g: 9 }), withChannels(2, '7', 20, { g: 8 })],
      { extra: { 18: { values: [1, undefined] } } });
    assert.deepEqual(channelValues(batch, 'g'), [9, 8]);
  });

  test('a batch cut anywhere in its section is refused, never read past its end', () => {
    const records = [withChannels(1, '7', 10, { a: 1, b: 2 }), withChannels(2, '7', 20, { a: 3 })];
    const { buffer } = oneBatch(records);
    const whole = new DataView(buffer).getUint32(16, true);
    // The section: count and directory (8 + 2 × 4, padded to 16), `a` (2 values), `b` (a bitmap and 2 values).
    const sectionAt = whole - (16 + 16 + 8 + 16);
    let refused = 0;
    for (let len = sectionAt + 8; len < whole; len += 8) {
      const cut = buffer.slice(0, 16 + len);
      new DataView(cut).setUint32(16, len, true);
      assert.throws(() => decodeDataFrame(cut), WireError, `batch cut to ${len} of ${whole} bytes`);
      refused++;
    }
    assert.ok(refused >= 4, `every cut through the directory, a bitmap and the values (${refused})`);
  });

  test('a directory that contradicts the batch is refused with its reason', () => {
    const records = [withChannels(1, '7', 10, { a: 1 }), withChannels(2, '7', 20, {})];
    const { buffer } = oneBatch(records);
    // The section ends the batch: its count and directory (16 bytes), `a`'s bitmap (8) and values (16).
    const sectionAt = buffer.byteLength - (16 + 8 + 16);
    const tamper = (edit) => {
      const copy = buffer.slice(0);
      edit(new DataView(copy));
      return () => decodeDataFrame(copy);
    };
    assert.doesNotThrow(tamper(() => {}));
    assert.throws(tamper((v) => v.setUint32(sectionAt, 0, true)), /lists no channel/);
    assert.throws(tamper((v) => v.setUint32(sectionAt, 1 << 30, true)), /directory of its \d+ channels runs past the batch/);
    assert.throws(tamper((v) => v.setUint32(sectionAt, 3, true)), WireError, 'more columns than the bytes hold');
    assert.throws(tamper((v) => v.setUint16(sectionAt + 8, 40, true)), /names string 40; the table has 3/);
    assert.throws(tamper((v) => v.setUint16(sectionAt + 10, 6, true)), /unknown flags 6/);
  });

  test('a directory that lists a name twice is refused', () => {
    const { buffer } = oneBatch([withChannels(1, '7', 10, { a: 1, b: 2 })]);
    // The section ends the batch: count, reserved, two entries (16 bytes), then two columns of one value.
    const sectionAt = buffer.byteLength - (16 + 8 + 8);
    const copy = buffer.slice(0);
    const v = new DataView(copy);
    v.setUint16(sectionAt + 12, v.getUint16(sectionAt + 8, true), true);
    assert.throws(() => decodeDataFrame(copy), /listed twice/);
    assert.doesNotThrow(() => decodeDataFrame(buffer));
  });

  test('a replay of batches with the same directory shares one names array', () => {
    const make = (o) => encodeFrame({ mode: 'replay', batches: [{ topic: 't', partition: 0, records: [withChannels(o, '7', o, { a: o, b: 1 })] }] });
    const a = decodeDataFrame(make(1)).batches[0];
    const b = decodeDataFrame(make(2)).batches[0];
    assert.equal(a.names, b.names);
    assert.deepEqual([channelValues(a, 'a'), channelValues(b, 'a')], [[1], [2]]);
  });
});
