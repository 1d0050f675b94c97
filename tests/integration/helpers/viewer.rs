//! A WebSocket client that collects what a viewer would see: JSON or columnar frames
//! (kept in the JSON form, so every check reads both alike), waited for message by
//! message, and the records of its `data` messages pulled out for checks.

use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

use super::PATIENCE;

/// A WebSocket viewer that keeps every message it receives.
pub struct Viewer {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub seen: Vec<Value>,
}

impl Viewer {
    /// A viewer of the server whose WebSocket is at `ws_url`.
    pub async fn connect(ws_url: &str) -> Viewer {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
        Viewer { ws, seen: Vec::new() }
    }

    /// A viewer that asks for columnar `data` frames. What it reads is kept in `seen` in
    /// the JSON form (with `"wire": "columnar"`), so every check reads both alike.
    pub async fn connect_columnar(ws_url: &str) -> Viewer {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = ws_url.into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", trackside::columnar::SUBPROTOCOL.parse().unwrap());
        let (ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        let chosen = response.headers().get("Sec-WebSocket-Protocol").and_then(|v| v.to_str().ok());
        assert_eq!(chosen, Some(trackside::columnar::SUBPROTOCOL), "the server confirms the subprotocol");
        Viewer { ws, seen: Vec::new() }
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    pub async fn subscribe(&mut self, topic: &str, partitions: Option<Vec<i32>>) {
        self.send(json!({"type": "subscribe", "selection": [{"topic": topic, "partitions": partitions}]})).await;
    }

    /// Reads messages until `done` holds for everything seen so far; fails after PATIENCE.
    pub async fn until(&mut self, what: &str, done: impl Fn(&[Value]) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !done(&self.seen) {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match tokio::time::timeout(left, self.ws.next()).await {
                Ok(Some(Ok(m))) => m,
                Ok(other) => panic!("socket ended while waiting for {what}: {other:?}"),
                Err(_) => panic!("timed out waiting for {what}; last messages: {:?}", last(&self.seen, 3)),
            };
            match msg {
                Message::Text(t) => self.seen.push(serde_json::from_str(t.as_str()).unwrap()),
                Message::Binary(b) => self.seen.push(columnar_as_json(&b)),
                Message::Close(frame) => self.seen.push(json!({"type": "close", "frame": format!("{frame:?}"),
                    "code": frame.as_ref().map(|f| u16::from(f.code))})),
                _ => {}
            }
        }
    }

    /// Waits for a message of `kind` matching `pred`, and returns it.
    pub async fn next_of(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let start = self.seen.len();
        self.until(kind, |seen| seen[start..].iter().any(|m| m["type"] == kind && pred(m))).await;
        self.seen[start..].iter().find(|m| m["type"] == kind && pred(m)).cloned().unwrap()
    }
}

/// A columnar `data` frame in the JSON form of the same message, each record's other
/// channels under `"channels"` as a JSON viewer gets them.
pub fn columnar_as_json(bytes: &[u8]) -> Value {
    let frame = trackside::columnar::decode_frame(bytes).unwrap_or_else(|e| panic!("a bad columnar frame: {e}"));
    let batches: Vec<Value> = frame
        .batches
        .iter()
        .map(|b| {
            let records: Vec<Value> = b
                .records
                .iter()
                .map(|r| {
                    let mut v = serde_json::to_value(&r.sample).unwrap();
                    v["offset"] = r.offset.into();
                    if !r.channels.is_empty() {
                        let channels: serde_json::Map<String, Value> =
                            r.channels.to_vec().into_iter().map(|(name, value)| (name, value.into())).collect();
                        v["channels"] = Value::Object(channels);
                    }
                    v
                })
                .collect();
            json!({"topic": b.topic, "partition": b.partition, "records": records})
        })
        .collect();
    json!({"type": "data", "mode": frame.mode, "dropped": frame.dropped, "batches": batches, "wire": "columnar"})
}

fn last(seen: &[Value], n: usize) -> Vec<String> {
    seen.iter().rev().take(n).map(|v| v.to_string().chars().take(300).collect()).collect()
}

/// Every record in `data` messages of `mode`, as (topic, partition, record).
pub fn records(seen: &[Value], mode: &str) -> Vec<(String, i64, Value)> {
    seen.iter()
        .filter(|m| m["type"] == "data" && m["mode"] == mode)
        .flat_map(|m| m["batches"].as_array().unwrap().iter())
        .flat_map(|b| {
            let topic = b["topic"].as_str().unwrap().to_owned();
            let partition = b["partition"].as_i64().unwrap();
            b["records"].as_array().unwrap().iter().map(move |r| (topic.clone(), partition, r.clone()))
        })
        .collect()
}

/// Offsets received per partition, in arrival order.
pub fn offsets_by_partition(recs: &[(String, i64, Value)]) -> std::collections::BTreeMap<i64, Vec<i64>> {
    let mut map = std::collections::BTreeMap::<i64, Vec<i64>>::new();
    for (_, p, r) in recs {
        map.entry(*p).or_default().push(r["offset"].as_i64().unwrap());
    }
    map
}
