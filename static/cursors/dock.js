// The cursors' readout when the layout has no `cursors` panel (the built-in "Race engineer"
// has none): a small box docked at the bottom right of the window, shown while a cursor is
// placed, holding the same readout (readout.js). It never changes the layout by itself, so
// placing a cursor does not move the panels; its "Keep as a panel" adds a cursors panel to
// the layout, and from then on the dock stays hidden; ▾ folds it to one line. A view (core/view.js); its ✕ and Esc
// clear the cursors, which hides it.

import { cursors } from './cursors.js';
import { cursorsPanel } from './readout.js';

export class CursorsDock {
  /**
   * @param {HTMLElement} parent  where the dock goes (the page's root)
   * @param {object} ctx  what a panel reads (workbench/panel.js PanelContext), and `hasPanel()`:
   *   whether the layout has a cursors panel, `addPanel()`: adds one
   */
  constructor(parent, ctx) {
    this.ctx = ctx;
    const el = (tag, props) => Object.assign(document.createElement(tag), props);
    this.box = el('section', { className: 'cursors-dock', hidden: true });
    this.box.dataset.testid = 'cursors-dock';
    this.box.setAttribute('aria-label', 'A/B cursors');
    const keep = el('button', { type: 'button', className: 'cursors-keep', textContent: 'Keep as a panel', title: 'Add a Cursors panel to the layout: the readout then stays in the grid' });
    keep.dataset.testid = 'cursors-keep';
    keep.addEventListener('click', () => ctx.addPanel());
    // Folded, the dock is one line (A, B, Δt, ✕) and hides less of the panels under it.
    const fold = el('button', { type: 'button', className: 'cursors-fold', textContent: '▾' });
    fold.dataset.testid = 'cursors-fold';
    const setFolded = (folded) => {
      this.box.classList.toggle('folded', folded);
      fold.textContent = folded ? '▴' : '▾';
      fold.title = folded ? 'Show the table' : 'Fold to one line';
      fold.setAttribute('aria-expanded', String(!folded));
    };
    setFolded(false);
    fold.addEventListener('click', () => setFolded(!this.box.classList.contains('folded')));
    const bar = el('div', { className: 'cursors-dock-bar' });
    bar.append(el('h2', { textContent: 'Cursors A–B' }), keep, fold);
    const body = el('div', { className: 'cursors-dock-body' });
    this.box.append(bar, body);
    parent.append(this.box);
    this.panel = cursorsPanel(body, { kind: 'cursors' }, ctx);
  }

  frame(now) {
    const c = cursors();
    const show = (c.a !== null || c.b !== null) && !this.ctx.hasPanel();
    if (this.box.hidden === show) this.box.hidden = !show;
    if (show) this.panel.frame(now);
  }

  resize() {
    this.panel.resize();
  }
}
