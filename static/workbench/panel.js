// The contract every panel of the workbench implements, and what the workbench gives each
// panel to draw from. Pure: no DOM of its own, tested by tests/js/workbench/panel.test.mjs.
//
// The workbench (workbench/grid.js) builds a panel's frame (its header with the title and the
// tools to move, resize and remove it) and hands the panel its body. A kind's module exports a
// factory `(body, spec, ctx) => Panel`; workbench/kinds.js lists every kind once. A panel is a
// view (core/view.js): the page's animation-frame loop calls `frame(now)` on the panels that
// are on screen only, so a panel scrolled out of sight draws nothing.
//
// The layout document a panel's `spec` comes from is docs/layouts.md.

import { VIEW_METHODS } from '../core/view.js';

/**
 * @typedef {object} Panel
 * @property {(now: number) => void} frame  draws what changed since its last frame; cheap when nothing did
 * @property {(now: number) => void} [write]  optional: writes its text into the page, after every
 *   panel's `frame` and on the frames core/view.js `Writes` chooses (a panel of text only draws nothing)
 * @property {() => void} resize  its body's size may have changed: the next frame draws in full
 * @property {() => void} destroy  the panel leaves the layout: stop observers and listeners, free plots
 */

/**
 * What every panel may read and ask. Nothing here is a panel's to change except through these calls.
 * @typedef {object} PanelContext
 * @property {import('../core/state.js').TelemetryStore} store  the cars' rings (core/track.js `series(name)`)
 * @property {object} ui  what the page shows: `ui.windowSec`, `ui.cursors` (below), `ui.focus`, …
 * @property {() => object} session  the conversation with the server (core/session.js)
 * @property {() => string|null} focus  the focused car's key in the store
 * @property {() => string[]} drawn  the keys of the cars drawn (ticked in the tower), focused car last
 * @property {() => [number, number]} span  the time strips' visible span [fromMs, toMs]
 * @property {() => number|null} moment  the playhead (ms) while playing the past, else null (live)
 * @property {{unit: (name: string) => string|null}} channels  a channel's unit as the server said it
 * @property {(detail: object) => void} pickChannel  opens the channel picker; it answers on
 *   `document` with PICKED ({...detail, name}); a panel tells its own answers by the detail it sent
 * @property {(spec: object) => void} update  the panel changed its own spec (a channel picked in
 *   its header): the workbench checks it, keeps it in the layout and the link, and builds the panel again
 */

/**
 * The A/B cursors, in `ui.cursors`: `{ a: number|null, b: number|null }`, times in ms (on a
 * `distance` strip, metres into the lap, with `axis: 'distance'`). Whoever moves them
 * dispatches CURSORS on `document` with the new value as its detail.
 */
export const CURSORS = 'trackside:cursors';

/** The channel picker, asked and answering (chrome/channel-picker.js). */
export const PICK_CHANNEL = 'trackside:pick-channel';
export const PICKED = 'trackside:channel-picked';

/** The names a panel must have: a view's, and `destroy()`. */
export const PANEL_METHODS = Object.freeze([...VIEW_METHODS, 'destroy']);

/** `panel`, checked: a kind whose factory forgets a method fails as it is built, not mid-race. */
export function checkPanel(kind, panel) {
  for (const m of PANEL_METHODS) {
    if (typeof panel?.[m] !== 'function') throw new TypeError(`panel kind ${kind} has no ${m}()`);
  }
  return panel;
}
