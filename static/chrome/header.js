// The header's two indicators: the connection (to the server, and the server's to Kafka)
// and the live/replay badge, which must be impossible to miss.

import { replayProgress } from '../playback/timeline.js';

export class Header {
  constructor(root) {
    this.conn = root.querySelector('[data-testid="connection-status"]');
    this.connText = root.querySelector('[data-testid="connection-text"]');
    this.badge = root.querySelector('[data-testid="mode-badge"]');
    this.modeText = root.querySelector('[data-testid="mode-text"]');
    this.modeSub = root.querySelector('[data-testid="mode-sub"]');
    this.groupId = root.querySelector('[data-testid="group-id"]');
  }

  setGroup(id) {
    this.groupId.textContent = id;
  }

  /**
   * @param {{state: string, attempt?: number, retryInMs?: number, dataFormat?: string}} s  from connection.js
   * @param {{reachable: boolean, error: string|null}|undefined} kafka  from the last `stats`
   */
  connection(s, kafka) {
    let state = s.state;
    let label;
    let title;
    if (state === 'connected' && kafka?.reachable === false) {
      state = 'kafka-down';
      label = 'Kafka unavailable';
      title = kafka.error ?? 'The server cannot reach the Kafka brokers.';
    } else if (state === 'connected') {
      label = 'Connected';
      title = `Connected to the Trackside server; Kafka is reachable · data: ${formatName(s.dataFormat)}`;
    } else if (state === 'reconnecting') {
      label = 'Reconnecting…';
      title = `Lost the connection to the server; attempt ${s.attempt ?? 1}${s.retryInMs ? `, next in ${Math.ceil(s.retryInMs / 1000)} s` : ''}`;
    } else {
      label = 'Connecting…';
      title = '';
    }
    this.conn.dataset.state = state;
    this.conn.title = title;
    if (this.connText.textContent !== label) this.connText.textContent = label;
  }

  /**
   * @param {'live'|'replay'} mode
   * @param {string|null} state  the replay's state ('starting' before its first message)
   * @param {object|null} replay  the last `replay` message
   */
  mode(mode, state, replay) {
    let badge = { mode: 'live', text: 'Live', sub: `consumer group ${this.groupId.textContent}` };
    if (mode === 'replay') {
      const p = replayProgress(replay);
      const pct = p === null ? 'starting' : `${Math.floor(p * 100)}%`;
      const speed = replay?.speed === 'max' ? 'as fast as Kafka serves' : replay?.speed ? `at ${replay.speed}×` : '';
      badge = {
        starting: { mode: 'replay', text: 'Replay', sub: 'starting…' },
        running: { mode: 'replay', text: 'Replay', sub: `${pct} · ${speed}` },
        paused: { mode: 'replay-paused', text: 'Replay paused', sub: `${pct} · the reader is not fetching` },
        caught_up: { mode: 'caught-up', text: 'Caught up · live', sub: 'streaming live from the replay reader' },
        stopped: { mode: 'replay-stopped', text: 'Replay stopped', sub: 'back to live to resume the stream' },
        failed: { mode: 'replay-failed', text: 'Replay failed', sub: replay?.error ?? '' },
      }[state] ?? { mode: 'replay', text: 'Replay', sub: '' };
    }
    this.badge.dataset.mode = badge.mode;
    this.modeText.textContent = badge.text;
    this.modeSub.textContent = badge.sub;
  }
}

/** How the page names a data format to a person: 'columnar' or 'JSON'. */
export function formatName(format) {
  return format === 'columnar' ? 'columnar' : 'JSON';
}
