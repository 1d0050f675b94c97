// Alarm thresholds (static/race/alarms.js): what a car's values raise, settings a person types,
// and settings read back from storage.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ALARMS, carAlarms, parseAlarms, setAlarm } from '../../../static/race/alarms.js';

const values = (extra = {}) => ({ speed: 200, rpm: 10_000, fl: 90, fr: 92, rl: 88, rr: 89, ...extra });

describe('alarms a car raises', () => {
  test('none inside every window', () => {
    assert.deepEqual(carAlarms(values(), DEFAULT_ALARMS, ''), []);
  });

  test('tires outside their axle\'s window, an over-rev, a quiet car', () => {
    const s = { ...DEFAULT_ALARMS, rearMax: 100, frontMin: 91 };
    const kinds = carAlarms(values({ rr: 104, rpm: 13_500 }), s, 'stale').map((a) => a.text);
    assert.deepEqual(kinds, ['no records (stale)', 'front tires 90 °C < 91', 'rear tires 104 °C > 100', '13500 rpm > 13000']);
  });

  test('a value the record lacked raises nothing', () => {
    assert.deepEqual(carAlarms(values({ fl: NaN, fr: NaN, rpm: NaN }), DEFAULT_ALARMS, ''), []);
  });
});

describe('settings', () => {
  test('a typed value is checked; a bad one leaves the settings as they were, with a reason', () => {
    const { settings, error } = setAlarm(DEFAULT_ALARMS, 'rpmMax', '11000');
    assert.equal(error, null);
    assert.equal(settings.rpmMax, 11_000);
    assert.match(setAlarm(settings, 'rpmMax', 'lots').error, /from 1000 to 30000/);
    assert.match(setAlarm(settings, 'frontMin', '200').error, /minimum below its maximum/);
    assert.match(setAlarm(settings, 'retiredSecs', '3').error, /longer than stale/);
  });

  test('stored settings: valid fields kept, the rest from the defaults', () => {
    assert.deepEqual(parseAlarms('not json'), DEFAULT_ALARMS);
    assert.deepEqual(parseAlarms(null), DEFAULT_ALARMS);
    const s = parseAlarms(JSON.stringify({ rpmMax: 12_000, frontMax: 'hot', staleSecs: 30, retiredSecs: 10 }));
    assert.equal(s.rpmMax, 12_000);
    assert.equal(s.frontMax, DEFAULT_ALARMS.frontMax);
    assert.equal(s.retiredSecs, 60, 'retired is kept longer than stale');
  });
});
