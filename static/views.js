// Every view on the page, in the order an animation frame draws them: the one list a new
// panel kind adds a line to. Each view is built by the coordinator of its folder (strips/,
// playback/, race/) and implements core/view.js's contract, `frame(now)` and `resize()`.
// The header, the pickers and the Kafka panel (chrome/) are drawn when a message or a click
// changes them, not per frame, and are not in this list.

import { checkViews } from './core/view.js';

/**
 * @param {{strips: import('./strips/strips.js').Strips, playback: import('./playback/playback.js').Playback,
 *   race: import('./race/race.js').Race, cursorsDock: import('./cursors/dock.js').CursorsDock}} coordinators
 * @returns {import('./core/view.js').View[]}
 */
export function pageViews({ strips, playback, race, cursorsDock }) {
  return checkViews([
    race.cars, // first: it tells the strips which cars to draw, and writes the values at the cursor
    strips.time,
    playback,
    race.map,
    race.tower,
    race.distance,
    cursorsDock, // last: it reads what the strips were given this frame
  ]);
}
