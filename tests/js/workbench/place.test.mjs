import test from 'node:test';
import assert from 'node:assert/strict';
import {
  columnsFor, dropPanel, gridCss, movePanel, placement, resizePanel, settle, sizePanel, unitsAt,
} from '../../../static/workbench/place.js';

const DEF = { w: 8, h: 4 };
const a = { kind: 'time', channels: ['speed_kph'] };
const b = { kind: 'tower', grid: { w: 4, h: 8, col: 9, row: 1 } };
const c = { kind: 'kafka' };

test('a screen has 12 columns, 6 under 1100 px and one under 800 px', () => {
  assert.deepEqual([2560, 1280, 1100, 1099, 800, 799, 768].map(columnsFor), [12, 12, 12, 6, 6, 1, 1]);
});

test('a panel without a grid takes its kind’s size and flows in order', () => {
  assert.deepEqual(placement(a, DEF, 12), { w: 8, h: 4, col: null, row: null });
  assert.deepEqual(gridCss(placement(a, DEF, 12)), { gridColumn: 'span 8', gridRow: 'span 4' });
});

test('its width is clamped to the columns a narrow screen has, and a placed panel flows there', () => {
  assert.deepEqual(placement(a, DEF, 6), { w: 6, h: 4, col: null, row: null });
  assert.deepEqual(placement(b, DEF, 6), { w: 4, h: 8, col: null, row: null });
  assert.deepEqual(placement(b, DEF, 1), { w: 1, h: 8, col: null, row: null });
});

test('a placed panel keeps its column and row on 12 columns, never past the right edge', () => {
  assert.deepEqual(gridCss(placement(b, DEF, 12)), { gridColumn: '9 / span 4', gridRow: '1 / span 8' });
  const wide = { kind: 'time', grid: { w: 8, col: 9, row: 2 } };
  assert.equal(placement(wide, DEF, 12).col, 5);
});

test('moving a panel earlier or later swaps it with its neighbour, and both flow in order again', () => {
  const out = movePanel([a, b, c], 1, -1);
  assert.deepEqual(out.map((p) => p.kind), ['tower', 'time', 'kafka']);
  assert.deepEqual(out[0].grid, { w: 4, h: 8 });
  assert.equal(out[2], c, 'the others are left as they were');
  assert.equal(movePanel([a, b, c], 0, -1).length, 3);
  const same = [a, b, c];
  assert.equal(movePanel(same, 2, 1), same, 'the last one cannot go later');
  assert.equal(movePanel(same, 0, -1), same, 'the first one cannot go earlier');
});

test('two placed panels moved past each other swap their places, each keeping its size', () => {
  const s1 = { kind: 'time', channels: ['a'], grid: { w: 5, h: 4, col: 1, row: 1 } };
  const s2 = { kind: 'time', channels: ['b'], grid: { w: 5, h: 3, col: 1, row: 5 } };
  const out = movePanel([s1, s2], 1, -1);
  assert.deepEqual(out.map((p) => [p.channels[0], p.grid]), [['b', { w: 5, h: 3, col: 1, row: 1 }], ['a', { w: 5, h: 4, col: 1, row: 5 }]]);
});

test('a panel dropped onto another takes its place', () => {
  assert.deepEqual(dropPanel([a, b, c], 0, 2).map((p) => p.kind), ['tower', 'kafka', 'time']);
  assert.deepEqual(dropPanel([a, b, c], 2, 0).map((p) => p.kind), ['kafka', 'time', 'tower']);
  const same = [a, b, c];
  assert.equal(dropPanel(same, 1, 1), same);
  assert.equal(dropPanel(same, 1, 7), same);
});

test('resizing stays within 1–12 columns and 1–24 rows', () => {
  assert.deepEqual(resizePanel([a], 0, 1, 1, DEF)[0].grid, { w: 9, h: 5 });
  assert.deepEqual(resizePanel([a], 0, -20, -20, DEF)[0].grid, { w: 1, h: 1 });
  assert.deepEqual(resizePanel([a], 0, 20, 40, DEF)[0].grid, { w: 12, h: 24 });
  const one = [{ kind: 'time', grid: { w: 1, h: 1 } }];
  assert.equal(resizePanel(one, 0, -1, -1, DEF), one, 'already as small as it goes: unchanged');
});

test('a placed panel grows no further than the grid’s right edge', () => {
  assert.deepEqual(sizePanel([b], 0, 10, 8, DEF)[0].grid, { w: 4, h: 8, col: 9, row: 1 });
  assert.deepEqual(sizePanel([b], 0, 3, 2, DEF)[0].grid, { w: 3, h: 2, col: 9, row: 1 });
});

test('a pointer dragged across the grid snaps to whole columns and rows', () => {
  // Columns 100 px wide: a panel's right edge dragged to 306 px spans 3 columns (3×100 + 2 gaps).
  assert.deepEqual(unitsAt(306, 178, 100), { w: 3, h: 4 });
  assert.deepEqual(unitsAt(340, 150, 100), { w: 3, h: 3 });
  assert.deepEqual(unitsAt(-50, -50, 100), { w: 1, h: 1 });
});

test('a placed panel grown taller pushes the placed panels under it down, and those under them', () => {
  const defOf = () => DEF;
  const speed = { kind: 'time', channels: ['a'], grid: { w: 5, h: 4, col: 1, row: 1 } };
  const pedals = { kind: 'time', channels: ['b'], grid: { w: 5, h: 4, col: 1, row: 5 } };
  const gear = { kind: 'time', channels: ['c'], grid: { w: 5, h: 4, col: 1, row: 9 } };
  const tower = { kind: 'tower', grid: { w: 7, h: 11, col: 6, row: 1 } };
  const grown = resizePanel([speed, pedals, gear, tower], 0, 0, 2, DEF);
  const out = settle(grown, 0, defOf);
  assert.deepEqual(out.map((p) => p.grid.row), [1, 7, 11, 1]);
  assert.equal(out[3], tower, 'a panel beside it stays');
  const same = [speed, pedals, gear, tower];
  assert.equal(settle(same, 1, defOf), same, 'nothing covered: unchanged');
});

test('a placed panel widened over its neighbour pushes the neighbour below it', () => {
  const left = { kind: 'time', grid: { w: 5, h: 4, col: 1, row: 1 } };
  const right = { kind: 'tower', grid: { w: 7, h: 4, col: 6, row: 1 } };
  const out = settle(resizePanel([left, right], 0, 1, 0, DEF), 0, () => DEF);
  assert.deepEqual(out[1].grid, { w: 7, h: 4, col: 6, row: 5 });
});
