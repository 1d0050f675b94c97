// What the page watches: a selection is the protocol's [{ topic, partitions: null | [int] }]
// (null = every partition, including ones added later). Pure functions on selections, shared
// by the session, the pickers and the Kafka panel; no DOM.

export function sameSelection(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a record of `topic`/`partition` belongs to the selection. */
export function selects(selection, topic, partition) {
  for (const s of selection) {
    if (s.topic === topic) return s.partitions === null || s.partitions.includes(partition);
  }
  return false;
}

/** The selection with `topic` added (every partition) or removed: a tick in the topic list. */
export function withTopic(selection, topic, watched) {
  const others = selection.filter((s) => s.topic !== topic);
  return watched ? [...others, { topic, partitions: null }] : others;
}

/**
 * The selection after a click on a partition chip of `topic`: 'all' watches every partition;
 * a number toggles that partition, and un-pressing the last one goes back to every partition.
 */
export function withPartitionToggled(selection, topic, partition) {
  return selection.map((s) => {
    if (s.topic !== topic) return s;
    if (partition === 'all') return { topic, partitions: null };
    const chosen = new Set(s.partitions ?? []);
    if (chosen.has(partition)) chosen.delete(partition);
    else chosen.add(partition);
    return { topic, partitions: chosen.size ? [...chosen].sort((a, b) => a - b) : null };
  });
}

/** "telemetry · P0, P2  +  pit · all partitions": the selection in words, for the chart title. */
export function describeSelection(selection) {
  if (selection.length === 0) return 'no topic chosen';
  return selection
    .map((s) => `${s.topic} · ${s.partitions ? `P${s.partitions.join(', P')}` : 'all partitions'}`)
    .join('  +  ');
}
