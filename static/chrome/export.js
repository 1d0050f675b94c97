// Exports from the page: any view asks with `requestExport({label, span, anchor})` (the
// tower for a lap, the cursors' readout for A–B, the strip header for the visible window);
// a small menu by `anchor` offers the formats, and the file downloads with a progress line
// (records so far of the span's), then is saved. Plain text everywhere. The link and the
// counting are export-file.js's.

import { FORMATS, RecordCounter, exportUrl, filenameOf, progressText } from './export-file.js';

/** Told on `document` when a view asks for an export; `detail` is requestExport's argument. */
export const EXPORT = 'trackside:export';
/** The progress line is rewritten at most this often. */
const PROGRESS_MS = 200;
/** The line stays this long after the file was saved. */
const DONE_MS = 8_000;

/**
 * Asks for an export of `span` ({car, lap} or {fromTs, toTs, cars}) of the topic watched,
 * described as `label` ("lap 3 of car 7"), its menu by `anchor`.
 */
export function requestExport(detail) {
  document.dispatchEvent(new CustomEvent(EXPORT, { detail }));
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/**
 * Answers export requests: `topic()` is the topic watched (null: none), `toast(title, text)`
 * says what went wrong.
 */
export function installExport(root, { topic, toast }) {
  const menu = el('div', { className: 'export-menu', hidden: true });
  menu.dataset.testid = 'export-menu';
  menu.setAttribute('role', 'menu');
  const title = el('p', { className: 'export-title' });
  const buttons = FORMATS.map(({ format, label }) => {
    const b = el('button', { type: 'button', className: 'btn', textContent: label });
    b.dataset.format = format;
    b.setAttribute('role', 'menuitem');
    return b;
  });
  menu.append(title, el('div', { className: 'export-formats' }, ...buttons));
  const line = el('div', { className: 'export-progress', hidden: true });
  line.dataset.testid = 'export-progress';
  line.setAttribute('role', 'status');
  const text = el('span', { className: 'export-text' });
  const cancel = el('button', { type: 'button', className: 'export-cancel', textContent: '✕', title: 'Stop the export' });
  cancel.setAttribute('aria-label', 'Stop the export');
  line.append(text, cancel);
  root.append(menu, line);

  let asked = null;
  let running = null;
  const close = () => {
    menu.hidden = true;
    asked = null;
  };
  document.addEventListener(EXPORT, (e) => {
    const t = topic();
    if (!t) return void toast('Export', 'Choose a topic first.');
    asked = { ...e.detail, topic: t };
    title.textContent = `Export ${e.detail.label} of ${t} as`;
    menu.hidden = false;
    place(menu, e.detail.anchor);
    buttons[0].focus();
  });
  menu.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-format]');
    if (!b || !asked) return;
    const what = asked;
    close();
    download(what, b.dataset.format);
  });
  document.addEventListener('pointerdown', (e) => {
    if (!menu.hidden && !menu.contains(e.target) && e.target !== asked?.anchor) close();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !menu.hidden) close();
  });
  cancel.addEventListener('click', () => {
    running?.abort();
    line.hidden = true;
  });

  async function download(what, format) {
    running?.abort();
    const abort = new AbortController();
    running = abort;
    const say = (s, state = 'running') => {
      line.hidden = false;
      line.dataset.state = state;
      text.textContent = s;
    };
    const doing = `Exporting ${what.label} as ${format.toUpperCase()}`;
    say(`${doing}…`);
    try {
      const resp = await fetch(exportUrl(what.topic, format, what.span), { signal: abort.signal });
      if (!resp.ok) {
        const body = await resp.json().catch(() => ({}));
        throw new Error(body.error ?? `the server answered ${resp.status}`);
      }
      const total = Number(resp.headers.get('x-export-records'));
      const name = filenameOf(resp.headers.get('content-disposition'), `${what.topic}.${format}`);
      const counter = new RecordCounter(format);
      const chunks = [];
      const reader = resp.body.getReader();
      let shownAt = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        counter.add(value);
        if (performance.now() - shownAt > PROGRESS_MS) {
          shownAt = performance.now();
          say(`${doing}: ${progressText(counter, total)}`);
        }
      }
      save(new Blob(chunks, { type: resp.headers.get('content-type') ?? '' }), name);
      const n = counter.records();
      const note = counter.note();
      say(`Saved ${name}${n === null ? '' : ` (${new Intl.NumberFormat('en-US').format(n)} records)`}${note ? `. Note: ${note}` : ''}`, note ? 'note' : 'done');
      if (!note) setTimeout(() => { if (running === abort) line.hidden = true; }, DONE_MS);
    } catch (err) {
      if (abort.signal.aborted) return;
      say(`Export of ${what.label} failed: ${err.message}`, 'failed');
      toast('Export failed', err.message);
    }
  }
}

/** Saves `blob` as `name` through a link the browser downloads. */
function save(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** Puts the menu below `anchor` (or at the top right), inside the window. */
function place(menu, anchor) {
  const r = anchor?.getBoundingClientRect?.() ?? { left: window.innerWidth - 260, bottom: 60 };
  const w = menu.offsetWidth || 240;
  menu.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - w - 8))}px`;
  menu.style.top = `${Math.min(r.bottom + 4, window.innerHeight - 80)}px`;
}
