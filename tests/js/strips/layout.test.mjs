// The strips' layout (static/strips/layout.js): the default set, the edits the page makes,
// and what a strip says about itself (label, unit, y range); their URL is tests/js/core/url.test.mjs's.

import assert from 'node:assert/strict';
import { CORNER_COLORS, carColor } from '../../../static/core/colors.js';
import { describe, test } from 'node:test';
import {
  DEFAULT_STRIPS, MAX_STRIPS, addChannel, addStrip, formatValue, isCorners, labelOf, moveStrip,
  removeChannel, removeStrip, scaleOf, setCars, stripSeries, stripUnit, unitOf, yRange,
} from '../../../static/strips/layout.js';

const names = (strips) => strips.map((s) => `${s.cars}:${s.channels.join('+')}`);

describe('the strips a page opens with', () => {
  test('Speed and RPM for every car; pedals, gear and tires for the focused one', () => {
    assert.deepEqual(names(DEFAULT_STRIPS), [
      'all:speed_kph', 'focus:throttle+brake', 'focus:gear', 'all:rpm',
      'focus:tire_temp_c.fl+tire_temp_c.fr+tire_temp_c.rl+tire_temp_c.rr',
    ]);
    assert.deepEqual(DEFAULT_STRIPS.map(labelOf), ['Speed', 'Throttle · Brake', 'Gear', 'Engine', 'Tire temperatures']);
    assert.deepEqual(DEFAULT_STRIPS.map((s) => stripUnit(s)), ['km/h', '0–1', 'gear', 'rpm', '°C']);
    assert.deepEqual(DEFAULT_STRIPS.map(scaleOf), ['speed', 'pedal', 'gear', 'rpm', 'temp']);
    assert.ok(Object.isFrozen(DEFAULT_STRIPS) && Object.isFrozen(DEFAULT_STRIPS[0].channels));
  });
});

describe('editing the strips', () => {
  test('each edit returns a new array and leaves the old one as it was', () => {
    const before = names(DEFAULT_STRIPS);
    const added = addStrip(DEFAULT_STRIPS, 'brake_temp_c.fl');
    assert.deepEqual(names(added).slice(-1), ['all:brake_temp_c.fl']);
    assert.deepEqual(names(removeStrip(added, 0)).slice(0, 1), ['focus:throttle+brake']);
    assert.deepEqual(names(moveStrip(DEFAULT_STRIPS, 3, -1)).slice(2, 4), ['all:rpm', 'focus:gear']);
    assert.deepEqual(names(moveStrip(DEFAULT_STRIPS, 0, 1)).slice(0, 2), ['focus:throttle+brake', 'all:speed_kph']);
    assert.deepEqual(names(addChannel(DEFAULT_STRIPS, 0, 'g_lat'))[0], 'all:speed_kph+g_lat');
    assert.deepEqual(names(removeChannel(DEFAULT_STRIPS, 1, 'brake'))[1], 'focus:throttle');
    assert.deepEqual(names(setCars(DEFAULT_STRIPS, 2, 'all'))[2], 'all:gear');
    assert.deepEqual(names(DEFAULT_STRIPS), before);
  });

  test('edits that make no sense change nothing', () => {
    assert.equal(moveStrip(DEFAULT_STRIPS, 0, -1), DEFAULT_STRIPS, 'the first cannot go up');
    assert.equal(moveStrip(DEFAULT_STRIPS, 4, 1), DEFAULT_STRIPS, 'the last cannot go down');
    assert.equal(removeStrip(DEFAULT_STRIPS, 9), DEFAULT_STRIPS);
    assert.equal(addChannel(DEFAULT_STRIPS, 0, 'speed_kph'), DEFAULT_STRIPS, 'a channel is in a strip once');
    assert.equal(addChannel(DEFAULT_STRIPS, 7, 'g_lat'), DEFAULT_STRIPS);
    assert.equal(addStrip(DEFAULT_STRIPS, ''), DEFAULT_STRIPS);
    assert.equal(setCars(DEFAULT_STRIPS, 0, 'some'), DEFAULT_STRIPS);
    let many = [];
    for (let i = 0; i < MAX_STRIPS + 3; i++) many = addStrip(many, `c${i}`);
    assert.equal(many.length, MAX_STRIPS, 'bounded');
  });

  test('taking out the last channel of a strip takes the strip out', () => {
    assert.deepEqual(names(removeChannel(DEFAULT_STRIPS, 2, 'gear')), names(removeStrip(DEFAULT_STRIPS, 2)));
  });
});

describe('what a strip says about itself', () => {
  test('units: what the server said first, then the v1 fields, then the name’s suffix or its group’s', () => {
    const said = (name) => ({ g_lat: 'g', boost: null })[name];
    assert.equal(unitOf('g_lat', said), 'g');
    assert.equal(unitOf('brake_temp_c.fl'), '°C');
    assert.equal(unitOf('tire_pressure_psi.rr'), 'psi');
    assert.equal(unitOf('fuel_kg'), 'kg');
    assert.equal(unitOf('boost', said), '', 'no unit known');
    assert.equal(stripUnit({ channels: ['speed_kph', 'rpm', 'speed_kph'], cars: 'all' }), 'km/h / rpm');
  });

  test('labels: known names, a group of four corners, or the names themselves', () => {
    assert.equal(labelOf({ channels: ['brake_temp_c.fl', 'brake_temp_c.fr', 'brake_temp_c.rl', 'brake_temp_c.rr'] }), 'brake_temp_c (4 corners)');
    assert.ok(isCorners({ channels: ['brake_temp_c.fl', 'brake_temp_c.fr', 'brake_temp_c.rl', 'brake_temp_c.rr'] }));
    assert.ok(!isCorners({ channels: ['brake_temp_c.fl', 'brake_temp_c.fr'] }));
    assert.equal(labelOf({ channels: ['g_lat', 'g_long'] }), 'g_lat · g_long');
  });

  test('y ranges suit pedals, gears, temperatures and anything else', () => {
    assert.deepEqual(yRange('pedal', 0.2, 0.4), [-0.05, 1.05], 'pedals always 0 to 1');
    assert.deepEqual(yRange('gear', 2, 6), [-1.5, 8.5], 'reverse to 8th at least');
    assert.deepEqual(yRange('temp', 480, 612), [475, 625]);
    assert.deepEqual(yRange('temp', 90, 95), [85, 115], '30 °C at least');
    assert.deepEqual(yRange('speed', 0, 287), [0, 300]);
    assert.deepEqual(yRange('auto', -2, 2), [-2.2, 2.2]);
    assert.deepEqual(yRange('auto', 5, 5), [4, 6], 'a flat line is not at an edge');
    assert.deepEqual(yRange('auto', null, null), [0, 1]);
    assert.equal(scaleOf({ channels: ['brake_temp_c.fl'] }), 'temp');
    assert.equal(scaleOf({ channels: ['speed_kph', 'g_lat'] }), 'auto');
  });

  test('values are written for the axis and the readout', () => {
    assert.deepEqual([-1, 0, 4].map((g) => formatValue('gear', g)), ['R', 'N', '4']);
    assert.equal(formatValue('rpm', 11000, true), '11k', 'on the axis');
    assert.equal(formatValue('rpm', 10209), '10,209', 'in the readout');
    assert.equal(formatValue('auto', 1.256), '1.26');
    assert.equal(formatValue('auto', NaN), '—');
  });
});

describe('what a strip draws', () => {
  const [speed, pedals, gear, , tires] = DEFAULT_STRIPS;

  test('a strip of every car draws each car, the focused one last and strong', () => {
    const drawn = stripSeries(speed, ['3', '9', '7'], '7');
    assert.deepEqual(drawn.map((s) => [s.car, s.channel, s.strong]), [['3', 'speed_kph', false], ['9', 'speed_kph', false], ['7', 'speed_kph', true]]);
    assert.equal(drawn[2].color, carColor('7'));
    const two = stripSeries(addChannel([speed], 0, 'rpm')[0], ['3'], '3');
    assert.deepEqual(two.map((s) => [s.channel, s.dash]), [['speed_kph', false], ['rpm', true]], 'a second channel is dashed');
  });

  test('a focused-car strip draws that car only, each channel in its colour; no car yet, nothing', () => {
    const drawn = stripSeries(tires, ['3', '7'], '7');
    assert.deepEqual(drawn.map((s) => [s.car, s.color]), Object.values(CORNER_COLORS).map((c) => ['7', c]));
    const [throttle, brake] = stripSeries(pedals, ['7'], '7');
    assert.notEqual(throttle.color, brake.color);
    assert.deepEqual(stripSeries(pedals, [], null), []);
  });

  test('gears are drawn as steps', () => {
    assert.deepEqual(stripSeries(gear, ['7'], '7').map((s) => s.step), [true]);
    assert.deepEqual(stripSeries(speed, ['7'], '7').map((s) => s.step), [false]);
  });
});
