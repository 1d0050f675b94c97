// The channel picker's words, pure: a channel's range and record count as a row shows them,
// and what the server's bounds dropped from a topic, so a person learns why a channel is
// missing. Test: tests/js/chrome/channel-text.test.mjs.

const count = new Intl.NumberFormat('en-US');
const decimals = Array.from({ length: 5 }, (_, d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));

/**
 * `min – max` with as many decimals as the span needs to be read (about three significant
 * digits of it): 88.5–1,012 °C shows as "89 – 1,012", -4.13–4.31 g as "-4.13 – 4.31".
 * @param {number|null} min  @param {number|null} max
 */
export function formatRange(min, max) {
  if (min === null || max === null) return 'no value yet';
  const span = max - min || Math.max(Math.abs(min), Math.abs(max));
  const d = span > 0 ? Math.min(4, Math.max(0, 2 - Math.floor(Math.log10(span)))) : 0;
  const f = decimals[d];
  return min === max ? f.format(min) : `${f.format(min)} – ${f.format(max)}`;
}

/** "52,310 records", "1 record". */
export function formatRecords(n) {
  return `${count.format(n)} record${n === 1 ? '' : 's'}`;
}

/**
 * What the bounds took from `topic` (docs/protocol.md, "The channels of a topic"), as one
 * sentence; null when they took nothing.
 * @param {string} topic
 * @param {{name_too_long: number, over_record_limit: number, over_topic_limit: number,
 *   refused_channels: number}|null} d
 */
export function describeDropped(topic, d) {
  if (!d) return null;
  const n = (k, one, many) => (d[k] > 0 ? `${count.format(d[k])} ${d[k] === 1 ? one : many}` : null);
  const parts = [
    n('refused_channels', 'new channel name (the topic is full at 512)', 'new channel names (the topic is full at 512)'),
    n('over_topic_limit', 'value of channels beyond the topic\'s 512', 'values of channels beyond the topic\'s 512'),
    n('over_record_limit', 'value beyond a record\'s 256 channels', 'values beyond a record\'s 256 channels'),
    n('name_too_long', 'value named over 128 bytes', 'values named over 128 bytes'),
  ].filter(Boolean);
  return parts.length ? `${topic}: the server's bounds left out ${parts.join('; ')}.` : null;
}
