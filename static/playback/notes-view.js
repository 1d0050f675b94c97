// The notes on the page (a view, core/view.js): their markers over the timeline (hover for
// the text, click to go there), a notice as a playing replay passes one or a colleague adds
// one live, and the Notes popover: every note of the selection, and a form to add one at the
// playhead (or the live edge) for the focused car, or edit or remove your own. A note is
// text from anyone: it only ever goes into the page as textContent, never as HTML.
// What is kept and where markers go is notes.js's; writing goes through `write`.

import { NoteBook, noteLine, noteMarkers, noteProblem, passedNotes, MAX_TEXT_CHARS } from './notes.js';
import { clock } from './timeline-view.js';

/** Where the author's name is remembered between visits. */
const AUTHOR_KEY = 'trackside.author';
/** Most markers drawn; merged markers keep a crowded timeline within it long before this. */
const MAX_MARKERS = 400;
/** Ids of notes this page wrote that are remembered (a person writes a few an hour). */
const MAX_MINE = 1000;
/** Most notices one frame raises as a replay passes notes (a fast replay passes many). */
const MAX_PASSED_TOASTS = 3;

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

export class NotesView {
  /**
   * @param {HTMLElement} root  the page
   * @param {{timeline: HTMLElement, onSeek: (ts: number) => void, write: (body: object) => Promise<object>,
   *   notify: (title: string, text: string) => void, storage: Storage,
   *   where: () => ({topic: string, ts: number, car: string|null, lap: number|null}|null)}} deps
   */
  constructor(root, deps) {
    Object.assign(this, deps);
    const $ = (id) => root.querySelector(`[data-testid="${id}"]`);
    this.book = new NoteBook();
    this.layer = el('div', 'timeline-notes');
    this.layer.dataset.testid = 'timeline-notes';
    this.tip = el('div', 'note-tip');
    this.tip.dataset.testid = 'note-tip';
    this.tip.hidden = true;
    deps.timeline.append(this.layer, this.tip);
    this.button = $('notes-button');
    this.count = $('notes-count');
    this.popover = $('notes-popover');
    this.list = $('notes-list');
    this.form = $('note-form');
    this.whereText = $('note-where');
    this.text = $('note-text');
    this.author = $('note-author');
    this.error = $('note-error');
    this.why = $('note-why');
    this.save = $('note-save');
    this.text.maxLength = MAX_TEXT_CHARS;
    this.author.value = this.readAuthor();
    /** The note being edited (its id), or null for a new one; and where a new one goes. */
    this.editing = null;
    this.target = null;
    /** Ids this page wrote, so its own note raises no "new note" notice. */
    this.mine = new Set();
    this.drawnKey = '';
    this.listedVersion = -1;
    this.prevHead = null;

    this.button.addEventListener('click', () => (this.popover.hidden ? this.open() : this.close()));
    $('note-cancel').addEventListener('click', () => this.close());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.popover.hidden && !e.target.closest('.notes-menu')) this.close();
    });
    this.list.addEventListener('click', (e) => this.onListClick(e));
    this.layer.addEventListener('click', (e) => {
      const m = e.target.closest('[data-testid="note-marker"]');
      if (m) this.onSeek(Number(m.dataset.ts));
    });
    this.layer.addEventListener('pointerover', (e) => this.showTip(e.target.closest('[data-testid="note-marker"]')));
    this.layer.addEventListener('pointerout', () => { this.tip.hidden = true; });
  }

  /** An `annotations` or `annotation` message. */
  onMessage(msg) {
    if (msg.type === 'annotations') return void this.book.replace(msg);
    const what = this.book.apply(msg);
    if (what === 'added' && !this.mine.has(msg.id)) this.notify('New note', noteLine(msg));
  }

  /** The selection changed: the notes of topics no longer watched go. */
  selected(topics) {
    this.book.keep(topics);
  }

  /** @param {{span: object|null, width: number, playhead: number|null, live: boolean}} m */
  frame(m) {
    const notes = this.book.list();
    const markers = noteMarkers(notes, m.span, m.width).slice(0, MAX_MARKERS);
    const key = markers.map((k) => `${Math.round(k.x)}:${k.notes.map((n) => n.id + n.written_at).join(',')}`).join(' ');
    if (key !== this.drawnKey) {
      this.drawnKey = key;
      this.drawMarkers(markers);
    }
    const head = m.live ? null : m.playhead;
    for (const n of passedNotes(notes, this.prevHead, head).slice(0, MAX_PASSED_TOASTS)) this.notify(`Note at ${clock(n.ts)}`, noteLine(n));
    this.prevHead = head;
    if (!this.popover.hidden && this.listedVersion !== this.book.version) this.renderList();
    const count = notes.length ? ` ${notes.length}` : '';
    if (this.count.textContent !== count) this.count.textContent = count;
  }

  drawMarkers(markers) {
    this.layer.replaceChildren(...markers.map((k) => {
      const b = el('button', 'note-marker');
      b.type = 'button';
      b.dataset.testid = 'note-marker';
      b.dataset.ts = String(k.notes[0].ts);
      b.dataset.count = String(k.notes.length);
      b.style.left = `${k.x}px`;
      b.setAttribute('aria-label', `Go to the note at ${clock(k.notes[0].ts)}: ${k.notes.map(noteLine).join(' / ')}`);
      b.notes = k.notes;
      return b;
    }));
  }

  showTip(marker) {
    if (!marker?.notes) return void (this.tip.hidden = true);
    this.tip.textContent = marker.notes.map((n) => `${clock(n.ts, true)}  ${noteLine(n)}`).join('\n');
    this.tip.hidden = false;
    // Centred on the mark, but kept within the page (read on hover only, never per frame).
    const x = marker.getBoundingClientRect().left + 5;
    const half = Math.min(this.tip.offsetWidth, innerWidth) / 2;
    const left = Math.min(innerWidth - half - 8, Math.max(half + 8, x));
    this.tip.style.left = `${left - this.timeline.getBoundingClientRect().left}px`;
  }

  open() {
    this.target = this.where();
    this.editing = null;
    this.error.textContent = '';
    this.popover.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.renderForm();
    this.renderList();
    (this.form.hidden ? this.button : this.author.value ? this.text : this.author).focus();
  }

  close() {
    this.popover.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.editing = null;
  }

  /** The form, or why no note can be added here. */
  renderForm() {
    const t = this.editing ? this.book.list().find((n) => n.id === this.editing) : this.target;
    const why = t ? this.book.whyNot(t.topic) : 'there is nothing to attach it to yet: no record of the chosen topics has arrived.';
    this.why.textContent = why ? `You cannot add a note here: ${why}` : '';
    this.why.hidden = !why;
    this.form.hidden = Boolean(why);
    if (!t) return;
    const car = t.car != null ? ` · car #${t.car}${t.lap != null ? ` lap ${t.lap}` : ''}` : '';
    this.whereText.textContent = `${this.editing ? 'Editing the note at' : 'At'} ${clock(t.ts, true)}${car} · ${t.topic}`;
    this.save.textContent = this.editing ? 'Save' : 'Add note';
  }

  renderList() {
    this.listedVersion = this.book.version;
    const me = this.author.value.trim();
    const items = this.book.list().map((n) => {
      const li = el('li', 'note-item');
      li.dataset.testid = 'note-item';
      li.dataset.id = n.id;
      const go = el('button', 'note-time', clock(n.ts, true));
      go.type = 'button';
      go.dataset.action = 'seek';
      go.title = 'Go to this moment';
      li.append(go, el('span', 'note-line', noteLine(n)));
      if (me && n.author === me) {
        for (const [action, label] of [['edit', 'Edit'], ['delete', 'Delete']]) {
          const b = el('button', 'note-action', label);
          b.type = 'button';
          b.dataset.action = action;
          b.dataset.testid = `note-${action}`;
          li.append(b);
        }
      }
      return li;
    });
    if (items.length === 0) items.push(el('li', 'note-empty', 'No notes on these topics yet.'));
    this.list.replaceChildren(...items);
  }

  onListClick(e) {
    const b = e.target.closest('button[data-action]');
    const id = b?.closest('[data-id]')?.dataset.id;
    const n = id && this.book.list().find((x) => x.id === id);
    if (!n) return;
    if (b.dataset.action === 'seek') return this.onSeek(n.ts);
    if (b.dataset.action === 'edit') {
      this.editing = id;
      this.text.value = n.text;
      this.renderForm();
      return this.text.focus();
    }
    this.send({ topic: n.topic, id, deleted: true });
  }

  submit() {
    const text = this.text.value;
    const author = this.author.value.trim();
    const problem = noteProblem(text, author);
    if (problem) return void (this.error.textContent = problem);
    this.rememberAuthor(author);
    const old = this.editing && this.book.list().find((n) => n.id === this.editing);
    const t = old ?? this.target;
    if (!t) return;
    const body = { topic: t.topic, ts: t.ts, car: t.car ?? null, lap: t.lap ?? null, text, author };
    if (old) body.id = old.id;
    this.send(body).then((ok) => {
      if (!ok) return;
      this.text.value = '';
      this.editing = null;
      this.renderForm();
    });
  }

  /** Writes; the answer is the note as written, kept at once (its message follows). */
  async send(body) {
    this.error.textContent = body.deleted ? 'Removing…' : 'Writing to Kafka…';
    this.save.disabled = true;
    try {
      const note = await this.write(body);
      if (this.mine.size >= MAX_MINE) this.mine.clear();
      this.mine.add(note.id);
      this.book.apply({ ...note, topic: note.topic ?? body.topic });
      this.error.textContent = '';
      return true;
    } catch (err) {
      this.error.textContent = `Not written: ${err.message}`;
      return false;
    } finally {
      this.save.disabled = false;
      this.renderList();
    }
  }

  readAuthor() {
    try {
      return this.storage.getItem(AUTHOR_KEY) ?? '';
    } catch {
      return '';
    }
  }

  rememberAuthor(name) {
    try {
      this.storage.setItem(AUTHOR_KEY, name);
    } catch {
      // A browser that keeps nothing asks again next time; the note is still written.
    }
  }
}
