// Which strips hand their new data to uPlot on an animation frame, pure (no DOM, no uPlot,
// no clock), tested by tests/js/strips/pace.test.mjs.
//
// Live, records reach the rings about every third frame, and each strip drawn costs its
// uPlot paths and, at the frame's commit, a copy of its whole canvas to the compositor:
// five strips drawn at once made the frame that drew them the heaviest of the page by far
// (docs/performance.md, issue 21). So the strips with new data are drawn a share at a time,
// at most ceil(count / SPREAD_FRAMES) a frame, taking turns from where the last frame
// stopped: every strip is drawn within SPREAD_FRAMES frames of its data, and none waits
// behind the others when data comes faster than that.

/** A strip's new data is drawn within this many animation frames. */
export const SPREAD_FRAMES = 3;

export class Pace {
  constructor() {
    /** The strip the next frame starts at: turns carry over from frame to frame. */
    this.next = 0;
  }

  /**
   * The strips to draw on this frame, in turn from where the last one stopped, among the
   * `due` ones (`due[i]`: strip i has data it has not drawn, and is on screen).
   * @param {boolean[]} due
   * @returns {number[]}
   */
  take(due) {
    const count = due.length;
    const share = Math.ceil(count / SPREAD_FRAMES);
    const out = [];
    for (let k = 0; k < count && out.length < share; k++) {
      const i = (this.next + k) % count;
      if (due[i]) out.push(i);
    }
    if (out.length > 0) this.next = (out[out.length - 1] + 1) % count;
    return out;
  }
}
