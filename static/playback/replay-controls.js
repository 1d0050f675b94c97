// The transport (play/pause, play from the start, the speed selector), Go live, the playhead
// readout with its "behind live" badge, and the progress strip under them: how far the
// replay is, with each partition's offset when there are several.

import { behindText, replayProgress } from './timeline.js';

const fmt = new Intl.NumberFormat('en-US');

export class ReplayControls {
  /**
   * @param {HTMLElement} bar  the playback bar  @param {HTMLElement} strip  the progress strip
   * @param {{onReplay, onPause, onResume, onLive, onSpeed}} actions
   */
  constructor(bar, strip, actions) {
    const el = bar;
    this.start = el.querySelector('[data-testid=replay-earliest]');
    this.pause = el.querySelector('[data-testid=replay-pause]');
    this.live = el.querySelector('[data-testid=back-to-live]');
    this.speeds = el.querySelector('[data-testid=speed-picker]');
    this.time = el.querySelector('[data-testid=playhead-time]');
    this.behind = el.querySelector('[data-testid=behind-live]');
    this.speeds.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-speed]');
      if (b) actions.onSpeed(b.dataset.speed === 'max' ? 'max' : Number(b.dataset.speed));
    });
    this.progress = strip;
    this.label = strip.querySelector('[data-testid=replay-state]');
    this.bar = strip.querySelector('[data-testid=replay-bar]');
    this.text = strip.querySelector('[data-testid=replay-progress-text]');
    this.parts = strip.querySelector('[data-testid=replay-partitions]');
    this.state = null;
    this.start.addEventListener('click', actions.onReplay);
    this.pause.addEventListener('click', () => (this.paused ? actions.onResume() : actions.onPause()));
    this.live.addEventListener('click', actions.onLive);
    this.paused = false;
  }

  /** Marks the chosen speed. */
  setSpeed(speed) {
    for (const b of this.speeds.querySelectorAll('button[data-speed]')) {
      const v = b.dataset.speed === 'max' ? 'max' : Number(b.dataset.speed);
      b.setAttribute('aria-pressed', String(v === speed));
    }
  }

  /**
   * The playhead readout: its time (and `data-ts`, ms) and how far behind live it is.
   * @param {number|null} ts  @param {string} text  @param {number|null} behindMs  null when live
   */
  showPlayhead(ts, text, behindMs) {
    const at = Number.isFinite(ts) ? String(Math.round(ts)) : '';
    if (this.time.dataset.ts !== at) this.time.dataset.ts = at;
    if (this.time.textContent !== text) this.time.textContent = text;
    const b = behindMs === null ? '' : behindText(behindMs);
    if (this.behind.hidden !== (b === '')) this.behind.hidden = b === '';
    if (this.behind.textContent !== b) this.behind.textContent = b;
  }

  /**
   * @param {'live'|'replay'} mode
   * @param {string|null} state  the replay's state ('starting' before its first message)
   * @param {object|null} msg  the last `replay` message
   * @param {boolean} wantPaused  whether the person paused it (the button follows the intent)
   */
  render(mode, state, msg, wantPaused = state === 'paused') {
    this.state = state;
    const replaying = mode === 'replay';
    this.paused = replaying && wantPaused;
    // Always there, so the timeline keeps its width: "Live" when live, "Go live" when not.
    this.live.disabled = !replaying;
    this.live.textContent = replaying ? '● Go live' : '● Live';
    this.live.dataset.mode = mode;
    this.pause.disabled = replaying && (state === 'failed' || state === 'stopped');
    this.pause.textContent = this.paused ? '▶ Resume' : '❚❚ Pause';
    this.pause.dataset.state = replaying ? (this.paused ? 'paused' : 'playing') : 'live';
    this.pause.title = replaying
      ? 'Play or pause the replay (Space); ←/→ step 100 ms, Shift 1 s'
      : 'Pause (Space): freezes the live edge and keeps it, on a reader of your own';
    this.start.textContent = '⇤ Play from start';
    this.progress.hidden = !replaying;
    if (!replaying) return;
    const p = replayProgress(msg) ?? 0;
    this.bar.value = p;
    this.label.textContent = STATE_LABELS[state] ?? state ?? '';
    this.text.textContent = `${Math.floor(p * 100)}% · ${offsetText(msg)}`;
    this.parts.textContent = partitionsText(msg);
    this.progress.dataset.state = state ?? '';
  }
}

const STATE_LABELS = {
  starting: 'Starting replay',
  running: 'Replaying',
  paused: 'Replay paused',
  caught_up: 'Caught up · live',
  stopped: 'Replay stopped',
  failed: 'Replay failed',
};

const clamp01 = (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** "offset X of Y" for one partition; delivered records of the total for several. */
function offsetText(msg) {
  if (!msg || !(msg.partitions?.length > 0)) return 'starting…';
  const parts = msg.partitions ?? [];
  const where = parts.length === 1
    ? `offset ${fmt.format(parts[0].offset)} of ${fmt.format(parts[0].end)}`
    : `${fmt.format(msg.delivered ?? 0)} of ${fmt.format(msg.total ?? 0)} records`;
  const bad = msg.malformed > 0 ? ` · ${fmt.format(msg.malformed)} malformed skipped` : '';
  return msg.state === 'caught_up' ? `${where}${bad} · now streaming live from the replay reader` : `${where}${bad}`;
}

/** Each partition's "offset of end" when there are several. */
function partitionsText(msg) {
  const parts = msg?.partitions ?? [];
  if (parts.length < 2) return '';
  return parts
    .map((p) => `${parts.some((q) => q.topic !== p.topic) ? `${p.topic}/` : ''}P${p.partition} offset ${fmt.format(p.offset)} of ${fmt.format(p.end)}`)
    .join(' · ');
}

