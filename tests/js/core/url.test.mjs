// The view's round trip through the URL (static/core/url.js) and the selection edits the pickers
// make (static/core/selection.js): a shared link opens the same view.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SPEEDS, formatQuery, formatStrips, parseStrips, parseQuery, parseSpeed, parseTime, selectionFromQuery } from '../../../static/core/url.js';
import { DEFAULT_STRIPS, addChannel, addStrip, removeStrip } from '../../../static/strips/layout.js';
import { describeSelection, selects, withPartitionToggled, withTopic } from '../../../static/core/selection.js';

/** The view a link opens, after the page wrote it. */
const roundTrip = (view) => parseQuery(formatQuery(view));

describe('the URL', () => {
  test('one topic with some partitions reads as people write it', () => {
    const q = formatQuery({ selection: [{ topic: 'telemetry', partitions: [0, 2] }], car: '7', window: 30 });
    assert.equal(q, '?topic=telemetry&partitions=0,2&car=7&window=30');
  });

  test('several topics each keep their own partitions', () => {
    const selection = [{ topic: 'a', partitions: [0, 2] }, { topic: 'b', partitions: null }];
    assert.equal(formatQuery({ selection }), '?topic=a:0,2&topic=b');
    assert.deepEqual(roundTrip({ selection }).selection, selection);
  });

  test('the default window and no focused car are left out', () => {
    assert.equal(formatQuery({ selection: [{ topic: 't', partitions: null }], car: null, window: 60 }), '?topic=t');
    assert.deepEqual(parseQuery('?topic=t'), {
      selection: [{ topic: 't', partitions: null }], car: null, cars: null, window: 60, t: null, speed: 1, paused: false, axis: 'time', wire: 'columnar', strips: null, layout: null, a: null, b: null,
    });
  });

  test('odd but valid topic names come back unchanged', () => {
    const names = ['telemetry.v2_eu-west', '2024', 'all', '__consumer_offsets', '-.-', 'x'.repeat(249), 'A.B'];
    for (const name of names) {
      const one = [{ topic: name, partitions: [3] }];
      assert.deepEqual(roundTrip({ selection: one }).selection, one, name);
    }
    const many = names.map((topic, i) => ({ topic, partitions: i % 2 ? [i, i + 10] : null }));
    assert.deepEqual(roundTrip({ selection: many, car: 'car 12', window: 120 }),
      { selection: many, car: 'car 12', cars: null, window: 120, t: null, speed: 1, paused: false, axis: 'time', wire: 'columnar', strips: null, layout: null, a: null, b: null });
  });

  test('a car id with characters a URL escapes comes back unchanged', () => {
    for (const car of ['7', 'car #3 & co', 'ünïcode', '12@pit', 'a=b?c']) {
      assert.equal(roundTrip({ selection: [{ topic: 't', partitions: null }], car }).car, car);
    }
  });

  test('partition lists are sorted, without repeats, and junk in them is skipped', () => {
    assert.deepEqual(selectionFromQuery('?topic=t&partitions=5,1,5,%203,-1,x,2.5'), [{ topic: 't', partitions: [1, 3, 5] }]);
    assert.deepEqual(selectionFromQuery('?topic=t&partitions=all'), [{ topic: 't', partitions: null }]);
    assert.deepEqual(selectionFromQuery('?topic=t&partitions='), [{ topic: 't', partitions: null }]);
    assert.deepEqual(selectionFromQuery('?topic=t&partitions=x,-2'), [{ topic: 't', partitions: null }], 'nothing valid is every partition');
    assert.deepEqual(selectionFromQuery('?topic=a:2,0&topic=b:all'), [{ topic: 'a', partitions: [0, 2] }, { topic: 'b', partitions: null }]);
  });

  test('a one-topic link may use either form', () => {
    assert.deepEqual(selectionFromQuery('?topic=a:1,0'), [{ topic: 'a', partitions: [0, 1] }]);
    assert.deepEqual(selectionFromQuery('?topic=a&partitions=4'), [{ topic: 'a', partitions: [4] }]);
  });

  test('a link that names no topic leaves the choice to the server; repeats and blanks are dropped', () => {
    assert.equal(parseQuery('').selection, null);
    assert.equal(parseQuery('?car=3&topic=%20').selection, null);
    assert.deepEqual(selectionFromQuery('?topic=a&topic=%20&topic=a:1&topic=b'), [{ topic: 'a', partitions: null }, { topic: 'b', partitions: null }]);
  });

  test('a window the page does not offer falls back to 60 s', () => {
    for (const w of ['30', '60', '120']) assert.equal(parseQuery(`?window=${w}`).window, Number(w));
    for (const w of ['45', 'abc', '', '-30', '1e9']) assert.equal(parseQuery(`?window=${w}`).window, 60, w);
  });
});

describe('the moment in the URL', () => {
  const sel = [{ topic: 't', partitions: null }];
  const T = Date.UTC(2025, 10, 25, 14, 3, 12, 345);

  test('a paused moment at 2× with two cars drawn reads as people write it', () => {
    const q = formatQuery({ selection: sel, car: '7', cars: ['3', '7'], t: T, speed: 2, paused: true });
    assert.equal(q, '?topic=t&car=7&cars=3&cars=7&t=2025-11-25T14:03:12.345Z&speed=2&paused=1');
    assert.deepEqual(parseQuery(q), { selection: sel, car: '7', cars: ['3', '7'], window: 60, t: T, speed: 2, paused: true, axis: 'time', wire: 'columnar', strips: null, layout: null, a: null, b: null });
  });

  test('every speed of the selector comes back; 1× and live are left out', () => {
    for (const speed of SPEEDS) assert.equal(roundTrip({ selection: sel, t: T, speed }).speed, speed, String(speed));
    assert.equal(formatQuery({ selection: sel, t: null, speed: 1, paused: true }), '?topic=t', 'live is never paused');
    assert.equal(formatQuery({ selection: sel, t: T, paused: false }), '?topic=t&t=2025-11-25T14:03:12.345Z');
  });

  test('a playhead may be written as ms since the epoch; junk is live', () => {
    assert.equal(parseTime(String(T)), T);
    assert.equal(parseTime('2025-11-25T14:03:12.345Z'), T);
    for (const junk of [null, '', 'soon', '-5']) assert.equal(parseTime(junk), null, String(junk));
    assert.equal(parseQuery('?topic=t&paused=1').paused, false, 'paused means nothing without a moment');
  });

  test('a speed the selector does not offer is 1×', () => {
    for (const s of ['3', 'fast', '', null, '0']) assert.equal(parseSpeed(s), 1, String(s));
    assert.equal(parseSpeed('max'), 'max');
    assert.equal(parseSpeed('0.25'), 0.25);
  });

  test('car ids with commas or ampersands survive in the drawn list', () => {
    const cars = ['a,b', 'c&d', 'ü'];
    assert.deepEqual(roundTrip({ selection: sel, cars }).cars, cars);
    assert.equal(roundTrip({ selection: sel, cars: [] }).cars, null, 'an empty list is every car');
  });
});

describe('the pickers’ edits to a selection', () => {
  const sel = [{ topic: 'a', partitions: null }, { topic: 'b', partitions: [1] }];

  test('ticking a topic adds it with every partition; unticking removes it', () => {
    assert.deepEqual(withTopic(sel, 'c', true), [...sel, { topic: 'c', partitions: null }]);
    assert.deepEqual(withTopic(sel, 'a', false), [sel[1]]);
    assert.deepEqual(withTopic(sel, 'b', true), [sel[0], { topic: 'b', partitions: null }], 'ticking again resets its partitions');
  });

  test('partition chips toggle, stay sorted, and the last one un-pressed means every partition', () => {
    let s = withPartitionToggled(sel, 'b', 0);
    assert.deepEqual(s[1], { topic: 'b', partitions: [0, 1] });
    s = withPartitionToggled(s, 'b', 1);
    s = withPartitionToggled(s, 'b', 0);
    assert.deepEqual(s[1], { topic: 'b', partitions: null });
    assert.deepEqual(withPartitionToggled(sel, 'b', 'all')[1], { topic: 'b', partitions: null });
    assert.equal(withPartitionToggled(sel, 'b', 0)[0], sel[0], 'other topics are untouched');
  });

  test('a record belongs to the selection by topic and partition', () => {
    assert.equal(selects(sel, 'a', 9), true);
    assert.equal(selects(sel, 'b', 1), true);
    assert.equal(selects(sel, 'b', 2), false);
    assert.equal(selects(sel, 'c', 0), false);
  });

  test('the chart title says what is watched', () => {
    assert.equal(describeSelection(sel), 'a · all partitions  +  b · P1');
    assert.equal(describeSelection([{ topic: 't', partitions: [0, 2] }]), 't · P0, P2');
    assert.equal(describeSelection([]), 'no topic chosen');
  });
});

describe('the strips by distance', () => {
  test('a link that asks for JSON data keeps asking; columnar is the default and left out', () => {
    const selection = [{ topic: 't', partitions: null }];
    assert.equal(formatQuery({ selection, wire: 'json' }), '?topic=t&wire=json');
    assert.equal(roundTrip({ selection, wire: 'json' }).wire, 'json');
    assert.equal(formatQuery({ selection, wire: 'columnar', strips: null, layout: null }), '?topic=t');
    assert.equal(parseQuery('?topic=t&wire=msgpack').wire, 'columnar', 'anything else is the default');
  });

  test('a link keeps Distance mode; by time is the default and left out', () => {
    const selection = [{ topic: 't', partitions: null }];
    assert.equal(formatQuery({ selection, car: '7', axis: 'distance' }), '?topic=t&car=7&axis=distance');
    assert.equal(roundTrip({ selection, axis: 'distance' }).axis, 'distance');
    assert.equal(formatQuery({ selection, axis: 'time' }), '?topic=t');
    assert.equal(parseQuery('?topic=t&axis=sideways').axis, 'time');
  });
});

describe('the strips in the URL', () => {
  const names = (strips) => strips.map((s) => `${s.cars}:${s.channels.join('+')}`);
  const roundTrip = (strips) => parseQuery(formatQuery({ selection: [{ topic: 't', partitions: null }], strips })).strips;

  test('no strips (the page’s default set) are left out; a set reads as people write it', () => {
    assert.equal(formatQuery({ selection: [{ topic: 't', partitions: null }], strips: null }), '?topic=t');
    assert.equal(parseQuery('?topic=t').strips, null);
    const mine = addStrip(removeStrip(DEFAULT_STRIPS, 1), 'brake_temp_c.fl', 'focus');
    const q = formatQuery({ selection: [{ topic: 't', partitions: null }], strips: mine });
    assert.match(q, /strip=all:speed_kph&strip=car:gear&/);
    assert.match(q, /strip=car:brake_temp_c\.fl$/);
    assert.deepEqual(names(roundTrip(mine)), names(mine));
  });

  test('any channel name comes back: , ; = & % spaces, colons and unicode', () => {
    const odd = ['a,b', 'x;y', 'k=v', 'p&q', 'with space', 'g.lat:2', '100%', '%2C', 'temp_°c', 'Ω.ü', '+plus', '#hash', '?q', 'a/b'];
    let strips = [];
    strips = addStrip(strips, odd[0]);
    for (const n of odd.slice(1)) strips = addChannel(strips, 0, n);
    strips = addStrip(strips, 'b,c', 'focus');
    assert.deepEqual(names(roundTrip(strips)), names(strips));
  });

  test('no strips at all is a layout too; junk and empty strips are skipped', () => {
    assert.deepEqual(roundTrip([]), []);
    assert.deepEqual(formatStrips([]), ['-']);
    assert.deepEqual(names(parseStrips(['some:x', 'all:', 'car:a,,a,b', 'nothing'])), ['focus:a+b']);
  });
});

describe('the layout in the URL', () => {
  const selection = [{ topic: 't', partitions: null }];
  const param = 'eyJ2ZXJzaW9uIjoxLCJwYW5lbHMiOlt7ImtpbmQiOiJtYXAifV19';

  test('layout= is kept as written, and left out for the default layout', () => {
    assert.equal(formatQuery({ selection, layout: param }), `?topic=t&layout=${param}`);
    assert.equal(roundTrip({ selection, car: '7', layout: param }).layout, param);
    assert.equal(formatQuery({ selection, layout: null }), '?topic=t');
    assert.equal(parseQuery('?topic=t&layout=').layout, null, 'an empty layout= is the default');
  });

  test('with a layout in the link, strip= and axis= are no longer written, but still read', () => {
    const strips = [{ channels: ['gear'], cars: 'focus' }];
    assert.equal(formatQuery({ selection, axis: 'distance', strips, layout: param }), `?topic=t&layout=${param}`);
    assert.equal(formatQuery({ selection, axis: 'distance', strips }), '?topic=t&axis=distance&strip=car:gear');
    const old = parseQuery('?topic=t&axis=distance&strip=car:gear');
    assert.deepEqual([old.layout, old.axis, old.strips], [null, 'distance', strips]);
  });
});

describe('the A/B cursors in the URL', () => {
  const selection = [{ topic: 't', partitions: null }];

  test('both cursors read as people write them, to the millisecond', () => {
    const q = formatQuery({ selection, a: Date.UTC(2025, 10, 25, 0, 0, 10, 120), b: Date.UTC(2025, 10, 25, 0, 0, 12, 500) });
    assert.equal(q, '?topic=t&a=2025-11-25T00:00:10.120Z&b=2025-11-25T00:00:12.500Z');
    const back = parseQuery(q);
    assert.deepEqual([back.a, back.b], [Date.UTC(2025, 10, 25, 0, 0, 10, 120), Date.UTC(2025, 10, 25, 0, 0, 12, 500)]);
  });

  test('a cursor may be ms since the epoch, one may be set without the other, and junk is unset', () => {
    assert.deepEqual(pick(parseQuery('?topic=t&a=1764028810120')), { a: 1764028810120, b: null });
    assert.deepEqual(pick(parseQuery('?topic=t&b=2025-11-25T00:00:12Z')), { a: null, b: Date.UTC(2025, 10, 25, 0, 0, 12) });
    assert.deepEqual(pick(parseQuery('?topic=t&a=-5&b=soon')), { a: null, b: null });
  });

  test('unset cursors are left out of the link; set ones come after the layout', () => {
    assert.equal(formatQuery({ selection, a: null, b: NaN }), '?topic=t');
    assert.equal(formatQuery({ selection, b: 5 }), '?topic=t&b=1970-01-01T00:00:00.005Z');
    assert.equal(formatQuery({ selection, layout: 'eyJ9', a: 5 }), '?topic=t&layout=eyJ9&a=1970-01-01T00:00:00.005Z');
  });
});

function pick({ a, b }) {
  return { a, b };
}
