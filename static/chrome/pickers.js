// The pickers of what to watch: the topic menu (one topic, or several ticked), the partition
// chips of each chosen topic, and the chart window. Each reports a new choice through its
// callback and shows what it is told; what a click does to the selection is selection.js's.

import { withPartitionToggled, withTopic } from '../core/selection.js';

const fmt = new Intl.NumberFormat('en-US');

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
      this.onChange(withTopic(this.selection, box.value, box.checked));
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
      const p = chip.dataset.partition === 'all' ? 'all' : Number(chip.dataset.partition);
      this.onChange(withPartitionToggled(this.selection, chip.dataset.topic, p));
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
