//! One WebSocket session: control messages in, frames out. A receive task acts on the
//! viewer's requests; a send task drains the viewer's outbox into at most
//! `max_frame_rate` frames a second. Whichever ends first ends the other.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket, close_code},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use tokio::sync::oneshot;
use tracing::debug;

use super::AppState;
use crate::{
    hub::{ClientHandle, Drained, Item, Outbox},
    kafka::replay::Replay,
    protocol::{self, ClientMessage, MAX_INBOUND_BYTES, Mode, ReplayProgress, ReplayState, Selection, ServerMessage},
};

/// Data frames are cut at about this size, so one viewer's history never becomes a
/// single message too large for a browser to parse in one go.
const MAX_FRAME_BYTES: usize = 1 << 20;
/// Control messages a viewer may send per second on average, and in one burst; past
/// that the socket closes with 1008.
const REQUESTS_PER_SEC: f64 = 20.0;
const REQUEST_BURST: f64 = 60.0;

pub(super) async fn upgrade(ws: WebSocketUpgrade, State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(origin) = foreign_origin(&headers, &app.config.allowed_origins) {
        debug!(origin, "WebSocket refused: foreign origin");
        let message = format!("pages from {origin} may not open this stream (see --allowed-origins)");
        return (StatusCode::FORBIDDEN, message).into_response();
    }
    let Ok(slot) = app.client_slots.clone().try_acquire_owned() else {
        let message = "the server has as many viewers as it allows (--max-clients); try again later";
        return (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    };
    ws.max_message_size(MAX_INBOUND_BYTES).max_frame_size(MAX_INBOUND_BYTES).on_upgrade(move |socket| async move {
        session(socket, app).await;
        drop(slot);
    })
}

/// The `Origin` of a browser page from another site, which must not read the stream (a
/// page anywhere could otherwise open a socket to a dashboard on the user's network).
/// Clients that are not browsers send no `Origin` and are let through.
fn foreign_origin<'h>(headers: &'h HeaderMap, allowed: &[String]) -> Option<&'h str> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("(unreadable)");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let own = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host);
    let listed = allowed.iter().any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if own || listed { None } else { Some(origin) }
}

async fn session(socket: WebSocket, app: AppState) {
    let client = app.hub.connect();
    let outbox = client.outbox().clone();
    let c = &app.config;
    outbox.push_control(
        ServerMessage::Hello {
            version: env!("CARGO_PKG_VERSION"),
            group_id: &c.group_id,
            history_secs: c.history_secs,
            max_frame_rate: c.max_frame_rate,
        }
        .encode(),
    );
    let (sink, stream) = socket.split();
    let (close_tx, close_rx) = oneshot::channel();
    let mut send = tokio::spawn(send_frames(sink, outbox, app.clone(), close_rx));
    let mut recv = tokio::spawn(receive_requests(stream, client, app, close_tx));
    tokio::select! {
        _ = &mut send => recv.abort(),
        _ = &mut recv => {
            // Give the send task a moment to deliver a close frame the receive side asked for.
            if tokio::time::timeout(Duration::from_secs(2), &mut send).await.is_err() {
                send.abort();
            }
        }
    }
}

async fn send_frames(
    mut sink: SplitSink<WebSocket, Message>,
    outbox: Arc<Outbox>,
    app: AppState,
    mut close: oneshot::Receiver<CloseFrame>,
) {
    let pace = Duration::from_secs(1) / app.config.max_frame_rate.max(1);
    let mut shutdown = app.shutdown.clone();
    let status = app.hub.status().clone();
    // Three pings per idle timeout, so one lost answer does not disconnect a viewer.
    let ping_every = Duration::from_secs(app.config.idle_timeout_secs) / 3;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut close_done = false;
    loop {
        tokio::select! {
            // A close the receive side asks for comes before anything still queued.
            biased;
            frame = &mut close, if !close_done => {
                close_done = true;
                if let Ok(frame) = frame {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    return;
                }
                continue;
            }
            _ = ping.tick() => {
                // Browsers answer pings by themselves; the answer keeps the viewer from
                // counting as idle.
                if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
                continue;
            }
            () = outbox.ready() => {}
            () = until_stopped(&mut shutdown) => {
                let close = CloseFrame { code: close_code::AWAY, reason: "server shutting down".into() };
                let _ = sink.send(Message::Close(Some(close))).await;
                return;
            }
        }
        let drained = outbox.take();
        if drained.closed {
            return;
        }
        if drained.dropped > 0 {
            status.add_records_dropped(drained.dropped);
        }
        let frames = frames(drained);
        let n = frames.len() as u64;
        for frame in frames {
            if sink.send(Message::Text(frame.into())).await.is_err() {
                return;
            }
        }
        status.add_frames_sent(n);
        // Waiting here is what batches records into frames for this viewer.
        tokio::time::sleep(pace).await;
    }
}

async fn until_stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Turns what an outbox held into frames, in order: control messages and history or
/// replay data as queued, then the newest stats, then live data.
fn frames(d: Drained) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<Bytes> = Vec::new();
    let mut run_mode = Mode::Live;
    let flush = |out: &mut Vec<String>, run: &mut Vec<Bytes>, mode: Mode, dropped: u64| {
        let mut start = 0;
        let mut size = 0;
        for (i, b) in run.iter().enumerate() {
            if size > 0 && size + b.len() > MAX_FRAME_BYTES {
                out.push(protocol::data_frame(mode, dropped, &run[start..i]));
                start = i;
                size = 0;
            }
            size += b.len();
        }
        if start < run.len() || (run.is_empty() && dropped > 0) {
            out.push(protocol::data_frame(mode, dropped, &run[start..]));
        }
        run.clear();
    };
    for item in d.items {
        let (mode, bytes) = match item {
            Item::Control(b) => {
                flush(&mut out, &mut run, run_mode, 0);
                out.push(text(&b));
                continue;
            }
            Item::History(b) => (Mode::Live, b),
            Item::Replay(b) => (Mode::Replay, b),
        };
        if mode != run_mode {
            flush(&mut out, &mut run, run_mode, 0);
            run_mode = mode;
        }
        run.push(bytes);
    }
    flush(&mut out, &mut run, run_mode, 0);
    if let Some(stats) = d.stats {
        out.push(text(&stats));
    }
    let mut live = d.live;
    flush(&mut out, &mut live, Mode::Live, d.dropped);
    out
}

fn text(b: &Bytes) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Acts on the viewer's requests until it leaves. Owns the viewer's registration and its
/// replay reader, so both end with the session.
async fn receive_requests(
    mut stream: SplitStream<WebSocket>,
    client: ClientHandle,
    app: AppState,
    close: oneshot::Sender<CloseFrame>,
) {
    let idle = Duration::from_secs(app.config.idle_timeout_secs);
    let mut viewer = Viewer { client, app, selection: Selection::default(), replay: None };
    let mut budget = RequestBudget::new(Instant::now());
    loop {
        let Ok(next) = tokio::time::timeout(idle, stream.next()).await else {
            let reason = format!("idle for {} s: no message and no answer to pings", idle.as_secs());
            let _ = close.send(CloseFrame { code: close_code::NORMAL, reason: reason.into() });
            break;
        };
        let Some(msg) = next else { break };
        if matches!(msg, Ok(Message::Text(_) | Message::Binary(_))) && !budget.spend(Instant::now()) {
            let reason = format!("more than {REQUESTS_PER_SEC} requests a second");
            let _ = close.send(CloseFrame { code: close_code::POLICY, reason: reason.into() });
            break;
        }
        match msg {
            Ok(Message::Text(t)) => viewer.handle(t.as_str()),
            Ok(Message::Binary(_)) => viewer.refuse(None, "bad_request", "send control messages as JSON text".into()),
            Ok(Message::Close(_)) => break,
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            Err(e) => {
                if is_too_big(e) {
                    let reason = format!("message too big: at most {} KiB", MAX_INBOUND_BYTES / 1024);
                    let _ = close.send(CloseFrame { code: close_code::SIZE, reason: reason.into() });
                }
                break;
            }
        }
    }
    debug!("viewer left");
}

/// A token bucket for control messages: a person clicking never comes near it, a
/// runaway script does.
struct RequestBudget {
    tokens: f64,
    at: Instant,
}

impl RequestBudget {
    fn new(now: Instant) -> Self {
        Self { tokens: REQUEST_BURST, at: now }
    }

    /// Takes one request from the budget; false when there is none left.
    fn spend(&mut self, now: Instant) -> bool {
        let refill = now.duration_since(self.at).as_secs_f64() * REQUESTS_PER_SEC;
        self.tokens = (self.tokens + refill).min(REQUEST_BURST);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// Whether the socket failed because the viewer sent more than it may in one message.
fn is_too_big(e: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    matches!(e.into_inner().downcast_ref::<Error>(), Some(Error::Capacity(_)))
}

struct Viewer {
    client: ClientHandle,
    app: AppState,
    selection: Selection,
    replay: Option<Replay>,
}

impl Viewer {
    fn handle(&mut self, text: &str) {
        let msg = match protocol::parse_client_message(text) {
            Ok(msg) => msg,
            Err(e) => {
                // Name the request that was refused, when it had a readable type.
                let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
                let request = value.as_ref().and_then(|v| v.get("type")).and_then(|t| t.as_str());
                return self.refuse(request, "bad_request", e.to_string());
            }
        };
        match msg {
            ClientMessage::Subscribe { selection } => self.subscribe(selection),
            ClientMessage::Replay { .. } => self.start_replay(),
            ClientMessage::Pause | ClientMessage::Resume => match &self.replay {
                Some(r) => r.set_paused(matches!(msg, ClientMessage::Pause)),
                None => {
                    let request = if matches!(msg, ClientMessage::Pause) { "pause" } else { "resume" };
                    self.refuse(Some(request), "no_replay", "there is no replay to pause or resume".into());
                }
            },
            ClientMessage::Live => {
                if self.replay.take().is_some() {
                    self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
                }
                self.client.watch_live(self.selection.clone());
            }
        }
    }

    fn subscribe(&mut self, list: Vec<protocol::TopicSelection>) {
        let selection = match Selection::new(list) {
            Ok(s) => s,
            Err(e) => return self.refuse(Some("subscribe"), "bad_request", e.to_string()),
        };
        let known = self.app.hub.status().topics();
        // While Kafka is unreachable nothing is known; accept and let the group wait.
        if !known.is_empty()
            && let Some(missing) = selection.topics().find(|t| !known.iter().any(|k| k.name == *t))
        {
            return self.refuse(Some("subscribe"), "unknown_topic", format!("topic `{missing}` does not exist"));
        }
        if let Err(e) = self.app.topics.ensure(selection.topics()) {
            return self.refuse(Some("subscribe"), "too_many_topics", e.to_string());
        }
        if self.replay.take().is_some() {
            self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
        }
        self.send(&ServerMessage::Subscribed { selection: selection.to_list() });
        self.client.watch_live(selection.clone());
        self.selection = selection;
    }

    fn start_replay(&mut self) {
        if self.selection.is_empty() {
            return self.refuse(
                Some("replay"),
                "bad_request",
                "choose topics with `subscribe` before replaying".into(),
            );
        }
        // Stop the old reader before the outbox moves on, so it cannot slip data in.
        self.replay = None;
        let Ok(slot) = self.app.replay_slots.clone().try_acquire_owned() else {
            let message = "the server is running as many replays as it allows; try again when one ends".to_owned();
            return self.refuse(Some("replay"), "too_many_replays", message);
        };
        self.client.watch_replay();
        let outbox = self.client.outbox().clone();
        let kafka = self.app.config.kafka.clone();
        self.replay = Some(Replay::start(kafka, self.selection.clone(), outbox, self.app.hub.status(), slot));
    }

    /// Answers a refused request. The connection stays open and, for a refused
    /// `subscribe`, the previous selection stays in force.
    fn refuse(&self, request: Option<&str>, error: &str, message: String) {
        debug!(request, error, %message, "request refused");
        self.send(&ServerMessage::Error { request, error, message });
    }

    fn send(&self, msg: &ServerMessage<'_>) {
        self.client.outbox().push_control(msg.encode());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(frames: &[String]) -> Vec<serde_json::Value> {
        frames.iter().map(|f| serde_json::from_str(f).unwrap()).collect()
    }

    #[test]
    fn only_the_servers_own_pages_and_listed_origins_may_open_the_stream() {
        let headers = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
            if let Some(o) = origin {
                h.insert(header::ORIGIN, o.parse().unwrap());
            }
            h
        };
        let none: &[String] = &[];
        assert_eq!(foreign_origin(&headers(Some("http://127.0.0.1:8080")), none), None);
        assert_eq!(foreign_origin(&headers(None), none), None, "not a browser");
        assert_eq!(foreign_origin(&headers(Some("http://evil.example")), none), Some("http://evil.example"));
        assert_eq!(foreign_origin(&headers(Some("http://127.0.0.1:9999")), none), Some("http://127.0.0.1:9999"));
        let listed = ["https://pitwall.example/".to_owned()];
        assert_eq!(foreign_origin(&headers(Some("https://pitwall.example")), &listed), None);
        assert_eq!(foreign_origin(&headers(Some("http://evil.example")), &["*".to_owned()]), None);
    }

    #[test]
    fn the_request_budget_allows_a_burst_then_the_steady_rate() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(start);
        assert!((0..60).all(|_| budget.spend(start)), "a burst of 60 passes");
        assert!(!budget.spend(start), "the 61st at once does not");
        assert!(budget.spend(start + Duration::from_millis(50)), "one more after 50 ms at 20/s");
        assert!(!budget.spend(start + Duration::from_millis(50)));
    }

    #[test]
    fn frames_keep_queue_order_and_put_live_data_last() {
        let batch = |p: i32| Bytes::from(format!(r#"{{"topic":"t","partition":{p},"records":[]}}"#));
        let drained = Drained {
            items: vec![
                Item::Control(Bytes::from_static(br#"{"type":"subscribed"}"#)),
                Item::History(batch(0)),
                Item::History(batch(1)),
                Item::Replay(batch(2)),
                Item::Control(Bytes::from_static(br#"{"type":"replay"}"#)),
            ],
            live: vec![batch(3)],
            stats: Some(Bytes::from_static(br#"{"type":"stats"}"#)),
            dropped: 5,
            closed: false,
        };
        let f = parse(&frames(drained));
        let kinds: Vec<(&str, &str)> =
            f.iter().map(|v| (v["type"].as_str().unwrap(), v["mode"].as_str().unwrap_or(""))).collect();
        assert_eq!(
            kinds,
            vec![
                ("subscribed", ""),
                ("data", "live"),
                ("data", "replay"),
                ("replay", ""),
                ("stats", ""),
                ("data", "live")
            ]
        );
        assert_eq!(f[1]["batches"].as_array().unwrap().len(), 2, "consecutive batches share a frame");
        assert_eq!(f[5]["dropped"], 5);
    }

    #[test]
    fn large_backlogs_are_cut_into_bounded_frames() {
        let big = Bytes::from(format!(r#"{{"pad":"{}"}}"#, "x".repeat(400_000)));
        let drained = Drained { items: (0..5).map(|_| Item::History(big.clone())).collect(), ..Drained::default() };
        let f = frames(drained);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|x| x.len() <= MAX_FRAME_BYTES + 1024));
    }

    #[test]
    fn a_drop_with_no_new_data_is_still_reported() {
        let f = parse(&frames(Drained { dropped: 9, ..Drained::default() }));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["dropped"], 9);
    }
}
