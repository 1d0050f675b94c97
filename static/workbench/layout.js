// The layout document (docs/layouts.md) read and written: parseLayout checks a layout and
// fills in its defaults, formatLayout writes it back as a person would (defaults left out),
// toParam/fromParam carry it in the link (`layout=`), and the edits the page makes return a
// new layout, checked again. Pure: no DOM, no storage. The kinds are layout-kinds.js's table;
// the built-in layouts, and a link made before layouts turned into one (`fromLegacy`), are
// builtins.js's.
//
// A layout as the page holds it is normalised: every panel has every field of its kind
// (defaults filled in) and its `grid` has `w` and `h`; `title`, a histogram's `bins` and a
// grid's `col`/`row` are there only when written; `references` only when it lists some
// (layout-references.js). Layouts are plain objects: an edit makes a
// new one rather than changing one in place.

import { COLUMNS, GRID_FIELDS, KINDS, KIND_NAMES } from './layout-kinds.js';
import { formatReferences, parseReferences } from './layout-references.js';

export { KINDS, KIND_NAMES };

/** The version of the document this page reads and writes. */
export const VERSION = 1;
export const MAX_PANELS = 24;
/** A name or title, in characters. */
export const MAX_LABEL = 60;
/** A layout written compactly (formatLayout) is at most this many bytes: it fits a link. */
export const MAX_BYTES = 8 * 1024;
/** Text read as a layout (a file, pretty-printed) is at most this long before it is parsed. */
export const MAX_TEXT = 64 * 1024;

const TOP_FIELDS = ['version', 'name', 'panels', 'references'];
const PANEL_FIELDS = ['kind', 'title', 'grid'];
const utf8 = new TextEncoder();
const quote = (v) => JSON.stringify(v);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLabel = (v) => typeof v === 'string' && v !== '' && [...v].length <= MAX_LABEL;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * A layout read from `value`: its JSON text, or the value JSON.parse gave.
 * @returns {{ok: true, layout: object} | {ok: false, error: string}}  the error names the first problem
 */
export function parseLayout(value) {
  let doc = value;
  if (typeof value === 'string') {
    if (value.length > MAX_TEXT) return fail(`a layout is at most ${MAX_TEXT / 1024} KiB of text, not ${kib(value.length)}`);
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return fail(`not JSON: ${e.message}`);
    }
  }
  if (!isObject(doc) || !('version' in doc) || !('panels' in doc)) {
    return fail('not a layout: an object with "version" and "panels" is expected');
  }
  if (!Number.isInteger(doc.version) || doc.version < 1) return fail(`layout version ${quote(doc.version)} is not one this page reads (${VERSION})`);
  if (doc.version > VERSION) return fail(`layout version ${doc.version} is newer than this page reads (${VERSION})`);
  const extra = Object.keys(doc).find((k) => !TOP_FIELDS.includes(k));
  if (extra !== undefined) return fail(`unknown field ${quote(extra)} (${TOP_FIELDS.join(', ')})`);
  if (doc.name !== undefined && !isLabel(doc.name)) return fail(`"name" must be 1 to ${MAX_LABEL} characters`);
  const refs = parseReferences(doc.references);
  if (refs.error) return fail(refs.error);
  const { panels } = doc;
  if (!Array.isArray(panels)) return fail(`panels: an array of 1 to ${MAX_PANELS} panels is expected`);
  if (panels.length < 1 || panels.length > MAX_PANELS) return fail(`panels: 1 to ${MAX_PANELS} panels are expected, not ${panels.length}`);

  const layout = { version: VERSION };
  if (doc.name !== undefined) layout.name = doc.name;
  layout.panels = [];
  const seen = new Set();
  for (const [i, p] of panels.entries()) {
    const read = parsePanel(p);
    const at = `panel ${i + 1}${read.kind ? ` (${read.kind})` : ''}`;
    if (read.error) return fail(`${at}: ${read.error}`);
    if (KINDS[read.kind].one && seen.has(read.kind)) return fail(`${at}: a layout has one ${read.kind} panel at most`);
    seen.add(read.kind);
    // A panel placed over an earlier one flows in order instead (the grid puts it where it
    // fits): the page's own edits (a placed panel widened, two placed panels swapped) can
    // make such a layout, and a link to it must still open.
    if (overlapped(layout.panels, read.panel.grid) >= 0) {
      delete read.panel.grid.col;
      delete read.panel.grid.row;
    }
    layout.panels.push(read.panel);
  }
  if (refs.value) layout.references = refs.value;
  const bytes = utf8.encode(JSON.stringify(formatLayout(layout))).length;
  if (bytes > MAX_BYTES) return fail(`a layout is at most ${MAX_BYTES / 1024} KiB written compactly, not ${kib(bytes)}`);
  return { ok: true, layout };
}

const fail = (error) => ({ ok: false, error });

/** One panel: `{kind, panel}` or `{kind?, error}`. */
function parsePanel(p) {
  if (!isObject(p)) return { error: 'a panel is an object with a "kind"' };
  if (p.kind === undefined) return { error: '"kind" is required' };
  if (!Object.hasOwn(KINDS, p.kind)) return { error: `unknown kind ${quote(p.kind)} (${KIND_NAMES.join(', ')})` };
  const { kind } = p;
  const def = KINDS[kind];
  const extra = Object.keys(p).find((k) => !PANEL_FIELDS.includes(k) && !Object.hasOwn(def.fields, k));
  if (extra !== undefined) return { kind, error: `unknown field ${quote(extra)}` };
  const panel = { kind };
  if (p.title !== undefined) {
    if (!isLabel(p.title)) return { kind, error: `"title" must be 1 to ${MAX_LABEL} characters` };
    panel.title = p.title;
  }
  for (const [field, rule] of Object.entries(def.fields)) {
    const r = rule.check(p[field]);
    if (r.error) return { kind, error: r.error };
    if (r.value !== undefined) panel[field] = r.value;
  }
  const grid = parseGrid(p.grid, def.grid);
  if (grid.error) return { kind, error: grid.error };
  panel.grid = grid.grid;
  return { kind, panel };
}

function parseGrid(g, dflt) {
  if (g === undefined) return { grid: { w: dflt.w, h: dflt.h } };
  if (!isObject(g)) return { error: 'grid must be an object ({"w", "h", "col", "row"})' };
  const extra = Object.keys(g).find((k) => !Object.hasOwn(GRID_FIELDS, k));
  if (extra !== undefined) return { error: `unknown grid field ${quote(extra)}` };
  const grid = { w: dflt.w, h: dflt.h };
  for (const [k, { min, max }] of Object.entries(GRID_FIELDS)) {
    if (g[k] === undefined) continue;
    if (!Number.isInteger(g[k]) || g[k] < min || g[k] > max) return { error: `grid "${k}" must be an integer from ${min} to ${max}` };
    grid[k] = g[k];
  }
  // A panel reaching past the last column would widen the page sideways: it starts further
  // left instead, as the workbench draws it (two placed panels swapped can put a wide one
  // where a narrow one was, and its link must still open).
  if (grid.col !== undefined) grid.col = Math.min(grid.col, COLUMNS - grid.w + 1);
  return { grid };
}

/** The first of `panels` placed (`col` and `row`) where `grid` is placed too, or -1. */
function overlapped(panels, grid) {
  if (grid.col === undefined || grid.row === undefined) return -1;
  const apart = (a, b) => a.col + a.w <= b.col || b.col + b.w <= a.col || a.row + a.h <= b.row || b.row + b.h <= a.row;
  return panels.findIndex((p) => p.grid.col !== undefined && p.grid.row !== undefined && !apart(p.grid, grid));
}

/** The document a person would write for `layout` (a normalised one): defaults left out. */
export function formatLayout(layout) {
  const out = { version: layout.version };
  if (layout.name !== undefined) out.name = layout.name;
  out.panels = layout.panels.map(formatPanel);
  if (layout.references?.length) out.references = formatReferences(layout.references);
  return out;
}

function formatPanel(panel) {
  const def = KINDS[panel.kind];
  const out = { kind: panel.kind };
  if (panel.title !== undefined) out.title = panel.title;
  for (const [field, rule] of Object.entries(def.fields)) {
    const v = panel[field];
    if (v === undefined || sameValue(v, rule.default)) continue;
    out[field] = Array.isArray(v) ? v.slice() : v;
  }
  const grid = {};
  for (const k of Object.keys(GRID_FIELDS)) {
    const v = panel.grid?.[k];
    if (v !== undefined && v !== def.grid[k]) grid[k] = v;
  }
  if (Object.keys(grid).length) out.grid = grid;
  return out;
}

function sameValue(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** `layout` as its JSON text, compact (a link, local storage) or indented for a file. */
export function layoutText(layout, { indent = 0 } = {}) {
  return JSON.stringify(formatLayout(layout), null, indent);
}

export function sameLayout(a, b) {
  return layoutText(a) === layoutText(b);
}

// ---- in the link: `layout=`, base64url of the UTF-8 JSON ------------------------------------

/** Longest `layout=` value read: MAX_BYTES of JSON in base64 (4 characters per 3 bytes). */
const MAX_PARAM = Math.ceil((MAX_BYTES * 4) / 3);

/** The `layout=` value of a layout: base64url (RFC 4648 §5) without padding. */
export function toParam(layout) {
  const bytes = utf8.encode(layoutText(layout));
  if (bytes.length > MAX_BYTES) throw new RangeError(`a layout is at most ${MAX_BYTES / 1024} KiB written compactly, not ${kib(bytes.length)}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The layout a `layout=` value holds: as parseLayout answers, with a reason for junk. */
export function fromParam(param) {
  if (typeof param !== 'string' || param === '') return fail('layout= is empty');
  // Padding is not written, but a link made by another encoder may carry it.
  const s = param.replace(/={1,2}$/, '');
  if (s.length > MAX_PARAM) return fail(`layout= is longer than ${MAX_BYTES / 1024} KiB of JSON`);
  if (!/^[A-Za-z0-9_-]+$/.test(s) || s.length % 4 === 1) return fail('layout= is not base64url');
  let binary;
  try {
    binary = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    return fail('layout= is not base64url');
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return fail('layout= is not UTF-8 text');
  }
  return parseLayout(text);
}

// ---- the edits the page makes ----------------------------------------------------------------

/** Panel `i` replaced by `spec` (checked with the rest: a second map is refused). */
export function replacePanel(layout, i, spec) {
  if (!(i >= 0 && i < layout.panels.length)) return fail(`there is no panel ${i + 1}`);
  return withPanels(layout, layout.panels.map((p, k) => (k === i ? spec : p)));
}

/** `spec` added at the end (or before panel `at`). */
export function addPanel(layout, spec, at = layout.panels.length) {
  const panels = layout.panels.slice();
  panels.splice(Math.max(0, Math.min(at, panels.length)), 0, spec);
  return withPanels(layout, panels);
}

/** Panel `i` taken out; the last panel stays (a layout has one at least). */
export function removePanel(layout, i) {
  if (!(i >= 0 && i < layout.panels.length)) return fail(`there is no panel ${i + 1}`);
  return withPanels(layout, layout.panels.filter((_, k) => k !== i));
}

/** Panel `from` moved to place `to` (0-based; the others keep their order). */
export function movePanel(layout, from, to) {
  const n = layout.panels.length;
  if (!(from >= 0 && from < n)) return fail(`there is no panel ${from + 1}`);
  const panels = layout.panels.slice();
  const [p] = panels.splice(from, 1);
  panels.splice(Math.max(0, Math.min(to, n - 1)), 0, p);
  return withPanels(layout, panels);
}

/** A normalised panel is a valid one as it is, so the edited list is checked whole, as written. */
function withPanels(layout, panels) {
  const doc = { version: layout.version, panels };
  if (layout.name !== undefined) doc.name = layout.name;
  if (layout.references !== undefined) doc.references = layout.references;
  return parseLayout(doc);
}

/** `layout` with `references` (docs/layouts.md) instead of its own: checked as written. */
export function withReferences(layout, references) {
  const doc = { version: layout.version, panels: layout.panels, references };
  if (layout.name !== undefined) doc.name = layout.name;
  return parseLayout(doc);
}
