import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALWAYS, layoutChannels } from '../../../static/workbench/replay-channels.js';
import { BUILTINS, DEFAULT_LAYOUT } from '../../../static/workbench/builtins.js';

const sorted = (list) => [...list].sort();

test('a layout of strips and race panels asks for what they draw and what the page always reads', () => {
  const layout = {
    version: 1,
    panels: [
      { kind: 'time', channels: ['speed_kph'] },
      { kind: 'time', channels: ['throttle', 'brake'], cars: 'focus' },
      { kind: 'tower' }, { kind: 'map' }, { kind: 'tires' }, { kind: 'delta' }, { kind: 'kafka' },
    ],
  };
  assert.deepEqual(layoutChannels(layout), sorted([...ALWAYS, 'throttle', 'brake']));
  assert.ok(!layoutChannels(layout).includes('g_lat'), 'a channel no panel draws is not asked for');
});

test('every kind adds the names its spec draws, with its defaults, and each name once', () => {
  const layout = {
    version: 1,
    panels: [
      { kind: 'distance', channels: ['brake_temp_c.fl', 'speed_kph'] },
      { kind: 'xy', x: 'g_lat', y: 'g_long', color: 'steer' },
      { kind: 'xy', x: 'g_lat', y: 'fuel_kg' },
      { kind: 'histogram', channel: 'tire_pressure_psi.fl' },
      { kind: 'map', color: 'brake' },
      { kind: 'tower', columns: ['brake_temp_front_max_c'] },
      { kind: 'cursors' }, { kind: 'timeline' },
    ],
  };
  const extra = ['brake_temp_c.fl', 'g_lat', 'g_long', 'steer', 'fuel_kg', 'tire_pressure_psi.fl', 'brake', 'brake_temp_front_max_c'];
  assert.deepEqual(layoutChannels(layout), sorted(new Set([...ALWAYS, ...extra])));
  assert.ok(!layoutChannels({ panels: [{ kind: 'xy', x: 'a', y: 'b' }] }).includes('car'), '"car" colours by car');
  assert.deepEqual(layoutChannels({ panels: [{ kind: 'map' }] }), sorted(ALWAYS), 'the map colours by speed by default');
});

test('no layout, or one the page cannot read, still asks for what the page always reads', () => {
  assert.deepEqual(layoutChannels(null), sorted(ALWAYS));
  assert.deepEqual(layoutChannels({ panels: [{ kind: 'pie', channels: ['x1'] }, null, { kind: 'time', channels: ['', 3] }] }), sorted(ALWAYS));
});

test('the default layout asks for the v1 channels and none of the others a record may carry', () => {
  const v1 = ['speed_kph', 'rpm', 'tire_temp_c.fl', 'tire_temp_c.fr', 'tire_temp_c.rl', 'tire_temp_c.rr',
    'lap', 'gear', 'throttle', 'brake', 'x', 'y', 'lap_distance_m'];
  assert.deepEqual(layoutChannels(DEFAULT_LAYOUT), sorted(v1));
  for (const layout of BUILTINS) assert.ok(layoutChannels(layout).length < 20, `${layout.name}: ${layoutChannels(layout)}`);
});
