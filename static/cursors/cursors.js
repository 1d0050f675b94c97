// The A/B cursors on the strips: where they are (`ui.cursors`), how a person places them, and
// their lines on every strip. A strip's uPlot takes `cursorPlugin(axis)` (strips/charts.js,
// race/distance-view.js) and from then on draws the two lines and answers the mouse:
//   - `a` or `b` puts A or B where the mouse is over a strip (away from every strip: at the
//     playhead, or the newest record while live, so the keyboard alone can place them);
//   - Alt-drag across a strip sets the range, A at its start and B at its end, whichever way
//     the mouse went (a plain drag still zooms: uPlot never sees a drag with Alt held);
//   - dragging a cursor's line moves it.
// Clearing is the readout's (Esc in it, or its ✕), through `clearCursors()`.
// Each change is kept in `ui.cursors` ({a, b, axis}: ms on time strips, metres into the lap on
// distance strips) and told on `document` as CURSORS (workbench/panel.js).

import { CURSORS } from '../workbench/panel.js';

/** The cursors' colours: apart from the cars', the corners' and the playhead's amber. */
export const CURSOR_COLORS = Object.freeze({ a: '#67e8f9', b: '#f0abfc' });
/** How near (CSS px) to a line the mouse must be to drag it. */
const GRAB_PX = 5;
const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** An axis's x values per cursor unit: time strips' x is in seconds, cursors in ms. */
const SCALE = { time: 1 / 1000, distance: 1 };

const none = (axis = 'time') => ({ a: null, b: null, axis });

// One pair of cursors per page, kept here rather than handed to each strip: a strip's uPlot
// is built inside charts.js and distance-view.js, and the plugin is all they pass it.
/** What the page gives the cursors: its `ui`, where a key puts a cursor away from the strips, who learns of a change. */
const page = { ui: { cursors: none() }, moment: () => null, changed: () => {} };
/** Every plot drawing the cursors: its axis and how to take its listeners off. */
const plots = new Map();
/** The plot the mouse is over and where (CSS px from the plot's left), for the `a` and `b` keys. */
let hover = null;

/**
 * Binds the cursors to the page, once: `ui.cursors` as the link said (`a`, `b` in ms),
 * the `a`/`b` keys, and `changed(cursors)` after every change (the page rewrites its link).
 * @param {{ui: object, a?: number|null, b?: number|null, moment?: () => number|null, changed?: (c: object) => void}} opts
 */
export function installCursors({ ui, a = null, b = null, moment = () => null, changed = () => {} }) {
  page.ui = ui;
  page.moment = moment;
  page.changed = changed;
  ui.cursors = { a, b, axis: 'time' };
  document.addEventListener('keydown', onKey);
}

/** The cursors now: `{a, b, axis}`. */
export function cursors() {
  return page.ui.cursors ?? none();
}

/** Moves the cursors to `next` ({a, b, axis}), redraws every strip's lines and tells the page. */
export function setCursors(next) {
  const was = cursors();
  const c = { a: finite(next.a), b: finite(next.b), axis: next.axis === 'distance' ? 'distance' : 'time' };
  if (c.a === was.a && c.b === was.b && c.axis === was.axis) return;
  page.ui.cursors = c;
  for (const u of plots.keys()) u.redraw(false, false);
  page.changed(c);
  document.dispatchEvent(new CustomEvent(CURSORS, { detail: c }));
}

export function clearCursors() {
  setCursors(none(cursors().axis));
}

const finite = (v) => (Number.isFinite(v) ? v : null);

/** Cursor `which` ('a' or 'b') at `v` on `axis`; on the other axis than before, the other cursor goes. */
function place(which, v, axis) {
  const c = cursors();
  const base = c.axis === axis ? c : none(axis);
  setCursors({ ...base, [which]: v, axis });
}

/**
 * The uPlot plugin of a strip drawn against `axis` ('time' or 'distance'): the cursors' lines
 * and the mouse's ways of placing them. Its hooks run after the strip's own.
 */
export function cursorPlugin(axis = 'time') {
  return {
    hooks: {
      init: [(u) => attach(u, axis)],
      draw: [(u) => drawLines(u, axis)],
      destroy: [(u) => detach(u)],
    },
  };
}

/**
 * The lines the Distance strips draw now, for the readout: per series, its channel (null on
 * the delta strip), its lap (`lap`, else its label), and its columns (`xs` metres, `ys` values).
 * Strips not on screen (Time mode) are left out.
 */
export function distanceLines() {
  const out = [];
  for (const [u, e] of plots) {
    if (e.axis !== 'distance' || u.over.offsetParent === null) continue;
    for (let k = 1; k < u.series.length; k++) {
      const s = u.series[k];
      out.push({ channel: s.channel ?? null, line: s.lap ?? s.label, xs: u.data[0] ?? [], ys: u.data[k] ?? [] });
    }
  }
  return out;
}

/** The cursor value (ms or m) at `px` CSS pixels from the plot area's left. */
const valueAt = (u, axis, px) => u.posToVal(Math.max(0, Math.min(u.over.clientWidth, px)), 'x') / SCALE[axis];
/** The CSS pixel of cursor value `v`, from the plot area's left. */
const pxOf = (u, axis, v) => u.valToPos(v * SCALE[axis], 'x');

function attach(u, axis) {
  const over = u.over;
  const left = (e) => e.clientX - over.getBoundingClientRect().left;
  const entry = { axis, listeners: [] };
  const on = (target, type, fn, capture = false) => {
    target.addEventListener(type, fn, capture);
    entry.listeners.push(() => target.removeEventListener(type, fn, capture));
  };
  on(over, 'mousemove', (e) => {
    hover = { u, axis, px: left(e) };
    over.style.cursor = grabbed(u, axis, hover.px) ? 'ew-resize' : '';
  });
  on(over, 'mouseleave', () => {
    if (hover?.u === u) hover = null;
  });
  // In the capture phase on the plot's root, before uPlot's own handler on `over` starts a
  // selection (a zoom): an Alt-drag or a grabbed line is the cursors', and uPlot never sees it.
  on(u.root, 'mousedown', (e) => {
    if (e.button !== 0 || !over.contains(e.target)) return;
    const px = left(e);
    const which = e.altKey ? 'range' : grabbed(u, axis, px);
    if (!which) return;
    e.stopPropagation();
    e.preventDefault();
    const start = valueAt(u, axis, px);
    const before = cursors();
    const follow = which === 'range'
      ? (v) => setCursors({ a: Math.min(start, v), b: Math.max(start, v), axis })
      : (v) => place(which, v, axis);
    if (which === 'range') follow(start);
    drag((e) => follow(valueAt(u, axis, left(e))), (e) => {
      // An Alt-click that did not move is no range: the cursors stay where they were.
      if (which === 'range' && Math.abs(left(e) - px) < 3) setCursors(before);
    });
  }, true);
  plots.set(u, entry);
}

function detach(u) {
  for (const off of plots.get(u)?.listeners ?? []) off();
  plots.delete(u);
  if (hover?.u === u) hover = null;
}

/** Which cursor's line (if any) is within reach of `px` on this plot. */
function grabbed(u, axis, px) {
  const c = cursors();
  if (c.axis !== axis) return null;
  let best = null;
  for (const which of ['a', 'b']) {
    if (c[which] === null) continue;
    const d = Math.abs(pxOf(u, axis, c[which]) - px);
    if (d <= GRAB_PX && (best === null || d < best.d)) best = { which, d };
  }
  return best?.which ?? null;
}

/** `move(e)` follows the mouse until the button is released, then `done(e)`. */
function drag(move, done) {
  const up = (e) => {
    move(e);
    done(e);
    window.removeEventListener('mousemove', move);
    window.removeEventListener('mouseup', up);
  };
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up);
}

function onKey(e) {
  if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
  const t = e.target;
  if (t && (TYPING.has(t.tagName) || t.isContentEditable)) return;
  const which = e.key === 'a' || e.key === 'A' ? 'a' : e.key === 'b' || e.key === 'B' ? 'b' : null;
  if (!which) return;
  if (hover && hover.u.over.isConnected) place(which, valueAt(hover.u, hover.axis, hover.px), hover.axis);
  else {
    const at = page.moment();
    if (Number.isFinite(at)) place(which, at, 'time');
  }
}

/** Both lines on a strip, labelled, with the range between them shaded. */
function drawLines(u, axis) {
  const c = cursors();
  if (c.axis !== axis || (c.a === null && c.b === null)) return;
  const { ctx: g, bbox } = u;
  const dpr = devicePixelRatio || 1;
  const xOf = (v) => (v === null ? null : u.valToPos(v * SCALE[axis], 'x', true));
  const xa = xOf(c.a);
  const xb = xOf(c.b);
  const lo = bbox.left;
  const hi = bbox.left + bbox.width;
  g.save();
  if (xa !== null && xb !== null) {
    const from = Math.max(lo, Math.min(xa, xb));
    const to = Math.min(hi, Math.max(xa, xb));
    if (to > from) {
      g.fillStyle = 'rgba(148,163,184,0.10)';
      g.fillRect(from, bbox.top, to - from, bbox.height);
    }
  }
  g.font = `bold ${Math.round(10 * dpr)}px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif`;
  g.textBaseline = 'top';
  g.textAlign = 'left'; // uPlot leaves the axes' alignment behind
  for (const [which, x] of [['a', xa], ['b', xb]]) {
    if (x === null || x < lo - 1 || x > hi + 1) continue;
    const color = CURSOR_COLORS[which];
    g.fillStyle = color;
    g.fillRect(Math.round(x - dpr / 2), bbox.top, Math.max(1, Math.round(1.5 * dpr)), bbox.height);
    const label = which.toUpperCase();
    const w = g.measureText(label).width + 4 * dpr;
    // The label sits beside its line, inside the plot: A to the left of a line near the right edge.
    const lx = x + w + 2 * dpr > hi ? x - w - 1 * dpr : x + 2 * dpr;
    g.fillRect(lx, bbox.top, w, 12 * dpr);
    g.fillStyle = '#0b0f17';
    g.fillText(label, lx + 2 * dpr, bbox.top + 1 * dpr);
  }
  g.restore();
}
