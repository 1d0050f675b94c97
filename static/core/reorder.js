// Putting a parent's children into a new order with as few moves as the DOM allows: the
// children already in order relative to each other (the longest run of them, in the
// order's sense) stay, and only the others move. Moving a node takes it out of the layout
// and puts it back, so re-appending all twenty rows of the timing tower when two cars swap
// restyled and laid out the whole table (some 650 layout objects, 8 ms in a trace of the
// bench); moving the one car that gained a place costs a row's worth.

/**
 * The positions in `order` (each a node's current index among the children, or -1 for a
 * node not there yet) that may stay where they are: a longest increasing subsequence.
 * @param {number[]} order
 * @returns {Set<number>} positions in `order`
 */
export function staying(order) {
  // Patience sorting: tails[k] is the position ending the best run of length k + 1.
  const tails = [];
  const prev = new Array(order.length).fill(-1);
  for (let i = 0; i < order.length; i++) {
    if (order[i] < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order[tails[mid]] < order[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const keep = new Set();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i]) keep.add(i);
  return keep;
}

/**
 * Puts `nodes` (the children of `parent`, and any new ones) in this order, moving only the
 * nodes out of place.
 * @param {Element} parent  @param {Element[]} nodes
 * @returns {number} how many nodes moved
 */
export function reorderChildren(parent, nodes) {
  const index = new Map();
  let i = 0;
  for (let c = parent.firstElementChild; c; c = c.nextElementSibling) index.set(c, i++);
  const keep = staying(nodes.map((n) => index.get(n) ?? -1));
  let moved = 0;
  // From the end: each node goes before the one that must follow it, already in place.
  let next = null;
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (!keep.has(k)) {
      parent.insertBefore(n, next);
      moved++;
    }
    next = n;
  }
  return moved;
}
