// What to watch and how: the topic and partition pickers, the replay buttons and progress,
// the chart window; and the selection's round trip through the URL query.
//
// A selection is the protocol's: [{ topic, partitions: null | [int] }], null = every partition.

const fmt = new Intl.NumberFormat('en-US');

// ---- selection <-> URL ---------------------------------------------------------------

/**
 * Reads `?topic=telemetry&partitions=0,2` (one topic) or `?topic=a:0,2&topic=b` (several;
 * a colon cannot occur in a Kafka topic name). Returns null when the query names no topic.
 */
export function selectionFromQuery(search) {
  const q = new URLSearchParams(search);
  const topics = q.getAll('topic').map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) return null;
  const shared = parsePartitions(q.get('partitions'));
  const seen = new Set();
  const out = [];
  for (const t of topics) {
    const [name, parts] = t.includes(':') ? [t.slice(0, t.indexOf(':')), parsePartitions(t.slice(t.indexOf(':') + 1))] : [t, shared];
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push({ topic: name, partitions: topics.length === 1 ? shared ?? parts : parts });
  }
  return out;
}

function parsePartitions(s) {
  if (s == null || s.trim() === '' || s === 'all') return null;
  const ps = [...new Set(s.split(',').map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p >= 0))];
  return ps.length ? ps.sort((a, b) => a - b) : null;
}

/** The query string for a selection (and the other view settings kept in the URL). */
export function queryFromSelection(selection, extra = {}) {
  const q = new URLSearchParams();
  if (selection.length === 1) {
    q.append('topic', selection[0].topic);
    if (selection[0].partitions) q.append('partitions', selection[0].partitions.join(','));
  } else {
    for (const s of selection) q.append('topic', s.partitions ? `${s.topic}:${s.partitions.join(',')}` : s.topic);
  }
  for (const [k, v] of Object.entries(extra)) if (v != null && v !== '') q.append(k, String(v));
  // URLSearchParams escapes commas and colons; they are safe in a query and easier to read plain.
  return `?${q.toString().replaceAll('%2C', ',').replaceAll('%3A', ':')}`;
}

export function sameSelection(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a record of `topic`/`partition` belongs to the selection. */
export function selects(selection, topic, partition) {
  for (const s of selection) {
    if (s.topic === topic) return s.partitions === null || s.partitions.includes(partition);
  }
  return false;
}

// ---- topic picker ---------------------------------------------------------------------

export class TopicPicker {
  /**
   * @param {HTMLElement} el  the `[data-testid=topic-picker]` element
   * @param {(selection: object[]) => void} onChange
   */
  constructor(el, onChange) {
    this.el = el;
    this.onChange = onChange;
    this.button = el.querySelector('[data-testid=topic-button]');
    this.current = el.querySelector('[data-testid=topic-current]');
    this.menu = el.querySelector('[data-testid=topic-menu]');
    this.filter = el.querySelector('[data-testid=topic-filter]');
    this.list = el.querySelector('[data-testid=topic-list]');
    this.topics = [];
    this.selection = [];

    this.button.addEventListener('click', () => this.toggle(this.menu.hidden));
    this.filter.addEventListener('input', () => this.renderList());
    this.filter.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        const first = this.list.querySelector('.topic-name');
        if (first) first.click();
      }
    });
    document.addEventListener('keydown', (e) => e.key === 'Escape' && this.toggle(false));
    document.addEventListener('pointerdown', (e) => !this.el.contains(e.target) && this.toggle(false));
    this.list.addEventListener('click', (e) => {
      const only = e.target.closest('.topic-name');
      if (only) {
        this.onChange([{ topic: only.dataset.topic, partitions: null }]);
        this.toggle(false);
      }
    });
    this.list.addEventListener('change', (e) => {
      const box = e.target.closest('input[type=checkbox]');
      if (!box) return;
      const name = box.value;
      const next = box.checked
        ? [...this.selection.filter((s) => s.topic !== name), { topic: name, partitions: null }]
        : this.selection.filter((s) => s.topic !== name);
      this.onChange(next);
    });
  }

  toggle(open) {
    if (this.menu.hidden === !open) return;
    this.menu.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      this.renderList();
      this.filter.focus();
    }
  }

  /** @param {{name: string, partitions: {partition, low, high}[]}[]} topics */
  setTopics(topics) {
    // While the menu is open it is rebuilt only when topics come or go, never under a click
    // for a mere change of counts.
    const names = (list) => list.map((t) => `${t.name}/${t.partitions.length}`).join(',');
    const changed = names(topics) !== names(this.topics);
    this.topics = topics;
    if (!this.menu.hidden && changed) this.renderList();
  }

  setSelection(selection) {
    this.selection = selection;
    const names = selection.map((s) => s.topic);
    this.current.textContent = names.length === 0 ? 'choose…' : names.length === 1 ? names[0] : `${names[0]} +${names.length - 1}`;
    this.current.title = names.join(', ');
    if (!this.menu.hidden) this.renderList();
  }

  renderList() {
    const needle = this.filter.value.trim().toLowerCase();
    const chosen = new Set(this.selection.map((s) => s.topic));
    const known = new Set(this.topics.map((t) => t.name));
    // A chosen topic the broker does not (yet) have still shows, so it can be unticked.
    const rows = [...this.topics, ...[...chosen].filter((n) => !known.has(n)).map((name) => ({ name, partitions: null }))];
    const frag = document.createDocumentFragment();
    for (const t of rows) {
      if (needle && !t.name.toLowerCase().includes(needle)) continue;
      const li = document.createElement('li');
      li.className = chosen.has(t.name) ? 'chosen' : '';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = t.name;
      box.checked = chosen.has(t.name);
      box.setAttribute('aria-label', `Also watch ${t.name}`);
      box.dataset.testid = `topic-check-${t.name}`;
      const name = document.createElement('button');
      name.type = 'button';
      name.className = 'topic-name';
      name.dataset.topic = t.name;
      name.dataset.testid = `topic-option-${t.name}`;
      const label = document.createElement('span');
      label.className = 'topic-label';
      label.textContent = t.name;
      const meta = document.createElement('span');
      meta.className = 'topic-meta';
      meta.textContent = t.partitions
        ? `${t.partitions.length} part. · ${fmt.format(t.partitions.reduce((n, p) => n + Math.max(0, p.high - p.low), 0))} records`
        : 'not found on the broker';
      name.append(label, meta);
      li.append(box, name);
      frag.append(li);
    }
    this.list.replaceChildren(frag);
    if (!this.list.children.length) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = this.topics.length ? 'No topic matches.' : 'No topics yet.';
      this.list.append(li);
    }
  }
}

// ---- partition picker ----------------------------------------------------------------

/**
 * One row of chips per chosen topic: "All" and one chip per partition with its record
 * count. Chips are a filter: none pressed means every partition (and ones added later).
 */
export class PartitionPicker {
  constructor(el, onChange) {
    this.el = el;
    this.onChange = onChange;
    this.topics = new Map();
    this.selection = [];
    this.rendered = '';
    el.addEventListener('click', (e) => {
      const chip = e.target.closest('button[data-topic]');
      if (!chip) return;
      const topic = chip.dataset.topic;
      const next = this.selection.map((s) => {
        if (s.topic !== topic) return s;
        if (chip.dataset.partition === 'all') return { topic, partitions: null };
        const p = Number(chip.dataset.partition);
        const cur = new Set(s.partitions ?? []);
        cur.has(p) ? cur.delete(p) : cur.add(p);
        return { topic, partitions: cur.size ? [...cur].sort((a, b) => a - b) : null };
      });
      this.onChange(next);
    });
  }

  setTopics(topics) {
    this.topics = new Map(topics.map((t) => [t.name, t]));
    this.render();
  }

  setSelection(selection) {
    this.selection = selection;
    this.render();
  }

  render() {
    // The topic list refreshes every few seconds: chips are rebuilt only when the selection
    // or the partitions change, otherwise only their counts are rewritten, so a refresh
    // never swaps a chip from under a click.
    const key = JSON.stringify([this.selection, this.selection.map((s) => this.topics.get(s.topic)?.partitions.map((p) => p.partition) ?? null)]);
    if (key === this.rendered) return this.updateCounts();
    this.rendered = key;
    const frag = document.createDocumentFragment();
    for (const s of this.selection) {
      const row = document.createElement('div');
      row.className = 'partition-row';
      row.setAttribute('role', 'group');
      row.setAttribute('aria-label', `Partitions of ${s.topic}`);
      const label = document.createElement('span');
      label.className = this.selection.length > 1 ? 'partition-label partition-topic' : 'partition-label';
      label.textContent = this.selection.length > 1 ? s.topic : 'Partitions';
      row.append(label, chip(s.topic, 'all', 'All', s.partitions === null, null));
      const meta = this.topics.get(s.topic);
      if (!meta) {
        const warn = document.createElement('span');
        warn.className = 'partition-warn';
        warn.textContent = 'topic not found on the broker (yet)';
        row.append(warn);
      } else {
        for (const p of meta.partitions) {
          const pressed = s.partitions !== null && s.partitions.includes(p.partition);
          row.append(chip(s.topic, p.partition, `P${p.partition}`, pressed, Math.max(0, p.high - p.low)));
        }
      }
      frag.append(row);
    }
    this.el.replaceChildren(frag);
  }

  updateCounts() {
    for (const b of this.el.querySelectorAll('button.chip[data-partition]:not([data-partition="all"])')) {
      const p = this.topics.get(b.dataset.topic)?.partitions.find((q) => String(q.partition) === b.dataset.partition);
      if (!p) continue;
      const count = Math.max(0, p.high - p.low);
      const text = compact(count);
      const c = b.querySelector('.chip-count');
      if (c.textContent !== text) {
        c.textContent = text;
        b.title = countTitle(p.partition, count);
      }
    }
  }
}

const countTitle = (partition, count) => `Partition ${partition}: ${fmt.format(count)} records stored (high − low)`;

function chip(topic, partition, text, pressed, count) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'chip';
  b.dataset.topic = topic;
  b.dataset.partition = String(partition);
  b.dataset.testid = `partition-chip-${topic}-${partition}`;
  b.setAttribute('aria-pressed', String(pressed));
  const t = document.createElement('span');
  t.className = 'chip-text';
  t.textContent = text;
  b.append(t);
  if (count !== null) {
    const c = document.createElement('span');
    c.className = 'chip-count';
    c.textContent = compact(count);
    b.title = countTitle(partition, count);
    b.append(c);
  } else {
    b.title = 'Every partition, including ones added later';
  }
  return b;
}

const compact = (n) => (n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : fmt.format(n));

// ---- replay controls -----------------------------------------------------------------

export class ReplayControls {
  /**
   * @param {HTMLElement} el  the buttons  @param {HTMLElement} strip  the progress strip
   * @param {{onReplay, onPause, onResume, onLive}} actions
   */
  constructor(el, strip, actions) {
    this.start = el.querySelector('[data-testid=replay-earliest]');
    this.pause = el.querySelector('[data-testid=replay-pause]');
    this.live = el.querySelector('[data-testid=back-to-live]');
    this.progress = strip;
    this.label = strip.querySelector('[data-testid=replay-state]');
    this.bar = strip.querySelector('[data-testid=replay-bar]');
    this.text = strip.querySelector('[data-testid=replay-progress-text]');
    this.parts = strip.querySelector('[data-testid=replay-partitions]');
    this.state = null;
    this.start.addEventListener('click', actions.onReplay);
    this.pause.addEventListener('click', () => (this.state === 'paused' ? actions.onResume() : actions.onPause()));
    this.live.addEventListener('click', actions.onLive);
  }

  /**
   * @param {'live'|'replay'} mode
   * @param {string|null} state  the replay's state ('starting' before its first message)
   * @param {object|null} msg  the last `replay` message
   */
  render(mode, state, msg) {
    this.state = state;
    const replaying = mode === 'replay';
    this.live.hidden = !replaying;
    this.pause.hidden = !replaying || !(state === 'running' || state === 'paused');
    this.pause.textContent = state === 'paused' ? '▶ Resume' : '❚❚ Pause';
    this.pause.dataset.state = state ?? '';
    this.start.textContent = replaying ? '⟲ Restart replay' : '⟲ Replay from earliest';
    this.progress.hidden = !replaying;
    if (!replaying) return;
    const p = msg ? clamp01(msg.progress) : 0;
    this.bar.value = p;
    this.label.textContent = STATE_LABELS[state] ?? state ?? '';
    this.text.textContent = `${Math.floor(p * 100)}% · ${offsetText(msg)}`;
    this.parts.textContent = partitionsText(msg);
    this.progress.dataset.state = state ?? '';
  }
}

const STATE_LABELS = {
  starting: 'Starting replay',
  running: 'Replaying',
  paused: 'Replay paused',
  caught_up: 'Caught up · live',
  stopped: 'Replay stopped',
  failed: 'Replay failed',
};

const clamp01 = (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** "offset X of Y" for one partition; delivered records of the total for several. */
function offsetText(msg) {
  if (!msg) return 'starting…';
  const parts = msg.partitions ?? [];
  const where = parts.length === 1
    ? `offset ${fmt.format(parts[0].offset)} of ${fmt.format(parts[0].end)}`
    : `${fmt.format(msg.delivered ?? 0)} of ${fmt.format(msg.total ?? 0)} records`;
  const bad = msg.malformed > 0 ? ` · ${fmt.format(msg.malformed)} malformed skipped` : '';
  return msg.state === 'caught_up' ? `${where}${bad} · now streaming live from the replay reader` : `${where}${bad}`;
}

/** Each partition's "offset of end" when there are several. */
function partitionsText(msg) {
  const parts = msg?.partitions ?? [];
  if (parts.length < 2) return '';
  return parts
    .map((p) => `${parts.some((q) => q.topic !== p.topic) ? `${p.topic}/` : ''}P${p.partition} offset ${fmt.format(p.offset)} of ${fmt.format(p.end)}`)
    .join(' · ');
}

// ---- chart window ----------------------------------------------------------------------

export class WindowPicker {
  constructor(el, onChange) {
    this.el = el;
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-window]');
      if (b) onChange(Number(b.dataset.window));
    });
  }

  set(seconds) {
    for (const b of this.el.querySelectorAll('button[data-window]')) {
      b.setAttribute('aria-pressed', String(Number(b.dataset.window) === seconds));
    }
  }
}
