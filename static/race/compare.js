// "Compare with…": a dialog that picks a reference lap from any topic the server can read
// (those `/api/topics` lists, the current one first), then a car and a lap from that
// topic's lap table (`/api/laps`, asked again each POLL_MS while the server is still
// reading it, with its progress), and pins it: the page keeps it in the layout's
// `references` (docs/layouts.md). Opened from the delta panel and the distance strips.
// The choices are references.js's; this is their DOM.

import { formatLapTime } from './laps.js';
import { lapChoices, readingText } from './references.js';

/** The lap table is asked for again this often while the server reads the topic. */
const POLL_MS = 1000;

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

export class ComparePicker {
  /**
   * @param {{current: () => string|null, pin: (ref: {topic: string, car: string, lap: number}) => string|null}} deps
   *   `current`: the topic watched; `pin`: pins a lap, or says why it cannot
   */
  constructor({ current, pin }) {
    this.current = current;
    this.pin = pin;
    this.topicSel = el('select', { className: 'cmp-select', ariaLabel: 'Topic of the reference lap' });
    this.carSel = el('select', { className: 'cmp-select', ariaLabel: 'Car of the reference lap' });
    this.status = el('p', { className: 'cmp-status', role: 'status' });
    this.list = el('ol', { className: 'cmp-laps' });
    const close = el('button', { type: 'button', className: 'cp-close', textContent: '×', title: 'Close (Esc)', ariaLabel: 'Close' });
    this.topicSel.dataset.testid = 'compare-topic';
    this.carSel.dataset.testid = 'compare-car';
    this.status.dataset.testid = 'compare-status';
    this.list.dataset.testid = 'compare-laps';
    this.dialog = el('dialog', { className: 'channel-picker compare' },
      el('div', { className: 'cmp-body' },
        el('div', { className: 'cp-top' }, el('h2', { textContent: 'Compare with…' }), close),
        el('label', { className: 'cmp-row' }, el('span', { textContent: 'Topic' }), this.topicSel),
        el('label', { className: 'cmp-row' }, el('span', { textContent: 'Car' }), this.carSel),
        this.status,
        this.list));
    this.dialog.dataset.testid = 'compare';
    document.body.append(this.dialog);
    /** The lap table shown and the choices it gives; bumped on each topic asked, so a late answer is dropped. */
    this.choices = [];
    this.asking = 0;
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('click', (e) => e.target === this.dialog && this.dialog.close());
    // While it is open the dialog owns the keys: Space is no play/pause.
    this.dialog.addEventListener('keydown', (e) => e.stopPropagation());
    this.dialog.addEventListener('close', () => this.asking++);
    this.topicSel.addEventListener('change', () => this.load(this.topicSel.value));
    this.carSel.addEventListener('change', () => this.renderLaps());
    this.list.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-lap]');
      if (!b) return;
      const why = this.pin({ topic: this.topic, car: this.carSel.value, lap: Number(b.dataset.lap) });
      if (why) this.say(why, true);
      else this.dialog.close();
    });
  }

  /** Opens on the current topic, listing the topics the server can read. */
  async open() {
    if (!this.dialog.open) this.dialog.showModal();
    const current = this.current();
    this.setTopics(current ? [current] : [], current);
    this.load(current ?? '');
    try {
      const res = await fetch('/api/topics', { headers: { accept: 'application/json' } });
      const body = await res.json();
      const names = (Array.isArray(body.topics) ? body.topics : []).map((t) => t.name).filter((n) => n !== current);
      this.setTopics([...(current ? [current] : []), ...names.sort()], current, this.topicSel.value);
    } catch {
      // The current topic is still there to choose.
    }
  }

  setTopics(names, current, chosen = current) {
    this.topicSel.replaceChildren(...names.map((n) => el('option', { value: n, textContent: n === current ? `${n} (this session)` : n })));
    if (chosen) this.topicSel.value = chosen;
  }

  /** Asks for `topic`'s lap table, and again while the server is still reading it. */
  async load(topic) {
    const asking = ++this.asking;
    this.topic = topic;
    this.choices = [];
    this.carSel.replaceChildren();
    this.list.replaceChildren();
    if (!topic) return this.say('No topic to compare with yet.', false);
    this.say(`Asking for the laps of ${topic}…`, false);
    while (asking === this.asking) {
      let res;
      let body;
      try {
        res = await fetch(`/api/laps?${new URLSearchParams({ topic })}`, { headers: { accept: 'application/json' } });
        body = await res.json();
      } catch (e) {
        return asking === this.asking && this.say(`The server could not be reached (${e.message}).`, true);
      }
      if (asking !== this.asking) return;
      if (!res.ok) return this.say(body?.error ?? `The server answered ${res.status}.`, true);
      this.show(body);
      if (body.index?.state !== 'reading') return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** A lap table: its cars (the one chosen kept), the chosen car's laps, and the reading progress. */
  show(table) {
    this.choices = lapChoices(table);
    const was = this.carSel.value;
    const cars = this.choices.map((c) => c.car);
    if (cars.join('\u0000') !== [...this.carSel.options].map((o) => o.value).join('\u0000')) {
      this.carSel.replaceChildren(...this.choices.map((c) => el('option', { value: c.car, textContent: c.driver ? `#${c.car} ${c.driver}` : `#${c.car}` })));
      if (cars.includes(was)) this.carSel.value = was;
    }
    const reading = readingText(table.topic, table.index);
    const none = this.choices.length === 0 ? `No timed laps in ${table.topic}${reading ? ' yet' : ''}.` : '';
    this.say([reading, none].filter(Boolean).join(' · '), false);
    this.renderLaps();
  }

  renderLaps() {
    const car = this.choices.find((c) => c.car === this.carSel.value);
    this.list.replaceChildren(...(car?.laps ?? []).map((l) => {
      const b = el('button', { type: 'button', className: `cmp-lap${l.best ? ' best' : ''}` },
        el('span', { className: 'cmp-no', textContent: `L${l.lap}` }),
        el('span', { className: 'cmp-time', textContent: formatLapTime(l.ms) }),
        el('span', { className: 'cmp-note', textContent: [l.best ? '★ best' : '', l.pit ? 'pit' : ''].filter(Boolean).join(' ') }));
      b.dataset.lap = String(l.lap);
      b.dataset.testid = 'compare-lap';
      b.title = `Pin lap ${l.lap} of car ${car.car} as a reference`;
      return el('li', {}, b);
    }));
  }

  say(text, error) {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }
}
