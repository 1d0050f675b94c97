// The strips, the coordinator of strips/: builds the time strips (charts.js, uPlot) and the
// view that fills them once per animation frame from the rings, over the chosen window up
// to the moment shown. Zoomed out they show an overview instead (playback.js asks for it).

import { Charts } from './charts.js';

export class Strips {
  /**
   * @param {{root: HTMLElement, store: object, ui: object, session: () => object}} page
   * @param {{onZoom: (fromMs: number, toMs: number) => void}} actions  a span was dragged across a strip
   */
  constructor(page, { onZoom }) {
    this.charts = new Charts(page.root.querySelector('[data-testid="strips"]'), {
      onCursor: (idx) => { page.ui.cursorIdx = idx; },
      onZoom,
    });
    this.time = new TimeStrips(page, this.charts);
  }
}

/** Speed, rpm and the focused car's tires against time: a view (core/view.js). */
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
