// How the strips turn cars' samples into lines (static/strips/bins.js): one shared time grid that
// slides with the data, and gaps where a car fell silent.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GAP_MS, MAX_SLOTS, MIN_SPAN_MS, binTrack, timeGrid } from '../../../static/strips/bins.js';
import { CAPACITY, CarTrack } from '../../../static/core/state.js';

/** A car with a sample at each time (ms); speed is the time / 10 unless `speed` says otherwise. */
function car(times, speed = (t) => t / 10) {
  const track = new CarTrack('7', '7');
  for (const ts of times) track.push('t', 0, { car: '7', ts, offset: ts, speed_kph: speed(ts), rpm: 8000 });
  return track;
}
const every = (from, to, step) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** The speed column of `track` on a grid of `n` slots of `slotMs` from time 0. */
function speeds(track, n, slotMs = 10, channels = ['speed_kph']) {
  const outs = channels.map(() => new Array(n).fill(undefined));
  binTrack(track, channels, outs, 0, slotMs, n);
  return channels.length === 1 ? outs[0] : outs;
}
const slotsIn = (col, from, to) => col.slice(from, to);

describe('gaps in the strips', () => {
  test('where a car fell silent for longer than GAP_MS its line breaks, for the whole silence', () => {
    const track = car([...every(0, 2000, 50), ...every(5000, 7000, 50)]);
    const col = speeds(track, 701);
    assert.equal(col[200], 200, 'the last sample before the silence');
    assert.equal(col[500], 500, 'the first sample after it');
    assert.ok(slotsIn(col, 201, 500).every((v) => v === null), 'every slot of the silence breaks the line');
  });

  test('between samples close together the line is drawn across (slots left empty, not broken)', () => {
    const col = speeds(car(every(0, 2000, 50)), 201);
    assert.ok(slotsIn(col, 1, 5).every((v) => v === undefined));
    assert.equal(col.filter((v) => v === null).length, 0);
  });

  test(`a pause shorter than ${GAP_MS} ms does not break the line`, () => {
    const col = speeds(car([...every(0, 1000, 50), ...every(1000 + GAP_MS - 100, 4000, 50)]), 401);
    assert.equal(col.filter((v) => v === null).length, 0);
  });

  test('a channel a record lacks breaks that channel’s line only', () => {
    const track = car(every(0, 1000, 50));
    track.push('t', 0, { car: '7', ts: 1050, offset: 1, speed_kph: NaN, rpm: 8100 });
    track.push('t', 0, { car: '7', ts: 1100, offset: 2, speed_kph: 110, rpm: 8200 });
    const [speed, rpm] = speeds(track, 111, 10, ['speed_kph', 'rpm']);
    assert.equal(speed[105], null);
    assert.equal(rpm[105], 8100);
    assert.equal(speed[110], 110);
  });

  test('the newest sample of a slot is the one drawn', () => {
    const col = speeds(car([100, 104, 108]), 20);
    assert.equal(col[10], 10.8);
  });

  test('samples outside the window are not drawn', () => {
    const track = car(every(0, 3000, 50));
    const outs = [new Array(101).fill(undefined)];
    binTrack(track, ['speed_kph'], outs, 100, 10, 101); // 1000 ms to 2000 ms
    assert.equal(outs[0][0], 100);
    assert.equal(outs[0][100], 200);
    assert.equal(outs[0].length, 101);
  });

  test('the widest window, 120 s at 20 Hz, is drawn across its whole width from one car’s ring', () => {
    const track = car(every(0, (CAPACITY - 1) * 50, 50));
    const end = (CAPACITY - 1) * 50;
    const { firstSlot, slotMs, n } = timeGrid(end, 120_000, 0, 1200);
    const outs = [new Array(n).fill(undefined)];
    binTrack(track, ['speed_kph'], outs, firstSlot, slotMs, n);
    assert.notEqual(outs[0][0], undefined, 'the window’s first slot has a sample');
    assert.notEqual(outs[0][n - 1], undefined, 'and its last');
    assert.equal(outs[0].filter((v) => v === null).length, 0);
  });
});

describe('the time grid', () => {
  const span = ({ n, slotMs }) => n * slotMs;

  test('while the data is younger than the window, the strips start with it', () => {
    const g = timeGrid(100_000, 60_000, 70_000, 1000);
    assert.ok(g.firstSlot * g.slotMs <= 70_000 && (g.firstSlot + 1) * g.slotMs > 70_000);
    assert.ok(Math.abs(span(g) - 30_000) <= g.slotMs);
  });

  test(`but never span less than ${MIN_SPAN_MS / 1000} s`, () => {
    const g = timeGrid(100_000, 60_000, 99_000, 1000);
    assert.ok(Math.abs(span(g) - MIN_SPAN_MS) <= g.slotMs);
  });

  test('once the data fills the window, the window slides with the newest sample', () => {
    for (const windowMs of [30_000, 60_000, 120_000]) {
      const g = timeGrid(500_000, windowMs, 0, 1000);
      assert.ok(Math.abs(span(g) - windowMs) <= g.slotMs, `${windowMs}`);
      assert.ok((g.firstSlot + g.n) * g.slotMs > 500_000, 'the newest sample is on the grid');
    }
  });

  test('slots are aligned to absolute time, so the lines do not shimmer as it slides', () => {
    const a = timeGrid(100_003, 60_000, 0, 800);
    const b = timeGrid(100_041, 60_000, 0, 800);
    assert.equal(a.slotMs, b.slotMs);
    assert.ok(b.firstSlot - a.firstSlot <= 1);
  });

  test('no more points than the strip has pixels, and no more than MAX_SLOTS', () => {
    assert.ok(timeGrid(100_000, 60_000, 0, 500).n <= 501);
    assert.ok(timeGrid(100_000, 60_000, 0, 10_000).n <= MAX_SLOTS + 1);
    assert.ok(timeGrid(100_000, 60_000, 0, 10).n >= 100, 'a tiny strip still gets a usable grid');
  });
});
