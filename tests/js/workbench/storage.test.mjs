// Named layouts in local storage (static/workbench/storage.js), against a Storage of our own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SAVED, STORAGE_KEY, deleteSaved, listSaved, saveLayout } from '../../../static/workbench/storage.js';
import { parseLayout } from '../../../static/workbench/layout.js';
import { builtin } from '../../../static/workbench/builtins.js';

/** What window.localStorage does, in a Map; `full` makes setItem fail as a full quota does. */
function fakeStorage(initial = {}) {
  const items = new Map(Object.entries(initial));
  return {
    full: false,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem(k, v) {
      if (this.full) throw new Error('QuotaExceededError: the quota has been exceeded');
      items.set(k, String(v));
    },
    removeItem: (k) => items.delete(k),
    raw: () => items.get(STORAGE_KEY),
  };
}

const layout = (...kinds) => parseLayout({ version: 1, panels: kinds.map((kind) => ({ kind })) }).layout;
const names = (storage) => listSaved(storage).layouts.map((l) => l.name);

test('a layout saved under a name is listed, named, with the same panels', () => {
  const s = fakeStorage();
  assert.deepEqual(listSaved(s), { layouts: [], error: null });
  const r = saveLayout(s, '  Brakes ', layout('map', 'tires'));
  assert.equal(r.ok, true);
  assert.equal(r.layout.name, 'Brakes');
  const { layouts, error } = listSaved(s);
  assert.equal(error, null);
  assert.deepEqual(layouts, [{ name: 'Brakes', layout: r.layout }]);
  assert.deepEqual(layouts[0].layout.panels.map((p) => p.kind), ['map', 'tires']);
});

test('saving under a name again replaces it; the list is sorted by name; delete removes one', () => {
  const s = fakeStorage();
  saveLayout(s, 'Zandvoort', layout('map'));
  saveLayout(s, 'Ímola', layout('tires'));
  saveLayout(s, 'Zandvoort', layout('kafka'));
  assert.deepEqual(names(s), ['Ímola', 'Zandvoort']);
  assert.deepEqual(listSaved(s).layouts[1].layout.panels.map((p) => p.kind), ['kafka']);
  assert.equal(deleteSaved(s, 'Ímola'), null);
  assert.deepEqual(names(s), ['Zandvoort']);
  assert.equal(deleteSaved(s, 'nothing'), null, 'deleting what is not there is nothing');
});

test('names: 1 to 60 characters, and not a built-in’s', () => {
  const s = fakeStorage();
  assert.equal(saveLayout(s, '   ', layout('map')).error, "A layout's name is 1 to 60 characters");
  assert.equal(saveLayout(s, 'x'.repeat(61), layout('map')).error, "A layout's name is 1 to 60 characters");
  assert.equal(saveLayout(s, 'Race engineer', builtin('Race engineer')).error, '"Race engineer" is a built-in layout; choose another name');
  assert.equal(saveLayout(s, '🏁'.repeat(60), layout('map')).ok, true);
});

test('at most 50 are kept: a new one past that is refused, replacing one still works', () => {
  const s = fakeStorage();
  for (let i = 0; i < MAX_SAVED; i++) assert.equal(saveLayout(s, `L${i}`, layout('map')).ok, true);
  assert.equal(saveLayout(s, 'one more', layout('map')).error, 'At most 50 layouts are kept; delete one first');
  assert.equal(saveLayout(s, 'L7', layout('tires')).ok, true);
  assert.equal(names(s).length, MAX_SAVED);
});

test('a corrupt store is reported and read as empty, never thrown; saving starts it again', () => {
  for (const junk of ['{not json', '[]', '{"version":9,"layouts":[]}', '{"version":1,"layouts":{}}', 'null']) {
    const s = fakeStorage({ [STORAGE_KEY]: junk });
    const r = listSaved(s);
    assert.deepEqual(r.layouts, [], junk);
    assert.match(r.error, /^Saved layouts do not read/, junk);
    assert.equal(saveLayout(s, 'Fresh', layout('map')).ok, true);
    assert.deepEqual(listSaved(s), { layouts: [{ name: 'Fresh', layout: { ...layout('map'), name: 'Fresh' } }], error: null });
  }
});

test('a saved layout that no longer reads is left out and named; the others are listed', () => {
  const store = {
    version: 1,
    layouts: [
      { name: 'Good', layout: { version: 1, panels: [{ kind: 'map' }] } },
      { name: 'Pie', layout: { version: 1, panels: [{ kind: 'pie' }] } },
      { layout: { version: 1, panels: [{ kind: 'map' }] } },
      'junk',
    ],
  };
  const r = listSaved(fakeStorage({ [STORAGE_KEY]: JSON.stringify(store) }));
  assert.deepEqual(r.layouts.map((l) => l.name), ['Good']);
  assert.equal(r.error, 'Saved layouts left out, as they do not read: "Pie", one without a name, one without a name');
});

test('a browser that refuses to store or to read says why', () => {
  const s = fakeStorage();
  s.full = true;
  assert.equal(saveLayout(s, 'Mine', layout('map')).error, 'The browser did not keep the layout: QuotaExceededError: the quota has been exceeded');
  const blocked = { getItem() { throw new Error('SecurityError: storage is disabled'); }, setItem() {} };
  assert.deepEqual(listSaved(blocked), { layouts: [], error: 'Saved layouts cannot be read: SecurityError: storage is disabled' });
});

test('the store is the compact documents, readable by hand', () => {
  const s = fakeStorage();
  saveLayout(s, 'Mine', layout('map'));
  assert.equal(s.raw(), '{"version":1,"layouts":[{"name":"Mine","layout":{"version":1,"name":"Mine","panels":[{"kind":"map"}]}}]}');
});
