// The strips, the coordinator of strips/: builds the time strips (charts.js, uPlot) and the
// view that fills them once per animation frame from the rings, over the chosen window up
// to the moment shown. Zoomed out they show an overview instead (playback.js asks for it).
//
// It also keeps the layout (layout.js) as the person edits it: the strip headers' tools, the
// "Add strip" button, and the channel picker's answers. "+" and "Add strip" do not pick a
// channel themselves: they ask the picker (chrome/channel-picker.js) with a
// `trackside:pick-channel` event ({ strip: index | null }), and the picker answers on
// `document` with `trackside:channel-picked` ({ strip, name }).

import { Charts } from './charts.js';
import { addChannel, addStrip, moveStrip, removeStrip, setCars, stripUnit as stripUnitOf } from './layout.js';
import { PICK_CHANNEL, PICKED as CHANNEL_PICKED } from '../workbench/panel.js';

export { PICK_CHANNEL, CHANNEL_PICKED };

export class Strips {
  /**
   * @param {{root: HTMLElement, store: object, ui: object, session: () => object, writeUrl: () => void,
   *   channels: {unit: (name: string) => string|null}}} page  `ui.strips`: the layout shown (layout.js),
   *   shared with the URL; `channels.unit(name)`: a channel's unit as the server said it
   * @param {{onZoom: (fromMs: number, toMs: number) => void, onLayout?: () => void}} actions  a span
   *   was dragged across a strip; the layout changed (a zoomed-out view asks for its channels again)
   */
  constructor(page, { onZoom, onLayout = () => {} }) {
    this.page = page;
    this.onLayout = onLayout;
    this.units = (name) => page.channels?.unit(name) ?? null;
    const root = page.root.querySelector('[data-testid="strips"]');
    this.charts = new Charts(root, {
      onCursor: (idx) => { page.ui.cursorIdx = idx; },
      onZoom,
    });
    this.charts.setLayout(page.ui.strips, this.units);
    this.time = new TimeStrips(page, this.charts);
    root.addEventListener('click', (e) => this.tool(e));
    page.root.querySelector('[data-testid="add-strip"]')?.addEventListener('click', (e) => {
      e.currentTarget.dispatchEvent(new CustomEvent(PICK_CHANNEL, { bubbles: true, detail: { strip: null } }));
    });
    document.addEventListener(CHANNEL_PICKED, (e) => this.picked(e.detail));
  }

  /** A click on a strip header's tool: `data-act` on the button, `data-strip` on its strip. */
  tool(e) {
    const button = e.target.closest('button[data-act]');
    const box = button?.closest('[data-strip]');
    if (!button || !box) return;
    const i = Number(box.dataset.strip);
    const strips = this.page.ui.strips;
    switch (button.dataset.act) {
      case 'add':
        button.dispatchEvent(new CustomEvent(PICK_CHANNEL, { bubbles: true, detail: { strip: i } }));
        return;
      case 'remove':
        return this.set(removeStrip(strips, i), null);
      case 'up':
        return this.set(moveStrip(strips, i, -1), [i - 1, 'up']);
      case 'down':
        return this.set(moveStrip(strips, i, 1), [i + 1, 'down']);
      case 'cars':
        return this.set(setCars(strips, i, strips[i].cars === 'all' ? 'focus' : 'all'), [i, 'cars']);
      default:
    }
  }

  /** The picker's answer: a new strip of `name` (strip null), or `name` added to strip `strip`. */
  picked(detail) {
    const name = detail?.name;
    if (typeof name !== 'string' || name === '') return;
    const strips = this.page.ui.strips;
    const i = detail.strip;
    if (i === null || i === undefined) this.set(addStrip(strips, name), null);
    else if (Number.isInteger(i)) this.set(addChannel(strips, i, name), null);
  }

  /** Shows a new layout; `refocus` [strip, act]: the tool the keyboard was on, found again after the rebuild. */
  set(strips, refocus) {
    if (strips === this.page.ui.strips) return;
    this.page.ui.strips = strips;
    this.charts.setLayout(strips, this.units);
    this.page.writeUrl();
    this.onLayout();
    if (refocus) {
      const [i, act] = refocus;
      const target = this.charts.boxes[i]?.querySelector(`[data-act="${act}"]`);
      (target && !target.disabled ? target : this.charts.boxes[i]?.querySelector('[data-act="cars"]'))?.focus();
    }
  }

  /** The server described its channels: the strips' units may read better now. */
  unitsChanged() {
    for (const [i, box] of this.charts.boxes.entries()) {
      const unit = box.querySelector('.strip-unit');
      const text = stripUnitOf(this.page.ui.strips[i], this.units);
      if (unit && unit.textContent !== text) unit.textContent = text;
    }
  }
}

/** Every channel of the strips, for every car or the focused one, against time: a view (core/view.js). */
class TimeStrips {
  constructor(page, charts) {
    this.page = page;
    this.charts = charts;
  }

  frame() {
    const { store, ui, session } = this.page;
    this.charts.draw(store, ui.windowSec * 1000, store.windowEnd(session().mode === 'replay'));
  }

  /** The plots follow their boxes themselves (a ResizeObserver); the grid of bins is redone. */
  resize() {
    this.charts.drawnVersion = -1;
  }
}
