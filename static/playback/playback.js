// Playback on the page, the coordinator of playback/ and a view (core/view.js): the
// timeline and its overview, the playhead readout, the zoomed-out charts and the keys. It
// reads the session and the store, asks through `dispatch`, and draws; what a click or a
// key means for the conversation with the server is session.js's.

import { gapRuns, lapMarkers, span } from './timeline.js';
import { TimelineView, clock } from './timeline-view.js';
import { dragSpan, overviewRequest, zoomLabel, zoomSpan } from '../strips/zoom.js';
import { keyIntent } from '../core/keys.js';
import { ReplayControls } from './replay-controls.js';
import { NotesView } from './notes-view.js';

/** How often the retained range is asked for again (the live edge grows in between with the data). */
const RANGE_REFRESH_MS = 10_000;
/** The timeline's overview is read again at most this often, and only once the span has grown. */
const TIMELINE_OVERVIEW_MIN_MS = 10_000;
/** While a progress message is late the playhead is carried on at the replay's speed for at most this long. */
const EXTRAPOLATE_MAX_MS = 500;

export class Playback {
  /**
   * @param {{root: HTMLElement, dispatch: Function, session: () => object, store: object,
   *   charts: object, focus: () => string|null, onUrl: () => void,
   *   notes: {write: Function, notify: Function, storage: Storage}}} deps
   */
  constructor(deps) {
    Object.assign(this, deps);
    const $ = (id) => deps.root.querySelector(`[data-testid="${id}"]`);
    this.timeline = new TimelineView($('timeline'), { onSeek: (ts) => this.seek(ts) });
    this.notes = new NotesView(deps.root, {
      ...deps.notes, timeline: $('timeline'), onSeek: (ts) => this.seek(ts), where: () => this.noteTarget(),
    });
    this.controls = new ReplayControls($('playback'), $('replay-progress'), {
      onReplay: () => this.dispatch({ type: 'replay' }),
      onPause: () => this.dispatch({ type: 'pause', at: this.liveEdge() }),
      onResume: () => this.dispatch({ type: 'resume' }),
      onLive: () => this.dispatch({ type: 'live' }),
      onSpeed: (speed) => this.dispatch({ type: 'speed', speed }),
    });
    /** The playhead readout the last frame computed, written by `write()`. */
    this.readout = { shown: NaN, text: '—', behind: null };
    this.zoomPicker = $('zoom-picker');
    this.zoomNote = $('zoom-note');
    this.zoomText = $('zoom-text');
    /** The zoom: null follows the playhead; else `{ secs }` (a preset) or `{ from, to }` (a drag). */
    this.zoom = null;
    /** The chart overview asked for the zoom, to know its answer from an older one. */
    this.zoomRequest = null;
    /** Where a seek was asked to land, shown until the replay reports from there. */
    this.pendingTs = null;
    this.progressAt = 0;
    /** The session asks once the selection is taken; this refreshes it. */
    this.rangeAskedAt = performance.now();
    this.timelineAskedAt = -Infinity;
    this.urlWrittenAt = 0;
    this.urlPlayhead = null;
    this.span = null;

    this.zoomPicker.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-zoom]');
      if (b) this.setZoom({ secs: Number(b.dataset.zoom) });
    });
    // A double-click on a time strip follows the playhead again.
    $('workbench').addEventListener('dblclick', (e) => e.target.closest('[data-strip]') && this.setZoom(null));
    $('zoom-out-back').addEventListener('click', () => this.setZoom(null));
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  onKey(e) {
    const intent = keyIntent(e);
    if (!intent) return;
    // Space would press the focused button too, and arrows would scroll.
    e.preventDefault();
    if (intent.type === 'step' || intent.type === 'toggle') intent.at = this.liveEdge();
    this.dispatch(intent);
  }

  /** A click or drag on the timeline, or a link's moment. */
  seek(ts) {
    this.pendingTs = ts;
    this.dispatch({ type: 'seek', ts });
  }

  /** An `annotations` or `annotation` message. */
  onNote(msg) {
    this.notes.onMessage(msg);
  }

  /** Where a new note goes: the playhead (the live edge when live), the focused car and its lap there. */
  noteTarget() {
    const s = this.session();
    const ts = this.playhead(performance.now()) ?? this.liveEdge();
    if (!Number.isFinite(ts) || s.selection.length === 0) return null;
    const focus = this.focus();
    const track = focus ? this.store.cars.get(focus) : null;
    const lap = focus ? this.store.valuesAt(focus, ts)?.lap : null;
    return {
      topic: track?.topic ?? s.selection[0].topic,
      ts: Math.round(ts),
      car: track?.car ?? null,
      lap: Number.isInteger(lap) && lap >= 0 ? lap : null,
    };
  }

  /** A replay message arrived: the playhead is as it says from now on. */
  progressArrived() {
    this.progressAt = performance.now();
  }

  /** The newest record time known: where pausing live freezes. */
  liveEdge() {
    const s = this.session();
    const t = Math.max(this.store.maxTs, s.range?.last_ts ?? -Infinity);
    return Number.isFinite(t) ? t : null;
  }

  /**
   * The playhead (ms) while replaying: the server's `position_ts`, carried on at the replay's
   * speed between its messages; where a seek lands while it is under way; else the time the
   * charts have reached. Null when live.
   */
  playhead(now) {
    const s = this.session();
    if (s.mode !== 'replay') return null;
    const r = s.replay;
    // A seek under way, or one whose reader has not placed its playhead yet: where it lands.
    if (Number.isFinite(this.pendingTs) && (s.awaitingReplay || !Number.isFinite(r?.position_ts))) return this.pendingTs;
    if (r && Number.isFinite(r.position_ts)) {
      const running = r.state === 'running' && typeof r.speed === 'number' && !s.wantPaused;
      return r.position_ts + (running ? Math.min(EXTRAPOLATE_MAX_MS, now - this.progressAt) * r.speed : 0);
    }
    const end = this.store.windowEnd(true);
    return Number.isFinite(end) ? end : null;
  }

  setZoom(zoom) {
    this.zoom = zoom;
    this.zoomRequest = null;
    if (zoom === null) this.charts.showBands(null);
    this.askZoom();
    this.renderZoomPicker();
    this.onUrl();
  }

  /** The strips changed: zoomed out, their channels are asked for again. */
  layoutChanged() {
    if (this.zoom) this.askZoom();
  }

  /** Zoom into the span dragged across a chart (ms). */
  zoomTo(a, b) {
    const sp = dragSpan(a, b);
    if (sp) this.setZoom(sp);
  }

  askZoom() {
    if (!this.zoom) return;
    const end = this.playhead(performance.now()) ?? this.liveEdge();
    const sp = 'secs' in this.zoom ? zoomSpan(this.zoom.secs, end, this.span) : this.zoom;
    if (!sp) return;
    const request = overviewRequest(sp, this.charts.plotWidth, null, this.charts.channels());
    this.zoomRequest = request;
    this.dispatch({ type: 'ask-overview', purpose: 'chart', request });
  }

  renderZoomPicker() {
    const secs = this.zoom && 'secs' in this.zoom ? this.zoom.secs : null;
    for (const b of this.zoomPicker.querySelectorAll('button[data-zoom]')) {
      b.setAttribute('aria-pressed', String(Number(b.dataset.zoom) === secs));
    }
  }

  /** Once a second: the range, the timeline's overview, a zoom still waiting for what it spans. */
  tick(now) {
    const s = this.session();
    if (s.connection !== 'connected' || !s.confirmed) return;
    if (now - this.rangeAskedAt >= RANGE_REFRESH_MS) {
      this.rangeAskedAt = now;
      this.dispatch({ type: 'ask-range' });
    }
    this.maybeAskTimeline(now);
    // A zoom with no request, or whose request the session forgot (a reconnect), asks again.
    const o = s.overviews;
    if (this.zoom && (!this.zoomRequest || (!o.byPurpose.chart && !o.queued.chart))) this.askZoom();
  }

  /** Asks for the whole span's overview when there is none, or the span has grown past it. */
  maybeAskTimeline(now) {
    const sp = this.span;
    const width = this.timeline.width;
    if (!sp || !this.session().range || width < 10 || now - this.timelineAskedAt < TIMELINE_OVERVIEW_MIN_MS) return;
    const t = this.session().overviews.byPurpose.timeline;
    if (t?.state === 'running') return;
    const last = t?.request;
    const grown = !last || sp.to - last.to_ts > Math.max(TIMELINE_OVERVIEW_MIN_MS, 0.05 * (sp.to - sp.from))
      || Math.abs(sp.from - last.from_ts) > 0.01 * (sp.to - sp.from) || Math.abs(last.buckets - width) > 40;
    if (!grown && t?.state !== 'failed') return;
    this.timelineAskedAt = now;
    this.dispatch({ type: 'ask-overview', purpose: 'timeline', request: overviewRequest(sp, width) });
  }

  /** Draws what changed: the timeline and the zoomed-out charts; the playhead readout is computed, and written by `write()`. */
  frame(now) {
    const s = this.session();
    // Another selection: the zoomed-out summary was of the old one.
    if (s.selection !== this.seenSelection) {
      this.seenSelection = s.selection;
      if (this.zoom) this.setZoom(null);
      this.notes.selected(s.selection.map((t) => t.topic));
    }
    if (!s.awaitingReplay && Number.isFinite(s.replay?.position_ts)) this.pendingTs = null;
    if (s.mode !== 'replay') this.pendingTs = null;
    const head = this.playhead(now);
    this.span = span(s.range, [this.store.maxTs, head]);
    const t = s.overviews.byPurpose.timeline;
    const ov = t?.message ?? null;
    const focus = this.focus();
    const w = this.timeline.width;
    this.timeline.render({
      span: this.span,
      playhead: head,
      live: s.mode !== 'replay',
      laps: lapMarkers(ov, focus, this.span, w),
      gaps: ov ? gapRuns(ov) : [],
      covered: ov ? { from: ov.from_ts, to: ov.to_ts } : null,
      focus,
      overviewNote: overviewNote(t),
    });
    this.notes.frame({ span: this.span, width: w, playhead: head, live: s.mode !== 'replay' });
    const live = s.mode !== 'replay';
    const shown = live ? this.liveEdge() : head;
    const text = !Number.isFinite(shown) ? '—' : `${live ? 'live · ' : ''}${clock(shown, !live)}`;
    this.readout.shown = shown;
    this.readout.text = text;
    this.readout.behind = live || s.replayState === 'caught_up' ? null : behindMs(s.replay, head, this.span);
    this.renderZoom(s, head);
    // The URL follows the playhead once a second, to the ms once it stands still.
    const moved = Math.abs(head - (this.urlPlayhead ?? 0)) >= (s.wantPaused ? 1 : 100);
    if (!live && Number.isFinite(head) && now - this.urlWrittenAt > 1000 && moved) {
      this.urlWrittenAt = now;
      this.urlPlayhead = head;
      this.onUrl();
    }
  }

  /** The playhead readout of the last frame, written with the views' text (core/view.js `write`). */
  write() {
    const r = this.readout;
    this.controls.showPlayhead(r.shown, r.text, r.behind);
  }

  /** A new width: the timeline's overview is asked for again at it, now. */
  resize() {
    this.timelineAskedAt = -Infinity;
  }

  renderZoom(s, head) {
    const c = s.overviews.byPurpose.chart;
    const mine = this.zoom && c && c.request === this.zoomRequest;
    if (mine && c.state === 'done') this.charts.showBands(c.message);
    this.charts.setPlayhead(head);
    let note = '';
    if (this.zoom) {
      const name = !('secs' in this.zoom) ? 'zoomed' : this.zoom.secs === 0 ? 'all Kafka retains' : `last ${zoomLabel(this.zoom.secs)}`;
      if (!mine || c.state === 'running') note = `${name} · reading ${Math.round((c?.progress ?? 0) * 100)}%…`;
      else if (c.state === 'failed') note = `${name} · ${c.error}`;
      else {
        const m = c.message;
        note = `${name} · ${clock(m.from_ts)}–${clock(m.to_ts)} · min/max per ${m.bucket_ms} ms of ${m.records.toLocaleString('en-US')} records · drag to zoom in`;
      }
    }
    if (this.zoomText.textContent !== note) {
      this.zoomText.textContent = note;
      this.zoomText.title = note;
      this.zoomNote.hidden = note === '';
    }
  }
}

/** How far behind live the playhead is: the server's figure, or the timeline's when it has none. */
function behindMs(replay, head, sp) {
  if (Number.isFinite(replay?.behind_ms)) return replay.behind_ms;
  if (Number.isFinite(head) && sp) return Math.max(0, sp.to - head);
  return null;
}

function overviewNote(t) {
  if (!t) return '';
  if (t.state === 'running') return `reading the overview… ${Math.round((t.progress ?? 0) * 100)}%`;
  if (t.state === 'failed') return `no overview: ${t.error}`;
  return '';
}
