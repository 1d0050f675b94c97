//! `latency`, `fan-out` and the stalled-viewer half of `memory`: a paced producer in this
//! process stamps every record with its send time (`ts`, ms since the epoch, also the
//! Kafka record timestamp), WebSocket viewers note when each record reaches them, and a
//! plain librdkafka consumer reading the same records with no server in between is the
//! baseline. `ts` has a resolution of one millisecond, truncated, so every latency is
//! over-stated by 0 to 1 ms (receipt is read with the clock's full resolution); the
//! baseline is stamped the same way, so the comparison is fair.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use memchr::memmem;
use rdkafka::{
    ClientConfig, Message as _,
    consumer::{BaseConsumer, Consumer},
    producer::{BaseRecord, Producer, ThreadedProducer},
};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Server, Ws, create_topic, delete_topics, now_ms_f64, unique, viewer};

/// Latency histogram: 0.1 ms buckets to 2 s, then 10 ms buckets to 120 s.
#[derive(Clone)]
pub(crate) struct Hist {
    fine: Vec<u32>,
    coarse: Vec<u32>,
    pub(crate) n: u64,
    pub(crate) max: f64,
}

const FINE_MS: f64 = 0.1;
const FINE_BUCKETS: usize = 20_000;
const COARSE_MS: f64 = 10.0;
const COARSE_BUCKETS: usize = 12_000;

impl Hist {
    pub(crate) fn new() -> Self {
        Self { fine: vec![0; FINE_BUCKETS], coarse: vec![0; COARSE_BUCKETS], n: 0, max: 0.0 }
    }

    pub(crate) fn add(&mut self, ms: f64) {
        let ms = ms.max(0.0);
        let fine = (ms / FINE_MS) as usize;
        if fine < FINE_BUCKETS {
            self.fine[fine] += 1;
        } else {
            self.coarse[((ms / COARSE_MS) as usize).min(COARSE_BUCKETS - 1)] += 1;
        }
        self.n += 1;
        self.max = self.max.max(ms);
    }

    pub(crate) fn merge(&mut self, other: &Hist) {
        self.fine.iter_mut().zip(&other.fine).for_each(|(a, b)| *a += b);
        self.coarse.iter_mut().zip(&other.coarse).for_each(|(a, b)| *a += b);
        self.n += other.n;
        self.max = self.max.max(other.max);
    }

    /// The `q` quantile in ms (upper edge of its bucket); NaN when empty.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.n as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, c) in self.fine.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return (i + 1) as f64 * FINE_MS;
            }
        }
        for (i, c) in self.coarse.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return ((i + 1) as f64 * COARSE_MS).min(self.max);
            }
        }
        self.max
    }
}

/// What one cell of the matrix is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cell {
    pub(crate) rate: u32,
    pub(crate) clients: usize,
    /// Of `clients`, how many stop reading their socket once subscribed.
    pub(crate) stalled: usize,
    pub(crate) window: Duration,
}

/// What one cell measured.
pub(crate) struct CellResult {
    pub(crate) cell: Cell,
    pub(crate) sent: u64,
    pub(crate) trackside: Hist,
    pub(crate) baseline: Hist,
    /// Server CPU over the window, in cores.
    pub(crate) cpu_cores: f64,
    /// Records that reached the healthy viewers, over `healthy × sent`.
    pub(crate) delivered_fraction: f64,
    /// Records delivered to all healthy viewers per second of window.
    pub(crate) delivered_per_sec: f64,
    pub(crate) rss_start_mb: f64,
    pub(crate) rss_end_mb: f64,
    pub(crate) peak_rss_mb: f64,
    /// Live records the server dropped for viewers that fell behind (counted when a
    /// viewer's queue is next taken), and the viewers still connected, at the window's end.
    pub(crate) dropped: f64,
    pub(crate) clients_at_end: f64,
}

/// The window bounds, in ms since the epoch, shared with every reader.
struct Window {
    start: AtomicU64,
    end: AtomicU64,
}

impl Window {
    fn contains(&self, ts: u64) -> bool {
        ts >= self.start.load(Ordering::Relaxed) && ts < self.end.load(Ordering::Relaxed)
    }
}

/// `--max-frame-rate` for the latency runs: 60 frames a second per viewer, what a
/// browser draws. The default 30 adds up to 33 ms of batching to every record.
pub(crate) const FRAME_RATE: &str = "60";

pub(crate) async fn run_cell(brokers: &str, cell: Cell) -> CellResult {
    let topic = format!("bench-latency-{}", unique());
    create_topic(brokers, &topic, 6).await;
    let server = Server::start(brokers, &topic, &["--max-frame-rate", FRAME_RATE]);
    let ws_url = server.ws_url();
    let mut sockets = Vec::with_capacity(cell.clients);
    for _ in 0..cell.clients {
        sockets.push(viewer(&ws_url, &topic).await);
    }
    let window = Arc::new(Window { start: AtomicU64::new(u64::MAX), end: AtomicU64::new(u64::MAX) });
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(AtomicU64::new(0));

    let stalled: Vec<Ws> = sockets.drain(..cell.stalled.min(cell.clients)).collect();
    let mut readers = Vec::new();
    for ws in sockets {
        readers.push(tokio::spawn(read_viewer(ws, window.clone(), stop.clone(), seen.clone())));
    }
    let base_seen = Arc::new(AtomicU64::new(0));
    let baseline = {
        let (brokers, topic, window, stop, seen) =
            (brokers.to_owned(), topic.clone(), window.clone(), stop.clone(), base_seen.clone());
        std::thread::spawn(move || baseline_consumer(&brokers, &topic, &window, &stop, &seen))
    };
    let sent = Arc::new(AtomicU64::new(0));
    let producing = Arc::new(AtomicBool::new(true));
    let producer = {
        let (brokers, topic, sent, producing) = (brokers.to_owned(), topic.clone(), sent.clone(), producing.clone());
        std::thread::spawn(move || produce(&brokers, &topic, cell.rate, &sent, &producing))
    };

    // Warm up: the group and the baseline consumer join, and the first records arrive.
    let healthy = cell.clients - cell.stalled.min(cell.clients);
    let warm_deadline = Instant::now() + Duration::from_secs(30);
    while (seen.load(Ordering::Relaxed) == 0 && healthy > 0 || base_seen.load(Ordering::Relaxed) == 0)
        && Instant::now() < warm_deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let start = now_ms_f64().ceil() as u64;
    let end = start + cell.window.as_millis() as u64;
    window.start.store(start, Ordering::Relaxed);
    window.end.store(end, Ordering::Relaxed);
    let sent_before = sent.load(Ordering::Relaxed);
    let cpu_before = server.cpu_secs();
    let rss_start_mb = server.rss_mb();
    let began = Instant::now();
    let mut peak_rss_mb = rss_start_mb;
    while let Some(left) = cell.window.checked_sub(began.elapsed()).filter(|l| !l.is_zero()) {
        tokio::time::sleep(left.min(Duration::from_millis(250))).await;
        peak_rss_mb = peak_rss_mb.max(server.rss_mb());
    }
    let cpu_cores = (server.cpu_secs() - cpu_before) / began.elapsed().as_secs_f64();
    let sent_in_window = sent.load(Ordering::Relaxed) - sent_before;
    let rss_end_mb = server.rss_mb();
    let dropped = server.metric("trackside_records_dropped_total").await.unwrap_or(f64::NAN);
    let clients_at_end = server.metric("trackside_clients").await.unwrap_or(f64::NAN);
    producing.store(false, Ordering::Relaxed);
    // Records of the window still on their way.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut trackside = Hist::new();
    for r in readers {
        if let Ok(h) = r.await {
            trackside.merge(&h);
        }
    }
    let baseline = baseline.join().unwrap_or_else(|_| Hist::new());
    let _ = producer.join();
    drop(stalled);
    let mut server = server;
    server.stop();
    delete_topics(brokers, &[topic]).await;
    let expected = (healthy as u64 * sent_in_window).max(1);
    CellResult {
        cell,
        sent: sent_in_window,
        delivered_fraction: trackside.n as f64 / expected as f64,
        delivered_per_sec: trackside.n as f64 / cell.window.as_secs_f64(),
        trackside,
        baseline,
        cpu_cores,
        rss_start_mb,
        rss_end_mb,
        peak_rss_mb,
        dropped,
        clients_at_end,
    }
}

/// Every `"ts":` in a frame of live data, as the integer after it.
fn timestamps<'a>(finder: &'a memmem::Finder<'a>, bytes: &'a [u8]) -> impl Iterator<Item = u64> + 'a {
    finder.find_iter(bytes).map(move |at| {
        bytes[at + 5..].iter().take_while(|b| b.is_ascii_digit()).fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
    })
}

async fn read_viewer(mut ws: Ws, window: Arc<Window>, stop: Arc<AtomicBool>, seen: Arc<AtomicU64>) -> Hist {
    let mut hist = Hist::new();
    let finder = memmem::Finder::new(br#""ts":"#);
    while !stop.load(Ordering::Relaxed) {
        let next = tokio::time::timeout(Duration::from_millis(200), ws.next()).await;
        let Ok(Some(Ok(msg))) = next else {
            if matches!(next, Ok(None | Some(Err(_)))) {
                break;
            }
            continue;
        };
        let Message::Text(text) = msg else { continue };
        let now = now_ms_f64();
        let bytes = text.as_bytes();
        if !bytes.starts_with(br#"{"type":"data","mode":"live""#) {
            continue;
        }
        let mut n = 0;
        for ts in timestamps(&finder, bytes) {
            n += 1;
            if window.contains(ts) {
                hist.add(now - ts as f64);
            }
        }
        seen.fetch_add(n, Ordering::Relaxed);
    }
    let _ = ws.close(None).await;
    hist
}

/// The baseline: a plain librdkafka consumer with default settings, in its own group.
fn baseline_consumer(brokers: &str, topic: &str, window: &Window, stop: &AtomicBool, seen: &AtomicU64) -> Hist {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("bench-baseline-{}", unique()))
        .set("auto.offset.reset", "latest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("a baseline consumer");
    consumer.subscribe(&[topic]).expect("subscribing the baseline consumer");
    let finder = memmem::Finder::new(br#""ts":"#);
    let mut hist = Hist::new();
    while !stop.load(Ordering::Relaxed) {
        let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) else { continue };
        let now = now_ms_f64();
        if let Some(ts) = m.payload().and_then(|p| timestamps(&finder, p).next()) {
            seen.fetch_add(1, Ordering::Relaxed);
            if window.contains(ts) {
                hist.add(now - ts as f64);
            }
        }
    }
    hist
}

/// Produces `rate` records a second of 20 cars until `producing` is cleared, with the
/// simulator's producer settings (lz4, 5 ms linger, acks=all). Each record's `ts` is the
/// moment it is handed to librdkafka.
fn produce(brokers: &str, topic: &str, rate: u32, sent: &AtomicU64, producing: &AtomicBool) {
    let producer: ThreadedProducer<_> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .set("acks", "all")
        .create()
        .expect("a producer");
    let started = Instant::now();
    let mut n = 0u64;
    while producing.load(Ordering::Relaxed) {
        let due = (started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
        while n < due {
            let car = n % 20 + 1;
            let ts = now_ms_f64() as i64;
            let key = car.to_string();
            let value = sample(car, ts, n);
            let record = BaseRecord::to(topic).key(&key).payload(&value).timestamp(ts);
            if producer.send(record).is_err() {
                // librdkafka's queue is full: let it drain, then carry on with fresh stamps.
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            n += 1;
            sent.fetch_add(1, Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let _ = producer.flush(Duration::from_secs(5));
}

/// A sample shaped like the simulator's: every field of the contract, about 250 bytes.
fn sample(car: u64, ts: i64, n: u64) -> String {
    let f = (n % 1000) as f64;
    format!(
        r#"{{"car":"{car}","ts":{ts},"speed_kph":{:.1},"rpm":{:.0},"tire_temp_c":{{"fl":{:.1},"fr":{:.1},"rl":{:.1},"rr":{:.1}}},"lap":{},"gear":{},"throttle":{:.2},"brake":0.0,"driver":"Driver {car}","x":{:.1},"y":{:.1},"lap_distance_m":{:.1}}}"#,
        200.0 + f / 10.0,
        9000.0 + f,
        90.0 + f / 100.0,
        91.0 + f / 100.0,
        88.0 + f / 100.0,
        89.0 + f / 100.0,
        n / 20_000 + 1,
        n % 8 + 1,
        (f / 1000.0),
        f - 500.0,
        500.0 - f,
        f * 5.0,
    )
}
