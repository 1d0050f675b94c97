// The WebSocket to the server's /ws: connects, reconnects with backoff, and reports its
// status. It knows the transport only; what the messages mean is app.js's business.
//
// `data` messages come as binary columnar frames (static/net/wire.js) when the server takes the
// subprotocol the page offers, as JSON text otherwise; both reach `onMessage` as the same
// `data` message, in the order they arrived among the text messages.

import { SUBPROTOCOL, WireError, decodeDataFrame } from './wire.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** The server sends `stats` every second; this long without any message means a dead link. */
const SILENCE_MS = 6_000;

/**
 * @param {object} handlers
 * @param {(msg: object) => void} handlers.onMessage  every parsed server message
 * @param {() => void} handlers.onOpen  the socket is open; (re)send the selection here
 * @param {(status: {state: string, retryInMs?: number, attempt?: number, dataFormat?: string}) => void} handlers.onStatus
 *   `dataFormat` (when connected): 'columnar' when the server took the subprotocol, else 'json'
 * @param {'columnar'|'json'} [handlers.wire]  how to ask for `data` messages
 */
export function connect({ onMessage, onOpen, onStatus, wire = 'columnar' }) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let ws = null;
  let attempt = 0;
  let retryTimer = 0;
  let lastMessageAt = 0;
  /** 'columnar' or 'json' while connected, as the server answered the handshake; else null. */
  let dataFormat = null;
  /** Binary messages that were not readable data frames (ignored), since the page loaded. */
  let badFrames = 0;

  /** The last attempt: whether it offered the subprotocol and whether it opened. */
  let last = null;

  function open() {
    retryTimer = 0;
    onStatus({ state: attempt === 0 ? 'connecting' : 'reconnecting', attempt });
    const offered = offersColumnar(wire, last);
    const attemptNow = { offered, opened: false };
    last = attemptNow;
    ws = offered ? new WebSocket(url, SUBPROTOCOL) : new WebSocket(url);
    // Not the default Blob, which is read asynchronously: a frame is handled in its turn.
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      attemptNow.opened = true;
      attempt = 0;
      lastMessageAt = performance.now();
      // A server that does not know the subprotocol answers without one, and sends JSON.
      dataFormat = ws.protocol === SUBPROTOCOL ? 'columnar' : 'json';
      onStatus({ state: 'connected', dataFormat });
      onOpen();
    };
    ws.onmessage = (ev) => {
      lastMessageAt = performance.now();
      const { message, problem } = readMessage(ev.data);
      if (message) return onMessage(message);
      if (typeof ev.data !== 'string') badFrames++;
      if (problem) console.warn(`trackside: ignoring a message: ${problem}`);
    };
    ws.onclose = () => {
      ws = null;
      dataFormat = null;
      scheduleRetry();
    };
    // An error is always followed by close, which does the work.
    ws.onerror = () => {};
  }

  function scheduleRetry() {
    if (retryTimer) return;
    attempt++;
    // Exponential with full jitter, so many pages do not reconnect in lockstep after a restart.
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    onStatus({ state: 'reconnecting', retryInMs: delay, attempt });
    retryTimer = setTimeout(open, delay);
  }

  // A socket can stay "open" through a dead network path; stats stop arriving then.
  setInterval(() => {
    if (ws && ws.readyState === WebSocket.OPEN && performance.now() - lastMessageAt > SILENCE_MS) {
      // Do not wait for a closing handshake that may never come.
      const dead = ws;
      ws = null;
      dataFormat = null;
      dead.onclose = null;
      dead.onmessage = null;
      dead.close();
      scheduleRetry();
    }
  }, 1000);

  open();

  return {
    /** Sends a control message if connected; returns whether it was sent. */
    send(msg) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(msg));
      return true;
    },
    get open() {
      return ws !== null && ws.readyState === WebSocket.OPEN;
    },
    get dataFormat() {
      return dataFormat;
    },
    get badFrames() {
      return badFrames;
    },
  };
}

/**
 * Whether a connection attempt offers the columnar subprotocol, given how the last one went.
 * Chromium fails a handshake whose answer names no subprotocol when one was offered, which is
 * what a server older than columnar frames answers: after an attempt that offered it and never
 * opened, the next asks for JSON (which works with any server); the one after that offers it
 * again, so a server that comes back upgraded is asked anew.
 * @param {'columnar'|'json'} wire  @param {{offered: boolean, opened: boolean}|null} last
 */
export function offersColumnar(wire, last) {
  if (wire !== 'columnar') return false;
  return !(last && last.offered && !last.opened);
}

/**
 * A server message from a WebSocket message's data: a JSON text, or a binary columnar
 * `data` frame, which becomes the same `data` message (`batches` in columnar form). Returns
 * `{ message }` (null for a binary message that is not a data frame, which the protocol
 * says to ignore) or `{ problem }`: why it cannot be read.
 * @param {string|ArrayBuffer} data
 */
export function readMessage(data) {
  if (typeof data === 'string') {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return { problem: 'not JSON' };
    }
    return msg && typeof msg.type === 'string' ? { message: msg } : { problem: 'a JSON message without a type' };
  }
  try {
    const frame = decodeDataFrame(data);
    if (frame === null) return { message: null };
    return { message: { type: 'data', mode: frame.mode, dropped: frame.dropped, batches: frame.batches } };
  } catch (err) {
    if (err instanceof WireError || err instanceof TypeError) return { problem: err.message };
    throw err;
  }
}
