// A box's size as the browser last laid it out, kept by a ResizeObserver, for views that
// draw on a canvas every animation frame. Reading `clientWidth` in a frame, after another
// view wrote text (the tower, the legend), makes the browser lay out the whole page there
// and then, a second time in the same frame; the observer is told the size after the
// browser's own layout instead, so a frame reads a number and never forces one.

export class BoxSize {
  /** @param {Element} el  the box watched, for as long as the page lives */
  constructor(el) {
    // Read once: the observer's first report comes after the first layout, not at once.
    this.width = el.clientWidth;
    this.height = el.clientHeight;
    new ResizeObserver((entries) => {
      const box = entries.at(-1).contentRect;
      // As clientWidth and clientHeight round them: the canvases have no padding or border.
      this.width = Math.round(box.width);
      this.height = Math.round(box.height);
    }).observe(el);
  }
}
