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
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::{
    Sink, SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use tokio::sync::oneshot;
use tracing::{debug, info};

mod frames;
mod guard;
mod pace;
mod viewer;

use frames::{Frame, MAX_FRAME_BYTES, frames};
pub(super) use guard::foreign_origin;
use guard::{REQUESTS_PER_SEC, RequestBudget};
use pace::Pace;
use viewer::Viewer;

use super::AppState;
use crate::{
    hub::{ClientHandle, Outbox},
    protocol::{DataFormat, MAX_INBOUND_BYTES, RequestError, SUBPROTOCOL, ServerMessage},
    stages::{self, Stage},
};

/// At shutdown, how long a viewer gets to take each of its last frames and the goodbye.
const FAREWELL: Duration = Duration::from_millis(500);

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
    let sessions = app.sessions.clone();
    let format = DataFormat::negotiate(ws.requested_protocols().filter_map(|p| p.to_str().ok()));
    let ws = match format {
        DataFormat::Columnar => ws.protocols([SUBPROTOCOL]),
        DataFormat::Json => ws,
    };
    ws.max_message_size(MAX_INBOUND_BYTES).max_frame_size(MAX_INBOUND_BYTES).on_upgrade(move |socket| {
        sessions.track_future(async move {
            session(socket, app, format).await;
            drop(slot);
        })
    })
}

async fn session(socket: WebSocket, app: AppState, format: DataFormat) {
    // Counted as a viewer for as long as the session lasts.
    let _counted = app.status.client_guard();
    let client = app.hub.connect(format);
    let outbox = client.outbox().clone();
    let c = &app.config;
    outbox.push_control(
        ServerMessage::Hello {
            version: env!("CARGO_PKG_VERSION"),
            group_id: &c.group_id,
            history_secs: c.history_secs,
            max_frame_rate: c.max_frame_rate,
            data_format: format,
        }
        .encode(),
    );
    let (sink, stream) = socket.split();
    let (close_tx, close_rx) = oneshot::channel();
    let mut send = tokio::spawn(send_frames(sink, outbox, format, app.clone(), close_rx));
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
    format: DataFormat,
    app: AppState,
    mut close: oneshot::Receiver<CloseFrame>,
) {
    let mut pace = Pace::new(app.config.max_frame_rate);
    let shutdown = app.shutdown.clone();
    let status = app.status.clone();
    // Three pings per idle timeout, so one lost answer does not disconnect a viewer.
    let ping_every = Duration::from_secs(app.config.idle_timeout_secs) / 3;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut close_done = false;
    let stall = Duration::from_secs(app.config.stall_timeout_secs);
    loop {
        tokio::select! {
            // A close the receive side asks for comes before anything still queued.
            biased;
            frame = &mut close, if !close_done => {
                close_done = true;
                if let Ok(frame) = frame {
                    let _ = send_within(&mut sink, Message::Close(Some(frame)), stall).await;
                    return;
                }
                continue;
            }
            _ = ping.tick() => {
                // Browsers answer pings by themselves; the answer keeps the viewer from
                // counting as idle.
                if !send_within(&mut sink, Message::Ping(Bytes::new()), stall).await {
                    return;
                }
                continue;
            }
            () = outbox.ready() => {}
            () = shutdown.cancelled() => {
                // The group has stopped by now: what is queued is the last of it. Send it,
                // briefly, then say goodbye.
                let last = stall.min(FAREWELL);
                for frame in frames(outbox.take()) {
                    if !send_within(&mut sink, frame.into_message(format), last).await {
                        return;
                    }
                }
                let close = CloseFrame { code: close_code::AWAY, reason: "server shutting down".into() };
                let _ = send_within(&mut sink, Message::Close(Some(close)), last).await;
                return;
            }
        }
        // Waiting here is what batches records into frames for this viewer.
        pace.ready().await;
        // A close the receive side asked for meanwhile still comes before anything queued,
        // and before the end of a viewer whose registration went with its receive side.
        let mut asked = asked_to_close(&mut close, &mut close_done);
        let drained = outbox.take();
        if drained.closed && asked.is_none() {
            asked = asked_to_close(&mut close, &mut close_done);
        }
        if let Some(frame) = asked {
            let _ = send_within(&mut sink, Message::Close(Some(frame)), stall).await;
            return;
        }
        if drained.closed {
            return;
        }
        if drained.dropped > 0 {
            status.add_records_dropped(drained.dropped);
        }
        let frames = frames(drained);
        if frames.is_empty() {
            // Woken for batches the last frame already took: no frame, so no period.
            continue;
        }
        let started = tokio::time::Instant::now();
        let n = frames.len() as u64;
        let bytes: usize = frames.iter().map(Frame::len).sum();
        for frame in frames {
            if !send_within(&mut sink, frame.into_message(format), stall).await {
                return;
            }
        }
        status.add_frames_sent(n);
        stages::record(Stage::Send, started.elapsed(), 1);
        pace.sent(started, bytes >= MAX_FRAME_BYTES);
    }
}

/// The close frame the receive side asked for, if it has (once: `done` is set after).
fn asked_to_close(close: &mut oneshot::Receiver<CloseFrame>, done: &mut bool) -> Option<CloseFrame> {
    if *done {
        return None;
    }
    match close.try_recv() {
        Ok(frame) => {
            *done = true;
            Some(frame)
        }
        Err(oneshot::error::TryRecvError::Closed) => {
            *done = true;
            None
        }
        Err(oneshot::error::TryRecvError::Empty) => None,
    }
}

/// Sends one message, giving up on a viewer that takes longer than `stall` to accept it:
/// its socket buffers are full because it stopped reading, and waiting longer would only
/// keep a session for nobody. Returns whether the message went out.
async fn send_within<S: Sink<Message> + Unpin>(sink: &mut S, msg: Message, stall: Duration) -> bool {
    match tokio::time::timeout(stall, sink.send(msg)).await {
        Ok(sent) => sent.is_ok(),
        Err(_) => {
            // The viewer's trouble (a sleeping laptop, a dead link), not the server's.
            info!(seconds = stall.as_secs(), "viewer stopped reading; disconnecting it");
            false
        }
    }
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
    let mut viewer = Viewer::new(client, app);
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
            Ok(Message::Text(t)) => viewer.handle(t.as_str()).await,
            Ok(Message::Binary(_)) => {
                viewer.refuse(None, &RequestError::BadRequest("send control messages as JSON text".into()));
            }
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

/// Whether the socket failed because the viewer sent more than it may in one message.
fn is_too_big(e: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    matches!(e.into_inner().downcast_ref::<Error>(), Some(Error::Capacity(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_viewer_that_accepts_nothing_is_given_up_on_after_the_stall_timeout() {
        // A socket whose buffers are full: a send never completes.
        let mut stuck = futures_util::sink::unfold((), |(), _msg: Message| std::future::pending::<Result<(), ()>>());
        let started = tokio::time::Instant::now();
        assert!(!send_within(&mut stuck, Message::Text("x".into()), Duration::from_secs(30)).await);
        assert_eq!(started.elapsed(), Duration::from_secs(30));

        let mut fine = futures_util::sink::drain();
        assert!(send_within(&mut fine, Message::Text("x".into()), Duration::from_secs(30)).await);
    }
}
