// The columnar layout of `data` frames (docs/protocol.md, "Columnar data frames
// (`trackside.columnar.v1`)"): a pure decoder from a binary WebSocket message to the
// `data` message it stands for. Columns are Float64Array views on the frame's own buffer,
// so a batch of any size costs a few objects, never one per record. Every length is checked
// against the buffer before it is used: a frame that runs past its end throws a WireError,
// which the caller counts; nothing is read out of bounds. A batch's other channels (the
// channels section, columns 17 and up) are found by name: `batch.names`, `batch.channel(name)`.

/** The subprotocol a page offers to get its `data` messages in this layout. */
export const SUBPROTOCOL = 'trackside.columnar.v1';

/**
 * The columns of layout version 1 by index (the spec's table), named as the page's store
 * names its channels: `tire_temp_c.fl` is `fl`, and so on. Later versions add columns
 * after the last one, which a decoder skips by their size.
 */
export const COLUMNS = Object.freeze([
  'offset', 'ts', 'car', 'speed_kph', 'rpm', 'fl', 'fr', 'rl', 'rr',
  'lap', 'gear', 'throttle', 'brake', 'driver', 'x', 'y', 'lap_distance_m',
]);

const MAGIC = 0x31445354; // "TSD1" read as a little-endian u32
const FRAME_HEADER = 16;
const BATCH_HEADER = 24;
const MODES = ['live', 'replay'];

/** A columnar frame whose lengths do not fit its bytes: not to be read, only counted. */
export class WireError extends Error {
  constructor(message) {
    super(`columnar data frame: ${message}`);
    this.name = 'WireError';
  }
}

/** Typed arrays read the platform's byte order; the layout is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const pad8 = (n) => (n + 7) & ~7;

/**
 * Decodes one binary message. Returns null when it is not a `data` frame of this layout
 * (its magic is not `TSD1`: the spec says to ignore it); throws a WireError when its lengths
 * run past the buffer or contradict each other.
 *
 * Each batch is a ColumnarBatch: `{ topic, partition, n, strings, columns, present }`, where
 * `columns[name]` is a Float64Array of `n` values on the frame's buffer (NaN where a record
 * lacks the field) or null when no record of the batch has it, and `present[name]` the
 * column's presence bitmap (a Uint8Array, bit `j % 8` of byte `j >> 3` for record j) when
 * only some records have it, else null. Car ids and drivers are indexes into `strings`.
 * The batch's other channels (its channels section) are `names[k]`, whose values start at
 * float `extraAt[k]` of `f64`; `channel(name)` gives one as a view.
 *
 * @param {ArrayBuffer} buffer  the whole message, as a WebSocket with binaryType 'arraybuffer' gives it
 * @returns {{mode: 'live'|'replay', dropped: number, batches: ColumnarBatch[]}|null}
 */
export function decodeDataFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new TypeError('decodeDataFrame takes an ArrayBuffer');
  const size = buffer.byteLength;
  if (size < 4) return null;
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) return null;
  if (size < FRAME_HEADER) throw new WireError(`${size} bytes, shorter than its 16-byte header`);
  const mode = MODES[view.getUint8(4)];
  if (mode === undefined) throw new WireError(`unknown mode ${view.getUint8(4)}`);
  const dropped = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  // A replay's batches are a few records each: views made per column of each batch would
  // cost more than the records. One view of the frame, and each batch's column positions.
  const frame = {
    buffer,
    bytes: new Uint8Array(buffer),
    f64: floats(buffer, 0, size >> 3),
    /** Per batch, COLUMNS.length float indexes into f64 (-1: absent), then as many byte offsets of bitmaps (-1: none). */
    at: new Int32Array(Math.min(count, Math.floor(size / BATCH_HEADER)) * 2 * COLUMNS.length),
    /** Float indexes into f64 of the channels sections' columns, batch after batch (grown as needed). */
    xat: EMPTY_AT,
    xlen: 0,
  };
  const batches = [];
  let at = FRAME_HEADER;
  for (let b = 0; b < count; b++) {
    if (at + BATCH_HEADER > size) throw new WireError(`batch ${b} of ${count} starts at byte ${at}, past the end (${size} bytes)`);
    const length = view.getUint32(at, true);
    if (length < BATCH_HEADER || length % 8 !== 0 || at + length > size) {
      throw new WireError(`batch ${b} at byte ${at} says it is ${length} bytes; the frame has ${size - at} left`);
    }
    batches.push(decodeBatch(frame, view, at, at + length, b));
    at += length;
  }
  return { mode, dropped, batches };
}

/**
 * One batch of a decoded frame. The store reads its values through `f64` and `at` (no object
 * per column); `columns` and `present` make the views for other readers, when asked.
 */
export class ColumnarBatch {
  constructor(frame, slot, topic, partition, n, strings, extra) {
    this.topic = topic;
    this.partition = partition;
    this.n = n;
    this.strings = strings;
    /** The whole frame as floats, and where in it each column of this batch starts: `at[base + i]`. */
    this.f64 = frame.f64;
    this.at = frame.at;
    this.base = slot * 2 * COLUMNS.length;
    this.frame = frame;
    /**
     * The channels section's names, in its order (shared by batches with the same
     * directory: read it, never change it); empty when the batch has no section. Channel
     * `names[k]`'s values start at float `frame.xat[xbase + k]` of `f64` (NaN where a record
     * lacks it): the store reads them there, with no object per batch.
     */
    this.names = extra.names;
    this.xbase = extra.xbase;
    /** Byte offset of the section's directory in the frame (-1: no section). */
    this.dirAt = extra.dirAt;
  }

  /** Channel `name` of the channels section as a view of `n` values, or null when the batch lacks it. */
  channel(name) {
    const k = this.names.indexOf(name);
    if (k < 0) return null;
    const o = this.frame.xat[this.xbase + k];
    return this.f64.subarray(o, o + this.n);
  }

  /** The presence bitmap of section channel `name`, or null (every record has it, or the batch lacks it). */
  channelPresent(name) {
    const k = this.names.indexOf(name);
    if (k < 0 || (this.frame.bytes[this.dirAt + 4 * k + 2] & 1) === 0) return null;
    // The bitmap comes just before the values, padded to 8 bytes.
    const at = this.frame.xat[this.xbase + k] * 8 - pad8(Math.ceil(this.n / 8));
    return this.frame.bytes.subarray(at, at + Math.ceil(this.n / 8));
  }

  /** Column `name`'s values, a view on the frame's buffer, or null when the batch lacks it. */
  get columns() {
    const out = {};
    COLUMNS.forEach((name, i) => {
      const o = this.at[this.base + i];
      out[name] = o < 0 ? null : this.f64.subarray(o, o + this.n);
    });
    return out;
  }

  /** Column `name`'s presence bitmap, or null when every record of the batch has it (or none does). */
  get present() {
    const out = {};
    COLUMNS.forEach((name, i) => {
      const o = this.at[this.base + COLUMNS.length + i];
      out[name] = o < 0 ? null : this.frame.bytes.subarray(o, o + Math.ceil(this.n / 8));
    });
    return out;
  }
}

/** One batch in bytes [start, end) of the frame, its `slot`-th. */
function decodeBatch(frame, view, start, end, slot) {
  const n = view.getUint32(start + 4, true);
  const partition = view.getInt32(start + 8, true);
  const columnBits = view.getUint32(start + 12, true);
  const sparseBits = view.getUint32(start + 16, true);
  const topicLen = view.getUint16(start + 20, true);
  const stringCount = view.getUint16(start + 22, true);
  const fail = (what) => {
    throw new WireError(`batch ${slot} at byte ${start}: ${what}`);
  };
  if ((sparseBits & ~columnBits) !== 0) fail('a column has a bitmap but is not in the batch');

  const names = start + BATCH_HEADER;
  let p = names;
  if (p + topicLen > end) fail(`its topic name (${topicLen} bytes) runs past the batch`);
  p += topicLen;
  for (let s = 0; s < stringCount; s++) {
    if (p + 2 > end) fail(`string ${s} of ${stringCount} runs past the batch`);
    const len = view.getUint16(p, true);
    p += 2;
    if (p + len > end) fail(`string ${s} (${len} bytes) runs past the batch`);
    p += len;
  }
  const { topic, strings } = nameTable(frame, view, names, p, topicLen, stringCount, partition);
  p = pad8(p);

  const at = frame.at;
  const base = slot * 2 * COLUMNS.length;
  at.fill(-1, base, base + 2 * COLUMNS.length);
  const bitmapBytes = pad8(Math.ceil(n / 8));
  for (let i = 0; i < 32; i++) {
    if (((columnBits >>> i) & 1) === 0) continue;
    if ((sparseBits >>> i) & 1) {
      if (p + bitmapBytes > end) fail(`the bitmap of column ${i} runs past the batch`);
      if (i < COLUMNS.length) at[base + COLUMNS.length + i] = p;
      p += bitmapBytes;
    }
    if (p + n * 8 > end) fail(`column ${i} (${n} values) runs past the batch`);
    // Columns this page does not know (later versions) are skipped by their size.
    if (i < COLUMNS.length) at[base + i] = p >> 3;
    p += n * 8;
  }
  const extra = p === end ? NO_SECTION : channelsSection(frame, view, p, end, n, strings, fail);
  return new ColumnarBatch(frame, slot, topic, partition, n, strings, extra);
}

const NO_SECTION = Object.freeze({ names: Object.freeze([]), xbase: 0, dirAt: -1 });
const EMPTY_AT = new Int32Array(0);

/**
 * The channels section in bytes [p, end) of a batch of `n` records (docs/protocol.md, "The
 * channels section"): its directory, then each column as a v1 column is laid out. Bytes
 * after its last column are left unread, as bytes after the v1 columns were before it.
 */
function channelsSection(frame, view, p, end, n, strings, fail) {
  if (p + 8 > end) fail(`${end - p} bytes after its columns, too few for a channels section`);
  const count = view.getUint32(p, true);
  if (count === 0) fail('its channels section lists no channel');
  const dir = p + 8;
  if (dir + 4 * count > end) fail(`the directory of its ${count} channels runs past the batch`);
  const names = directoryNames(frame.bytes, view, dir, count, strings, fail);
  const xbase = frame.xlen;
  if (xbase + count > frame.xat.length) {
    const grown = new Int32Array(Math.max(64, 2 * (xbase + count)));
    grown.set(frame.xat.subarray(0, xbase));
    frame.xat = grown;
  }
  const at = frame.xat;
  const bitmapBytes = pad8(Math.ceil(n / 8));
  p = pad8(dir + 4 * count);
  for (let k = 0; k < count; k++) {
    if (view.getUint16(dir + 4 * k + 2, true) & 1) {
      if (p + bitmapBytes > end) fail(`the bitmap of channel ${names[k]} runs past the batch`);
      p += bitmapBytes;
    }
    if (p + n * 8 > end) fail(`channel ${names[k]} (${n} values) runs past the batch`);
    at[xbase + k] = p >> 3;
    p += n * 8;
  }
  frame.xlen = xbase + count;
  return { names, xbase, dirAt: dir };
}

/**
 * The last directory read for a string table, and its names: a replay's batches repeat the
 * partition's last directory, and a shared names array lets the store keep its ring
 * lookups per array. Weak: forgotten with the string table.
 * @type {WeakMap<string[], {bytes: Uint8Array, names: string[]}>}
 */
const seenDirectories = new WeakMap();

/** The names of a directory of `count` entries at byte `dir`, each checked against the string table. */
function directoryNames(bytes, view, dir, count, strings, fail) {
  const to = dir + 4 * count;
  const seen = seenDirectories.get(strings);
  if (seen !== undefined && sameBytes(seen.bytes, bytes, dir, to)) return seen.names;
  const names = new Array(count);
  for (let k = 0; k < count; k++) {
    const index = view.getUint16(dir + 4 * k, true);
    const flags = view.getUint16(dir + 4 * k + 2, true);
    if (index >= strings.length) fail(`channel ${k} names string ${index}; the table has ${strings.length}`);
    if ((flags & ~1) !== 0) fail(`channel ${strings[index]} has unknown flags ${flags}`);
    names[k] = strings[index];
  }
  if (new Set(names).size !== count) fail('a channel is listed twice in its directory');
  Object.freeze(names);
  seenDirectories.set(strings, { bytes: bytes.slice(dir, to), names });
  return names;
}

/**
 * Names tables seen lately (the topic and the string table, as bytes), by a hash of their
 * bytes. A replay sends each partition's records of 50 ms of race as a batch of a few
 * records, which carries the same few names as the partition's last one: decoding them each
 * time costs more than reading the records. Bounded: forgotten past NAMES_KEPT tables.
 * @type {Map<number, {bytes: Uint8Array, topic: string, strings: string[]}>}
 */
const seenNames = new Map();
const NAMES_KEPT = 128;
/**
 * The last names table of each partition, tried first: a partition's batches repeat it,
 * and a table that matches needs one comparison, not a hash and a comparison. Bounded:
 * forgotten past NAMES_KEPT partitions, and with seenNames.
 * @type {Map<number, {bytes: Uint8Array, topic: string, strings: string[]}>}
 */
const lastByPartition = new Map();

/**
 * The topic and string table in bytes [from, to) of the frame, checked already. The strings
 * array may be shared with other batches of the same names: read it, never change it.
 */
function nameTable(frame, view, from, to, topicLen, count, partition) {
  const bytes = frame.bytes;
  const last = lastByPartition.get(partition);
  if (last !== undefined && sameBytes(last.bytes, bytes, from, to)) return last;
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  const seen = seenNames.get(hash);
  if (seen !== undefined && sameBytes(seen.bytes, bytes, from, to)) {
    remember(partition, seen);
    return seen;
  }
  const topic = utf8.decode(bytes.subarray(from, from + topicLen));
  const strings = new Array(count);
  let p = from + topicLen;
  for (let s = 0; s < count; s++) {
    const len = view.getUint16(p, true);
    strings[s] = utf8.decode(bytes.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  if (seenNames.size >= NAMES_KEPT) {
    seenNames.clear();
    lastByPartition.clear();
  }
  const entry = { bytes: bytes.slice(from, to), topic, strings };
  seenNames.set(hash, entry);
  remember(partition, entry);
  return entry;
}

function remember(partition, entry) {
  if (lastByPartition.size >= NAMES_KEPT && !lastByPartition.has(partition)) lastByPartition.clear();
  lastByPartition.set(partition, entry);
}

/** Whether `a` holds the bytes [from, to) of `b`. */
function sameBytes(a, b, from, to) {
  if (a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[from + i]) return false;
  return true;
}

/** `n` little-endian floats at `at`: a view where the platform agrees, a copy where it does not. */
function floats(buffer, at, n) {
  if (LITTLE_ENDIAN) return new Float64Array(buffer, at, n);
  const view = new DataView(buffer, at, n * 8);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = view.getFloat64(j * 8, true);
  return out;
}

/** Whether record `j` has the field whose presence bitmap is `bitmap` (null: every record). */
export function hasField(bitmap, j) {
  return bitmap === null || ((bitmap[j >> 3] >> (j & 7)) & 1) === 1;
}
