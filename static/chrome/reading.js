// What this server reads, in words for the Kafka panel: the one-line count its "Reads" row
// shows (`owns 6 · follows 0 · 14 topics`) and the partitions by topic shown on demand.
// Pure, tested by tests/js/chrome/reading.test.mjs.

/** "owns 6 · follows 0 · 2 topics": partitions owned in the group, followed, and the topics they span. */
export function readingLine(assignment, followed) {
  const topics = new Set([...assignment, ...followed].map((p) => p.topic)).size;
  return `owns ${assignment.length} · follows ${followed.length} · ${topics} ${topics === 1 ? 'topic' : 'topics'}`;
}

/** "owns telemetry 0–2 · follows telemetry 3–5": the group's assignment and the follower's partitions. */
export function summariseReading(assignment, followed) {
  if (assignment.length === 0 && followed.length === 0) return 'none (yet)';
  const parts = [];
  if (assignment.length) parts.push(`owns ${summarise(assignment)}`);
  if (followed.length) parts.push(`follows ${summarise(followed)}`);
  return parts.join(' · ');
}

/** "telemetry 0–5 · pit 1,3": partitions grouped by topic, ranges collapsed. */
function summarise(partitions) {
  const byTopic = new Map();
  for (const a of partitions) {
    if (!byTopic.has(a.topic)) byTopic.set(a.topic, []);
    byTopic.get(a.topic).push(a.partition);
  }
  return [...byTopic]
    .map(([topic, ps]) => `${topic} ${ranges(ps.sort((a, b) => a - b))}`)
    .join(', ');
}

function ranges(ps) {
  const out = [];
  for (let i = 0; i < ps.length; i++) {
    let j = i;
    while (j + 1 < ps.length && ps[j + 1] === ps[j] + 1) j++;
    out.push(j - i >= 2 ? `${ps[i]}–${ps[j]}` : ps.slice(i, j + 1).join(','));
    i = j;
  }
  return out.join(',');
}
