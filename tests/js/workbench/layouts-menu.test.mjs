// The Layouts menu's pure part (static/workbench/layouts-menu.js): the name of an exported file.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportFileName } from '../../../static/workbench/layouts-menu.js';

test('an exported layout is <name>.trackside-layout.json, with what a file name cannot hold replaced', () => {
  assert.equal(exportFileName({ name: 'Brakes' }), 'Brakes.trackside-layout.json');
  assert.equal(exportFileName({ name: 'Monza 1/2: "fast" <dry>?' }), 'Monza 1-2- -fast- -dry--.trackside-layout.json');
  assert.equal(exportFileName({ name: 'Écurie 東京 🏁' }), 'Écurie 東京 🏁.trackside-layout.json');
  assert.equal(exportFileName({}), 'layout.trackside-layout.json');
});
