// The Kafka panel: the chosen partitions' offsets as this server reads them (watermarks,
// last offset, lag, consumed, malformed, and whether its group member owns the partition or
// its follower reads it), the group, what it owns here and what is followed, the totals, and
// whether Kafka is reachable. Rebuilt on each `stats` message (once a second). The words
// for what it reads are reading.js's.

import { selects } from '../core/selection.js';
import { formatName } from './header.js';
import { readingLine, summariseReading } from './reading.js';

const fmt = new Intl.NumberFormat('en-US');
const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export class KafkaPanel {
  constructor(root) {
    this.rows = root.querySelector('[data-testid=partition-rows]');
    this.table = root.querySelector('[data-testid=partition-table]');
    this.reach = root.querySelector('[data-testid=kafka-reachable]');
    this.group = root.querySelector('[data-testid=kafka-group]');
    this.assignment = root.querySelector('[data-testid=kafka-assignment]');
    this.readsSummary = root.querySelector('[data-testid=kafka-reads-summary]');
    this.rate = root.querySelector('[data-testid=kafka-rate]');
    this.clients = root.querySelector('[data-testid=kafka-clients]');
    this.consumed = root.querySelector('[data-testid=kafka-consumed]');
    this.malformed = root.querySelector('[data-testid=kafka-malformed]');
    this.droppedRow = root.querySelector('[data-testid=kafka-dropped-row]');
    this.dropped = root.querySelector('[data-testid=kafka-dropped]');
    this.restartsRow = root.querySelector('[data-testid=kafka-restarts-row]');
    this.restarts = root.querySelector('[data-testid=kafka-restarts]');
    this.format = root.querySelector('[data-testid=data-format]');
    this.registryRow = root.querySelector('[data-testid=kafka-registry-row]');
    this.registry = root.querySelector('[data-testid=kafka-registry]');
  }

  /** How this page's `data` messages arrive ('columnar' or 'json'; null while disconnected). */
  setDataFormat(format) {
    const text = format === null ? '—' : formatName(format);
    if (this.format.textContent !== text) this.format.textContent = text;
    this.format.dataset.format = format ?? '';
    this.format.title = format === 'columnar'
      ? 'Binary columnar frames (trackside.columnar.v1); add ?wire=json to the URL to receive JSON'
      : format === 'json' ? 'JSON text messages' : '';
  }

  /**
   * @param {object|null} stats  the last `stats` message
   * @param {object[]} selection
   * @param {object|null} replay  the last `replay` message while replaying, else null
   */
  render(stats, selection, replay) {
    this.table.dataset.replay = replay ? 'on' : 'off';
    if (!stats) return;
    const k = stats.kafka ?? {};
    this.reach.dataset.state = k.reachable ? 'up' : 'down';
    this.reach.textContent = k.reachable ? 'reachable' : `unavailable${k.error ? `: ${k.error}` : ''}`;
    this.reach.title = k.error ?? '';
    // Only a server given --schema-registry has one to show.
    const r = k.schema_registry;
    this.registryRow.hidden = !r;
    if (r) {
      const state = r.reachable === false ? 'down' : r.reachable ? 'up' : 'unknown';
      this.registry.dataset.state = state;
      this.registry.textContent = state === 'down' ? `unavailable${r.error ? `: ${r.error}` : ''}`
        : state === 'up' ? `reachable (${fmt.format(r.schemas)} schemas)` : 'not asked yet';
      this.registry.title = r.url;
    }

    const g = stats.group ?? {};
    this.group.textContent = g.id ?? '—';
    // One line however many topics are read; the partitions themselves on demand.
    const line = readingLine(g.assignment ?? [], g.followed ?? []);
    if (this.readsSummary.textContent !== line) this.readsSummary.textContent = line;
    const all = summariseReading(g.assignment ?? [], g.followed ?? []);
    if (this.assignment.textContent !== all) this.assignment.textContent = all;
    this.restartsRow.hidden = !(g.consumer_restarts > 0);
    this.restarts.textContent = fmt.format(g.consumer_restarts ?? 0);
    this.restartsRow.title = g.last_restart ? `Last: ${g.last_restart}` : '';

    const t = stats.totals ?? {};
    this.rate.textContent = t.records_per_sec == null ? '—' : fmt1.format(t.records_per_sec);
    this.clients.textContent = t.clients == null ? '—' : fmt.format(t.clients);
    this.consumed.textContent = t.consumed == null ? '—' : fmt.format(t.consumed);
    this.malformed.textContent = t.malformed == null ? '—' : fmt.format(t.malformed);
    this.malformed.classList.toggle('bad', t.malformed > 0);

    const replayOf = new Map((replay?.partitions ?? []).map((p) => [`${p.topic}/${p.partition}`, p]));
    const parts = (stats.partitions ?? [])
      .filter((p) => selects(selection, p.topic, p.partition))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const frag = document.createDocumentFragment();
    for (const p of parts) frag.append(...this.row(p, replayOf.get(`${p.topic}/${p.partition}`)));
    if (parts.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 11;
      td.className = 'empty';
      td.textContent = selection.length ? 'The server reports no offsets for the chosen partitions yet.' : 'Choose a topic.';
      tr.append(td);
      frag.append(tr);
    }
    this.rows.replaceChildren(frag);
  }

  row(p, rp) {
    const tr = document.createElement('tr');
    tr.dataset.testid = `partition-row-${p.topic}-${p.partition}`;
    const cell = (text, cls, testid) => {
      const td = document.createElement('td');
      if (cls) td.className = cls;
      if (testid) td.dataset.field = testid;
      td.textContent = text;
      tr.append(td);
      return td;
    };
    const n = (v) => (v == null ? '—' : fmt.format(v));
    cell(p.topic, 'topic').title = p.topic;
    cell(String(p.partition), 'part', 'partition');
    cell(n(p.low), 'num', 'low');
    cell(n(p.high), 'num', 'high');
    cell(p.low == null || p.high == null ? '—' : fmt.format(Math.max(0, p.high - p.low)), 'num', 'records');
    cell(n(p.last_offset), 'num', 'last_offset');
    const lag = cell(n(p.lag), 'num', 'lag');
    if (p.lag > 1000) lag.classList.add('warn');
    cell(n(p.consumed), 'num', 'consumed');
    const bad = cell(n(p.malformed), 'num malformed', 'malformed');
    const readBy = READ_BY[p.read_by] ?? READ_BY.none;
    cell(readBy.text, readBy.cls, 'read_by').title = readBy.title;
    cell(rp ? `${fmt.format(rp.offset)} / ${fmt.format(rp.end)}` : '—', 'num replay-col', 'replay');
    if (!(p.malformed > 0)) return [tr];
    bad.classList.add('bad');
    tr.classList.add('has-malformed');
    if (!p.last_malformed) return [tr];
    // The reason gets a line of its own under the row, so long reasons do not widen the table.
    const detail = document.createElement('tr');
    detail.className = 'malformed-detail';
    detail.dataset.testid = `malformed-reason-${p.topic}-${p.partition}`;
    const td = document.createElement('td');
    td.colSpan = 11;
    td.textContent = `Last malformed record, offset ${fmt.format(p.last_malformed.offset)}: ${p.last_malformed.reason}`;
    td.title = td.textContent;
    detail.append(td);
    return [tr, detail];
  }

  /** Records the server dropped for this page (from `data` messages), shown only when nonzero. */
  setDropped(total) {
    this.droppedRow.hidden = total === 0;
    this.dropped.textContent = fmt.format(total);
  }
}

/** Who reads a partition for this server, as its row says it. */
const READ_BY = {
  group: { text: 'group', cls: 'assigned', title: 'The consumer group gave this partition to this server: it commits it, and the lag is the group\'s' },
  follower: { text: 'follows', cls: 'followed', title: 'Another server of the group owns this partition; this one reads it too (no group, no commits), so its viewers see it live' },
  none: { text: '—', cls: 'unassigned', title: 'This server does not read the partition now' },
};
