// The alarm settings form: thresholds typed in the page, checked by alarms.js, kept in
// local storage. Shows why a value was not taken, and keeps the last good settings.

import { STORAGE_KEY, parseAlarms, setAlarm } from './alarms.js';

export class AlarmPanel {
  /** @param {HTMLElement} root  the car panel  @param {(settings: object) => void} onChange */
  constructor(root, onChange) {
    this.button = root.querySelector('[data-testid=alarms-button]');
    this.form = root.querySelector('[data-testid=alarm-form]');
    this.error = root.querySelector('[data-testid=alarm-error]');
    this.onChange = onChange;
    this.settings = parseAlarms(readStored());
    for (const input of this.form.querySelectorAll('input[data-key]')) input.value = String(this.settings[input.dataset.key]);
    this.button.addEventListener('click', () => {
      this.form.hidden = !this.form.hidden;
      this.button.setAttribute('aria-expanded', String(!this.form.hidden));
    });
    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.form.addEventListener('change', (e) => {
      const input = e.target.closest('input[data-key]');
      if (!input) return;
      const { settings, error } = setAlarm(this.settings, input.dataset.key, input.value.trim());
      this.error.hidden = error === null;
      this.error.textContent = error ?? '';
      input.setAttribute('aria-invalid', String(error !== null));
      if (error !== null) return;
      this.settings = settings;
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
      } catch {
        // Storage full or refused (a private window): the settings hold for this page.
      }
      onChange(settings);
    });
  }
}

function readStored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
