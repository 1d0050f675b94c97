// The channel catalogue: the server's `channels` messages and `/api/channels` bodies merged
// by name per topic, listed over the selected topics, and searched by name, unit and "math".
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ChannelCatalogue, MAX_NAMES, MAX_TOPICS, search } from '../../../static/core/channels.js';

const ch = (name, extra = {}) => ({ name, unit: null, records: 10, min: 0, max: 1, math: false, ...extra });
const body = (topic, channels, dropped) => ({ type: 'channels', topic, channels, ...(dropped ? { dropped } : {}) });
const names = (list) => list.map((c) => c.name);

test('a later message updates the channels it names in place and appends new names', () => {
  const cat = new ChannelCatalogue();
  assert.equal(cat.apply(body('t', [ch('speed_kph', { unit: 'km/h' }), ch('g_lat', { unit: 'g' })])), true);
  const v = cat.version;
  // The API answers with the latest counts; a name it lists first stays where it was.
  assert.equal(cat.apply(body('t', [ch('brake_temp_c.fl', { unit: '°C' }), ch('speed_kph', { unit: 'km/h', records: 99, max: 300 })])), true);
  assert.ok(cat.version > v);
  const list = cat.list(['t']);
  assert.deepEqual(names(list), ['speed_kph', 'g_lat', 'brake_temp_c.fl']);
  assert.deepEqual(list[0], { name: 'speed_kph', unit: 'km/h', records: 99, min: 0, max: 300, math: false, topics: ['t'] });
});

test('the same body twice changes nothing and leaves the version alone', () => {
  const cat = new ChannelCatalogue();
  const b = body('t', [ch('g_lat')], { name_too_long: 0, over_record_limit: 0, over_topic_limit: 0, refused_channels: 0 });
  cat.apply(b);
  const v = cat.version;
  assert.equal(cat.apply(structuredClone(b)), false);
  assert.equal(cat.version, v);
});

test('channels of several topics merge by name: ranges widened, records summed, math if any', () => {
  const cat = new ChannelCatalogue();
  cat.apply(body('a', [ch('speed_kph', { unit: 'km/h', min: 10, max: 200, records: 5 }), ch('only_a')]));
  cat.apply(body('b', [ch('only_b'), ch('speed_kph', { min: 0, max: 180, records: 7 }), ch('g_total', { math: true, min: null, max: null, records: 0 })]));
  cat.apply(body('c', [ch('never_selected')]));
  const list = cat.list(['a', 'b']);
  assert.deepEqual(names(list), ['speed_kph', 'only_a', 'only_b', 'g_total']);
  assert.deepEqual(list[0], { name: 'speed_kph', unit: 'km/h', min: 0, max: 200, records: 12, math: false, topics: ['a', 'b'] });
  assert.deepEqual(list[3], { name: 'g_total', unit: null, min: null, max: null, records: 0, math: true, topics: ['b'] });
  assert.deepEqual(cat.list(['unknown']), []);
});

test('a channel with no value yet keeps the other topic\'s range', () => {
  const cat = new ChannelCatalogue();
  cat.apply(body('a', [ch('x', { min: null, max: null, records: 0 })]));
  cat.apply(body('b', [ch('x', { min: -2, max: 3, records: 4 })]));
  assert.deepEqual(cat.list(['a', 'b'])[0], { name: 'x', unit: null, min: -2, max: 3, records: 4, math: false, topics: ['a', 'b'] });
});

test('unit(name) answers from any topic, null for an unknown channel or one without a unit', () => {
  const cat = new ChannelCatalogue();
  cat.apply(body('a', [ch('steer')]));
  cat.apply(body('b', [ch('brake_temp_c.fl', { unit: '°C' })]));
  assert.equal(cat.unit('brake_temp_c.fl'), '°C');
  assert.equal(cat.unit('steer'), null);
  assert.equal(cat.unit('nope'), null);
});

test('dropped(topic) says what the bounds took, null before the server said', () => {
  const cat = new ChannelCatalogue();
  assert.equal(cat.dropped('t'), null);
  cat.apply(body('t', [], { name_too_long: 2, over_record_limit: 0, over_topic_limit: 1200, refused_channels: 3 }));
  assert.deepEqual(cat.dropped('t'), { name_too_long: 2, over_record_limit: 0, over_topic_limit: 1200, refused_channels: 3 });
  const v = cat.version;
  cat.apply(body('t', [], { name_too_long: 2, over_record_limit: 0, over_topic_limit: 1300, refused_channels: 3 }));
  assert.equal(cat.dropped('t').over_topic_limit, 1300);
  assert.ok(cat.version > v, 'a new count is a change');
});

test('a body that is not a channel list is refused with a clear error; bad entries are skipped and counted', () => {
  const cat = new ChannelCatalogue();
  assert.throws(() => cat.apply({ topic: 't' }), /"channels" array/);
  assert.throws(() => cat.apply(null), /"topic" string/);
  cat.apply(body('t', [ch('ok'), { name: '' }, { unit: 'g' }, ch('bad_min', { min: 'x' }), ch('bad_records', { records: -1 }), ch('x'.repeat(300))]));
  assert.deepEqual(names(cat.list(['t'])), ['ok']);
  assert.equal(cat.rejected, 5);
});

test('the catalogue is bounded: names per topic and topics kept', () => {
  const cat = new ChannelCatalogue();
  cat.apply(body('t', Array.from({ length: MAX_NAMES + 10 }, (_, i) => ch(`c${i}`))));
  assert.equal(cat.list(['t']).length, MAX_NAMES);
  for (let i = 0; i <= MAX_TOPICS; i++) cat.apply(body(`topic-${i}`, [ch('x')]));
  assert.equal(cat.topics.size, MAX_TOPICS);
  assert.deepEqual(cat.list(['t']), [], 'the topic told least recently is forgotten first');
  assert.equal(cat.list([`topic-${MAX_TOPICS}`]).length, 1);
});

// ---- search ------------------------------------------------------------------------------

const SIM = [
  ch('speed_kph', { unit: 'km/h' }), ch('rpm', { unit: 'rpm' }),
  ch('tire_temp_c.fl', { unit: '°C' }), ch('tire_temp_c.fr', { unit: '°C' }),
  ch('steer'), ch('g_lat', { unit: 'g' }), ch('g_long', { unit: 'g' }),
  ch('brake_temp_c.fl', { unit: '°C' }), ch('brake_temp_c.fr', { unit: '°C' }), ch('brake_temp_c.rl', { unit: '°C' }),
  ch('tire_pressure_psi.fl', { unit: 'psi' }), ch('fuel_kg', { unit: 'kg' }),
  ch('brake'), ch('g_total', { math: true }), ch('brake_temp_front_max_c', { unit: '°C', math: true }),
];

test('words find a channel by the parts of its name, abbreviations included', () => {
  assert.deepEqual(names(search(SIM, 'brake fl')), ['brake_temp_c.fl']);
  assert.deepEqual(names(search(SIM, 'brk fl')), ['brake_temp_c.fl']);
  assert.deepEqual(names(search(SIM, 'BRAKE  FL ')), ['brake_temp_c.fl'], 'case and spaces do not matter');
  assert.deepEqual(names(search(SIM, 'press fl')), ['tire_pressure_psi.fl']);
  assert.deepEqual(names(search(SIM, 'temp_c.f')), ['tire_temp_c.fl', 'tire_temp_c.fr', 'brake_temp_c.fl', 'brake_temp_c.fr']);
  assert.deepEqual(search(SIM, 'nothing like it'), []);
});

test('the exact name comes first, then names starting with the query, then the rest in list order', () => {
  assert.deepEqual(names(search(SIM, 'brake')).slice(0, 2), ['brake', 'brake_temp_c.fl']);
  assert.deepEqual(names(search(SIM, 'brake')), ['brake', 'brake_temp_c.fl', 'brake_temp_c.fr', 'brake_temp_c.rl', 'brake_temp_front_max_c']);
  assert.deepEqual(names(search(SIM, 'g_l')), ['g_lat', 'g_long']);
  // A whole part beats an abbreviation ('fl' for 'fuel').
  assert.deepEqual(names(search(SIM, 'fl')), ['tire_temp_c.fl', 'brake_temp_c.fl', 'tire_pressure_psi.fl', 'fuel_kg']);
});

test('units and "math" are searchable too', () => {
  assert.deepEqual(names(search(SIM, 'psi')), ['tire_pressure_psi.fl']);
  assert.deepEqual(names(search(SIM, 'km/h')), ['speed_kph']);
  assert.deepEqual(names(search(SIM, 'math')), ['g_total', 'brake_temp_front_max_c']);
  assert.deepEqual(names(search(SIM, 'math brake')), ['brake_temp_front_max_c']);
  assert.deepEqual(names(search(SIM, '°c fl')), ['tire_temp_c.fl', 'brake_temp_c.fl']);
});

test('an empty query lists everything in order, as a copy', () => {
  const all = search(SIM, '  ');
  assert.deepEqual(all, SIM);
  assert.notEqual(all, SIM);
});
