// The pinned reference laps under the delta's head: per reference its line (colour and
// dash as drawn), its label, what the server said when it could not give the lap (its
// records have left Kafka, …) in the place of the line, and a ✕ that unpins it. Drawn from
// what distance-panel.js computed; rebuilt only when that changed.

/**
 * @param {HTMLElement} box  the `[data-testid=ref-chips]` row
 * @param {(i: number) => void} onRemove  the person unpinned reference `i`
 */
export class ReferenceChips {
  constructor(box, onRemove) {
    this.box = box;
    this.key = '';
    box.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-ref]');
      if (b) onRemove(Number(b.dataset.ref));
    });
  }

  /** @param {{label: string, color: string, dash: number[], said: string, gone: boolean, delta: boolean}[]} refs */
  show(refs) {
    const key = JSON.stringify(refs);
    if (key === this.key) return;
    this.key = key;
    this.box.replaceChildren(...refs.map((r, i) => {
      const chip = document.createElement('span');
      chip.className = 'ref-chip';
      chip.dataset.testid = 'ref-chip';
      const line = Object.assign(document.createElement('span'), { className: 'ref-line' });
      line.style.color = r.color;
      line.style.borderTopStyle = r.dash.length > 2 ? 'dotted' : 'dashed';
      const label = Object.assign(document.createElement('span'), { className: 'ref-label', textContent: r.delta ? `Δ ${r.label}` : r.label });
      label.title = r.delta ? `${r.label}: the delta's reference` : r.label;
      chip.append(line, label);
      if (r.said) {
        const said = Object.assign(document.createElement('span'), { className: `ref-said${r.gone ? ' gone' : ''}`, textContent: r.said });
        said.dataset.testid = 'ref-said';
        chip.append(said);
      }
      const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'ref-remove', textContent: '✕', title: `Unpin ${r.label}` });
      remove.dataset.ref = String(i);
      remove.dataset.testid = 'ref-remove';
      remove.setAttribute('aria-label', `Unpin ${r.label}`);
      chip.append(remove);
      return chip;
    }));
  }
}
