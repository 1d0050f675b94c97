// Wiring only: socket → store → session → views. The server's messages and the person's
// intents go through the session reducer (core/session.js), whose effects are performed
// here; the folders' coordinators (strips/, playback/, race/) build the views, views.js
// lists those drawn whatever the layout, the workbench (workbench/) shows the layout's
// panels, and one animation-frame loop draws them (core/view.js), panels on screen only;
// chrome/ is rendered from the session as it changes. Messages only update state and the rings.

import { connect } from './net/connection.js';
import { TelemetryStore } from './core/state.js';
import { KafkaPanel } from './chrome/kafka-panel.js';
import { Toasts } from './chrome/toasts.js';
import { installExport, requestExport } from './chrome/export.js';
import { Header } from './chrome/header.js';
import { PartitionPicker, TopicPicker, WindowPicker } from './chrome/pickers.js';
import { ChannelPicker } from './chrome/channel-picker.js';
import { ChannelCatalogue } from './core/channels.js';
import { fetchChannels } from './net/channels-api.js';
import { writeNote } from './net/annotations-api.js';
import { Strips } from './strips/strips.js';
import { Playback } from './playback/playback.js';
import { Race } from './race/race.js';
import { describeSelection, sameSelection, selects } from './core/selection.js';
import { drawPeriod, initial, next } from './core/session.js';
import { Rounds, Writes } from './core/view.js';
import { formatQuery, parseQuery } from './core/url.js';
import { pageViews } from './views.js';
import { installHook } from './hook.js';
import { Workbench } from './workbench/grid.js';
import { PanelMenu } from './workbench/menu.js';
import { panelKinds } from './workbench/kinds.js';
import { PICK_CHANNEL } from './workbench/panel.js';
import { LayoutsMenu } from './workbench/layouts-menu.js';
import { OPEN_LAYOUT, layoutFromQuery, layoutParam } from './workbench/link.js';
import { parseLayout, withReferences } from './workbench/layout.js';
import { layoutChannels } from './workbench/replay-channels.js';
import { installCursors } from './cursors/cursors.js';
import { CursorsDock } from './cursors/dock.js';

const TOPICS_REFRESH_MS = 5_000;
const PLAYBACK_TICK_MS = 1_000;

const root = document.getElementById('app');
const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
const config = {
  defaultTopics: (root.dataset.defaultTopics ?? '').split(',').map((t) => t.trim()).filter(Boolean),
  historySecs: Number(root.dataset.historySecs) || 60,
};

// ---- state ----------------------------------------------------------------------------

const fromUrl = parseQuery(location.search);
/** The layout the link opens, and why its `layout=` did not read (shown once the page is up). */
const opened = layoutFromQuery(fromUrl);
/** The conversation with the server; changed only through `dispatch`. */
let session = initial({
  selection: fromUrl.selection ?? config.defaultTopics.slice(0, 1).map((topic) => ({ topic, partitions: null })),
  speed: fromUrl.speed,
  start: fromUrl.t === null ? null : { ts: fromUrl.t, paused: fromUrl.paused },
  // A seek shows the chart window's worth of race up to its moment.
  preroll: fromUrl.window * 1000,
  // A replay carries only what the layout draws (workbench/replay-channels.js).
  channels: layoutChannels(opened.layout),
});
/** How the page shows what it has: none of it is the server's business. */
const ui = {
  stats: null,
  /** The connection's last status, with its attempt and retry delay for the header's tooltip. */
  link: { state: session.connection },
  focus: fromUrl.car,
  hidden: new Set(),
  /** Cars a link names: the others are hidden as they appear. */
  urlCars: fromUrl.cars ? new Set(fromUrl.cars) : null,
  hideNewCars: fromUrl.cars !== null,
  windowSec: fromUrl.window,
  cursorIdx: null,
  /** The layout shown (docs/layouts.md): the workbench's panels, kept in the link. */
  layout: opened.layout,
  /** The time panels' strips (strips/layout.js), in order: set as the workbench mounts them. */
  strips: [],
};

const store = new TelemetryStore();
const header = new Header(root);
const toasts = new Toasts($('toasts'));
const kafka = new KafkaPanel($('kafka-panel'));
new LayoutsMenu($('layouts'), {
  current: () => ui.layout,
  storage: pageStorage(),
});
/** The selected topics' channels, from `channels` messages and, as the picker opens, `/api/channels`. */
const channels = new ChannelCatalogue();
const channelPicker = new ChannelPicker($('channel-picker'), {
  catalogue: channels,
  topics: () => session.selection.map((s) => s.topic),
  refresh: (topic) => fetchChannels(topic),
});
const choose = (selection) => dispatch({ type: 'subscribe', selection });
const topicPicker = new TopicPicker($('topic-picker'), choose);
const partitionPicker = new PartitionPicker($('partition-picker'), choose);
const windowPicker = new WindowPicker($('window-picker'), (s) => {
  ui.windowSec = s;
  windowPicker.set(s);
  dispatch({ type: 'preroll', ms: s * 1000 });
  playback.setZoom(null); // back to following the playhead
  store.version++; // redraw with the new window
  writeUrl();
});

/** What the coordinators share: the rings, the session, what the page shows, and how to ask. */
const page = {
  root, store, ui, dispatch, writeUrl,
  /** A new panel on the workbench (a channel picked for a new strip). */
  addPanel: (spec) => bench.add(spec),
  /** `channels.unit(name)`: a channel's unit, for a strip's label (core/channels.js). */
  channels,
  session: () => session,
  onCars: () => renderEmpty(),
};
const strips = new Strips(page, { onZoom: (a, b) => playback.zoomTo(a, b), onLayout: () => playback.layoutChanged() });
const race = new Race({
  ...page,
  charts: strips.charts,
  moment: () => playback.playhead(performance.now()),
  seek: (ts) => playback.seek(ts),
  showLaps: () => showLaps(),
  references: () => ui.layout.references ?? [],
  // Pinned references are the layout's: shown as any layout opened is, and kept in the link.
  setReferences: (refs) => {
    const r = withReferences(ui.layout, refs);
    if (!r.ok) return r.error;
    document.dispatchEvent(new CustomEvent(OPEN_LAYOUT, { detail: { layout: r.layout } }));
    return null;
  },
});
const playback = new Playback({
  root, dispatch, store, charts: strips.charts,
  session: () => session,
  focus: () => race.focus(),
  onUrl: () => writeUrl(),
  notes: { write: writeNote, notify: (title, text) => toasts.show(title, text, 'info'), storage: pageStorage() },
});
const charts = strips.charts;
installCursors({
  ui, a: fromUrl.a, b: fromUrl.b,
  // `a` and `b` away from every strip: the playhead, or the newest record while live.
  moment: () => playback.playhead(performance.now()) ?? playback.liveEdge(),
  changed: () => writeUrl(),
});
/** The cursors' readout while the layout has no `cursors` panel (cursors/dock.js). */
const cursorsDock = new CursorsDock(root, {
  store, ui, channels,
  session: () => session,
  focus: () => race.focus(),
  drawn: () => charts.order.slice(),
  hasPanel: () => bench.has('cursors'),
  addPanel: () => bench.add({ kind: 'cursors' }),
});
const views = pageViews({ playback, race, cursorsDock });
installExport(root, { topic: () => session.selection[0]?.topic ?? null, toast: (title, text) => toasts.show(title, text) });
$('export-window').addEventListener('click', (e) => {
  const [fromTs, toTs] = charts.plots.length > 0 ? [charts.xMin * 1000, charts.xMax * 1000] : windowSpan();
  requestExport({ label: 'the visible window', span: { fromTs, toTs }, anchor: e.currentTarget });
});

/** The panels, from `ui.layout`: what each reads and asks (workbench/panel.js). */
const bench = new Workbench($('workbench'), {
  kinds: panelKinds({ strips, race, playback, kafka: $('kafka-panel') }),
  ctx: {
    store, ui, channels,
    session: () => session,
    focus: () => race.focus(),
    drawn: () => charts.order.slice(),
    // The strips' span; with no time strip in the layout, the window they would show.
    span: () => (charts.plots.length > 0 ? [charts.xMin * 1000, charts.xMax * 1000] : windowSpan()),
    moment: () => playback.playhead(performance.now()),
    pickChannel: (detail) => document.dispatchEvent(new CustomEvent(PICK_CHANNEL, { detail })),
  },
  check: (layout) => parseLayout(layout),
  onChange: (layout) => {
    ui.layout = layout;
    dispatch({ type: 'channels', names: layoutChannels(layout) });
    writeUrl();
  },
  onRefused: (error) => toasts.show('Layout not changed', error),
  onApplied: (panels) => {
    strips.mount(panels.filter((p) => p.kind === 'time'));
    race.distance.mount(panels.filter((p) => p.kind === 'distance'));
  },
});
new PanelMenu(root.querySelector('.add-panel'), bench);
/** A layout opened from the Layouts menu replaces the one shown. */
document.addEventListener(OPEN_LAYOUT, (e) => {
  ui.layout = e.detail.layout;
  bench.apply(ui.layout);
  dispatch({ type: 'channels', names: layoutChannels(ui.layout) });
  writeUrl();
});

/** The window the time strips show (ms), ending where they would end: for panels when no strip is shown. */
function windowSpan() {
  const end = store.windowEnd(session.mode === 'replay');
  return [end - ui.windowSec * 1000, end];
}

/** A lap chosen in the tower is overlaid on the distance strips: a layout without them gets them. */
function showLaps() {
  if (bench.has('distance')) return;
  const channels = ui.strips[0]?.channels ?? ['speed_kph'];
  bench.add({ kind: 'distance', channels: [...channels] });
  bench.add({ kind: 'delta' });
}

if (fromUrl.t !== null) playback.pendingTs = fromUrl.t;

/** localStorage, or, where the browser refuses it (reading the property throws), one that says so. */
function pageStorage() {
  try {
    return window.localStorage;
  } catch (e) {
    const refuse = () => { throw e; };
    return { getItem: refuse, setItem: refuse, removeItem: refuse };
  }
}

// ---- the session: events in, effects out ----------------------------------------------

/** The socket; started last, once everything it reports to exists. */
let conn = { send: () => false };

function dispatch(event) {
  const prev = session;
  const { state, effects } = next(prev, event);
  session = state;
  for (const effect of effects) perform(effect);
  if (state !== prev) render(prev, state);
}

function perform(effect) {
  switch (effect.type) {
    case 'send':
      conn.send(effect.message);
      return;
    case 'clear-store':
      store.clear();
      return;
    case 'write-url':
      writeUrl();
      return;
    case 'toast':
      toasts.show(effect.title, effect.text, effect.kind);
      return;
    case 'ingest': {
      const { selection } = effect;
      store.ingest(effect.batches, (topic, partition) => selects(selection, topic, partition), selection.length > 1);
      return;
    }
    default:
      throw new Error(`unknown effect ${effect.type}`);
  }
}

const connectToServer = () => connect({
  wire: fromUrl.wire,
  onOpen: () => dispatch({ type: 'connected' }),
  onStatus: (s) => {
    ui.link = s;
    if (s.state !== 'connected') dispatch({ type: 'disconnected', state: s.state });
    kafka.setDataFormat(s.dataFormat ?? null);
    renderStatus();
  },
  onMessage,
});

function onMessage(msg) {
  switch (msg.type) {
    case 'hello':
      if (msg.group_id) header.setGroup(msg.group_id);
      if (msg.history_secs != null) config.historySecs = msg.history_secs;
      renderEmpty();
      return;
    case 'subscribed':
      dispatch({ type: 'subscribed' });
      race.subscribed(session.selection);
      return;
    case 'laps':
      return race.onLaps(msg);
    case 'annotations':
    case 'annotation':
      return playback.onNote(msg);
    case 'channels':
      channels.apply(msg);
      channelPicker.update();
      strips.unitsChanged();
      return;
    case 'data':
      return dispatch({ type: 'data', message: msg });
    case 'replay':
      playback.progressArrived();
      return dispatch({ type: 'progress', message: msg });
    case 'range':
      return dispatch({ type: 'range', message: msg });
    case 'overview':
      return dispatch({ type: 'overview', message: msg });
    case 'error':
      // A server without a lap index: the tower does without lap times, no notice needed.
      if (msg.request === 'laps') return race.lapsRefused();
      return dispatch({ type: 'refused', request: msg.request, code: msg.error, message: msg.message });
    case 'stats':
      // Taken and written with the views' text (frame() below), not on a frame that draws
      // new records; `ui.stats` (and the test hook's) is what the page shows.
      statsDue = msg;
      return;
    default:
      return; // v1 clients ignore what they do not know
  }
}

function writeUrl() {
  const replaying = session.mode === 'replay';
  const someHidden = ui.hideNewCars || [...ui.hidden].some((c) => store.cars.has(c));
  const q = formatQuery({
    selection: session.selection,
    car: ui.focus,
    cars: ui.urlCars ? [...ui.urlCars] : someHidden ? charts.cars : null,
    window: ui.windowSec,
    // A link's moment not yet reached is kept as the link said.
    t: session.start ? session.start.ts : replaying ? playback.playhead(performance.now()) : null,
    speed: session.speed,
    paused: session.start ? session.start.paused : replaying && session.wantPaused,
    wire: fromUrl.wire,
    layout: layoutParam(ui.layout),
    // Distance cursors are metres into a lap: a link keeps time cursors only.
    ...(ui.cursors.axis === 'time' ? { a: ui.cursors.a, b: ui.cursors.b } : {}),
  });
  if (q !== location.search) history.replaceState(null, '', q);
}

async function refreshTopics() {
  try {
    const res = await fetch('/api/topics', { headers: { accept: 'application/json' } });
    if (res.ok) {
      const body = await res.json();
      const topics = Array.isArray(body.topics) ? body.topics : [];
      topicPicker.setTopics(topics);
      partitionPicker.setTopics(topics);
      dispatch({ type: 'topics', names: topics.map((t) => t.name) });
    }
  } catch {
    // The server is away; the connection status already says so.
  } finally {
    setTimeout(refreshTopics, TOPICS_REFRESH_MS);
  }
}

// ---- rendering -------------------------------------------------------------------------

/** Renders what depends on the parts of the session that changed. */
function render(prev, s) {
  const changed = (...keys) => keys.some((k) => s[k] !== prev[k]);
  if (changed('selection')) {
    topicPicker.setSelection(s.selection);
    partitionPicker.setSelection(s.selection);
  }
  if (changed('mode', 'replayState', 'replay', 'wantPaused')) renderMode();
  else if (changed('selection')) renderKafka();
  if (changed('speed')) playback.controls.setSpeed(s.speed);
  if (changed('dropped')) kafka.setDropped(s.dropped);
  if (changed('selection', 'connection', 'mode', 'awaitingSubscribed', 'refused')) renderEmpty();
}

function renderStatus() {
  header.connection(ui.link, ui.stats?.kafka);
}

function renderKafka() {
  kafka.render(ui.stats, session.selection, session.mode === 'replay' ? session.replay : null);
}

function renderMode() {
  header.mode(session.mode, session.replayState, session.replay);
  root.dataset.mode = session.mode;
  playback.controls.render(session.mode, session.replayState, session.replay, session.wantPaused);
  renderKafka();
}

function renderEmpty() {
  const { selection } = session;
  const empty = store.cars.size === 0;
  $('charts-empty').hidden = !empty;
  $('charts-title').textContent = describeSelection(selection);
  if (!empty) return;
  let text;
  if (selection.length === 0) text = 'Choose a topic above.';
  else if (session.connection !== 'connected') text = 'Waiting for the server…';
  else if (session.mode === 'replay') text = session.wantPaused ? 'Paused: step with → or press Space to play.' : 'Replaying: records arrive at the chosen speed…';
  else if (session.awaitingSubscribed) text = `Subscribing to ${describeSelection(selection)}…`;
  else if (session.refused && sameSelection(session.refused, selection)) text = `The server refused ${describeSelection(selection)}; it is asked again once the topic exists.`;
  else text = `No records on ${describeSelection(selection)} in the last ${config.historySecs} s (the history the server keeps). The chart starts with the next record.`;
  $('charts-empty-text').textContent = text;
}

/** Window resizes reach every view and panel through its `resize()`; its next frame redraws in full. */
window.addEventListener('resize', () => {
  for (const v of views) v.resize();
  for (const p of bench.panels) p.panel.resize();
});

const rounds = new Rounds(views.length);
const writes = new Writes();
/** The store's version at the last frame: a frame after a change draws new records. */
let framedVersion = -1;
/** The `stats` message not yet shown: the Kafka panel and the header are written with the views' text. */
let statsDue = null;
/** The views whose text the frame's `write` callback writes, or null. */
let written = null;

/**
 * The views, then the panels on screen: a panel scrolled out of sight draws nothing. Those
 * the frame's budget leaves (core/view.js `Rounds.draw`) start the next frame. Their
 * text is written after every canvas drew, on frames with no new records where it can, and
 * once a period while a replay at max paces the drawing (core/view.js `Writes`).
 */
function frame(now) {
  requestAnimationFrame(frame);
  // The text goes in a callback of its own, after this one: uPlot draws the strips in a
  // microtask once this callback returns, and its axis labels' first fillText lays the page
  // out there and then if text was written before it; after it, the text is laid out once,
  // with the frame.
  requestAnimationFrame(write);
  const drawn = [...views, ...bench.shown().map((p) => p.panel)];
  rounds.resize(drawn.length);
  const period = drawPeriod(session);
  rounds.draw(now, period, (i) => drawn[i].frame(now), () => performance.now());
  const drawing = store.version !== framedVersion;
  framedVersion = store.version;
  written = writes.due(now, drawing, period, rounds.heavy) ? drawn : null;
}

/** The text of the views `frame` chose to write on this frame (`written`). */
function write(now) {
  if (!written) return;
  for (const d of written) d.write?.(now);
  written = null;
  if (statsDue) {
    ui.stats = statsDue;
    statsDue = null;
    renderKafka();
    renderStatus();
  }
}

// ---- start -----------------------------------------------------------------------------

installHook({ store, charts, playback, race, bench, channels, ui, session: () => session, conn: () => conn });

if (typeof uPlot === 'undefined') {
  toasts.show('Charts unavailable', 'uPlot did not load from /vendor/uplot/. Was `npm ci` run on the server?');
} else {
  windowPicker.set(ui.windowSec);
  playback.controls.setSpeed(session.speed);
  playback.renderZoomPicker();
  topicPicker.setSelection(session.selection);
  partitionPicker.setSelection(session.selection);
  bench.apply(ui.layout);
  if (opened.error) toasts.show('Layout', opened.error);
  writeUrl();
  renderMode();
  renderEmpty();
  conn = connectToServer();
  refreshTopics();
  setInterval(() => playback.tick(performance.now()), PLAYBACK_TICK_MS);
  requestAnimationFrame(frame);
}
