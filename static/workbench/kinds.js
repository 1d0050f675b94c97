// Every kind of panel the workbench shows, once: its title, its default size and whether a
// layout has one at most (docs/layouts.md), what "+ Panel" asks first, and its factory
// `(body, spec, ctx) => Panel` (workbench/panel.js). A new kind is one line here and one
// module in the folder of what it shows. Like views.js, this is where the folders'
// coordinators meet the workbench: the page's own content (the strips, the race views, the
// Kafka panel, the timeline) is built by its coordinator, and the boxes that already exist
// on the page are moved into their panel's body (frame.js `adopt`).
//
// `pick`: the field "+ Panel" fills from the channel picker first ('channels': a list of
// one); `initial`: the fields a new panel starts with.

import { adopt } from './frame.js';
import { KINDS } from './layout-kinds.js';
import { histogramPanel } from '../analysis/histogram-panel.js';
import { xyPanel } from '../analysis/xy.js';
import { labelOf } from '../strips/layout.js';
import { cursorsPanel } from '../cursors/readout.js';

const strip = (spec) => (Array.isArray(spec.channels) && spec.channels.length > 0 ? labelOf({ channels: spec.channels }) : '');

/**
 * @param {{strips: import('../strips/strips.js').Strips, race: import('../race/race.js').Race,
 *   playback: import('../playback/playback.js').Playback, kafka: HTMLElement}} page  the coordinators,
 *   and the Kafka panel's box (chrome/kafka-panel.js draws it when a `stats` message comes)
 */
export function panelKinds({ strips, race, playback, kafka }) {
  const distance = race.distance;
  const kinds = {
    time: { title: (s) => strip(s) || 'Time strip', pick: 'channels', make: (body, spec, ctx) => strips.panel(body, spec, ctx) },
    distance: {
      title: (s) => (strip(s) ? `${strip(s)} by distance` : 'Distance strip'),
      pick: 'channels',
      make: () => ({ frame: (now) => distance.frame(now), resize: () => distance.resize(), destroy: () => distance.resize() }),
    },
    delta: { title: 'Delta', make: (body) => adopt(body, race.boxes.delta, distance) },
    // "+ Panel" adds a G-G plot; its tools change x, y and the colour.
    xy: { title: (s) => (s.circle ? `G-G: ${s.y} against ${s.x}` : `${s.y} against ${s.x}`), initial: { x: 'g_lat', y: 'g_long', color: 'speed_kph', circle: true }, make: xyPanel },
    histogram: { title: (s) => `Histogram of ${s.channel ?? 'a channel'}`, pick: 'channel', make: histogramPanel },
    map: { title: 'Track', make: (body, spec, ctx) => adopt(body, race.boxes.map, race.map.setColor(spec.color ?? null, (n) => ctx.channels.unit(n))) },
    tower: { title: 'Timing', make: (body, spec, ctx) => adopt(body, race.boxes.tower, race.tower.withColumns(spec.columns ?? [], (n) => ctx.channels.unit(n))) },
    // The tires are written with the values at the cursor (race/car-panel.js), not per frame.
    tires: { title: 'Tires', make: (body) => adopt(body, race.boxes.tires) },
    kafka: { title: 'Kafka', make: (body) => adopt(body, kafka) },
    // The timeline is drawn by playback.js every frame, in its panel or in the playback bar.
    timeline: { title: 'Timeline', make: (body) => adopt(body, playback.timeline.el, { frame() {}, resize: () => playback.resize() }) },
    // The A/B cursors' readout; without this panel, cursors/dock.js shows it.
    cursors: { title: 'Cursors A–B', make: (body, spec, ctx) => cursorsPanel(body, spec, ctx) },
  };
  // The default size and "one at most" are the layout's table (layout-kinds.js, docs/layouts.md).
  return Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, { w: KINDS[kind].grid.w, h: KINDS[kind].grid.h, one: KINDS[kind].one, ...k }]));
}
