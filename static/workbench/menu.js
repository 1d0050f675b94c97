// The "+ Panel" menu: one item per kind of the registry (kinds.js), a kind a layout has one
// of at most disabled while it is shown. Choosing an item asks the workbench for the panel
// (grid.js `addKind`: a kind that reads channels asks the channel picker first). Keys: the
// menu opens on Enter or a click, ↑/↓ move through it, Escape closes it.

export class PanelMenu {
  /**
   * @param {HTMLElement} root  holds `[data-testid=add-panel]` and `[data-testid=panel-menu]`
   * @param {import('./grid.js').Workbench} bench
   */
  constructor(root, bench) {
    this.bench = bench;
    this.button = root.querySelector('[data-testid="add-panel"]');
    this.menu = root.querySelector('[data-testid="panel-menu"]');
    this.button.addEventListener('click', () => (this.menu.hidden ? this.open() : this.close()));
    this.menu.addEventListener('click', (e) => {
      const item = e.target.closest('button[data-kind]');
      if (!item || item.disabled) return;
      this.close();
      bench.addKind(item.dataset.kind);
    });
    this.menu.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.hidden && !root.contains(e.target)) this.close();
    });
  }

  open() {
    const items = Object.entries(this.bench.kinds).map(([kind, k]) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.role = 'menuitem';
      b.className = 'panel-menu-item';
      b.dataset.kind = kind;
      b.dataset.testid = `add-panel-${kind}`;
      const title = typeof k.title === 'function' ? k.title({ kind, channels: [] }) : k.title;
      b.textContent = k.pick ? `${title}…` : title;
      b.disabled = k.one && this.bench.has(kind);
      if (b.disabled) b.title = 'Already on the workbench: a layout has one at most';
      return b;
    });
    this.menu.replaceChildren(...items);
    this.menu.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    items.find((b) => !b.disabled)?.focus();
  }

  close() {
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  onKey(e) {
    e.stopPropagation(); // the playback keys stay out of the menu
    const items = [...this.menu.querySelectorAll('button:not(:disabled)')];
    const at = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      this.close();
      this.button.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    }
  }
}
