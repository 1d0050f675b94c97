// The replay buttons (start or restart, pause/resume, back to live) and the progress strip
// under the toolbar: how far the replay is, per partition when there are several.

const fmt = new Intl.NumberFormat('en-US');

export class ReplayControls {
  /**
   * @param {HTMLElement} el  the buttons  @param {HTMLElement} strip  the progress strip
   * @param {{onReplay, onPause, onResume, onLive}} actions
   */
  constructor(el, strip, actions) {
    this.start = el.querySelector('[data-testid=replay-earliest]');
    this.pause = el.querySelector('[data-testid=replay-pause]');
    this.live = el.querySelector('[data-testid=back-to-live]');
    this.progress = strip;
    this.label = strip.querySelector('[data-testid=replay-state]');
    this.bar = strip.querySelector('[data-testid=replay-bar]');
    this.text = strip.querySelector('[data-testid=replay-progress-text]');
    this.parts = strip.querySelector('[data-testid=replay-partitions]');
    this.state = null;
    this.start.addEventListener('click', actions.onReplay);
    this.pause.addEventListener('click', () => (this.state === 'paused' ? actions.onResume() : actions.onPause()));
    this.live.addEventListener('click', actions.onLive);
  }

  /**
   * @param {'live'|'replay'} mode
   * @param {string|null} state  the replay's state ('starting' before its first message)
   * @param {object|null} msg  the last `replay` message
   */
  render(mode, state, msg) {
    this.state = state;
    const replaying = mode === 'replay';
    this.live.hidden = !replaying;
    this.pause.hidden = !replaying || !(state === 'running' || state === 'paused');
    this.pause.textContent = state === 'paused' ? '▶ Resume' : '❚❚ Pause';
    this.pause.dataset.state = state ?? '';
    this.start.textContent = replaying ? '⟲ Restart replay' : '⟲ Replay from earliest';
    this.progress.hidden = !replaying;
    if (!replaying) return;
    const p = msg ? clamp01(msg.progress) : 0;
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
  if (!msg) return 'starting…';
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

