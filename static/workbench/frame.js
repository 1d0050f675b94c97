// A panel's frame on the workbench: its root `<section class="panel" data-panel-kind>`, the
// header bar with its title and tools (move earlier or later, narrower, wider, shorter,
// taller, remove), the body its kind draws in, and the bottom-right handle the mouse
// resizes it by. The tools only say what was asked (`data-tool`); grid.js does it. Also
// `adopt`, the panel of a kind whose DOM already exists on the page (the map, the tower):
// the node moves into the body, and back where it was kept when the panel goes.

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** The header's tools: what each does, its text, what a screen reader says, its key. */
const TOOLS = [
  ['earlier', '‹', 'Move {} earlier', 'Alt+← or Alt+↑'],
  ['later', '›', 'Move {} later', 'Alt+→ or Alt+↓'],
  ['narrower', 'W−', 'Make {} narrower', 'Alt+Shift+←'],
  ['wider', 'W+', 'Make {} wider', 'Alt+Shift+→'],
  ['shorter', 'H−', 'Make {} shorter', 'Alt+Shift+↑'],
  ['taller', 'H+', 'Make {} taller', 'Alt+Shift+↓'],
  ['remove', '×', 'Remove the {} panel', 'Delete'],
];

/**
 * The key a panel header with the focus turns into a tool, or null: Alt+arrows move the
 * panel, Alt+Shift+arrows resize it, Delete removes it.
 */
export function toolOfKey(e) {
  if (e.key === 'Delete' && !e.altKey && !e.ctrlKey && !e.metaKey) return 'remove';
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  const moves = { ArrowLeft: 'earlier', ArrowUp: 'earlier', ArrowRight: 'later', ArrowDown: 'later' };
  const sizes = { ArrowLeft: 'narrower', ArrowRight: 'wider', ArrowUp: 'shorter', ArrowDown: 'taller' };
  return (e.shiftKey ? sizes : moves)[e.key] ?? null;
}

/**
 * A panel's frame, titled `title`.
 * @returns {{section: HTMLElement, bar: HTMLElement, body: HTMLElement, handle: HTMLElement}}
 */
export function panelFrame(kind, title) {
  const tools = el('span', { className: 'panel-tools' }, ...TOOLS.map(([tool, text, label, key]) => {
    const name = label.replace('{}', title);
    const b = el('button', { type: 'button', className: 'panel-tool', textContent: text, title: `${name} (${key}; keys work while the panel's header has the focus)` });
    b.dataset.tool = tool;
    b.setAttribute('aria-label', name);
    return b;
  }));
  const bar = el('header', { className: 'panel-bar', tabIndex: 0, title: 'Drag to move the panel; Alt+arrows move it, Alt+Shift+arrows resize it, Delete removes it' },
    el('h2', { className: 'panel-title', textContent: title }), tools);
  bar.setAttribute('aria-label', `${title} panel: Alt+arrows move it, Alt+Shift+arrows resize it, Delete removes it`);
  const body = el('div', { className: 'panel-body' });
  const handle = el('div', { className: 'panel-resize', title: 'Drag to resize the panel' });
  handle.setAttribute('aria-hidden', 'true');
  const section = el('section', { className: 'panel' }, bar, body, handle);
  section.dataset.panelKind = kind;
  section.dataset.testid = 'panel';
  section.setAttribute('aria-label', title);
  return { section, bar, body, handle };
}

/**
 * The panel of a node already on the page (found by its kind's coordinator): moved into
 * `body`, and back to where it was kept when the panel is destroyed. `view`: what draws it
 * each frame (core/view.js), or nothing for a node drawn when a message changes it.
 */
export function adopt(body, node, view = null) {
  const home = node.parentNode;
  const next = node.nextSibling;
  body.append(node);
  view?.resize();
  return {
    frame: (now) => view?.frame(now),
    write: (now) => view?.write?.(now),
    resize: () => view?.resize(),
    destroy: () => {
      // A panel of the same node built before this one went (its spec changed) keeps it.
      if (node.parentNode !== body) return;
      home?.insertBefore(node, next?.parentNode === home ? next : null);
      view?.resize();
    },
  };
}
