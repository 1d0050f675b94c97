// Columnar data frames for tests, written byte by byte from docs/protocol.md ("Columnar
// data frames"), independently of static/net/wire.js: a JSON `data` message's batches in, the
// binary frame the server would send for them out. Not a test file itself (no .test.mjs).

/** The spec's column table: index → how to read the value from a JSON record. */
export const SPEC_COLUMNS = [
  ['offset', (r) => r.offset],
  ['ts', (r) => r.ts],
  ['car', (r, str) => str(r.car)],
  ['speed_kph', (r) => r.speed_kph],
  ['rpm', (r) => r.rpm],
  ['tire_temp_c.fl', (r) => r.tire_temp_c?.fl],
  ['tire_temp_c.fr', (r) => r.tire_temp_c?.fr],
  ['tire_temp_c.rl', (r) => r.tire_temp_c?.rl],
  ['tire_temp_c.rr', (r) => r.tire_temp_c?.rr],
  ['lap', (r) => r.lap],
  ['gear', (r) => r.gear],
  ['throttle', (r) => r.throttle],
  ['brake', (r) => r.brake],
  ['driver', (r, str) => (r.driver == null ? undefined : str(r.driver))],
  ['x', (r) => r.x],
  ['y', (r) => r.y],
  ['lap_distance_m', (r) => r.lap_distance_m],
];

const pad8 = (n) => Math.ceil(n / 8) * 8;
const enc = new TextEncoder();

/**
 * The frame for `{ mode, dropped, batches: [{ topic, partition, records }] }`. A batch may
 * carry `extra: { [index]: { values, bitmap? } }`: columns after 16 that a later version
 * would send (a decoder must skip them). A record's `channels` ({ name: value }, as JSON
 * `data` carries them) go in the batch's channels section ("The channels section"), in the
 * order the batch first carries them; `bitmapAll: true` gives every column a bitmap even
 * when all records carry it (allowed, if wasteful).
 * @returns {ArrayBuffer}
 */
export function encodeFrame({ mode, dropped = 0, batches }) {
  const parts = batches.map(encodeBatch);
  const size = 16 + parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(enc.encode('TSD1'), 0);
  view.setUint8(4, mode === 'replay' ? 1 : 0);
  view.setUint32(8, dropped, true);
  view.setUint32(12, batches.length, true);
  let at = 16;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

function encodeBatch({ topic, partition, records, extra = {}, bitmapAll = false }) {
  const n = records.length;
  const strings = [];
  const str = (s) => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  // Column i: its values (undefined where a record lacks the field).
  const cols = SPEC_COLUMNS.map(([, get]) => records.map((r) => get(r, str)));
  for (const [i, c] of Object.entries(extra)) cols[Number(i)] = c.values;
  let columnBits = 0;
  let sparseBits = 0;
  cols.forEach((values, i) => {
    if (!values) return;
    const have = values.filter((v) => v !== undefined).length;
    if (have > 0) columnBits |= 1 << i;
    if (have > 0 && have < n) sparseBits |= 1 << i;
    if (extra[i]?.bitmap) sparseBits |= 1 << i;
  });
  // The channels section: names in first-carried order, sharing the string table.
  const extraNames = [];
  for (const r of records) for (const name of Object.keys(r.channels ?? {})) if (!extraNames.includes(name)) extraNames.push(name);
  const extraCols = extraNames.map((name) => {
    const values = records.map((r) => r.channels?.[name]);
    return { name: str(name), values, sparse: bitmapAll || values.some((v) => v === undefined) };
  });
  const topicBytes = enc.encode(topic);
  const stringBytes = strings.map((s) => enc.encode(s));
  const head = 24 + topicBytes.length + stringBytes.reduce((a, s) => a + 2 + s.length, 0);
  let size = pad8(head);
  cols.forEach((values, i) => {
    if (!(columnBits & (1 << i))) return;
    if (sparseBits & (1 << i)) size += pad8(Math.ceil(n / 8));
    size += 8 * n;
  });
  if (extraCols.length > 0) {
    size += pad8(8 + 4 * extraCols.length);
    for (const c of extraCols) size += (c.sparse ? pad8(Math.ceil(n / 8)) : 0) + 8 * n;
  }

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size, true);
  view.setUint32(4, n, true);
  view.setInt32(8, partition, true);
  view.setUint32(12, columnBits >>> 0, true);
  view.setUint32(16, sparseBits >>> 0, true);
  view.setUint16(20, topicBytes.length, true);
  view.setUint16(22, strings.length, true);
  let p = 24;
  out.set(topicBytes, p);
  p += topicBytes.length;
  for (const s of stringBytes) {
    view.setUint16(p, s.length, true);
    out.set(s, p + 2);
    p += 2 + s.length;
  }
  p = pad8(p);
  cols.forEach((values, i) => {
    if (!(columnBits & (1 << i))) return;
    if (sparseBits & (1 << i)) {
      values.forEach((v, j) => {
        if (v !== undefined) out[p + (j >> 3)] |= 1 << (j & 7);
      });
      p += pad8(Math.ceil(n / 8));
    }
    values.forEach((v, j) => view.setFloat64(p + 8 * j, v === undefined ? NaN : v, true));
    p += 8 * n;
  });
  if (extraCols.length > 0) {
    view.setUint32(p, extraCols.length, true);
    extraCols.forEach((c, k) => {
      view.setUint16(p + 8 + 4 * k, c.name, true);
      view.setUint16(p + 10 + 4 * k, c.sparse ? 1 : 0, true);
    });
    p += pad8(8 + 4 * extraCols.length);
    for (const c of extraCols) {
      if (c.sparse) {
        c.values.forEach((v, j) => {
          if (v !== undefined) out[p + (j >> 3)] |= 1 << (j & 7);
        });
        p += pad8(Math.ceil(n / 8));
      }
      c.values.forEach((v, j) => view.setFloat64(p + 8 * j, v === undefined ? NaN : v, true));
      p += 8 * n;
    }
  }
  return out;
}
