// The contract every view on the page implements, and the pacing of their drawing. Pure:
// no DOM and no clock of its own, tested by tests/js/core/view.test.mjs.
//
// A view is one thing on screen drawn from the store and the session (the strips, the
// timeline, the track map, the tower, ...). Its folder's coordinator builds it; views.js
// lists every view once, in drawing order; app.js calls them from one animation-frame loop.

/**
 * @typedef {object} View
 * @property {(now: number) => void} frame  draws what changed since its last frame: called
 *   once per animation frame (`now`: its timestamp, ms), so it must be cheap when nothing did
 * @property {() => void} resize  the space it has may have changed (the window, the Time or
 *   Distance switch): its next frame draws in full
 * @property {(now: number) => void} [write]  optional: writes its text into the page (values,
 *   rows), after every view's `frame`, and on frames chosen by `Writes` (below), not on each
 */

/** The names a view must have: `frame(now)` and `resize()`. */
export const VIEW_METHODS = Object.freeze(['frame', 'resize']);

/** `views`, checked: each implements the contract, so a missing method fails at start, not mid-race. */
export function checkViews(views) {
  views.forEach((v, i) => {
    for (const m of VIEW_METHODS) {
      if (typeof v?.[m] !== 'function') throw new TypeError(`view ${i} (${v?.constructor?.name ?? typeof v}) has no ${m}()`);
    }
  });
  return views;
}

/**
 * The most the views' `frame` calls of one animation frame may take (ms, by the page's clock)
 * before the views left wait for the next frame. A burst of work (a replay caught up, every
 * view drawing its first full window; the strips taking records as the map redraws its lap)
 * is spread over frames instead of making one long task; live, views cost a millisecond or
 * two a frame and all draw on each (docs/performance.md, issues 21 and 23).
 */
export const FRAME_BUDGET_MS = 8;

/**
 * Which of `count` views to draw on each animation frame. Unpaced (`period` 0), all of them
 * every frame, as far as the frame's budget goes (`draw`, FRAME_BUDGET_MS): the next frame
 * starts with those left. Paced (a replay at max, see session.js `drawPeriod`), a round of
 * drawing every `period` ms, one view per animation frame, so the records go into the rings
 * in between and no frame holds every view's work.
 */
export class Rounds {
  constructor(count) {
    this.count = count;
    this.lastAt = -Infinity;
    /** Views of the round under way still to draw. */
    this.pending = 0;
    /** Unpaced, the view the next frame starts with: the first one the last frame's budget left. */
    this.next = 0;
    /** The last `draw` spent its whole budget: its frame is heavy already (`Writes.due`). */
    this.heavy = false;
  }

  /**
   * Draws this frame's views (`due`), `drawOne(i)` each in turn, until `clock()` says `budget`
   * ms went by; the first is always drawn. @returns {number} how many were drawn
   */
  draw(now, period, drawOne, clock, budget = FRAME_BUDGET_MS) {
    const order = this.due(now, period);
    const from = clock();
    let k = 0;
    while (k < order.length && (k === 0 || clock() - from < budget)) drawOne(order[k++]);
    // Unpaced, the next frame starts with the first view this one's budget left.
    this.next = k < order.length ? order[k] : 0;
    this.heavy = clock() - from >= budget;
    return k;
  }

  /** The views are `count` now (panels came on screen or left it); a round under way ends within them. */
  resize(count) {
    if (count === this.count) return;
    const done = this.count - this.pending;
    this.count = count;
    this.pending = this.pending === 0 ? 0 : Math.max(0, count - done);
  }

  /** @returns {number[]} the indices of the views to draw on the frame at `now` */
  due(now, period) {
    if (period === 0) {
      this.pending = 0;
      const start = this.next < this.count ? this.next : 0;
      return Array.from({ length: this.count }, (_, k) => (start + k) % this.count);
    }
    if (this.pending === 0) {
      if (now - this.lastAt < period) return [];
      this.lastAt = now;
      this.pending = this.count;
    }
    const i = this.count - this.pending;
    this.pending--;
    return [i];
  }
}

/** The longest a view's text waits for a frame that draws no records (`Writes`). */
export const WRITE_WAIT_MS = 50;

/**
 * On which frames the views write their text (`write(now)`). Text written into the page must
 * be laid out (the page writes it after the frame's canvases drew, app.js, so once): on a
 * frame that also takes new records into the strips, that layout lands on the frame's
 * heaviest work. So the views write on frames that draw no new records
 * (two frames in three, live), or on any frame once they have waited WRITE_WAIT_MS. While
 * the drawing is paced (`period`, a replay at max: `Rounds`), the text is written once a
 * period too: records arrive on most frames then, and text rewritten on each of them (a
 * layout and a paint every frame, for values a person cannot follow) took the main thread
 * from the socket the replay comes through.
 */
export class Writes {
  constructor() {
    this.lastAt = -Infinity;
  }

  /**
   * Whether the views write on the frame at `now`; `drawing`: new records are drawn on it;
   * `period`: the drawing's pace, as `Rounds.due` takes it (0: every frame); `heavy`: its
   * views spent the frame's budget (`Rounds.draw`), so the text's layout waits for a lighter
   * frame, at most WRITE_WAIT_MS longer (the strips built again for the cars a replay
   * brought, and the tower's first twenty rows, were one task of 55 thread-ms).
   */
  due(now, drawing, period = 0, heavy = false) {
    const wait = (period > 0 ? period : drawing ? WRITE_WAIT_MS : 0) + (heavy ? WRITE_WAIT_MS : 0);
    if (now - this.lastAt < wait) return false;
    this.lastAt = now;
    return true;
  }
}
