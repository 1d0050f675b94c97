//! The latency cell's clients, each in a process of its own: the bench binary run again
//! with `BENCH_LATENCY_CLIENT` set, so that nothing they do shares a process (its
//! scheduler, its allocator) with the producer or with each other.
//!
//! - `viewers`: WebSocket viewers of the server reading columnar frames, as the page does,
//!   that decode every record of every frame before they take the receipt time, so a
//!   server cost cannot hide in a client that skims the bytes for timestamps.
//! - `baseline`: a plain librdkafka consumer (default settings, a group of its own) of the
//!   same records, with no server in between.
//!
//! They talk to the bench in lines. On stdout: `subscribed` once every viewer is, `first`
//! when the first record has arrived, and at the end `hist {json}`. On stdin: `window
//! START END` (ms since the epoch: records stamped in it count) and `stop`.

use std::{
    io::BufRead,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use rdkafka::{
    ClientConfig, Message as _,
    consumer::{BaseConsumer, Consumer},
};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    common::{Wire, Ws, now_ms_f64, unique, viewer_on},
    hist::Hist,
};

/// The variable that makes the bench binary one of these clients, and names which.
pub(crate) const ROLE: &str = "BENCH_LATENCY_CLIENT";

/// What a client's threads share: the window the bench set, and whether to stop.
struct Shared {
    start: AtomicU64,
    end: AtomicU64,
    stop: AtomicBool,
    first: AtomicBool,
}

impl Shared {
    fn contains(&self, ts: u64) -> bool {
        ts >= self.start.load(Ordering::Relaxed) && ts < self.end.load(Ordering::Relaxed)
    }

    /// Says `first` once, when the first record arrives.
    fn saw_one(&self) {
        if !self.first.swap(true, Ordering::Relaxed) {
            println!("first");
        }
    }
}

/// Runs as the client `BENCH_LATENCY_CLIENT` names, if it is set; returns whether it was.
pub(crate) fn run_if_asked() -> bool {
    let Ok(role) = std::env::var(ROLE) else { return false };
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} for the latency client"));
    let shared = Arc::new(Shared {
        start: AtomicU64::new(u64::MAX),
        end: AtomicU64::new(u64::MAX),
        stop: AtomicBool::new(false),
        first: AtomicBool::new(false),
    });
    let listening = shared.clone();
    std::thread::spawn(move || listen(&listening));
    let hist = match role.as_str() {
        "viewers" => {
            let clients: usize = var("BENCH_CLIENTS").parse().expect("BENCH_CLIENTS, a number");
            let stalled: usize = var("BENCH_STALLED").parse().expect("BENCH_STALLED, a number");
            let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
            rt.block_on(viewers(&var("BENCH_WS_URL"), &var("BENCH_TOPIC"), clients, stalled, shared))
        }
        "baseline" => baseline(&var("BENCH_BROKERS"), &var("BENCH_TOPIC"), &shared),
        other => panic!("{ROLE}={other}: neither viewers nor baseline"),
    };
    println!("hist {}", hist.to_line());
    true
}

/// Takes the bench's lines from stdin until `stop` or its end.
fn listen(shared: &Shared) {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["window", start, end] => {
                shared.start.store(start.parse().unwrap_or(u64::MAX), Ordering::Relaxed);
                shared.end.store(end.parse().unwrap_or(u64::MAX), Ordering::Relaxed);
            }
            ["stop"] => break,
            _ => {}
        }
    }
    shared.stop.store(true, Ordering::Relaxed);
}

async fn viewers(ws_url: &str, topic: &str, clients: usize, stalled: usize, shared: Arc<Shared>) -> Hist {
    let mut sockets = Vec::with_capacity(clients);
    for _ in 0..clients {
        sockets.push(viewer_on(ws_url, topic, Wire::Columnar).await);
    }
    println!("subscribed");
    // The first `stalled` stop reading their sockets once subscribed.
    let held: Vec<Ws> = sockets.drain(..stalled.min(clients)).collect();
    let readers: Vec<_> = sockets.into_iter().map(|ws| tokio::spawn(read_viewer(ws, shared.clone()))).collect();
    let mut hist = Hist::new();
    for r in readers {
        if let Ok(h) = r.await {
            hist.merge(&h);
        }
    }
    drop(held);
    hist
}

/// Reads live frames until told to stop: each frame is decoded whole, every record's
/// values read, and only then is the receipt time taken for the records it held.
async fn read_viewer(mut ws: Ws, shared: Arc<Shared>) -> Hist {
    let mut hist = Hist::new();
    let mut stamps = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let next = tokio::time::timeout(Duration::from_millis(200), ws.next()).await;
        let Ok(Some(Ok(msg))) = next else {
            if matches!(next, Ok(None | Some(Err(_)))) {
                break;
            }
            continue;
        };
        let Message::Binary(bytes) = msg else { continue };
        let Ok(frame) = trackside::columnar::decode_frame(&bytes) else { continue };
        if frame.mode != "live" {
            continue;
        }
        let mut sum = 0.0;
        stamps.clear();
        for s in frame.batches.iter().flat_map(|b| b.records.iter().map(|r| &r.sample)) {
            sum += s.speed_kph + s.rpm + s.car.len() as f64 + s.throttle.unwrap_or(0.0) + s.x.unwrap_or(0.0);
            stamps.push(s.ts.unwrap_or(0));
        }
        std::hint::black_box(sum);
        let now = now_ms_f64();
        for &ts in &stamps {
            if shared.contains(ts as u64) {
                hist.add(now - ts as f64);
            }
        }
        if !stamps.is_empty() {
            shared.saw_one();
        }
    }
    let _ = ws.close(None).await;
    hist
}

/// The baseline: a plain librdkafka consumer with default settings, in its own group,
/// reading each record's `ts` as the viewers do (from the JSON value the producer wrote).
fn baseline(brokers: &str, topic: &str, shared: &Shared) -> Hist {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("bench-baseline-{}", unique()))
        .set("auto.offset.reset", "latest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("a baseline consumer");
    consumer.subscribe(&[topic]).expect("subscribing the baseline consumer");
    let mut hist = Hist::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) else { continue };
        let sample = m.payload().and_then(|p| serde_json::from_slice::<trackside::telemetry::Sample>(p).ok());
        let now = now_ms_f64();
        if let Some(ts) = sample.and_then(|s| s.ts) {
            shared.saw_one();
            if shared.contains(ts as u64) {
                hist.add(now - ts as f64);
            }
        }
    }
    hist
}
