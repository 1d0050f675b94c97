// The `cursors` panel (docs/layouts.md): the A/B cursors' readout. A table, per channel of
// the strips shown and per car they draw (the focused car first): the value at A, at B,
// B − A, and the minimum, maximum and mean between them, with Δt and the cursors' times
// in its header. Distance cursors read the distance strips' lines instead, per lap drawn.
// The numbers are stats.js's; placing the cursors is cursors.js's, clearing them is here
// too (Esc in the readout, or its ✕). A panel (workbench/panel.js): it redraws when the
// cursors, the cars, the channels or the data changed, at most REDRAW_MS apart, and then
// rewrites only the cells whose numbers changed.

import { checkPanel } from '../workbench/panel.js';
import { requestExport } from '../chrome/export.js';
import { formatValue, labelOf, scaleOf, unitOf } from '../strips/layout.js';
import { CURSOR_COLORS, clearCursors, cursors, distanceLines } from './cursors.js';
import { HOLD_MS, columnStats, delta, readoutRows, timeRows } from './stats.js';

/** The table is redrawn at most this often while the data moves under the cursors. */
const REDRAW_MS = 200;

export const HINT = 'Press a and b over a strip, or Alt-drag a range across one, to place the A and B cursors.';
const AT_TIP = `The value at a cursor is the newest sample at or before it (up to ${HOLD_MS / 1000} s before); `
  + 'min, max and mean are over the samples between A and B, both included.';

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

const pad = (n, w = 2) => String(n).padStart(w, '0');
/** A cursor's time as the strips' axis writes it (local wall clock), to the millisecond. */
export function clockMs(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Δt as a person reads it: "2.380 s", "1 min 02.500 s". */
export function formatSpan(ms) {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(3)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${(s - m * 60).toFixed(3).padStart(6, '0')} s`;
}

/** The channel key of the delta strip's lines, which carry no channel of the records. */
const DELTA = '\u0394';

const COLUMNS = [
  ['a', 'A'], ['b', 'B'], ['diff', 'B − A'], ['min', 'Min'], ['max', 'Max'], ['mean', 'Mean'],
];

/** A statistic as the readout writes it: B − A signed, a gear's mean and difference as plain numbers. */
function formatStat(scale, key, v) {
  if (v === null) return '—';
  const plain = (key === 'diff' || key === 'mean') && scale === 'gear' ? 'auto' : scale;
  const text = formatValue(plain, v);
  return key === 'diff' && v > 0 ? `+${text}` : text;
}

const scaleFor = (channel) => (channel === DELTA ? 'auto' : scaleOf({ channels: [channel] }));

/** One cell of statistic `key`: its text, and its exact value (`data-value`) for tools and tests. */
function fill(td, scale, key, stats) {
  const v = stats[key];
  const text = formatStat(scale, key, v);
  if (td.textContent !== text) td.textContent = text;
  // Written only when they change: the table is refilled up to five times a second.
  const value = v === null ? undefined : String(v);
  if (td.dataset.value !== value) {
    if (value === undefined) delete td.dataset.value;
    else td.dataset.value = value;
  }
  if (key === 'mean') {
    const title = `mean of ${stats.count} sample${stats.count === 1 ? '' : 's'}`;
    if (td.title !== title) td.title = title;
  }
}

/**
 * The `cursors` panel's factory. `ctx.strips()` (when the workbench gives it) lists the strips
 * shown ({channels, cars}); else the page's `ctx.ui.strips`.
 * @param {HTMLElement} body  @param {object} spec  @param {import('../workbench/panel.js').PanelContext} ctx
 */
export function cursorsPanel(body, spec, ctx) {
  const strips = () => ctx.strips?.() ?? ctx.ui.strips ?? [];
  const unit = (name) => ctx.channels?.unit(name) || unitOf(name);
  body.classList.add('cursors-readout');
  body.tabIndex = 0;
  body.setAttribute('aria-label', 'A/B cursors readout: Esc clears the cursors');
  const times = el('span', { className: 'cursors-times', title: AT_TIP });
  times.dataset.testid = 'cursors-times';
  const clear = el('button', { type: 'button', className: 'cursors-clear', textContent: '✕', title: 'Clear the cursors (Esc)' });
  clear.setAttribute('aria-label', 'Clear the A and B cursors');
  clear.dataset.testid = 'cursors-clear';
  const exportAB = el('button', { type: 'button', className: 'link cursors-export', textContent: 'Export A–B', title: 'Export every record between A and B, every car, as CSV, Parquet or JSONL' });
  exportAB.dataset.testid = 'cursors-export';
  exportAB.addEventListener('click', () => {
    const c = cursors();
    if (c.a === null || c.b === null || c.axis !== 'time') return;
    requestExport({ label: 'A–B', span: { fromTs: Math.min(c.a, c.b), toTs: Math.max(c.a, c.b) }, anchor: exportAB });
  });
  const head = el('div', { className: 'cursors-head' }, times, exportAB, clear);
  const hint = el('p', { className: 'cursors-hint', textContent: HINT });
  const table = el('table', { className: 'cursors-table' });
  table.dataset.testid = 'cursors-table';
  const wrap = el('div', { className: 'cursors-scroll' }, table);
  body.append(head, hint, wrap);

  /** What rows the table was built for: the same rows again are refilled, not rebuilt. */
  let tableShape = '';
  /** The cursors the header was written for. */
  let headerKey = '';
  /** The strips the frame key last read, and their text, so the key costs no JSON per frame. */
  let stripsSeen = null;
  let stripsText = '';
  let key = '';
  let drawnAt = -Infinity;
  let cursorsKey = '';
  const onClear = () => clearCursors();
  const onKey = (e) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    clearCursors();
  };
  clear.addEventListener('click', onClear);
  body.addEventListener('keydown', onKey);

  function draw() {
    const c = cursors();
    const set = c.a !== null || c.b !== null;
    const both = c.a !== null && c.b !== null;
    body.dataset.state = both ? 'range' : set ? 'one' : 'none';
    clear.hidden = !set;
    // Distance cursors are metres into laps, not a span of the topic.
    exportAB.hidden = !both || c.axis !== 'time';
    hint.hidden = both;
    const at = `${c.a}|${c.b}|${c.axis}`;
    if (at !== headerKey) times.replaceChildren(...header(c));
    headerKey = at;
    wrap.hidden = !both;
    if (!both) {
      say(HINT);
      tableShape = '';
      table.replaceChildren();
      return;
    }
    const rows = c.axis === 'distance' ? distanceRows(c) : carRows(c);
    if (rows.length === 0) {
      hint.hidden = false;
      say(c.axis === 'distance' ? 'No lap is drawn on the Distance strips yet.' : 'No car is drawn on the strips.');
    } else say(HINT);
    // The same rows as last time (the data moved under the cursors): only the numbers change.
    const shape = `${c.axis}|${rows.map((r) => `${r.channel}\u0000${r.who}\u0000${r.focus}`).join('\u0001')}`;
    if (shape === tableShape) refill(rows);
    else table.replaceChildren(thead(c.axis === 'distance' ? 'Lap' : 'Car'), ...tbodies(rows));
    tableShape = shape;
  }

  /** Writes `rows`' statistics into the cells of a table built for the same rows. */
  function refill(rows) {
    const cells = table.querySelectorAll('td[data-stat]');
    rows.forEach((r, n) => {
      const scale = scaleFor(r.channel);
      COLUMNS.forEach(([key], k) => fill(cells[n * COLUMNS.length + k], scale, key, r.stats));
    });
  }

  function say(text) {
    if (hint.textContent !== text) hint.textContent = text;
  }

  /** Per channel of the strips, per car they draw (the focused car first). */
  function carRows(c) {
    const focus = ctx.focus();
    return (timeRows(ctx.store.cars, readoutRows(strips(), focus, ctx.drawn()), c) ?? [])
      .map((r) => ({ channel: r.channel, who: `#${r.car}`, car: r.car, focus: r.car === focus, stats: r.stats }));
  }

  /** Per line of the Distance strips: each lap drawn of each channel, and the delta's lines. */
  function distanceRows(c) {
    return distanceLines().map((l) => ({
      channel: l.channel ?? DELTA, who: l.line, car: null, focus: /^now\b/.test(l.line), stats: columnStats(l.xs, l.ys, c.a, c.b),
    }));
  }

  function header(c) {
    const part = (which) => {
      const v = c[which];
      const s = el('span', { className: 'cursors-at' },
        el('b', { textContent: which.toUpperCase(), style: `color:${CURSOR_COLORS[which]}` }),
        ` ${v === null ? 'not placed' : c.axis === 'distance' ? `${formatValue('auto', v)} m` : clockMs(v)}`);
      s.dataset.cursor = which;
      if (v !== null) s.dataset.value = String(v);
      return s;
    };
    const d = delta(c);
    const dt = el('span', { className: 'cursors-dt', textContent: d === null ? '' : c.axis === 'distance' ? `Δ ${formatValue('auto', d)} m` : `Δt ${formatSpan(d)}` });
    dt.dataset.testid = 'cursors-dt';
    if (d !== null) dt.dataset.value = String(d);
    return [part('a'), part('b'), dt];
  }

  function thead(who) {
    return el('thead', {}, el('tr', {},
      el('th', { scope: 'col', textContent: 'Channel' }),
      el('th', { scope: 'col', textContent: who }),
      ...COLUMNS.map(([k, text]) => el('th', { scope: 'col', className: 'num', textContent: text, title: k === 'a' || k === 'b' ? AT_TIP : '' }))));
  }

  /** One tbody per channel, its name and unit on the first row. */
  function tbodies(rows) {
    const groups = new Map();
    for (const r of rows) {
      let g = groups.get(r.channel);
      if (!g) groups.set(r.channel, (g = []));
      g.push(r);
    }
    return [...groups].map(([channel, list]) => {
      const isDelta = channel === DELTA;
      const scale = scaleFor(channel);
      const u = isDelta ? 's' : unit(channel);
      const tb = el('tbody');
      tb.dataset.channel = channel;
      list.forEach((r, k) => {
        const tr = el('tr');
        if (r.car !== null) tr.dataset.car = r.car;
        else tr.dataset.line = r.who;
        if (r.focus) tr.classList.add('focus');
        if (k === 0) {
          tr.append(el('th', { scope: 'rowgroup', rowSpan: list.length, title: isDelta ? 'Time lost (+) or gained (−) against the reference lap' : channel },
            isDelta ? 'Delta' : labelOf({ channels: [channel] }), u ? el('span', { className: 'cursors-unit', textContent: ` ${u}` }) : ''));
        }
        tr.append(el('td', { className: 'cursors-car', textContent: r.who }));
        for (const [key] of COLUMNS) {
          const td = el('td', { className: 'num' });
          td.dataset.stat = key;
          fill(td, scale, key, r.stats);
          tr.append(td);
        }
        tb.append(tr);
      });
      return tb;
    });
  }

  return checkPanel('cursors', {
    frame(now) {
      const c = cursors();
      const shown = strips();
      if (shown !== stripsSeen) {
        stripsSeen = shown;
        stripsText = JSON.stringify(shown);
      }
      const next = [c.a, c.b, c.axis, ctx.store.version, ctx.focus(), ctx.drawn().join(','), stripsText].join('|');
      if (next === key) return;
      // The data moving under set cursors redraws at the pace; the cursors themselves at once.
      const ck = `${c.a}|${c.b}|${c.axis}`;
      if (ck === cursorsKey && now - drawnAt < REDRAW_MS) return;
      key = next;
      cursorsKey = ck;
      drawnAt = now;
      draw();
    },
    resize() {
      key = '';
      tableShape = '';
      headerKey = '';
    },
    destroy() {
      clear.removeEventListener('click', onClear);
      body.removeEventListener('keydown', onKey);
      body.replaceChildren();
    },
  });
}
