// The strips, the coordinator of strips/: the time strips (charts.js, uPlot) and the view
// that fills them once per animation frame from the rings, over the chosen window up to
// the moment shown. Zoomed out they show an overview instead (playback.js asks for it).
//
// Each `time` panel of the workbench is one strip: `panel()` is the kind's factory, and
// `mount()` hands every time panel's body to the one Charts, strip i into the i-th time
// panel, so the strips share their cursor and time grid. A strip header's tools edit its
// panel's spec (every car or the focused one, "+" a channel); moving and removing are the
// panel frame's. "+" does not pick a channel itself: it asks the picker
// (chrome/channel-picker.js) with a `trackside:pick-channel` event ({ strip: index }), and
// the picker answers on `document` with `trackside:channel-picked` ({ strip, name }); a
// strip of null is a new time panel.

import { Charts } from './charts.js';
import { drawPeriod } from '../core/session.js';
import { addChannel, sameStrips, setCars, stripUnit as stripUnitOf } from './layout.js';
import { PICK_CHANNEL, PICKED as CHANNEL_PICKED } from '../workbench/panel.js';

export { PICK_CHANNEL, CHANNEL_PICKED };

export class Strips {
  /**
   * @param {{store: object, ui: object, session: () => object, channels: {unit: (name: string) => string|null},
   *   addPanel: (spec: object) => void}} page  `ui.strips`: the strips shown (layout.js), the time
   *   panels' in order; `addPanel`: a new panel for the workbench
   * @param {{onZoom: (fromMs: number, toMs: number) => void, onLayout?: () => void}} actions  a span
   *   was dragged across a strip; the strips changed (a zoomed-out view asks for its channels again)
   */
  constructor(page, { onZoom, onLayout = () => {} }) {
    this.page = page;
    this.onLayout = onLayout;
    this.units = (name) => page.channels?.unit(name) ?? null;
    this.charts = new Charts({
      onCursor: (idx) => { page.ui.cursorIdx = idx; },
      onZoom,
    });
    /** The time panels' bodies in order, and how each edits its own spec. */
    this.bodies = [];
    this.updates = new WeakMap();
    /** Which time panels are on screen: a strip out of sight is not drawn (charts.js `setOnScreen`). */
    this.seen = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const i = this.bodies.indexOf(e.target);
        if (i >= 0) this.charts.setOnScreen(i, e.isIntersecting);
      }
    });
    this.time = new TimeStrips(page, this.charts);
    document.addEventListener(CHANNEL_PICKED, (e) => this.picked(e.detail));
  }

  /** The `time` kind's factory (workbench/kinds.js): the strip's box arrives with `mount`. */
  panel(body, spec, ctx) {
    this.updates.set(body, ctx.update);
    const onClick = (e) => this.tool(e, body);
    body.addEventListener('click', onClick);
    return {
      frame: (now) => this.time.frame(now),
      resize: () => this.time.resize(),
      destroy: () => body.removeEventListener('click', onClick),
    };
  }

  /** The time panels shown, in order ({spec, body}): strip i is drawn in body i. */
  mount(panels) {
    const strips = panels.map((p) => ({ channels: p.spec.channels, cars: p.spec.cars === 'focus' ? 'focus' : 'all' }));
    const bodies = panels.map((p) => p.body);
    if (sameStrips(strips, this.charts.layout) && bodies.length === this.bodies.length && bodies.every((b, i) => b === this.bodies[i])) return;
    for (const b of this.bodies) this.seen.unobserve(b);
    this.bodies = bodies;
    this.page.ui.strips = strips;
    // Until the observer says otherwise, every strip is drawn.
    this.charts.onScreen = [];
    this.charts.setLayout(strips, this.units, bodies);
    for (const b of bodies) this.seen.observe(b);
    this.onLayout();
  }

  /** A click on a strip header's tool: `data-act` on the button. */
  tool(e, body) {
    const button = e.target.closest('button[data-act]');
    if (!button) return;
    const i = this.bodies.indexOf(body);
    const strips = this.page.ui.strips;
    if (i < 0) return;
    switch (button.dataset.act) {
      case 'add':
        button.dispatchEvent(new CustomEvent(PICK_CHANNEL, { bubbles: true, detail: { strip: i } }));
        return;
      case 'cars':
        this.edit(i, setCars(strips, i, strips[i].cars === 'all' ? 'focus' : 'all'));
        this.charts.boxes[i]?.querySelector('[data-act="cars"]')?.focus();
        return;
      default:
    }
  }

  /** The picker's answer: a new time panel of `name` (strip null), or `name` added to strip `strip`. */
  picked(detail) {
    const name = detail?.name;
    // A pick for "+ Panel" (`new`) or for a panel's own field (`panel`) is not the strips'.
    if (typeof name !== 'string' || name === '' || detail.new !== undefined || detail.panel !== undefined) return;
    const i = detail.strip;
    if (i === null || i === undefined) this.page.addPanel({ kind: 'time', channels: [name], cars: 'all' });
    else if (Number.isInteger(i)) this.edit(i, addChannel(this.page.ui.strips, i, name));
  }

  /** Strip `i` of `strips` is its time panel's spec from now on. */
  edit(i, strips) {
    if (strips === this.page.ui.strips) return;
    const s = strips[i];
    this.updates.get(this.bodies[i])?.({ kind: 'time', channels: [...s.channels], cars: s.cars });
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
    /** The animation frame last drawn: every time panel calls `frame`, the strips draw once. */
    this.at = null;
  }

  /**
   * New records are drawn a share of the strips a frame (charts.js `flush`), unless a replay
   * at max already paces the drawing a view a frame (core/view.js `Rounds`).
   */
  frame(now) {
    if (now !== undefined && now === this.at) return;
    this.at = now;
    const { store, ui, session } = this.page;
    const s = session();
    this.charts.draw(store, ui.windowSec * 1000, store.windowEnd(s.mode === 'replay'), drawPeriod(s) === 0);
  }

  /** The plots follow their boxes themselves (a ResizeObserver); the grid of bins is redone. */
  resize() {
    this.charts.drawnVersion = -1;
  }
}
