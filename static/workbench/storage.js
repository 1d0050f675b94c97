// Named layouts kept in the browser (docs/layouts.md, "Kept in the browser"): one local
// storage item, `trackside.layouts`, holding `{"version": 1, "layouts": [{"name", "layout"}]}`
// with each layout written compactly. Given the Storage to use (window.localStorage, or a
// plain object in the tests), so it has no DOM of its own.
//
// Bounded: 50 layouts at most, each at most 8 KiB (the codec's bound). Nothing here throws:
// a store that does not read (edited by hand, an older page) is reported and read as empty,
// a layout in it that does not read is left out and reported, and a browser that refuses to
// store (private mode, quota) gets its reason back.

import { BUILTINS } from './builtins.js';
import { MAX_LABEL, formatLayout, parseLayout } from './layout.js';

export const STORAGE_KEY = 'trackside.layouts';
export const MAX_SAVED = 50;
const STORE_VERSION = 1;

/**
 * The saved layouts, sorted by name.
 * @returns {{layouts: {name: string, layout: object}[], error: string|null}}  `error`: what
 *   could not be read (the rest is still listed)
 */
export function listSaved(storage) {
  let text;
  try {
    text = storage.getItem(STORAGE_KEY);
  } catch (e) {
    return { layouts: [], error: `Saved layouts cannot be read: ${e.message}` };
  }
  if (text == null) return { layouts: [], error: null };
  let store;
  try {
    store = JSON.parse(text);
  } catch {
    store = null;
  }
  if (store?.version !== STORE_VERSION || !Array.isArray(store.layouts)) {
    return { layouts: [], error: 'Saved layouts do not read (the store is corrupt); saving a layout starts it again' };
  }
  const layouts = [];
  const skipped = [];
  for (const entry of store.layouts.slice(0, MAX_SAVED)) {
    const r = typeof entry?.name === 'string' ? parseLayout(entry.layout) : { ok: false };
    if (r.ok && !layouts.some((l) => l.name === entry.name)) layouts.push({ name: entry.name, layout: { ...r.layout, name: entry.name } });
    else skipped.push(typeof entry?.name === 'string' ? `"${entry.name}"` : 'one without a name');
  }
  layouts.sort((a, b) => a.name.localeCompare(b.name));
  return { layouts, error: skipped.length ? `Saved layouts left out, as they do not read: ${skipped.join(', ')}` : null };
}

/**
 * `layout` kept under `name`, replacing a saved one of that name.
 * @returns {{ok: true, layout: object} | {ok: false, error: string}}  the layout as saved (named)
 */
export function saveLayout(storage, name, layout) {
  const clean = typeof name === 'string' ? name.trim() : '';
  if (clean === '' || [...clean].length > MAX_LABEL) return { ok: false, error: `A layout's name is 1 to ${MAX_LABEL} characters` };
  if (BUILTINS.some((b) => b.name === clean)) return { ok: false, error: `"${clean}" is a built-in layout; choose another name` };
  const r = parseLayout({ ...formatLayout(layout), name: clean });
  if (!r.ok) return r;
  const { layouts } = listSaved(storage);
  const others = layouts.filter((l) => l.name !== clean);
  if (others.length >= MAX_SAVED) return { ok: false, error: `At most ${MAX_SAVED} layouts are kept; delete one first` };
  const error = write(storage, [...others, { name: clean, layout: r.layout }]);
  return error ? { ok: false, error } : { ok: true, layout: r.layout };
}

/** The saved layout `name` deleted (nothing when there is none). @returns {string|null} an error */
export function deleteSaved(storage, name) {
  const { layouts } = listSaved(storage);
  if (!layouts.some((l) => l.name === name)) return null;
  return write(storage, layouts.filter((l) => l.name !== name));
}

function write(storage, layouts) {
  const store = { version: STORE_VERSION, layouts: layouts.map((l) => ({ name: l.name, layout: formatLayout(l.layout) })) };
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(store));
    return null;
  } catch (e) {
    return `The browser did not keep the layout: ${e.message}`;
  }
}
