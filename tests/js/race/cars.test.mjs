// Which cars the list shows in what order, which are drawn, and which one is followed
// (static/core/state.js's ordering, static/race/cars.js's choices).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_DRAWN, drawnCars, focusedCar } from '../../../static/race/cars.js';
import { carKey, compareCars, splitCarKey } from '../../../static/core/state.js';

const sorted = (ids) => [...ids].sort(compareCars);

describe('the order of the car list', () => {
  test('numbered cars go by number, not as text', () => {
    assert.deepEqual(sorted(['10', '2', '1', '33', '3']), ['1', '2', '3', '10', '33']);
  });

  test('named cars go alphabetically, numbered ones first', () => {
    assert.deepEqual(sorted(['ham', '44', 'alo', '7', 'ver']), ['7', '44', 'alo', 'ham', 'ver']);
  });

  test('numbers that read alike keep a stable order', () => {
    assert.deepEqual(sorted(['07', '7', '7.0']), ['07', '7', '7.0']);
    assert.deepEqual(sorted(['7.0', '7', '07']), ['07', '7', '7.0']);
  });

  test('with several topics, cars are grouped by topic, then by number', () => {
    const keys = [carKey('10', 'pit', true), carKey('2', 'pit', true), carKey('10', 'alpha', true), carKey('2', 'alpha', true)];
    assert.deepEqual(sorted(keys), ['2@alpha', '10@alpha', '2@pit', '10@pit']);
    assert.deepEqual(splitCarKey('10@alpha'), ['10', 'alpha']);
    assert.deepEqual(splitCarKey('10'), ['10', null]);
    assert.equal(carKey('10', 'alpha', false), '10', 'one topic: the plain id');
  });

  test('a car id with an @ in it still splits at its topic', () => {
    assert.deepEqual(splitCarKey(carKey('a@b', 'pit', true)), ['a@b', 'pit']);
  });
});

describe('the focused car', () => {
  test('is the one chosen while it is there, else the first in the list', () => {
    assert.equal(focusedCar('7', ['1', '7']), '7');
    assert.equal(focusedCar('9', ['1', '7']), '1', 'a car from the URL that is not (yet) there');
    assert.equal(focusedCar(null, ['3', '4']), '3');
    assert.equal(focusedCar(null, []), null);
  });
});

describe('the cars drawn', () => {
  const ids = (n) => Array.from({ length: n }, (_, i) => String(i + 1));

  test('are every car not unticked, in list order', () => {
    assert.deepEqual(drawnCars(['1', '2', '3'], new Set(['2']), '1'), ['1', '3']);
  });

  test('always include the focused car, even unticked', () => {
    assert.deepEqual(drawnCars(['1', '2', '3'], new Set(['1', '2', '3']), '2'), ['2']);
  });

  test(`are at most ${MAX_DRAWN}, and the focused car is among them when it is further down`, () => {
    const cars = ids(30);
    assert.deepEqual(drawnCars(cars, new Set(), '1'), ids(MAX_DRAWN));
    const drawn = drawnCars(cars, new Set(), '27');
    assert.equal(drawn.length, MAX_DRAWN);
    assert.equal(drawn.at(-1), '27');
    assert.deepEqual(drawn.slice(0, -1), ids(MAX_DRAWN - 1));
  });

  test('are none when there are no cars', () => {
    assert.deepEqual(drawnCars([], new Set(), null), []);
  });
});
