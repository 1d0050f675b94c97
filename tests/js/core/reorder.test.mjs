// Reordering children with few moves (static/core/reorder.js): the order comes out right,
// and rows already in place relative to each other do not move.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reorderChildren, staying } from '../../../static/core/reorder.js';

/** Just enough of an element for reorderChildren: children in order, siblings, insertBefore. */
class Parent {
  constructor(names) {
    this.kids = names.map((name) => this.node(name));
  }
  node(name) {
    const kids = () => this.kids;
    return this.kids?.find((k) => k.name === name) ?? {
      name,
      get nextElementSibling() {
        const at = kids().indexOf(this);
        return at < 0 ? null : kids()[at + 1] ?? null;
      },
    };
  }
  get firstElementChild() { return this.kids[0] ?? null; }
  insertBefore(n, before) {
    const at = this.kids.indexOf(n);
    if (at >= 0) this.kids.splice(at, 1);
    this.kids.splice(before === null ? this.kids.length : this.kids.indexOf(before), 0, n);
  }
}
function reorder(from, to) {
  const p = new Parent(from);
  const moved = reorderChildren(p, to.map((name) => p.node(name)));
  return { order: p.kids.map((k) => k.name), moved };
}

describe('reordering children', () => {
  test('a car gaining one place moves alone, not the whole tower', () => {
    const cars = Array.from({ length: 20 }, (_, i) => `#${i + 1}`);
    const next = [...cars];
    [next[6], next[7]] = [next[7], next[6]];
    assert.deepEqual(reorder(cars, next), { order: next, moved: 1 });
  });

  test('the leader falling to last is one move', () => {
    const cars = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(reorder(cars, ['b', 'c', 'd', 'e', 'a']), { order: ['b', 'c', 'd', 'e', 'a'], moved: 1 });
  });

  test('a reversed order comes out right, keeping one node', () => {
    assert.deepEqual(reorder(['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a']), { order: ['d', 'c', 'b', 'a'], moved: 3 });
  });

  test('the same order moves nothing', () => {
    assert.deepEqual(reorder(['a', 'b', 'c'], ['a', 'b', 'c']), { order: ['a', 'b', 'c'], moved: 0 });
  });

  test('new nodes go in at their place', () => {
    assert.deepEqual(reorder(['a', 'c'], ['a', 'b', 'c', 'd']), { order: ['a', 'b', 'c', 'd'], moved: 2 });
  });

  test('every shuffle of five comes out in the asked order, moving n minus its longest kept run', () => {
    const perms = (xs) => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    const base = ['a', 'b', 'c', 'd', 'e'];
    for (const to of perms(base)) {
      const { order, moved } = reorder(base, to);
      assert.deepEqual(order, to);
      assert.equal(moved, 5 - staying(to.map((n) => base.indexOf(n))).size);
    }
  });
});

describe('the nodes that stay', () => {
  test('are a longest increasing run of current places', () => {
    const order = [0, 1, 3, 2, 4];
    const kept = [...staying(order)].sort((a, b) => a - b);
    assert.equal(kept.length, 4);
    assert.ok(kept.every((p, i) => i === 0 || order[kept[i - 1]] < order[p]), `${kept} increase`);
    assert.equal(staying([4, 3, 2, 1, 0]).size, 1);
    assert.equal(staying([-1, 0, -1, 1]).size, 2, 'new nodes (-1) never stay');
    assert.equal(staying([]).size, 0);
  });
});
