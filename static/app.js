// Wiring: the server's messages and the person's intents go through the session reducer
// (session.js), whose effects are performed here, and the page is rendered from its state.
// Messages only update state and the rings; everything visible is drawn from one loop
// (charts once per animation frame when data changed, the legend a few times a second).

import { connect } from './net/connection.js';
import { TelemetryStore } from './core/state.js';
import { Charts } from './strips/charts.js';
import { TireWidget } from './race/tires.js';
import { CarList, drawnCars, focusedCar } from './race/cars.js';
import { KafkaPanel } from './chrome/kafka-panel.js';
import { Toasts } from './chrome/toasts.js';
import { Header } from './chrome/header.js';
import { PartitionPicker, TopicPicker, WindowPicker } from './chrome/pickers.js';
import { ReplayControls } from './playback/replay-controls.js';
import { Playback } from './playback/playback.js';
import { describeSelection, sameSelection, selects } from './core/selection.js';
import { drawPeriod, initial, next } from './core/session.js';
import { formatQuery, parseQuery } from './core/url.js';
import { bucketValues } from './strips/zoom.js';
import { Race } from './race/race.js';

const TOPICS_REFRESH_MS = 5_000;
const PLAYBACK_TICK_MS = 1_000;
const LEGEND_INTERVAL_MS = 120;

const root = document.getElementById('app');
const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
const config = {
  defaultTopics: (root.dataset.defaultTopics ?? '').split(',').map((t) => t.trim()).filter(Boolean),
  historySecs: Number(root.dataset.historySecs) || 60,
};

// ---- state ----------------------------------------------------------------------------

const fromUrl = parseQuery(location.search);
/** The conversation with the server; changed only through `dispatch`. */
let session = initial({
  selection: fromUrl.selection ?? config.defaultTopics.slice(0, 1).map((topic) => ({ topic, partitions: null })),
  speed: fromUrl.speed,
  start: fromUrl.t === null ? null : { ts: fromUrl.t, paused: fromUrl.paused },
  // A seek shows the chart window's worth of race up to its moment.
  preroll: fromUrl.window * 1000,
});
/** How the page shows what it has: none of it is the server's business. */
const view = {
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
  /** The strips by 'time' or by 'distance' (race.js). */
  axis: fromUrl.axis,
};

const store = new TelemetryStore();
const header = new Header(root);
const toasts = new Toasts($('toasts'));
const charts = new Charts($('strips'), {
  onCursor: (idx) => { view.cursorIdx = idx; legendDirty = true; },
  onZoom: (a, b) => playback.zoomTo(a, b),
});
const tires = new TireWidget($('tire-widget'));
const kafka = new KafkaPanel($('kafka-panel'));
const choose = (selection) => dispatch({ type: 'subscribe', selection });
const topicPicker = new TopicPicker($('topic-picker'), choose);
const partitionPicker = new PartitionPicker($('partition-picker'), choose);
const windowPicker = new WindowPicker($('window-picker'), (s) => {
  view.windowSec = s;
  windowPicker.set(s);
  dispatch({ type: 'preroll', ms: s * 1000 });
  playback.setZoom(null); // back to following the playhead
  store.version++; // redraw with the new window
  writeUrl();
});
const replayControls = new ReplayControls($('playback'), $('replay-progress'), {
  onReplay: () => dispatch({ type: 'replay' }),
  onPause: () => dispatch({ type: 'pause', at: playback.liveEdge() }),
  onResume: () => dispatch({ type: 'resume' }),
  onLive: () => dispatch({ type: 'live' }),
  onSpeed: (speed) => dispatch({ type: 'speed', speed }),
});
const carList = new CarList(root.querySelector('.car-panel'), {
  onToggle: (car, drawn) => {
    view.urlCars = null;
    if (drawn) view.hidden.delete(car);
    else view.hidden.add(car);
    carsDirty = true;
    urlDirty = true;
  },
  onFocus: (car) => focusCar(car),
  onLap: (car, lap) => race.chooseLap(car, lap),
  onSeekLap: (car, lap) => race.seekLap(car, lap),
  onAll: () => {
    view.hidden.clear();
    view.hideNewCars = false;
    view.urlCars = null;
    carsDirty = true;
    urlDirty = true;
  },
  onFocusedOnly: () => {
    for (const car of store.sortedIds) if (car !== effectiveFocus()) view.hidden.add(car);
    view.hideNewCars = true;
    view.urlCars = null;
    carsDirty = true;
    urlDirty = true;
  },
});
const playback = new Playback({
  root, dispatch, store, charts, controls: replayControls,
  session: () => session,
  focus: () => effectiveFocus(),
  onUrl: () => writeUrl(),
});

if (fromUrl.t !== null) playback.pendingTs = fromUrl.t;

function focusCar(car) {
  view.focus = car;
  view.hidden.delete(car);
  carsDirty = true;
  writeUrl();
}

const race = new Race({
  root, store, carList,
  send: (message) => conn.send(message),
  focus: () => effectiveFocus(),
  setFocus: focusCar,
  moment: () => playback.playhead(performance.now()),
  seek: (ts) => playback.seek(ts),
  onAxis: (axis) => {
    view.axis = axis;
    writeUrl();
  },
});
race.setAxis(view.axis);

let carsDirty = true;
/** The cars drawn changed: the URL names them once they are drawn. */
let urlDirty = false;
let legendDirty = true;
let seenCarsVersion = -1;
const knownCars = new Set();

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
    view.link = s;
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
      view.stats = msg;
      renderKafka();
      renderStatus();
      return;
    default:
      return; // v1 clients ignore what they do not know
  }
}

function writeUrl() {
  const replaying = session.mode === 'replay';
  const someHidden = view.hideNewCars || [...view.hidden].some((c) => store.cars.has(c));
  const q = formatQuery({
    selection: session.selection,
    car: view.focus,
    cars: view.urlCars ? [...view.urlCars] : someHidden ? charts.cars : null,
    window: view.windowSec,
    // A link's moment not yet reached is kept as the link said.
    t: session.start ? session.start.ts : replaying ? playback.playhead(performance.now()) : null,
    speed: session.speed,
    paused: session.start ? session.start.paused : replaying && session.wantPaused,
    axis: view.axis,
    wire: fromUrl.wire,
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
  if (changed('speed')) replayControls.setSpeed(s.speed);
  if (changed('dropped')) kafka.setDropped(s.dropped);
  if (changed('selection', 'connection', 'mode', 'awaitingSubscribed', 'refused')) renderEmpty();
}

function renderStatus() {
  header.connection(view.link, view.stats?.kafka);
}

function renderKafka() {
  kafka.render(view.stats, session.selection, session.mode === 'replay' ? session.replay : null);
}

function renderMode() {
  header.mode(session.mode, session.replayState, session.replay);
  root.dataset.mode = session.mode;
  replayControls.render(session.mode, session.replayState, session.replay, session.wantPaused);
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

const effectiveFocus = () => focusedCar(view.focus, store.sortedIds);

function syncCars() {
  if (!carsDirty && store.carsVersion === seenCarsVersion) return;
  carsDirty = false;
  seenCarsVersion = store.carsVersion;
  for (const car of store.sortedIds) {
    if (!knownCars.has(car)) {
      knownCars.add(car);
      if (view.hideNewCars && !view.urlCars?.has(car)) view.hidden.add(car);
    }
  }
  const focus = effectiveFocus();
  const drawn = drawnCars(store.sortedIds, view.hidden, focus);
  charts.configure(drawn, focus);
  carList.render(store.sortedIds, new Set(drawn), focus, store.ignored);
  if (urlDirty) {
    urlDirty = false;
    writeUrl();
  }
  $('strips').dataset.cars = String(store.sortedIds.length);
  renderEmpty();
  legendDirty = true;
}

const fmtTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Values at the cursor: from the rings, or zoomed out from the overview's bucket under it. */
const valuesOf = (car, t) => (charts.bands && view.cursorIdx != null
  ? bucketValues(charts.bands, car, view.cursorIdx)
  : store.valuesAt(car, t));
const fmtNum = (v) => (Number.isFinite(v) ? fmt0.format(v) : '—');

function renderLegend() {
  const t = view.cursorIdx == null ? null : charts.timeAt(view.cursorIdx) ?? null;
  const when = t == null ? 'Latest values · click a row to focus'
    : charts.bands ? `Highest in ${charts.bands.bucket_ms} ms at ${fmtTime.format(t)}` : `At ${fmtTime.format(t)}`;
  carList.update((car) => valuesOf(car, t), when);
  $('cursor-time').textContent = t == null ? '' : `cursor ${fmtTime.format(t)}`;
  const focus = effectiveFocus();
  const v = focus === null ? null : valuesOf(focus, t);
  tires.show(focus, v ? { fl: v.fl, fr: v.fr, rl: v.rl, rr: v.rr } : null);
  const tag = focus === null ? '' : `#${focus}`;
  readout('speed', v ? `${tag}  ${fmtNum(v.speed)}` : '');
  readout('rpm', v ? `${tag}  ${fmtNum(v.rpm)}` : '');
  readout('tires-car', focus === null ? '' : `focused car ${tag}`);
}

function readout(key, text) {
  const el = root.querySelector(`[data-readout="${key}"]`);
  if (el.textContent !== text) el.textContent = text;
}

let lastLegendAt = 0;
let legendVersion = -1;

function drawLegend(now) {
  if (now - lastLegendAt >= LEGEND_INTERVAL_MS && (legendDirty || store.version !== legendVersion)) {
    lastLegendAt = now;
    legendVersion = store.version;
    legendDirty = false;
    renderLegend();
  }
}

/** What an animation frame draws, in order (the cars first: the strips are configured for them). */
const VIEWS = [
  () => syncCars(),
  () => charts.draw(store, view.windowSec * 1000, store.windowEnd(session.mode === 'replay')),
  (now) => playback.frame(now),
  (now) => race.frame(now, 'map'),
  (now) => race.frame(now, 'tables'),
  drawLegend,
];
let lastDrawAt = 0;
/** While paced (a replay at max), the views of the round under way still to draw, one per frame. */
let pendingViews = 0;

function frame(now) {
  requestAnimationFrame(frame);
  const period = drawPeriod(session);
  if (period === 0) {
    pendingViews = 0;
    for (const v of VIEWS) v(now);
    return;
  }
  // A replay at max: a round of drawings every `period`, one view per animation frame, so
  // the records go into the rings in between and no frame holds every view's work.
  if (pendingViews === 0) {
    if (now - lastDrawAt < period) return;
    lastDrawAt = now;
    pendingViews = VIEWS.length;
  }
  VIEWS[VIEWS.length - pendingViews](now);
  pendingViews--;
}

// ---- start -----------------------------------------------------------------------------

/** Read-only hook for tests and benchmarks; every field is computed on access. */
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
  get replay() { return session.replay; },
  /** The playhead shown (ms), null when live. */
  get playhead() { return playback.playhead(performance.now()); },
  /** The timeline's span (ms): what Kafka retains, to the live edge. */
  get timelineSpan() { return playback.span; },
  get range() { return session.range; },
  get speed() { return session.speed; },
  get overviews() { return structuredClone(session.overviews.byPurpose); },
  get stats() { return view.stats; },
  get mode() { return session.mode; },
  get selection() { return structuredClone(session.selection); },
  get connection() { return session.connection; },
  /** How `data` messages arrive: 'columnar' or 'json' (null while not connected). */
  get dataFormat() { return conn.dataFormat ?? null; },
  /** Binary messages the page could not read as data frames. */
  get badFrames() { return conn.badFrames ?? 0; },
  get dropped() { return session.dropped; },
  /** The track map's dots (CSS pixels in its canvas) and frames drawn. */
  get map() { return { dots: race.map.dots.map((d) => ({ ...d })), frames: race.map.frames, bins: race.map.outline.bins }; },
  /** Milliseconds the race views (map, tower, Distance strips) took to draw since the page loaded. */
  get raceMs() { return race.spentMs; },
  get focus() { return effectiveFocus(); },
  /** What the Distance strips show: the laps, the reference, the deltas (ms). */
  get distance() { return race.info && structuredClone(race.info); },
  get lapTable() { return { topic: race.table.topic, index: race.table.index, track: race.table.track, cars: race.table.cars.size }; },
});
Object.defineProperty(window, 'trackside', { value: hook, enumerable: true });

if (typeof uPlot === 'undefined') {
  toasts.show('Charts unavailable', 'uPlot did not load from /vendor/uplot/. Was `npm ci` run on the server?');
} else {
  windowPicker.set(view.windowSec);
  replayControls.setSpeed(session.speed);
  playback.renderZoomPicker();
  topicPicker.setSelection(session.selection);
  partitionPicker.setSelection(session.selection);
  writeUrl();
  renderMode();
  renderEmpty();
  conn = connectToServer();
  refreshTopics();
  setInterval(() => playback.tick(performance.now()), PLAYBACK_TICK_MS);
  requestAnimationFrame(frame);
}
