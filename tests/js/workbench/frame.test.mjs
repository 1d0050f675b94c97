import test from 'node:test';
import assert from 'node:assert/strict';
import { toolOfKey } from '../../../static/workbench/frame.js';

const key = (k, mods = {}) => ({ key: k, altKey: false, shiftKey: false, ctrlKey: false, metaKey: false, ...mods });

test('in a panel’s header, Alt+arrows move the panel earlier or later', () => {
  assert.deepEqual(['ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown'].map((k) => toolOfKey(key(k, { altKey: true }))),
    ['earlier', 'earlier', 'later', 'later']);
});

test('Alt+Shift+arrows resize it: ← narrower, → wider, ↑ shorter, ↓ taller', () => {
  assert.deepEqual(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].map((k) => toolOfKey(key(k, { altKey: true, shiftKey: true }))),
    ['narrower', 'wider', 'shorter', 'taller']);
});

test('Delete removes it; plain arrows (the playback keys), Ctrl and Meta do nothing to the panel', () => {
  assert.equal(toolOfKey(key('Delete')), 'remove');
  assert.equal(toolOfKey(key('ArrowLeft')), null);
  assert.equal(toolOfKey(key('ArrowLeft', { shiftKey: true })), null);
  assert.equal(toolOfKey(key('ArrowLeft', { altKey: true, ctrlKey: true })), null);
  assert.equal(toolOfKey(key('Delete', { metaKey: true })), null);
  assert.equal(toolOfKey(key('x', { altKey: true })), null);
});
