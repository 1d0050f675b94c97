// The views the page draws whatever its layout, in the order an animation frame draws them;
// the workbench's panels (workbench/grid.js) are drawn after them, those on screen only.
// Each view is built by the coordinator of its folder (playback/, race/) and implements
// core/view.js's contract, `frame(now)` and `resize()`. The header, the pickers and the
// Kafka panel (chrome/) are drawn when a message or a click changes them, not per frame, and
// are not in this list. A new kind of panel is a line in workbench/kinds.js, not here.

import { checkViews } from './core/view.js';

/**
 * @param {{playback: import('./playback/playback.js').Playback, race: import('./race/race.js').Race,
 *   cursorsDock: import('./cursors/dock.js').CursorsDock}} coordinators
 * @returns {import('./core/view.js').View[]}
 */
export function pageViews({ playback, race, cursorsDock }) {
  return checkViews([
    race.cars, // first: it tells the strips which cars to draw, and writes the values at the cursor
    playback, // the playhead, the timeline (in the playback bar or its panel), the zoomed-out strips
    cursorsDock, // the cursors' readout while the layout has no cursors panel
  ]);
}
