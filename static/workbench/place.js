// Where the workbench's panels go, pure (no DOM): the columns a screen width has, a panel's
// span clamped to them, and the edits the panel tools and the mouse make to a layout's
// panels (move earlier or later, drop in another place, resize within bounds). Each edit
// returns a new array and leaves the panels it does not touch as they were. The layout
// document is docs/layouts.md; tested by tests/js/workbench/place.test.mjs.

/** The grid of docs/layouts.md: 12 columns of rows 40 px tall; spans' bounds. */
export const COLUMNS = 12;
export const ROW_PX = 40;
export const GAP_PX = 6;
export const MAX_W = 12;
export const MAX_H = 24;
/** Under these widths (px) the grid has 6 columns, then one (docs/layouts.md). */
export const NARROW_PX = 1100;
export const SINGLE_PX = 800;

/** The columns a grid `width` px wide has. */
export function columnsFor(width) {
  if (width < SINGLE_PX) return 1;
  if (width < NARROW_PX) return 6;
  return COLUMNS;
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const int = (v, fallback) => (Number.isInteger(v) ? v : fallback);

/**
 * A panel's size, its kind's default where the layout says none.
 * @param {{grid?: {w?: number, h?: number}}} panel  @param {{w: number, h: number}} def
 */
export function sizeOf(panel, def) {
  return { w: clamp(int(panel.grid?.w, def.w), 1, MAX_W), h: clamp(int(panel.grid?.h, def.h), 1, MAX_H) };
}

/**
 * Where a panel goes on a grid of `cols` columns: its span clamped to them, and its column
 * and row when the layout places it and the grid has all 12 columns (narrower grids flow
 * every panel in order, so nothing overflows sideways).
 * @returns {{w: number, h: number, col: number|null, row: number|null}}
 */
export function placement(panel, def, cols) {
  const { w: want, h } = sizeOf(panel, def);
  const w = Math.min(want, cols);
  const placed = cols === COLUMNS && Number.isInteger(panel.grid?.col) && Number.isInteger(panel.grid?.row);
  return {
    w, h,
    col: placed ? clamp(panel.grid.col, 1, cols - w + 1) : null,
    row: placed ? clamp(panel.grid.row, 1, 200) : null,
  };
}

/** The CSS of a placement: `grid-column` and `grid-row`. */
export function gridCss({ w, h, col, row }) {
  return {
    gridColumn: col === null ? `span ${w}` : `${col} / span ${w}`,
    gridRow: row === null ? `span ${h}` : `${row} / span ${h}`,
  };
}

/** A panel without its column and row: it flows in order again. */
function unplaced(p) {
  if (!p.grid || (p.grid.col === undefined && p.grid.row === undefined)) return p;
  const { col, row, ...grid } = p.grid; // eslint-disable-line no-unused-vars
  return { ...p, grid };
}

const isPlaced = (p) => Number.isInteger(p.grid?.col) && Number.isInteger(p.grid?.row);

/**
 * Panel `i` swapped with its neighbour `delta` places away (-1 earlier, +1 later); unchanged
 * at either end. Two panels the layout places swap their places (each keeps its size); else
 * both flow in order again.
 */
export function movePanel(panels, i, delta) {
  return swapPanels(panels, i, i + delta);
}

function swapPanels(panels, i, j) {
  if (!(i >= 0 && i < panels.length && j >= 0 && j < panels.length) || i === j) return panels;
  const out = panels.slice();
  const [p, q] = [out[i], out[j]];
  if (isPlaced(p) && isPlaced(q)) {
    out[i] = { ...q, grid: { ...q.grid, col: p.grid.col, row: p.grid.row } };
    out[j] = { ...p, grid: { ...p.grid, col: q.grid.col, row: q.grid.row } };
  } else {
    [out[i], out[j]] = [unplaced(q), unplaced(p)];
  }
  return out;
}

/**
 * Panel `from` dropped onto panel `to` (a header dragged there): two placed panels swap
 * their places; else it is taken out and put in at place `to`, flowing in order.
 */
export function dropPanel(panels, from, to) {
  if (!(from >= 0 && from < panels.length && to >= 0 && to < panels.length) || from === to) return panels;
  if (isPlaced(panels[from]) && isPlaced(panels[to])) return swapPanels(panels, from, to);
  const out = panels.slice();
  const [p] = out.splice(from, 1);
  out.splice(to, 0, unplaced(p));
  return out;
}

/**
 * Panel `i` at `w`×`h` grid units, within 1..12 × 1..24 (and the columns right of its
 * column when placed); unchanged when that is its size already.
 */
export function sizePanel(panels, i, w, h, def) {
  const p = panels[i];
  if (!p) return panels;
  const maxW = Number.isInteger(p.grid?.col) ? MAX_W - p.grid.col + 1 : MAX_W;
  const size = { w: clamp(Math.round(w), 1, maxW), h: clamp(Math.round(h), 1, MAX_H) };
  const now = sizeOf(p, def);
  if (size.w === now.w && size.h === now.h) return panels;
  return panels.map((q, k) => (k === i ? { ...q, grid: { ...q.grid, ...size } } : q));
}

/** Panel `i` grown by `dw` columns and `dh` rows (negative: shrunk), within bounds. */
export function resizePanel(panels, i, dw, dh, def) {
  const p = panels[i];
  if (!p) return panels;
  const { w, h } = sizeOf(p, def);
  return sizePanel(panels, i, w + dw, h + dh, def);
}

/**
 * The grid units a pointer dragged to (`dx`, `dy` px from the panel's top-left corner)
 * stands for: each column `colPx` wide, rows ROW_PX tall, gaps GAP_PX between.
 */
export function unitsAt(dx, dy, colPx) {
  return {
    w: Math.max(1, Math.round((dx + GAP_PX) / (colPx + GAP_PX))),
    h: Math.max(1, Math.round((dy + GAP_PX) / (ROW_PX + GAP_PX))),
  };
}

const overlaps = (a, b) => a.col < b.col + b.w && b.col < a.col + a.w && a.row < b.row + b.h && b.row < a.row + a.h;

/**
 * The layout with no two placed panels over each other: panel `i` (the one just moved or
 * resized) stays where it is, and every other placed panel that it, or a panel pushed
 * before, covers goes down below it, top to bottom (as a panel grown taller pushes the one
 * under it). Panels without a place flow into what is left; nothing else changes.
 * @param {(kind: string) => {w: number, h: number}} defOf  a kind's default size
 */
export function settle(panels, i, defOf) {
  const rect = (p) => ({ ...placement(p, defOf(p.kind), COLUMNS) });
  const placed = panels.map((p, k) => k).filter((k) => isPlaced(panels[k]));
  if (!placed.includes(i)) return panels;
  const order = [i, ...placed.filter((k) => k !== i).sort((a, b) => panels[a].grid.row - panels[b].grid.row || panels[a].grid.col - panels[b].grid.col)];
  let out = panels;
  const settled = [];
  for (const k of order) {
    const r = rect(out[k]);
    for (let moved = true; moved;) {
      moved = false;
      for (const s of settled) {
        if (overlaps(r, s)) {
          r.row = s.row + s.h;
          moved = true;
        }
      }
    }
    if (r.row !== out[k].grid.row) {
      if (out === panels) out = panels.slice();
      out[k] = { ...out[k], grid: { ...out[k].grid, row: Math.min(200, r.row) } };
    }
    settled.push(r);
  }
  return out;
}
