// Dismissible notices for `error` messages from the server. At most MAX_TOASTS stay on
// screen (the oldest goes first); a repeat of the shown message is counted, not stacked.

const MAX_TOASTS = 4;
/** Notices fade by themselves after this long, unless the pointer rests on them. */
const LIFETIME_MS = 15_000;

export class Toasts {
  constructor(el) {
    this.el = el;
    el.addEventListener('click', (e) => {
      const close = e.target.closest('button.toast-close');
      if (close) close.closest('.toast').remove();
    });
  }

  /** @param {string} title  @param {string} text  @param {'error'|'info'} kind */
  show(title, text, kind = 'error') {
    const last = this.el.lastElementChild;
    if (last && last.dataset.key === `${title}\n${text}`) {
      const n = Number(last.dataset.repeat ?? 1) + 1;
      last.dataset.repeat = String(n);
      last.querySelector('.toast-repeat').textContent = `×${n}`;
      return;
    }
    while (this.el.children.length >= MAX_TOASTS) this.el.firstElementChild.remove();
    const t = document.createElement('div');
    t.className = `toast toast-${kind}`;
    t.dataset.testid = 'toast';
    t.dataset.key = `${title}\n${text}`;
    t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const head = document.createElement('div');
    head.className = 'toast-head';
    const h = document.createElement('strong');
    h.textContent = title;
    const rep = document.createElement('span');
    rep.className = 'toast-repeat';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.dataset.testid = 'toast-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    head.append(h, rep, close);
    const p = document.createElement('p');
    p.textContent = text;
    t.append(head, p);
    this.el.append(t);
    const expire = () => {
      if (t.matches(':hover')) return void setTimeout(expire, 2000);
      t.remove();
    };
    setTimeout(expire, LIFETIME_MS);
  }
}
