import test from 'node:test';
import assert from 'node:assert/strict';
import { checkPanel } from '../../../static/workbench/panel.js';

const noop = () => {};

test('a panel with frame, resize and destroy passes', () => {
  const p = { frame: noop, resize: noop, destroy: noop };
  assert.equal(checkPanel('xy', p), p);
});

test('a panel without destroy is refused, naming its kind', () => {
  assert.throws(() => checkPanel('histogram', { frame: noop, resize: noop }), /panel kind histogram has no destroy\(\)/);
});
