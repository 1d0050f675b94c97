// The timeline across the page, drawn on one canvas: what Kafka retains of the selection
// from its earliest record to the live edge, the playhead, the focused car's lap markers and
// a lane of missing records. Click or drag to go to a moment: while dragging only the drag
// position is shown, and the seek is sent on release. Geometry is timeline.js's.

import { timeTicks, timeToX, xToTime } from './timeline.js';
import { BoxSize } from '../core/box-size.js';

const H = 46;
const BAR = { top: 14, bottom: 34 };
const LANE = { top: 37, bottom: 43 };
const COLORS = {
  bar: '#1b2330', played: 'rgba(245,158,11,.28)', tick: '#5b6577', text: '#8590a2',
  lap: 'rgba(230,233,239,.55)', lapText: '#c3cad6',
  covered: 'rgba(34,197,94,.45)', gap: '#ef4444', partial: '#f59e0b', unknown: '#2c3544',
  live: '#22c55e', replay: '#f59e0b', ghost: '#e6e9ef',
};

const pad2 = (n) => String(n).padStart(2, '0');
const clock = (t, ms = false) => {
  const d = new Date(t);
  const s = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return ms ? `${s}.${String(d.getMilliseconds()).padStart(3, '0')}` : s;
};
export { clock };

export class TimelineView {
  /**
   * @param {HTMLElement} el  the `[data-testid=timeline]` element
   * @param {{onSeek: (ts: number) => void}} actions
   */
  constructor(el, { onSeek }) {
    this.el = el;
    this.canvas = el.querySelector('canvas');
    this.tip = el.querySelector('[data-testid=timeline-tip]');
    this.onSeek = onSeek;
    this.model = null;
    /** While dragging: the time under the pointer, shown instead of the playhead; sent on release. */
    this.dragTs = null;
    this.hoverX = null;
    this.drawnKey = '';
    /** The canvas's size, read every frame without laying the page out (core/box-size.js). */
    this.size = new BoxSize(this.canvas);
    /** The canvas drawn on, off the page (`draw`), and whether its context has its font. */
    this.off = null;
    this.fontSet = false;
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (!this.model?.span || e.button !== 0) return;
      c.setPointerCapture(e.pointerId);
      this.dragTs = this.timeAt(e);
      this.hoverX = this.xOf(e);
    });
    c.addEventListener('pointermove', (e) => {
      this.hoverX = this.xOf(e);
      if (this.dragTs !== null) this.dragTs = this.timeAt(e);
    });
    c.addEventListener('pointerup', (e) => {
      if (this.dragTs === null) return;
      const ts = this.timeAt(e);
      this.dragTs = null;
      if (ts !== null) this.onSeek(ts);
    });
    c.addEventListener('pointercancel', () => { this.dragTs = null; });
    c.addEventListener('pointerleave', () => { if (this.dragTs === null) this.hoverX = null; });
  }

  xOf(e) {
    return e.clientX - this.canvas.getBoundingClientRect().left;
  }

  timeAt(e) {
    const sp = this.model?.span;
    return sp ? xToTime(this.xOf(e), sp, this.canvas.clientWidth) : null;
  }

  /** Width in CSS pixels: the overview of the timeline asks for this many buckets. */
  get width() {
    return Math.floor(this.size.width);
  }

  /**
   * Draws the model when it changed since the last call.
   * @param {{span: {from, to}|null, playhead: number|null, live: boolean, laps: object[],
   *   gaps: object[], covered: {from, to}|null, focus: string|null, overviewNote: string}} m
   */
  render(m) {
    this.model = m;
    const w = this.size.width;
    const key = JSON.stringify([m.span, Math.round(m.playhead ?? 0), m.live, m.laps.length, m.gaps.length, m.covered,
      this.dragTs, this.hoverX, w, m.focus, m.overviewNote]);
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    this.draw(m, w);
    this.renderTip(m, w);
  }

  /**
   * Draws on a canvas of its own, off the page, then copies it onto the one shown: on a
   * canvas in the page every measureText and fillText makes Chromium bring the page's style
   * and layout up to date there and then, so a timeline drawn after the tower or a legend
   * wrote its text laid the page out twice a frame (a trace of the bench: 380 such layouts a
   * minute, 2 to 7 ms each). Text off the page lays nothing out, nor does drawImage.
   */
  draw(m, w) {
    const dpr = devicePixelRatio || 1;
    const c = this.canvas;
    const width = Math.round(w * dpr);
    const height = Math.round(H * dpr);
    if (c.width !== width || c.height !== height) {
      c.width = width;
      c.height = height;
    }
    if (width === 0 || height === 0) return; // nothing to show, and drawImage refuses an empty canvas
    if (this.off?.width !== width || this.off?.height !== height) {
      this.off = new OffscreenCanvas(width, height);
      this.fontSet = false;
    }
    const g = this.off.getContext('2d');
    if (!this.fontSet) {
      // Once per size: a new size resets the context.
      g.font = '10px "Liberation Sans", "DejaVu Sans", sans-serif';
      g.textBaseline = 'alphabetic';
      this.fontSet = true;
    }
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.paint(g, m, w);
    const shown = c.getContext('2d');
    shown.clearRect(0, 0, width, height);
    shown.drawImage(this.off, 0, 0);
  }

  /** The timeline on `g`, `w` CSS pixels wide. */
  paint(g, m, w) {
    g.clearRect(0, 0, w, H);
    g.fillStyle = COLORS.bar;
    g.fillRect(0, BAR.top, w, BAR.bottom - BAR.top);
    const sp = m.span;
    if (!sp) {
      g.fillStyle = COLORS.text;
      g.fillText('Asking Kafka what it retains…', 6, BAR.bottom - 6);
      return;
    }
    const X = (t) => timeToX(t, sp, w);

    // Time ticks above the bar.
    const { ticks } = timeTicks(sp, w, 90);
    for (const t of ticks) {
      const x = Math.round(X(t)) + 0.5;
      g.fillStyle = COLORS.tick;
      g.fillRect(x, BAR.top - 3, 1, 3);
      g.fillStyle = COLORS.text;
      const label = clock(t);
      const tw = g.measureText(label).width;
      if (x - tw / 2 > 0 && x + tw / 2 < w - 30) g.fillText(label, x - tw / 2, 10);
    }

    // The played part of a replay.
    if (!m.live && Number.isFinite(m.playhead)) {
      g.fillStyle = COLORS.played;
      g.fillRect(0, BAR.top, X(m.playhead), BAR.bottom - BAR.top);
    }

    // Lap markers of the focused car.
    for (const l of m.laps) {
      const x = Math.round(l.x) + 0.5;
      g.fillStyle = COLORS.lap;
      g.fillRect(x, BAR.top, 1, BAR.bottom - BAR.top);
      if (l.label) {
        g.fillStyle = COLORS.lapText;
        g.fillText(`L${l.lap}`, x + 3, BAR.bottom - 5);
      }
    }

    // The lane: where the overview saw records, and where they are missing.
    g.fillStyle = COLORS.unknown;
    g.fillRect(0, LANE.top, w, LANE.bottom - LANE.top);
    if (m.covered) {
      g.fillStyle = COLORS.covered;
      g.fillRect(X(m.covered.from), LANE.top, Math.max(1, X(m.covered.to) - X(m.covered.from)), LANE.bottom - LANE.top);
    }
    for (const r of m.gaps) {
      g.fillStyle = r.kind === 'gap' ? COLORS.gap : COLORS.partial;
      g.fillRect(X(r.from), LANE.top, Math.max(2, X(r.to) - X(r.from)), LANE.bottom - LANE.top);
    }

    // The playhead: at the live edge when live.
    const head = m.live ? sp.to : m.playhead;
    if (Number.isFinite(head)) {
      const x = Math.min(w - 1, Math.round(X(head))) + 0.5;
      const color = m.live ? COLORS.live : COLORS.replay;
      g.fillStyle = color;
      g.fillRect(x - 1, BAR.top - 4, 2, LANE.bottom - BAR.top + 4);
      g.beginPath();
      g.moveTo(x - 5, BAR.top - 6);
      g.lineTo(x + 5, BAR.top - 6);
      g.lineTo(x, BAR.top);
      g.fill();
    }
    if (this.dragTs !== null) {
      const x = Math.round(X(this.dragTs)) + 0.5;
      g.strokeStyle = COLORS.ghost;
      g.setLineDash([3, 2]);
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, H);
      g.stroke();
      g.setLineDash([]);
    }
    g.fillStyle = COLORS.live;
    g.fillText('LIVE', w - 24, 10);
  }

  /** The tooltip under the pointer: the time, the lap that starts nearby with its offset, a gap. */
  renderTip(m, w) {
    const x = this.hoverX;
    if (x === null || !m.span) {
      if (!this.tip.hidden) this.tip.hidden = true;
      return;
    }
    const t = this.dragTs ?? xToTime(x, m.span, w);
    const lines = [`${this.dragTs !== null ? 'release to go to ' : ''}${clock(t, true)}`];
    const perPx = (m.span.to - m.span.from) / Math.max(1, w);
    const lap = m.laps.filter((l) => Math.abs(l.x - x) <= 4).at(-1) ?? m.laps.filter((l) => l.ts <= t).at(-1);
    if (lap) {
      const where = lap.partition === null ? `offset ${lap.offset}` : `P${lap.partition} offset ${lap.offset}`;
      lines.push(`#${m.focus} lap ${lap.lap} from ${clock(lap.ts)} · ${where}`);
    }
    const gap = m.gaps.find((r) => t >= r.from - perPx * 2 && t < r.to + perPx * 2);
    if (gap) {
      lines.push(gap.kind === 'gap'
        ? `no records for ${((gap.to - gap.from) / 1000).toFixed(1)} s`
        : `no records from ${gap.missing.map((c) => `#${c}`).join(', ')}`);
    }
    if (m.overviewNote) lines.push(m.overviewNote);
    this.tip.textContent = lines.join('\n');
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(w - 120, Math.max(120, x))}px`;
  }
}
