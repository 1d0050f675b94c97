// The WebSocket to the server's /ws: connects, reconnects with backoff, and reports its
// status. It knows the transport only; what the messages mean is app.js's business.

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** The server sends `stats` every second; this long without any message means a dead link. */
const SILENCE_MS = 6_000;

/**
 * @param {object} handlers
 * @param {(msg: object) => void} handlers.onMessage  every parsed server message
 * @param {() => void} handlers.onOpen  the socket is open; (re)send the selection here
 * @param {(status: {state: string, retryInMs?: number, attempt?: number}) => void} handlers.onStatus
 */
export function connect({ onMessage, onOpen, onStatus }) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let ws = null;
  let attempt = 0;
  let retryTimer = 0;
  let lastMessageAt = 0;

  function open() {
    retryTimer = 0;
    onStatus({ state: attempt === 0 ? 'connecting' : 'reconnecting', attempt });
    ws = new WebSocket(url);
    ws.onopen = () => {
      attempt = 0;
      lastMessageAt = performance.now();
      onStatus({ state: 'connected' });
      onOpen();
    };
    ws.onmessage = (ev) => {
      lastMessageAt = performance.now();
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        console.warn('trackside: ignoring a message that is not JSON');
        return;
      }
      if (msg && typeof msg.type === 'string') onMessage(msg);
    };
    ws.onclose = () => {
      ws = null;
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
  };
}
