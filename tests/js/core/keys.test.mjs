// The playback keys (static/core/keys.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyIntent } from '../../../static/core/keys.js';

const body = { tagName: 'BODY' };

test('Space plays and pauses, except while an input has focus', () => {
  assert.deepEqual(keyIntent({ key: ' ', target: body }), { type: 'toggle' });
  for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) assert.equal(keyIntent({ key: ' ', target: { tagName } }), null, tagName);
  assert.equal(keyIntent({ key: ' ', target: { tagName: 'DIV', isContentEditable: true } }), null);
});

test('arrows step 100 ms of race time, 1 s with Shift', () => {
  assert.deepEqual(keyIntent({ key: 'ArrowLeft', target: body }), { type: 'step', ms: -100 });
  assert.deepEqual(keyIntent({ key: 'ArrowRight', target: body }), { type: 'step', ms: 100 });
  assert.deepEqual(keyIntent({ key: 'ArrowLeft', shiftKey: true, target: body }), { type: 'step', ms: -1000 });
  assert.deepEqual(keyIntent({ key: 'ArrowRight', shiftKey: true, target: body }), { type: 'step', ms: 1000 });
});

test('digits 1..8 choose the speeds in the selector’s order', () => {
  const speeds = ['1', '2', '3', '4', '5', '6', '7', '8'].map((key) => keyIntent({ key, target: body }).speed);
  assert.deepEqual(speeds, [0.1, 0.25, 0.5, 1, 2, 5, 10, 'max']);
  assert.equal(keyIntent({ key: '9', target: body }), null);
  assert.equal(keyIntent({ key: '0', target: body }), null);
});

test('shortcuts of the browser are left alone', () => {
  assert.equal(keyIntent({ key: 'ArrowLeft', altKey: true, target: body }), null);
  assert.equal(keyIntent({ key: '1', ctrlKey: true, target: body }), null);
  assert.equal(keyIntent({ key: 'x', target: body }), null);
});
