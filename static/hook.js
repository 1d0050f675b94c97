// The page's read-only hook for tests and benchmarks, `window.trackside`: what a person sees,
// as numbers (records, strips, the map's dots, the panels, the cursors, …). Every field is
// computed on access; nothing here changes the page.

/**
 * @param {{store: object, charts: object, playback: object, race: object, bench: object, channels: object,
 *   ui: object, session: () => object, conn: () => object|undefined}} page  app.js's parts
 */
export function installHook({ store, charts, playback, race, bench, channels, ui, session, conn }) {
  const hook = Object.freeze({
    get records() { return store.records; },
    get frames() { return charts.frames; },
    /** Seconds of time the strips show (grows to the chosen window as data arrives). */
    get spanSecs() { return charts.spanSecs; },
    get lastValues() {
      const out = {};
      for (const [car, track] of store.cars) out[car] = track.latest();
      return out;
    },
    get replay() { return session().replay; },
    /** The playhead shown (ms), null when live. */
    get playhead() { return playback.playhead(performance.now()); },
    /** The timeline's span (ms): what Kafka retains, to the live edge. */
    get timelineSpan() { return playback.span; },
    get range() { return session().range; },
    get speed() { return session().speed; },
    get overviews() { return structuredClone(session().overviews.byPurpose); },
    get stats() { return ui.stats; },
    get mode() { return session().mode; },
    get selection() { return structuredClone(session().selection); },
    get connection() { return session().connection; },
    /** How `data` messages arrive: 'columnar' or 'json' (null while not connected). */
    get dataFormat() { return conn()?.dataFormat ?? null; },
    /** Binary messages the page could not read as data frames. */
    get badFrames() { return conn()?.badFrames ?? 0; },
    get dropped() { return session().dropped; },
    /** The track map's dots (CSS pixels in its canvas), frames drawn, the channel colouring its lap and that lap's scale. */
    get map() {
      const m = race.map;
      return { dots: m.dots.map((d) => ({ ...d })), frames: m.frames, bins: m.outline.bins, color: m.color, scale: m.scale && { ...m.scale } };
    },
    /**
     * The workbench: `layout()`, the layout shown (docs/layouts.md); `panels()`, each panel in
     * order with its kind and root element (`data-panel-kind`).
     */
    workbench: Object.freeze({
      layout: () => structuredClone(ui.layout),
      panels: () => bench.panels.map((p) => ({ kind: p.kind, el: p.section })),
    }),
    /** Milliseconds the race views (map, tower, distance strips) took to draw since the page loaded. */
    get raceMs() { return race.spentMs; },
    get focus() { return race.focus(); },
    /** What the distance strips show: the laps, the reference, the deltas (ms). */
    get distance() { return race.distance.info && structuredClone(race.distance.info); },
    /** The selected topics' channels as the picker lists them, and what the bounds dropped from each. */
    get channels() {
      const topics = session().selection.map((s) => s.topic);
      return { version: channels.version, list: channels.list(topics), dropped: Object.fromEntries(topics.map((t) => [t, channels.dropped(t)])) };
    },
    /** Each strip shown: its key, channels, cars, label, unit, height (px), and the last value of each series drawn. */
    get strips() { return charts.describe(); },
    /** The A/B cursors: {a, b, axis} (ms on time strips, metres on distance strips), null when unset. */
    get cursors() { return { ...ui.cursors }; },
    get lapTable() { return { topic: race.table.topic, index: race.table.index, track: race.table.track, cars: race.table.cars.size }; },
  });
  Object.defineProperty(window, 'trackside', { value: hook, enumerable: true });
}
