// The pure part of exports from the page (chrome/export.js): the `/api/export` link of a
// span, the file name the server gives, and counting a download's records as its bytes
// come (a CSV or JSON-lines record is one line; a Parquet file is counted in bytes).

export const FORMATS = Object.freeze([
  { format: 'csv', label: 'CSV' },
  { format: 'parquet', label: 'Parquet' },
  { format: 'jsonl', label: 'JSONL' },
]);

/**
 * The link of an export of `topic` as `format`: a car's lap (`{car, lap}`), or a time span
 * (`{fromTs, toTs}`, ms, both included) of some cars (`cars`, every car when absent).
 */
export function exportUrl(topic, format, span) {
  const q = new URLSearchParams({ topic, format });
  if (span.car != null && span.lap != null) {
    q.set('car', span.car);
    q.set('lap', String(span.lap));
  } else {
    if (span.fromTs != null) q.set('from_ts', String(Math.floor(span.fromTs)));
    if (span.toTs != null) q.set('to_ts', String(Math.ceil(span.toTs)));
    if (span.cars?.length) q.set('cars', span.cars.join(','));
  }
  return `/api/export?${q}`;
}

/** The file name of a `Content-Disposition: attachment; filename="…"`, or `fallback`. */
export function filenameOf(disposition, fallback) {
  const m = /filename="([^"]+)"/.exec(disposition ?? '');
  return m ? m[1] : fallback;
}

const NEWLINE = 10;
const HASH = 35;

/**
 * Counts a text export's records as its chunks come: lines after the CSV header, and
 * whether a last line says something was left out (`# trackside: …`, docs/protocol.md).
 */
export class RecordCounter {
  /** @param {string} format */
  constructor(format) {
    this.format = format;
    this.lines = 0;
    this.bytes = 0;
    /** The bytes of the line being read, kept only while it may be the note. */
    this.lineStart = true;
    this.noteBytes = null;
  }

  /** @param {Uint8Array} chunk */
  add(chunk) {
    this.bytes += chunk.length;
    if (this.format === 'parquet') return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.lineStart) {
        this.lineStart = false;
        if (b === HASH && this.format === 'csv') this.noteBytes = [];
      }
      if (b === NEWLINE) {
        this.lines++;
        this.lineStart = true;
        if (this.noteBytes) this.noteText = new TextDecoder().decode(new Uint8Array(this.noteBytes));
        this.noteBytes = null;
      } else if (this.noteBytes && this.noteBytes.length < 2_000) this.noteBytes.push(b);
    }
  }

  /** Records so far: a CSV's lines less its header and its note; null for Parquet. */
  records() {
    if (this.format === 'parquet') return null;
    if (this.format === 'jsonl') return this.lines;
    return Math.max(0, this.lines - 1 - (this.noteText ? 1 : 0));
  }

  /** The CSV's note of what was left out, without its `# trackside: `; null when none. */
  note() {
    return this.noteText ? this.noteText.replace(/^# trackside: /, '') : null;
  }
}

const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * "1,234 of up to 5,000 records", or for Parquet "2.4 MB of up to 5,000 records": the
 * server's total counts the span's offsets, other cars' records included.
 */
export function progressText(counter, total) {
  const n = counter.records();
  const of = total == null || Number.isNaN(total) ? '' : ` of up to ${fmt0.format(total)}`;
  if (n === null) return `${fmt1.format(counter.bytes / 1e6)} MB${of} records`;
  return `${fmt0.format(n)}${of} records`;
}
