// The Layouts menu in the toolbar (docs/using.md, "Layouts"): open a built-in or saved
// layout, save the current one under a name, delete a saved one, export it as a file, import
// one, copy a link to it. Opening a layout dispatches OPEN_LAYOUT on `document` with
// `{layout}`: the workbench (grid.js) shows it and keeps it in the link. The menu never
// builds panels itself; what it reads and writes is layout.js's, storage.js's and link.js's.

import { BUILTINS } from './builtins.js';
import { MAX_TEXT, layoutText, parseLayout } from './layout.js';
import { OPEN_LAYOUT, layoutParam } from './link.js';
import { deleteSaved, listSaved, saveLayout } from './storage.js';

/** Characters a file name may not hold on some system, and control characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE_FILE = /[\u0000-\u001f\u007f/\\:*?"<>|]/g;

/** The file a layout is exported to: `<name>.trackside-layout.json`. */
export function exportFileName(layout) {
  const base = (layout.name ?? 'layout').replace(UNSAFE_FILE, '-').trim() || 'layout';
  return `${base}.trackside-layout.json`;
}

export class LayoutsMenu {
  /**
   * @param {HTMLElement} el  the `[data-testid=layouts]` element of templates/index.html
   * @param {object} opts
   * @param {() => object} opts.current  the layout shown now
   * @param {Storage} opts.storage  where named layouts are kept (window.localStorage)
   */
  constructor(el, { current, storage }) {
    this.el = el;
    this.current = current;
    this.storage = storage;
    this.button = el.querySelector('[data-testid=layouts-button]');
    this.name = el.querySelector('[data-testid=layouts-current]');
    this.menu = el.querySelector('[data-testid=layouts-menu]');
    this.menu.innerHTML = MENU_HTML;
    this.list = this.menu.querySelector('[data-testid=layouts-list]');
    this.form = this.menu.querySelector('[data-testid=layouts-save]');
    this.file = this.menu.querySelector('[data-testid=layouts-import-file]');
    this.link = this.menu.querySelector('[data-testid=layouts-link]');
    this.alert = this.menu.querySelector('[data-testid=layouts-error]');
    this.status = this.menu.querySelector('[data-testid=layouts-status]');

    this.button.addEventListener('click', () => this.toggle(this.menu.hidden));
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || this.menu.hidden) return;
      // The keyboard goes back where it came from, not to the page's start.
      const within = this.el.contains(document.activeElement);
      this.toggle(false);
      if (within) this.button.focus();
    });
    document.addEventListener('pointerdown', (e) => !this.el.contains(e.target) && this.toggle(false));
    this.list.addEventListener('click', (e) => this.onListClick(e));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save(this.form.elements.name.value);
    });
    this.menu.querySelector('[data-testid=layouts-export]').addEventListener('click', () => this.exportFile());
    this.menu.querySelector('[data-testid=layouts-import]').addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => this.importFile(this.file.files?.[0]));
    this.menu.querySelector('[data-testid=layouts-copy-link]').addEventListener('click', () => this.copyLink());
    document.addEventListener(OPEN_LAYOUT, (e) => this.showName(e.detail?.layout));
    this.showName(current());
  }

  toggle(open) {
    if (this.menu.hidden === !open) return;
    this.menu.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      this.say(null);
      this.link.hidden = true;
      // A built-in's name cannot be saved over: offer the name of a saved layout only.
      const name = this.current()?.name;
      this.form.elements.name.value = name && !BUILTINS.some((b) => b.name === name) ? name : '';
      this.render();
      this.list.querySelector('button')?.focus();
    }
  }

  /** The built-in and saved layouts, each a button that opens it; a saved one with its Delete. */
  render() {
    const { layouts, error } = listSaved(this.storage);
    if (error) this.say(error, 'error');
    this.saved = layouts;
    const row = (source, name, i) => `<li><button type="button" class="layouts-open" data-testid="layout-open"
      data-source="${source}" data-index="${i}">${escapeHtml(name)}</button>${source === 'saved'
      ? `<button type="button" class="layouts-delete" data-testid="layout-delete" data-index="${i}"
          aria-label="Delete ${escapeHtml(name)}" title="Delete this saved layout">×</button>` : ''}</li>`;
    this.list.innerHTML = [
      '<li class="layouts-group">Built in</li>',
      ...BUILTINS.map((l, i) => row('builtin', l.name, i)),
      '<li class="layouts-group">Saved</li>',
      ...(layouts.length ? layouts.map((l, i) => row('saved', l.name, i)) : ['<li class="layouts-none">None yet: Save as… keeps the current layout here.</li>']),
    ].join('');
  }

  onListClick(e) {
    const del = e.target.closest('[data-testid=layout-delete]');
    if (del) {
      const { name } = this.saved[Number(del.dataset.index)];
      const error = deleteSaved(this.storage, name);
      this.render();
      this.say(error ?? `Deleted “${name}”.`, error ? 'error' : 'info');
      return;
    }
    const open = e.target.closest('[data-testid=layout-open]');
    if (!open) return;
    const list = open.dataset.source === 'builtin' ? BUILTINS : this.saved.map((s) => s.layout);
    const layout = list[Number(open.dataset.index)];
    if (layout) this.open(structuredClone(layout));
  }

  open(layout) {
    document.dispatchEvent(new CustomEvent(OPEN_LAYOUT, { detail: { layout } }));
    this.toggle(false);
  }

  save(name) {
    const r = saveLayout(this.storage, name, this.current());
    if (!r.ok) {
      this.say(r.error, 'error');
      return;
    }
    this.render();
    this.say(`Saved as “${r.layout.name}”.`, 'info');
    // The layout shown is now the one saved, under its name.
    document.dispatchEvent(new CustomEvent(OPEN_LAYOUT, { detail: { layout: r.layout } }));
  }

  exportFile() {
    const layout = this.current();
    const blob = new Blob([`${layoutText(layout, { indent: 2 })}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = exportFileName(layout);
    a.click();
    // The download has started from the click; the URL need not outlive this task.
    setTimeout(() => URL.revokeObjectURL(a.href), 0);
  }

  async importFile(file) {
    this.file.value = '';
    if (!file) return;
    if (file.size > MAX_TEXT) {
      this.say(`${file.name} does not read: a layout is at most ${MAX_TEXT / 1024} KiB of text`, 'error');
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (e) {
      this.say(`${file.name} cannot be read: ${e.message}`, 'error');
      return;
    }
    const r = parseLayout(text);
    if (r.ok) this.open(r.layout);
    else this.say(`${file.name} does not read: ${r.error}`, 'error');
  }

  /** The page's link with this layout in it; copied, and shown to copy by hand if the browser refuses. */
  async copyLink() {
    const url = new URL(location.href);
    const param = layoutParam(this.current());
    for (const k of ['layout', 'strip', 'axis']) url.searchParams.delete(k);
    if (param) url.searchParams.set('layout', param);
    const href = url.toString();
    this.link.value = href;
    this.link.hidden = false;
    try {
      await navigator.clipboard.writeText(href);
      this.say('Link copied.', 'info');
    } catch {
      this.link.select();
      this.say('Copy the link below (the browser did not allow copying).', 'info');
    }
  }

  showName(layout) {
    this.name.textContent = layout?.name ?? 'Custom';
  }

  /** One line under the menu: an error (role=alert, read out at once) or a note; null clears both. */
  say(text, kind = 'info') {
    this.alert.textContent = kind === 'error' && text ? text : '';
    this.alert.hidden = !(kind === 'error' && text);
    this.status.textContent = kind === 'info' && text ? text : '';
  }
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const MENU_HTML = `
  <ul class="layouts-list" data-testid="layouts-list"></ul>
  <form class="layouts-save" data-testid="layouts-save">
    <input name="name" type="text" maxlength="60" placeholder="Name" autocomplete="off" spellcheck="false"
      aria-label="Name to save the current layout under" data-testid="layouts-name" required>
    <button type="submit" class="btn">Save as…</button>
  </form>
  <div class="layouts-actions">
    <button type="button" class="btn" data-testid="layouts-export" title="Download the current layout as a file">Export</button>
    <button type="button" class="btn" data-testid="layouts-import" title="Open a layout from a .trackside-layout.json file">Import…</button>
    <button type="button" class="btn" data-testid="layouts-copy-link" title="Copy a link that opens the current layout">Copy link</button>
    <input type="file" accept=".json,application/json" data-testid="layouts-import-file" hidden>
  </div>
  <input class="layouts-link" data-testid="layouts-link" type="text" readonly aria-label="Link to the current layout" hidden>
  <p class="layouts-error" data-testid="layouts-error" role="alert" hidden></p>
  <p class="layouts-status" data-testid="layouts-status" role="status" aria-live="polite"></p>`;
