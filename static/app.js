// Wiring: the page's state, the server's messages, the controls' intents, and one draw
// loop. Messages only update state and the rings; everything visible is drawn from the
// loop (charts once per animation frame when data changed, the legend a few times a second).

import { connect } from './connection.js';
import { TelemetryStore } from './state.js';
import { Charts } from './charts.js';
import { TireWidget } from './tires.js';
import { CarList, MAX_DRAWN } from './cars.js';
import { KafkaPanel } from './kafka-panel.js';
import { Toasts } from './toasts.js';
import { Header } from './header.js';
import {
  PartitionPicker, ReplayControls, TopicPicker, WindowPicker,
  queryFromSelection, sameSelection, selectionFromQuery, selects,
} from './controls.js';

const TOPICS_REFRESH_MS = 5_000;
const LEGEND_INTERVAL_MS = 120;
const WINDOWS = [30, 60, 120];

const root = document.getElementById('app');
const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
const config = {
  defaultTopics: (root.dataset.defaultTopics ?? '').split(',').map((t) => t.trim()).filter(Boolean),
  historySecs: Number(root.dataset.historySecs) || 60,
};

// ---- state ----------------------------------------------------------------------------

const query = new URLSearchParams(location.search);
const view = {
  selection: selectionFromQuery(location.search) ?? config.defaultTopics.slice(0, 1).map((topic) => ({ topic, partitions: null })),
  /** 'live' (the group's stream) or 'replay' (this page's own reader). Data of the other mode is stale. */
  mode: 'live',
  /** After a subscribe, data still in flight belongs to the old selection until `subscribed`. */
  awaitingSubscribed: true,
  /** The selection the server last confirmed with `subscribed`: the one it streams. */
  confirmed: null,
  /** A selection the server refused (say, a topic that does not exist yet); retried when it appears. */
  refused: null,
  /** After a replay request, data in flight may be from before it until the first `replay` message. */
  awaitingReplay: false,
  replay: null,
  replayState: null,
  /** Whether the page asked for the replay to stop (so a `stopped` is expected). */
  stopRequested: false,
  stats: null,
  connection: 'connecting',
  dropped: 0,
  focus: query.get('car'),
  hidden: new Set(),
  hideNewCars: false,
  windowSec: WINDOWS.includes(Number(query.get('window'))) ? Number(query.get('window')) : 60,
  cursorIdx: null,
};

const store = new TelemetryStore();
const header = new Header(root);
const toasts = new Toasts($('toasts'));
const charts = new Charts($('strips'), { onCursor: (idx) => { view.cursorIdx = idx; legendDirty = true; } });
const tires = new TireWidget($('tire-widget'));
const kafka = new KafkaPanel($('kafka-panel'));
const topicPicker = new TopicPicker($('topic-picker'), choose);
const partitionPicker = new PartitionPicker($('partition-picker'), choose);
const windowPicker = new WindowPicker($('window-picker'), (s) => {
  view.windowSec = s;
  windowPicker.set(s);
  store.version++; // redraw with the new window
  writeUrl();
});
const replayControls = new ReplayControls($('replay-controls'), $('replay-progress'), {
  onReplay: () => requestReplay(),
  onPause: () => conn.send({ type: 'pause' }),
  onResume: () => conn.send({ type: 'resume' }),
  onLive: () => backToLive(),
});
const carList = new CarList(root.querySelector('.car-panel'), {
  onToggle: (car, drawn) => {
    if (drawn) view.hidden.delete(car);
    else view.hidden.add(car);
    carsDirty = true;
  },
  onFocus: (car) => {
    view.focus = car;
    view.hidden.delete(car);
    carsDirty = true;
    writeUrl();
  },
  onAll: () => {
    view.hidden.clear();
    view.hideNewCars = false;
    carsDirty = true;
  },
  onFocusedOnly: () => {
    for (const car of store.sortedIds) if (car !== effectiveFocus()) view.hidden.add(car);
    view.hideNewCars = true;
    carsDirty = true;
  },
});

let carsDirty = true;
let legendDirty = true;
let seenCarsVersion = -1;
const knownCars = new Set();

// ---- talking to the server -------------------------------------------------------------

/** The socket; started last, once everything it reports to exists. */
let conn = { send: () => false };
const connectToServer = () => connect({
  onOpen: () => subscribe(),
  onStatus: (s) => {
    view.connection = s.state;
    if (s.state !== 'connected') {
      // A replay lives and dies with its socket; the next one starts live.
      view.confirmed = null;
      view.mode = 'live';
      view.replay = null;
      view.replayState = null;
    }
    renderStatus(s);
    renderMode();
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
      view.awaitingSubscribed = false;
      view.confirmed = view.selection;
      view.refused = null;
      renderEmpty();
      return;
    case 'data':
      return onData(msg);
    case 'replay':
      return onReplay(msg);
    case 'stats':
      view.stats = msg;
      kafka.render(msg, view.selection, view.mode === 'replay' ? view.replay : null);
      renderStatus({ state: view.connection });
      return;
    case 'error':
      toasts.show(errorTitle(msg.error), msg.message ?? 'The server refused a request.');
      // `request` names what was refused; only a refused subscribe or replay changes the view.
      if (view.awaitingSubscribed && msg.request === 'subscribe') onSubscribeRefused();
      else if (view.awaitingReplay && msg.request === 'replay') subscribe(); // refused: back to live, with history
      return;
    default:
      return; // v1 clients ignore what they do not know
  }
}

function onData(msg) {
  if (view.awaitingSubscribed || view.awaitingReplay || msg.mode !== view.mode) return;
  if (msg.dropped > 0) {
    view.dropped += msg.dropped;
    kafka.setDropped(view.dropped);
  }
  if (Array.isArray(msg.batches)) store.ingest(msg.batches, accept, view.selection.length > 1);
}

const accept = (topic, partition) => selects(view.selection, topic, partition);

/**
 * An error while a `subscribe` awaits its answer is taken as that subscribe's refusal (the
 * protocol does not tie errors to requests). The server still streams the selection it had,
 * so the page goes back to it, asking again for its history; a refused first selection is
 * kept on screen and retried once its topics appear.
 */
function onSubscribeRefused() {
  view.awaitingSubscribed = false;
  view.refused = view.selection;
  if (view.confirmed && !sameSelection(view.confirmed, view.selection)) {
    view.selection = view.confirmed;
    writeUrl();
    subscribe();
  } else {
    renderEmpty();
  }
}

function onReplay(msg) {
  if (view.mode !== 'replay') return; // the end of a replay the page already left
  view.awaitingReplay = false;
  view.replay = msg;
  view.replayState = msg.state;
  if (msg.state === 'failed') toasts.show('Replay failed', msg.error ?? 'The replay reader stopped with an error.');
  if (msg.state === 'stopped' && !view.stopRequested) {
    toasts.show('Replay stopped', 'The server stopped the replay. Use “Back to live” to return to the group stream.', 'info');
  }
  renderMode();
}

const errorTitle = (code) => ({
  bad_request: 'Request refused',
  no_replay: 'No replay running',
  unknown_topic: 'Unknown topic',
  too_many_topics: 'Too many topics',
  too_many_replays: 'Too many replays',
}[code] ?? `Server error${code ? ` (${code})` : ''}`);

// ---- intents ---------------------------------------------------------------------------

function choose(selection) {
  if (sameSelection(selection, view.selection) && view.mode === 'live') return;
  view.selection = selection;
  writeUrl();
  subscribe();
}

/** Sends the selection; the charts start over with the history the server sends for it. */
function subscribe() {
  view.mode = 'live';
  view.replay = null;
  view.replayState = null;
  view.awaitingReplay = false;
  view.awaitingSubscribed = true;
  store.clear();
  conn.send({ type: 'subscribe', selection: view.selection.map(({ topic, partitions }) => ({ topic, partitions })) });
  topicPicker.setSelection(view.selection);
  partitionPicker.setSelection(view.selection);
  kafka.render(view.stats, view.selection, null);
  renderMode();
  renderEmpty();
}

function requestReplay() {
  if (!conn.send({ type: 'replay', from: 'earliest' })) return;
  view.mode = 'replay';
  view.replay = null;
  view.replayState = 'starting';
  view.awaitingReplay = true;
  view.stopRequested = false;
  store.clear();
  renderMode();
  renderEmpty();
}

function backToLive() {
  if (!conn.send({ type: 'live' })) return;
  view.stopRequested = true;
  view.mode = 'live';
  view.replay = null;
  view.replayState = null;
  view.awaitingReplay = false;
  store.clear(); // the server sends the history again
  kafka.render(view.stats, view.selection, null);
  renderMode();
  renderEmpty();
}

/** Subscribes again to a refused selection that is still on screen once all its topics exist. */
function retryRefused(topics) {
  const r = view.refused;
  if (!r || !sameSelection(r, view.selection) || view.awaitingSubscribed) return;
  const names = new Set(topics.map((t) => t.name));
  if (r.every((s) => names.has(s.topic))) subscribe();
}

function writeUrl() {
  const q = queryFromSelection(view.selection, {
    car: view.focus,
    window: view.windowSec !== 60 ? view.windowSec : null,
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
      retryRefused(topics);
    }
  } catch {
    // The server is away; the connection status already says so.
  } finally {
    setTimeout(refreshTopics, TOPICS_REFRESH_MS);
  }
}

// ---- rendering -------------------------------------------------------------------------

function renderStatus(s) {
  header.connection(s, view.stats?.kafka);
}

function renderMode() {
  header.mode(view.mode, view.replayState, view.replay);
  root.dataset.mode = view.mode;
  replayControls.render(view.mode, view.replayState, view.replay);
  kafka.render(view.stats, view.selection, view.mode === 'replay' ? view.replay : null);
}

function describeSelection() {
  if (view.selection.length === 0) return 'no topic chosen';
  return view.selection
    .map((s) => `${s.topic} · ${s.partitions ? `P${s.partitions.join(', P')}` : 'all partitions'}`)
    .join('  +  ');
}

function renderEmpty() {
  const empty = store.cars.size === 0;
  $('charts-empty').hidden = !empty;
  $('charts-title').textContent = describeSelection();
  if (!empty) return;
  let text;
  if (view.selection.length === 0) text = 'Choose a topic above.';
  else if (view.connection !== 'connected') text = 'Waiting for the server…';
  else if (view.mode === 'replay') text = 'Replaying from the earliest offset…';
  else if (view.awaitingSubscribed) text = `Subscribing to ${describeSelection()}…`;
  else if (view.refused && sameSelection(view.refused, view.selection)) text = `The server refused ${describeSelection()}; it is asked again once the topic exists.`;
  else text = `No records on ${describeSelection()} in the last ${config.historySecs} s (the history the server keeps). The chart starts with the next record.`;
  $('charts-empty-text').textContent = text;
}

function effectiveFocus() {
  if (view.focus !== null && store.cars.has(view.focus)) return view.focus;
  return store.sortedIds[0] ?? null;
}

function syncCars() {
  if (!carsDirty && store.carsVersion === seenCarsVersion) return;
  carsDirty = false;
  seenCarsVersion = store.carsVersion;
  for (const car of store.sortedIds) {
    if (!knownCars.has(car)) {
      knownCars.add(car);
      if (view.hideNewCars) view.hidden.add(car);
    }
  }
  const focus = effectiveFocus();
  const drawn = store.sortedIds.filter((c) => c === focus || !view.hidden.has(c)).slice(0, MAX_DRAWN);
  if (focus !== null && !drawn.includes(focus)) drawn[drawn.length - 1] = focus;
  charts.configure(drawn, focus);
  carList.render(store.sortedIds, new Set(drawn), focus, store.ignored);
  $('strips').dataset.cars = String(store.sortedIds.length);
  renderEmpty();
  legendDirty = true;
}

const fmtTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
const fmt0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const valuesOf = (car, t) => store.valuesAt(car, t);

function renderLegend() {
  const t = view.cursorIdx == null ? null : charts.timeAt(view.cursorIdx) ?? null;
  carList.update((car) => valuesOf(car, t), t == null ? 'Latest values · click a row to focus' : `At ${fmtTime.format(t)}`);
  $('cursor-time').textContent = t == null ? '' : `cursor ${fmtTime.format(t)}`;
  const focus = effectiveFocus();
  const v = focus === null ? null : valuesOf(focus, t);
  tires.show(focus, v ? { fl: v.fl, fr: v.fr, rl: v.rl, rr: v.rr } : null);
  const tag = focus === null ? '' : `#${focus}`;
  readout('speed', v ? `${tag}  ${fmt0.format(v.speed)}` : '');
  readout('rpm', v ? `${tag}  ${fmt0.format(v.rpm)}` : '');
  readout('tires-car', focus === null ? '' : `focused car ${tag}`);
}

function readout(key, text) {
  const el = root.querySelector(`[data-readout="${key}"]`);
  if (el.textContent !== text) el.textContent = text;
}

let lastLegendAt = 0;
let legendVersion = -1;

function frame(now) {
  requestAnimationFrame(frame);
  syncCars();
  charts.draw(store, view.windowSec * 1000, store.windowEnd(view.mode === 'replay'));
  if (now - lastLegendAt >= LEGEND_INTERVAL_MS && (legendDirty || store.version !== legendVersion)) {
    lastLegendAt = now;
    legendVersion = store.version;
    legendDirty = false;
    renderLegend();
  }
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
  get replay() { return view.replay; },
  get stats() { return view.stats; },
  get mode() { return view.mode; },
  get selection() { return structuredClone(view.selection); },
  get connection() { return view.connection; },
  get dropped() { return view.dropped; },
});
Object.defineProperty(window, 'trackside', { value: hook, enumerable: true });

if (typeof uPlot === 'undefined') {
  toasts.show('Charts unavailable', 'uPlot did not load from /vendor/uplot/. Was `npm ci` run on the server?');
} else {
  windowPicker.set(view.windowSec);
  topicPicker.setSelection(view.selection);
  partitionPicker.setSelection(view.selection);
  writeUrl();
  renderMode();
  renderEmpty();
  conn = connectToServer();
  refreshTopics();
  requestAnimationFrame(frame);
}
