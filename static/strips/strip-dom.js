// One strip's box on the page: its header (label, unit, the focused car's readout, each
// value in its line's colour) and its tools (every car or the focused one, "+" a channel),
// and the plot box uPlot draws in. Built from a strip of layout.js; the tools only say what
// was asked (`data-act`), the coordinator (strips.js) does it. Moving and removing a strip
// are its panel's (workbench/frame.js).

import { labelOf, stripUnit } from './layout.js';

/** The test id of each strip of the default set, kept from the page's fixed strips. */
const KNOWN = [
  ['all', 'speed_kph', 'speed'],
  ['focus', 'throttle,brake', 'pedals'],
  ['focus', 'gear', 'gear'],
  ['all', 'rpm', 'rpm'],
  ['focus', 'tire_temp_c.fl,tire_temp_c.fr,tire_temp_c.rl,tire_temp_c.rr', 'tires'],
];

/** Each strip's key (its `data-testid` is `strip-KEY`): a known strip's name, else `s<index>`. */
export function stripKeys(strips) {
  const used = new Set();
  return strips.map((s, i) => {
    const hit = KNOWN.find(([cars, channels]) => s.cars === cars && s.channels.join(',') === channels);
    const key = hit && !used.has(hit[2]) ? hit[2] : `s${i}`;
    used.add(key);
    return key;
  });
}

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** A header tool: what it does (`data-act`), its text, what a screen reader says, its tooltip. */
function tool(act, text, label, title, extra = {}) {
  const b = el('button', { type: 'button', className: 'strip-tool', textContent: text, title, ...extra });
  b.dataset.act = act;
  b.setAttribute('aria-label', label);
  return b;
}

/**
 * The box of strip `i`, keyed `key`.
 * @param {((name: string) => string|null)|null} units  what the server said of a channel's unit
 */
export function stripBox(s, i, key, units) {
  const label = labelOf(s);
  const head = el('div', { className: 'strip-head' },
    el('span', { className: 'strip-name', textContent: label, title: s.channels.join(', ') }),
    el('span', { className: 'strip-unit', textContent: stripUnit(s, units) }));
  const readout = el('span', { className: 'strip-readout' });
  readout.dataset.readout = key;
  const all = s.cars === 'all';
  const cars = tool('cars', all ? 'all' : 'focus', all ? `${label}: draw the focused car only` : `${label}: draw every car`,
    all ? 'Every car drawn: click to draw the focused car only'
      : 'The focused car drawn (the first car when none is chosen): click to draw every car');
  cars.classList.add('strip-cars');
  const tools = el('span', { className: 'strip-tools' },
    cars,
    tool('add', '+', `Add a channel to ${label}`, 'Add a channel to this strip'));
  head.append(readout, tools);
  const plot = el('div', { className: 'strip-plot' });
  plot.dataset.plot = key;
  const box = el('div', { className: 'strip' }, head, plot);
  box.dataset.testid = `strip-${key}`;
  box.dataset.strip = String(i);
  return box;
}
