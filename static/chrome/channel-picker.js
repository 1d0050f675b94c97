// The channel picker: a dialog listing the selected topics' channels (core/channels.js) with
// their unit, the range seen, the records that carried them and a badge on math channels,
// searched as the person types. It opens on a `trackside:pick-channel` event reaching the
// document (`detail.strip`: null for a new strip, or a strip's index; `detail.where`: what
// it is for, in words), asks the server for the latest counts as it opens, and answers a
// pick with `trackside:channel-picked` (`detail`: the asking detail with `name`) on the document. Keys: type to filter, ↑/↓ to move, Enter
// picks, Escape closes; a click picks too. Its words are channel-text.js's.

import { search } from '../core/channels.js';
import { describeDropped, formatRange, formatRecords } from './channel-text.js';

export const PICK_EVENT = 'trackside:pick-channel';
export const PICKED_EVENT = 'trackside:channel-picked';

export class ChannelPicker {
  /**
   * @param {HTMLDialogElement} el  the `[data-testid=channel-picker]` dialog
   * @param {{catalogue: import('../core/channels.js').ChannelCatalogue,
   *   topics: () => string[], refresh: (topic: string) => Promise<object>}} deps
   *   `topics`: the selected topics; `refresh`: a topic's `/api/channels` body
   */
  constructor(el, { catalogue, topics, refresh }) {
    this.el = el;
    this.catalogue = catalogue;
    this.topics = topics;
    this.refresh = refresh;
    const $ = (id) => el.querySelector(`[data-testid="${id}"]`);
    this.title = $('channel-picker-title');
    this.where = $('channel-picker-where');
    this.input = $('channel-search');
    this.status = $('channel-status');
    this.error = $('channel-error');
    this.listEl = $('channel-list');
    this.empty = $('channel-empty');
    this.droppedEl = $('channel-dropped');
    /** The strip the pick is for (null: a new one), and the whole detail it was asked with. */
    this.strip = null;
    this.asked = {};
    /** The channels shown, in order, and the one Enter would pick. */
    this.shown = [];
    this.active = 0;
    this.drawnVersion = -1;
    /** Bumped on each opening, so a slow answer from an earlier one is not shown as current. */
    this.opening = 0;
    this.loading = false;
    this.lastQuery = '';

    document.addEventListener(PICK_EVENT, (e) => this.open(e.detail?.strip ?? null, e.detail ?? {}));
    this.input.addEventListener('input', () => {
      this.active = 0;
      this.render();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.listEl.addEventListener('click', (e) => {
      const option = e.target.closest('[role=option]');
      if (option) this.pick(option.dataset.channel);
    });
    this.listEl.addEventListener('pointermove', (e) => {
      const option = e.target.closest('[role=option]');
      if (option) this.setActive(Number(option.dataset.index), false);
    });
    $('channel-close').addEventListener('click', () => this.close());
    // A click on the backdrop lands on the dialog itself; its content is wrapped.
    el.addEventListener('click', (e) => e.target === el && this.close());
    // While it is open the picker owns the keys: Space on its close button is no play/pause.
    el.addEventListener('keydown', (e) => e.stopPropagation());
  }

  get isOpen() {
    return this.el.open;
  }

  /** Opens for `strip` (null: a new strip) with an empty search, and asks for the latest counts. */
  open(strip, asked = {}) {
    this.strip = Number.isInteger(strip) ? strip : null;
    this.asked = asked;
    this.where.textContent = typeof asked.where === 'string' ? asked.where : this.strip === null ? 'for a new strip' : `for strip ${this.strip + 1}`;
    this.input.value = '';
    this.shown = [];
    this.active = 0;
    if (!this.el.open) this.el.showModal();
    this.input.focus();
    this.refreshAll();
  }

  close() {
    if (this.el.open) this.el.close();
  }

  /** The catalogue may have changed (a `channels` message): redraw when open. */
  update() {
    if (this.el.open && this.catalogue.version !== this.drawnVersion) this.render();
  }

  async refreshAll() {
    const opening = ++this.opening;
    const topics = this.topics();
    this.loading = topics.length > 0;
    this.error.hidden = true;
    this.render();
    const answers = await Promise.allSettled(topics.map((t) => this.refresh(t)));
    const failed = [];
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled') this.catalogue.apply(a.value);
      else failed.push(`${topics[i]}: ${a.reason?.message ?? a.reason}`);
    });
    if (opening !== this.opening) return;
    this.loading = false;
    this.error.hidden = failed.length === 0;
    this.error.textContent = failed.length
      ? `Could not update the counts and ranges (${failed.join('; ')}). Shown: what the server last sent.`
      : '';
    this.render();
  }

  onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.setActive(this.active + (e.key === 'ArrowDown' ? 1 : -1), true);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const c = this.shown[this.active];
      if (c) this.pick(c.name);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    }
  }

  pick(name) {
    const detail = { ...this.asked, strip: this.strip, name };
    this.close();
    document.dispatchEvent(new CustomEvent(PICKED_EVENT, { detail }));
  }

  setActive(i, scroll) {
    if (this.shown.length === 0) return;
    const next = Math.max(0, Math.min(this.shown.length - 1, i));
    const old = this.listEl.children[this.active];
    if (old) old.setAttribute('aria-selected', 'false');
    this.active = next;
    const option = this.listEl.children[next];
    option.setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', option.id);
    if (scroll) option.scrollIntoView({ block: 'nearest' });
  }

  render() {
    this.drawnVersion = this.catalogue.version;
    const topics = this.topics();
    const all = this.catalogue.list(topics);
    const query = this.input.value;
    // Keep the active channel under the cursor when the list is redrawn beneath it.
    const activeName = this.shown[this.active]?.name;
    this.shown = search(all, query);
    const kept = this.shown.findIndex((c) => c.name === activeName);
    if (kept >= 0 && query === this.lastQuery) this.active = kept;
    this.lastQuery = query;
    this.active = Math.max(0, Math.min(this.active, this.shown.length - 1));

    this.listEl.replaceChildren(...this.shown.map((c, i) => option(c, i, i === this.active, topics.length > 1)));
    if (this.shown.length) this.input.setAttribute('aria-activedescendant', `channel-option-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');

    this.status.textContent = this.loading ? 'Updating counts and ranges…' : `${all.length} channel${all.length === 1 ? '' : 's'} on ${topics.join(', ') || 'no topic'}`;
    this.empty.hidden = this.shown.length > 0;
    this.empty.textContent = topics.length === 0 ? 'Choose a topic first.'
      : all.length === 0 ? (this.loading ? 'Asking the server for the channels…' : 'No record decoded on these topics yet.')
        : `No channel matches “${query.trim()}”. Search by a part of the name (brake fl), a unit (psi) or “math”.`;

    const dropped = topics.map((t) => describeDropped(t, this.catalogue.dropped(t))).filter(Boolean);
    this.droppedEl.hidden = dropped.length === 0;
    this.droppedEl.textContent = dropped.length ? `Why a channel may be missing: ${dropped.join(' ')}` : '';
  }
}

/** One row of the list. */
function option(c, i, active, severalTopics) {
  const li = document.createElement('li');
  li.id = `channel-option-${i}`;
  li.className = 'cp-option';
  li.setAttribute('role', 'option');
  li.setAttribute('aria-selected', String(active));
  li.dataset.channel = c.name;
  li.dataset.index = String(i);
  if (c.math) li.dataset.math = 'true';
  const span = (cls, text, title) => {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    if (title) s.title = title;
    return s;
  };
  const name = span('cp-name', c.name, severalTopics ? `${c.name} (in ${c.topics.join(', ')})` : c.name);
  const head = span('cp-head-cell', '');
  head.append(name);
  if (c.math) head.append(span('cp-math', 'math', 'A math channel: the server computes it from other channels (serve --channels)'));
  li.append(
    head,
    span('cp-unit', c.unit ?? '—', c.unit ? `Unit: ${c.unit}` : 'No unit known'),
    span(c.min === null ? 'cp-range cp-none' : 'cp-range', formatRange(c.min, c.max), 'The lowest and highest value the live stream carried since the server started'),
    span('cp-records', formatRecords(c.records), 'Records of the live stream that carried this channel'),
  );
  return li;
}
