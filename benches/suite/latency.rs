//! `latency`, `fan-out` and the stalled-viewer half of `memory`: a paced producer in this
//! process stamps every record with its send time (`ts`, ms since the epoch, also the
//! Kafka record timestamp); WebSocket viewers, in a process of their own, decode every
//! record of every frame and note when each reached them; and a plain librdkafka consumer
//! reading the same records with no server in between, in a third process, is the
//! baseline ([`latency_client`](crate::latency_client)). `ts` has a resolution of one
//! millisecond, truncated, so every latency is over-stated by 0 to 1 ms (receipt is read
//! with the clock's full resolution); the baseline is stamped the same way, so the
//! comparison is fair.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use rdkafka::{
    ClientConfig,
    producer::{BaseRecord, Producer, ThreadedProducer},
};

use crate::{
    common::{Server, cpu_secs_of, create_topic, delete_topics, now_ms_f64},
    hist::Hist,
    latency_client,
};

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
    /// Records the producer stamped inside the window.
    pub(crate) sent: u64,
    pub(crate) trackside: Hist,
    pub(crate) baseline: Hist,
    /// Server CPU over the window, in cores.
    pub(crate) cpu_cores: f64,
    /// The viewers' process's CPU over the window, in cores.
    pub(crate) client_cpu_cores: f64,
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

/// `--max-frame-rate` for the latency runs: 60 frames a second per viewer, what a
/// browser draws. The default 30 adds up to 33 ms of batching to every record.
pub(crate) const FRAME_RATE: &str = "60";

/// One client process (see [`latency_client`]) and the lines it prints.
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Client {
    fn spawn(role: &str, env: &[(&str, String)]) -> Client {
        let exe = std::env::current_exe().expect("the bench's own binary");
        let mut child = Command::new(exe)
            .env(latency_client::ROLE, role)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("a latency client process");
        let stdin = child.stdin.take().expect("its stdin");
        let out = BufReader::new(child.stdout.take().expect("its stdout"));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, lines }
    }

    /// Waits up to `within` for the client to print `line`; returns whether it did.
    fn wait_for(&self, line: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if l == line => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    fn say(&mut self, line: &str) {
        let _ = writeln!(self.stdin, "{line}");
    }

    /// Stops the client and returns what it measured (empty if it failed).
    fn finish(mut self) -> Hist {
        self.say("stop");
        let hist = (0..)
            .map_while(|_| self.lines.recv_timeout(Duration::from_secs(60)).ok())
            .find_map(|l| l.strip_prefix("hist ").and_then(Hist::from_line));
        let _ = self.child.wait();
        hist.unwrap_or_else(Hist::new)
    }
}

pub(crate) async fn run_cell(brokers: &str, cell: Cell) -> CellResult {
    let topic = format!("bench-latency-{}", crate::common::unique());
    create_topic(brokers, &topic, 6).await;
    // Another build's server in its place (an earlier commit's, for a before and after).
    let bin = std::env::var("BENCH_LATENCY_BIN").unwrap_or_else(|_| crate::common::BIN.to_owned());
    let server = Server::start_bin(&bin, brokers, &topic, &["--max-frame-rate", FRAME_RATE]);
    let viewers = Client::spawn(
        "viewers",
        &[
            ("BENCH_WS_URL", server.ws_url()),
            ("BENCH_TOPIC", topic.clone()),
            ("BENCH_CLIENTS", cell.clients.to_string()),
            ("BENCH_STALLED", cell.stalled.to_string()),
        ],
    );
    assert!(viewers.wait_for("subscribed", Duration::from_secs(300)), "the viewers never all subscribed");
    let baseline = Client::spawn("baseline", &[("BENCH_BROKERS", brokers.to_owned()), ("BENCH_TOPIC", topic.clone())]);
    let sent = Arc::new(Stamped::default());
    let producing = Arc::new(AtomicBool::new(true));
    let producer = {
        let (brokers, topic, sent, producing) = (brokers.to_owned(), topic.clone(), sent.clone(), producing.clone());
        std::thread::spawn(move || produce(&brokers, &topic, cell.rate, &sent, &producing))
    };

    // Warm up: the group and the baseline consumer join, and the first records arrive.
    let healthy = cell.clients - cell.stalled.min(cell.clients);
    let warm = Duration::from_secs(30);
    if healthy > 0 {
        viewers.wait_for("first", warm);
    }
    baseline.wait_for("first", warm);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (mut viewers, mut baseline) = (viewers, baseline);
    // A millisecond ahead, so the producer counts from the window's first stamp on.
    let start = now_ms_f64().ceil() as u64 + 1;
    let end = start + cell.window.as_millis() as u64;
    sent.open(start, end);
    for client in [&mut viewers, &mut baseline] {
        client.say(&format!("window {start} {end}"));
    }
    let cpu_before = server.cpu_secs();
    let client_cpu_before = cpu_secs_of(viewers.child.id());
    let rss_start_mb = server.rss_mb();
    let began = Instant::now();
    let mut peak_rss_mb = rss_start_mb;
    while let Some(left) = cell.window.checked_sub(began.elapsed()).filter(|l| !l.is_zero()) {
        tokio::time::sleep(left.min(Duration::from_millis(250))).await;
        peak_rss_mb = peak_rss_mb.max(server.rss_mb());
    }
    let secs = began.elapsed().as_secs_f64();
    let cpu_cores = (server.cpu_secs() - cpu_before) / secs;
    let client_cpu_cores = (cpu_secs_of(viewers.child.id()) - client_cpu_before) / secs;
    let rss_end_mb = server.rss_mb();
    let dropped = server.metric("trackside_records_dropped_total").await.unwrap_or(f64::NAN);
    let clients_at_end = server.metric("trackside_clients").await.unwrap_or(f64::NAN);
    producing.store(false, Ordering::Relaxed);
    // Records of the window still on their way.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent_in_window = sent.in_window.load(Ordering::Relaxed);
    let trackside = viewers.finish();
    let baseline = baseline.finish();
    let _ = producer.join();
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
        client_cpu_cores,
        rss_start_mb,
        rss_end_mb,
        peak_rss_mb,
        dropped,
        clients_at_end,
    }
}

/// Produces `rate` records a second of 20 cars until `producing` is cleared, with the
/// simulator's producer settings (lz4, 5 ms linger, acks=all). Each record's `ts` is the
/// moment it is handed to librdkafka.
/// What the producer sent inside the window the clients were told, by the same test they
/// apply to each record's stamp (`start <= ts < end`). Counting the records sent while the
/// bench's own loop ran instead was off by the milliseconds between that loop and the
/// window's stamps (at 20,000 records/s, 20 records a millisecond), which read as 99.6%
/// delivered when every record of the window was.
struct Stamped {
    start: AtomicU64,
    end: AtomicU64,
    in_window: AtomicU64,
}

impl Default for Stamped {
    fn default() -> Self {
        Self { start: AtomicU64::new(u64::MAX), end: AtomicU64::new(u64::MAX), in_window: AtomicU64::new(0) }
    }
}

impl Stamped {
    fn open(&self, start: u64, end: u64) {
        self.end.store(end, Ordering::Relaxed);
        self.start.store(start, Ordering::Relaxed);
    }

    fn count(&self, ts: i64) {
        let ts = ts as u64;
        if ts >= self.start.load(Ordering::Relaxed) && ts < self.end.load(Ordering::Relaxed) {
            self.in_window.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn produce(brokers: &str, topic: &str, rate: u32, sent: &Stamped, producing: &AtomicBool) {
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
            sent.count(ts);
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
