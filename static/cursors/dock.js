// The cursors' readout when no `cursors` panel is on the page: a small box docked at the
// bottom right of the window, shown while a cursor is placed, holding the same readout
// (readout.js). A layout without a cursors panel (the built-in "Race engineer") still
// shows what the cursors measure; a layout with one never sees the dock. A view
// (core/view.js); its ✕ and Esc clear the cursors, which hides it.

import { cursors } from './cursors.js';
import { cursorsPanel } from './readout.js';

/** The panel kind whose presence makes the dock unneeded. */
const PANEL_SELECTOR = '[data-panel-kind="cursors"]';

export class CursorsDock {
  /**
   * @param {HTMLElement} parent  where the dock goes (the page's root)
   * @param {object} ctx  what a panel reads (workbench/panel.js PanelContext)
   */
  constructor(parent, ctx) {
    this.box = document.createElement('section');
    this.box.className = 'cursors-dock';
    this.box.dataset.testid = 'cursors-dock';
    this.box.setAttribute('aria-label', 'A/B cursors');
    this.box.hidden = true;
    const body = document.createElement('div');
    this.box.append(body);
    parent.append(this.box);
    this.panel = cursorsPanel(body, { kind: 'cursors' }, ctx);
  }

  frame(now) {
    const c = cursors();
    const show = (c.a !== null || c.b !== null) && document.querySelector(PANEL_SELECTOR) === null;
    if (this.box.hidden === show) this.box.hidden = !show;
    if (show) this.panel.frame(now);
  }

  resize() {
    this.panel.resize();
  }
}
