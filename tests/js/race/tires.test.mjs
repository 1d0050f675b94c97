// The tire widget's colours and bands (static/race/tires.js): a person reads a corner's heat from
// its colour at a glance, cold blue through working green to overheating red.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tireBand, tireColor, tireNote } from '../../../static/race/tires.js';

const rgb = (css) => css.match(/^rgb\((\d+),(\d+),(\d+)\)$/).slice(1).map(Number);

describe('tire colours', () => {
  test('cold tires are blue, working ones green, hot ones yellow, overheating ones red', () => {
    assert.equal(tireColor(40), 'rgb(59,130,246)');
    assert.equal(tireColor(50), 'rgb(59,130,246)');
    assert.equal(tireColor(90), 'rgb(34,197,94)');
    assert.equal(tireColor(102), 'rgb(234,179,8)');
    assert.equal(tireColor(115), 'rgb(239,68,68)');
    assert.equal(tireColor(130), 'rgb(190,24,93)');
    assert.equal(tireColor(400), 'rgb(190,24,93)', 'past the scale it stays at its end');
  });

  test('between the stops the colour blends, so a degree’s change shows', () => {
    assert.equal(tireColor(96), 'rgb(134,188,51)', 'half way from green to yellow');
    const [r1] = rgb(tireColor(103));
    const [r2] = rgb(tireColor(110));
    assert.ok(tireColor(103) !== tireColor(110) && r2 >= r1, 'hotter is no less red');
    assert.notEqual(tireColor(91), tireColor(92));
  });

  test('a corner with no reading is grey, whatever is missing', () => {
    for (const t of [NaN, undefined, null, Infinity, -Infinity]) assert.equal(tireColor(t), '#2a3140', String(t));
  });
});

describe('tire bands', () => {
  test('split at 75, 102 and 115 °C', () => {
    const cases = [[20, 'cold'], [74.9, 'cold'], [75, 'ok'], [101.9, 'ok'], [102, 'hot'], [114.9, 'hot'], [115, 'over'], [180, 'over'], [NaN, 'none']];
    for (const [t, band] of cases) assert.equal(tireBand(t), band, String(t));
  });
});

describe('a car without tire data', () => {
  test('says "no tire data" only when a focused car has a reading with no corner at all', () => {
    const none = { fl: NaN, fr: NaN, rl: NaN, rr: NaN };
    assert.equal(tireNote('7', none), 'no tire data');
    assert.equal(tireNote('7', { fl: undefined, fr: undefined, rl: undefined, rr: undefined }), 'no tire data');
    assert.equal(tireNote('7', { ...none, rl: 88 }), '', 'one corner is data');
    assert.equal(tireNote('7', null), '', 'no reading yet is not a car without tires');
    assert.equal(tireNote(null, none), '', 'no focused car');
  });
});
