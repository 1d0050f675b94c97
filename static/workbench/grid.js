// The workbench: the page's panels on a CSS grid of 12 columns (6 under 1100 px, one under
// 800 px) and rows 40 px tall, placed from a layout document (docs/layouts.md). It builds
// each panel's frame (frame.js) and its content through the kind's factory (kinds.js),
// keeps the panels the layout still has when it changes, does what the header tools, the
// keys and the mouse ask (place.js's arithmetic), and tells which panels are on screen so
// the animation-frame loop draws those only.

import { panelFrame, toolOfKey } from './frame.js';
import { checkPanel, PICKED } from './panel.js';
import { columnsFor, dropPanel, gridCss, movePanel, placement, resizePanel, settle, sizePanel, unitsAt } from './place.js';

/** What a panel is, without where it goes: two panels with the same key show the same thing. */
const keyOf = (spec) => {
  const { grid, title, ...rest } = spec; // eslint-disable-line no-unused-vars
  return JSON.stringify(rest);
};

export class Workbench {
  /**
   * @param {HTMLElement} el  the grid
   * @param {{kinds: Record<string, {title: string|((spec: object) => string), w: number, h: number,
   *   one: boolean, make: Function}>, ctx: object, check: (layout: object) => {ok: boolean, layout?: object,
   *   error?: string}, onChange: (layout: object) => void, onRefused?: (error: string) => void,
   *   onApplied?: (panels: object[]) => void}} opts  `ctx`: what every panel reads (workbench/panel.js);
   *   `check`: the layout codec (layout.js parseLayout: a changed layout is kept normalised, or refused
   *   with its reason); `onChange`: the person changed the layout; `onApplied`: the panels shown, in order,
   *   after each change
   */
  constructor(el, { kinds, ctx, check, onChange, onRefused = () => {}, onApplied = () => {} }) {
    this.el = el;
    this.kinds = kinds;
    this.ctx = ctx;
    this.check = check;
    this.onChange = onChange;
    this.onRefused = onRefused;
    this.onApplied = onApplied;
    this.layout = { version: 1, panels: [] };
    /** The panels shown, in the layout's order: {kind, spec, key, section, body, panel, onScreen}. */
    this.panels = [];
    this.cols = 0;
    this.seen = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const p = this.panels.find((q) => q.section === e.target);
        if (p) p.onScreen = e.isIntersecting;
      }
    });
    el.addEventListener('click', (e) => this.clicked(e));
    el.addEventListener('keydown', (e) => this.keyed(e));
    el.addEventListener('pointerdown', (e) => this.pressed(e));
    document.addEventListener(PICKED, (e) => this.picked(e.detail));
    window.addEventListener('resize', () => this.place());
  }

  /** The kind's facts; unknown kinds (a layout from a newer page) are not shown. */
  kind(kind) {
    return this.kinds[kind] ?? null;
  }

  titleOf(spec) {
    const k = this.kind(spec.kind);
    if (typeof spec.title === 'string' && spec.title !== '') return spec.title;
    return typeof k.title === 'function' ? k.title(spec) : k.title;
  }

  /** Shows `layout`: panels it still has are kept, the others built or destroyed; then placed. */
  apply(layout) {
    const focus = this.focusedTool();
    this.layout = layout;
    const old = this.panels;
    const used = new Set();
    this.panels = layout.panels.filter((spec) => this.kind(spec.kind)).map((spec) => {
      const key = keyOf(spec);
      const same = old.find((p) => !used.has(p) && p.key === key && p.title === this.titleOf(spec));
      if (same) {
        used.add(same);
        same.spec = spec;
        return same;
      }
      return this.build(spec, key);
    });
    for (const p of old) if (!used.has(p)) this.destroy(p);
    this.el.replaceChildren(...this.panels.map((p) => p.section));
    this.cols = 0;
    this.place();
    this.onApplied(this.panels);
    this.refocus(focus);
  }

  build(spec, key) {
    const k = this.kind(spec.kind);
    const title = this.titleOf(spec);
    const { section, bar, body } = panelFrame(spec.kind, title);
    const p = { kind: spec.kind, spec, key, title, section, bar, body, panel: null, onScreen: false };
    const ctx = { ...this.ctx, update: (next) => this.update(p, next) };
    p.panel = checkPanel(spec.kind, k.make(body, spec, ctx));
    this.seen.observe(section);
    return p;
  }

  destroy(p) {
    this.seen.unobserve(p.section);
    p.panel.destroy();
    p.section.remove();
  }

  /** Sets each panel's grid span for the columns the screen has now. */
  place() {
    const cols = columnsFor(window.innerWidth);
    const changed = cols !== this.cols;
    this.cols = cols;
    this.el.style.setProperty('--cols', String(cols));
    for (const p of this.panels) {
      const { gridColumn, gridRow } = gridCss(placement(p.spec, this.kind(p.kind), cols));
      if (p.section.style.gridColumn !== gridColumn) p.section.style.gridColumn = gridColumn;
      if (p.section.style.gridRow !== gridRow) p.section.style.gridRow = gridRow;
    }
    if (changed) for (const p of this.panels) p.panel.resize();
  }

  /** The panels on screen: what the animation-frame loop draws. */
  shown() {
    return this.panels.filter((p) => p.onScreen);
  }

  has(kind) {
    return this.layout.panels.some((p) => p.kind === kind);
  }

  /**
   * A new layout from the person: shown, then told (the URL keeps it). `moved`: the index of
   * the panel just moved or resized, which pushes the placed panels it covers down.
   */
  change(panels, moved = null) {
    if (panels === this.layout.panels) return;
    if (moved !== null) panels = settle(panels, moved, (kind) => this.kind(kind) ?? { w: 4, h: 4 });
    const r = this.check({ ...this.layout, panels });
    if (!r.ok) {
      this.onRefused(r.error);
      return;
    }
    this.apply(r.layout);
    this.onChange(r.layout);
  }

  /** A panel changed its own spec (a channel added in its header). */
  update(p, spec) {
    const i = this.panels.indexOf(p);
    if (i < 0) return;
    const at = this.layout.panels.indexOf(p.spec);
    if (at < 0) return;
    const { title, grid } = p.spec;
    this.change(this.layout.panels.map((s, k) => (k === at ? { ...spec, kind: p.kind, ...(title ? { title } : {}), ...(grid ? { grid } : {}) } : s)));
  }

  /** Adds a panel of `spec` at the end; a second panel of a singleton kind is refused. */
  add(spec) {
    const k = this.kind(spec.kind);
    if (!k || (k.one && this.has(spec.kind)) || this.layout.panels.length >= 24) return false;
    this.change([...this.layout.panels, spec]);
    return true;
  }

  /** Panel `i` of the layout (its index among the layout's panels) does `tool`. */
  tool(i, tool) {
    const panels = this.layout.panels;
    const def = this.kind(panels[i]?.kind);
    if (!def) return;
    switch (tool) {
      case 'earlier': return this.change(movePanel(panels, i, -1), i - 1);
      case 'later': return this.change(movePanel(panels, i, 1), i + 1);
      case 'narrower': return this.change(resizePanel(panels, i, -1, 0, def), i);
      case 'wider': return this.change(resizePanel(panels, i, 1, 0, def), i);
      case 'shorter': return this.change(resizePanel(panels, i, 0, -1, def), i);
      case 'taller': return this.change(resizePanel(panels, i, 0, 1, def), i);
      case 'remove': return this.change(panels.filter((_, k) => k !== i));
      default:
    }
  }

  /** The layout index of the panel holding `node`, or -1. */
  indexOf(node) {
    const p = this.panels.find((q) => q.section.contains(node));
    return p ? this.layout.panels.indexOf(p.spec) : -1;
  }

  clicked(e) {
    const b = e.target.closest('.panel-bar button[data-tool]');
    if (b) this.tool(this.indexOf(b), b.dataset.tool);
  }

  keyed(e) {
    if (!e.target.closest('.panel-bar')) return;
    const tool = toolOfKey(e);
    if (!tool) return;
    e.preventDefault();
    e.stopPropagation();
    this.tool(this.indexOf(e.target), tool);
  }

  /** The tool (or header) the keyboard is on, to be found again once the panels are rebuilt. */
  focusedTool() {
    const a = document.activeElement;
    if (!a || !this.el.contains(a) || !a.closest('.panel-bar')) return null;
    const p = this.panels.find((q) => q.section.contains(a));
    return p ? { spec: p.spec, tool: a.dataset.tool ?? null, index: this.panels.indexOf(p) } : null;
  }

  refocus(f) {
    if (!f) return;
    // The panel moved keeps its spec object when only its place changed; else the same index.
    const p = this.panels.find((q) => q.spec.kind === f.spec.kind && keyOf(q.spec) === keyOf(f.spec)) ?? this.panels[Math.min(f.index, this.panels.length - 1)];
    if (!p) return;
    const b = f.tool ? p.bar.querySelector(`[data-tool="${f.tool}"]`) : null;
    (b ?? p.bar).focus();
  }

  /** The channel picker answered a "+ Panel" that needed a channel: the panel is added. */
  picked(detail) {
    const kind = detail?.new;
    const k = typeof kind === 'string' ? this.kind(kind) : null;
    if (!k || typeof detail.name !== 'string' || detail.name === '') return;
    const field = k.pick ?? 'channels';
    this.add({ kind, ...(k.initial ?? {}), [field]: field === 'channels' ? [detail.name] : detail.name });
  }

  /** "+ Panel": a kind that reads channels asks the picker first; the others are added at once. */
  addKind(kind) {
    const k = this.kind(kind);
    if (!k) return;
    if (k.pick) this.ctx.pickChannel({ strip: null, new: kind, where: `for a new ${this.titleOf({ kind, ...(k.initial ?? {}), channels: [] })} panel` });
    else this.add({ kind, ...(k.initial ?? {}) });
  }

  // ---- the mouse: a header dragged onto another panel, the corner handle dragged -----------

  pressed(e) {
    if (e.button !== 0) return;
    const handle = e.target.closest('.panel-resize');
    const bar = !handle && e.target.closest('.panel-bar');
    if ((!handle && !bar) || (bar && e.target.closest('button'))) return;
    const i = this.indexOf(e.target);
    const p = this.panels.find((q) => q.spec === this.layout.panels[i]);
    if (!p) return;
    e.preventDefault();
    const target = e.target;
    target.setPointerCapture?.(e.pointerId);
    if (handle) this.dragSize(p, i, target);
    else this.dragMove(p, i, target);
  }

  /** The handle follows the pointer in whole grid units; the size is kept on release. */
  dragSize(p, i, target) {
    const box = p.section.getBoundingClientRect();
    const colPx = this.columnWidth();
    const def = this.kind(p.kind);
    let size = null;
    const move = (e) => {
      size = unitsAt(e.clientX - box.left, e.clientY - box.top, colPx);
      size.w = Math.min(size.w, this.cols);
      p.section.style.gridColumn = p.section.style.gridColumn.replace(/span \d+/, `span ${size.w}`);
      p.section.style.gridRow = p.section.style.gridRow.replace(/span \d+/, `span ${size.h}`);
    };
    this.track(target, move, () => {
      if (size) this.change(sizePanel(this.layout.panels, i, size.w, size.h, def), i);
      else this.place();
    });
  }

  /** The header dragged: the panel under the pointer is marked, and on release the panel goes there. */
  dragMove(p, i, target) {
    let over = null;
    p.section.classList.add('dragging');
    const move = (e) => {
      const under = document.elementFromPoint(e.clientX, e.clientY)?.closest('.panel');
      const next = under && under !== p.section && this.el.contains(under) ? under : null;
      if (next === over) return;
      over?.classList.remove('drop-target');
      over = next;
      over?.classList.add('drop-target');
    };
    this.track(target, move, () => {
      p.section.classList.remove('dragging');
      over?.classList.remove('drop-target');
      const to = over ? this.indexOf(over) : -1;
      if (to >= 0) this.change(dropPanel(this.layout.panels, i, to), to);
    });
  }

  track(target, move, done) {
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      target.removeEventListener('pointercancel', up);
      done();
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
    target.addEventListener('pointercancel', up);
  }

  /** One column's width (px) on the grid as it is now. */
  columnWidth() {
    const cs = getComputedStyle(this.el);
    const gap = parseFloat(cs.columnGap) || 0;
    const inner = this.el.clientWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0);
    return (inner - gap * (this.cols - 1)) / this.cols;
  }
}
