// Zoomed-out charts (static/strips/zoom.js): the spans, the overview request, and an overview drawn
// as a minimum and a maximum per bucket so a one-sample spike stays visible.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bandColumns, bucketCount, bucketValues, dragSpan, overviewRequest, peak, zoomLabel, zoomSpan } from '../../../static/strips/zoom.js';

const RETAINED = { from: 1_000_000, to: 5_000_000 };

describe('zoom spans', () => {
  test('end at the playhead or the live edge, never before what Kafka retains', () => {
    assert.deepEqual(zoomSpan(300, 4_000_000, RETAINED), { from: 3_700_000, to: 4_000_000 });
    assert.deepEqual(zoomSpan(3600, 4_000_000, RETAINED), { from: 1_000_000, to: 4_000_000 });
    assert.deepEqual(zoomSpan(0, 4_000_000, RETAINED), RETAINED, 'all is everything Kafka holds');
    assert.equal(zoomSpan(0, 4_000_000, null), null);
    assert.equal(zoomSpan(300, NaN, RETAINED), null);
  });

  test('a drag selects its span in either direction; a click is not a zoom', () => {
    assert.deepEqual(dragSpan(2000.4, 1000.2), { from: 1000, to: 2000 });
    assert.equal(dragSpan(1000, 1200), null);
  });

  test('labels', () => {
    assert.deepEqual([300, 900, 3600, 0].map(zoomLabel), ['5 min', '15 min', '1 h', 'all']);
  });
});

describe('the overview request', () => {
  test('asks for one bucket per pixel of chart width, within the protocol’s bounds', () => {
    assert.deepEqual(overviewRequest({ from: 10.4, to: 99.2 }, 1180.7), { from_ts: 10, to_ts: 100, buckets: 1180 });
    assert.equal(overviewRequest({ from: 0, to: 1 }, 9000).buckets, 4000);
    assert.deepEqual(overviewRequest({ from: 0, to: 1 }, 100, null, ['speed_kph', 'brake_temp_c.fl']).channels, ['speed_kph', 'brake_temp_c.fl'],
      'the strips’ channels are asked for');
    const many = Array.from({ length: 20 }, (_, i) => `c${i}`);
    assert.deepEqual(overviewRequest({ from: 0, to: 1 }, 100, null, ['x'.repeat(129), ...many]).channels, many.slice(0, 16),
      'at most 16, each a name the server takes');
    assert.equal(overviewRequest({ from: 0, to: 1 }, 100, null, []).channels, undefined, 'none: the server’s default set');
    assert.equal(overviewRequest({ from: 0, to: 1 }, 0).buckets, 1);
    assert.deepEqual(overviewRequest({ from: 0, to: 1 }, 10, ['7']).cars, ['7']);
  });
});

describe('bands from an overview', () => {
  const ov = {
    type: 'overview', state: 'done', from_ts: 10_000, to_ts: 14_000, bucket_ms: 1000, buckets: 4,
    cars: [
      { car: '7', count: [20, 20, 0, 20], channels: { rpm: { min: [9000, 8000, null, 9500], max: [12000, 25000, null, 12500] } } },
      { car: '3', count: [20, 20, 20, 20], channels: { rpm: { min: [7000, 7000, 7000, 7000], max: [11000, 11000, 11000, 11000] } } },
    ],
  };

  test('each bucket is drawn at its middle, with each car’s max and min', () => {
    const { x, pairs } = bandColumns(ov, ['3', '7'], 'rpm');
    assert.deepEqual(x, [10.5, 11.5, 12.5, 13.5]);
    assert.deepEqual(pairs.map((p) => p.car), ['3', '7']);
    assert.deepEqual(pairs[1].max, [12000, 25000, null, 12500]);
    assert.deepEqual(pairs[1].min, [9000, 8000, null, 9500]);
  });

  test('a one-sample spike survives the summary, and a gap stays a gap', () => {
    const { pairs } = bandColumns(ov, ['7'], 'rpm');
    assert.equal(Math.max(...pairs[0].max.filter((v) => v != null)), 25000);
    assert.equal(pairs[0].max[2], null);
    assert.equal(peak(ov, 'rpm'), 25000);
  });

  test('zoomed in below the sample interval, empty buckets between samples are drawn across; a long silence is not', () => {
    // 10 ms buckets, a sample every 50 ms, then 2 s of nothing.
    const max = [1, null, null, null, null, 2, ...Array(200).fill(null), 3];
    const fine = { type: 'overview', from_ts: 0, to_ts: max.length * 10, bucket_ms: 10, buckets: max.length,
      cars: [{ car: '7', channels: { rpm: { min: max, max } } }] };
    const col = bandColumns(fine, ['7'], 'rpm').pairs[0].max;
    assert.deepEqual(col.slice(0, 6), [1, undefined, undefined, undefined, undefined, 2]);
    assert.equal(col[100], null, 'the silence breaks the line');
    assert.equal(col.at(-1), 3);
  });

  test('with several topics a car is known by its id and its topic', () => {
    const two = { ...ov, cars: [{ ...ov.cars[0], topic: 'a' }, { ...ov.cars[0], topic: 'b', channels: { rpm: { min: [1, 1, 1, 1], max: [2, 2, 2, 2] } } }] };
    assert.deepEqual(bandColumns(two, ['7@b'], 'rpm').pairs[0].max, [2, 2, 2, 2]);
    assert.deepEqual(bandColumns(two, ['7@a'], 'rpm').pairs[0].max, [12000, 25000, null, 12500]);
  });

  test('a car or channel the overview lacks is drawn as nothing', () => {
    const { pairs } = bandColumns(ov, ['9'], 'rpm');
    assert.deepEqual(pairs[0].max, [null, null, null, null]);
    assert.deepEqual(bandColumns(ov, ['7'], 'speed_kph').pairs[0].min, [null, null, null, null]);
  });

  test('the legend under the cursor reads a bucket’s maxima, lap, partition and driver', () => {
    const withLaps = { ...ov, cars: [{ ...ov.cars[0], partition: 3, driver: 'A. Senna', laps: [{ lap: 4, ts: 9000 }, { lap: 5, ts: 11_200 }] }] };
    assert.deepEqual(bucketValues(withLaps, '7', 1), {
      speed: NaN, rpm: 25000, gear: NaN, lap: 5, fl: NaN, fr: NaN, rl: NaN, rr: NaN, part: 3, driver: 'A. Senna',
    });
    assert.equal(bucketValues(withLaps, '7', 0).lap, 4);
    assert.ok(Number.isNaN(bucketValues(withLaps, '7', 2).rpm), 'nothing in a gap');
    assert.equal(bucketValues(withLaps, '9', 0), null);
  });

  test('the bucket count comes from the answer, else from its counts or its span', () => {
    assert.equal(bucketCount(ov), 4);
    assert.equal(bucketCount({ ...ov, buckets: undefined }), 4);
    assert.equal(bucketCount({ from_ts: 0, to_ts: 3500, bucket_ms: 1000, cars: [] }), 4);
  });
});
