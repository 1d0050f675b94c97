//! Test helpers: random names, a producer for known records, the app on port 0, and a
//! WebSocket client that collects what a viewer would see.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    producer::{FutureProducer, FutureRecord},
};
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::oneshot, task::JoinHandle};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use trackside::config::{Cli, Command, ServeArgs};

/// How long any wait for Kafka or the server may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// How often [`eventually`] looks again: often enough that a latency a test measures
/// stays honest, rarely enough that polling a local server costs nothing.
const POLL: Duration = Duration::from_millis(50);

/// What a check given to [`eventually`] answers: done, with a value to hand back, or not
/// yet, with what it saw (for the failure message).
pub trait Verdict {
    type Done;
    fn verdict(self) -> Result<Self::Done, String>;
}

impl Verdict for bool {
    type Done = ();
    fn verdict(self) -> Result<(), String> {
        if self { Ok(()) } else { Err("false".into()) }
    }
}

impl<T> Verdict for Option<T> {
    type Done = T;
    fn verdict(self) -> Result<T, String> {
        self.ok_or_else(|| "None".into())
    }
}

/// `Err` carries what the check observed, so a failure shows it.
impl<T, E: std::fmt::Display> Verdict for Result<T, E> {
    type Done = T;
    fn verdict(self) -> Result<T, String> {
        self.map_err(|seen| seen.to_string())
    }
}

/// Runs `check` every [`POLL`] until it says done, and returns what it returned. After
/// [`PATIENCE`] (a check that hangs counts too) fails the test, naming `what` and the
/// last thing the check observed.
///
/// `check` is a closure returning a future (`|| async { .. }`) rather than an async
/// closure: an async closure's future cannot yet be proven `Send`, and a wait inside
/// `tokio::spawn` must be. A check that keeps state between calls keeps it in a `Mutex`.
/// Not an `async fn`, so that a failure can name the line that waited.
#[track_caller]
pub fn eventually<V: Verdict, F: Future<Output = V>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> impl Future<Output = V::Done> {
    let caller = std::panic::Location::caller();
    async move {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut last = String::from("nothing, the first check never finished");
        loop {
            match tokio::time::timeout_at(deadline, check()).await.map(Verdict::verdict) {
                Ok(Ok(done)) => return done,
                Ok(Err(seen)) => last = seen,
                Err(_) => break,
            }
            if tokio::time::Instant::now() + POLL >= deadline {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        panic!("{caller}: waited {PATIENCE:?} for {what}; last observed: {last}");
    }
}

pub fn brokers() -> String {
    std::env::var("TRACKSIDE_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

/// A name no other test, and no earlier run, has used.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

pub async fn create_topic(partitions: i32) -> String {
    let name = unique("it");
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let results = admin
        .create_topics(&[NewTopic::new(&name, partitions, TopicReplication::Fixed(1))], &AdminOptions::new())
        .await
        .expect("is Kafka running? `make kafka-up`");
    for r in results {
        r.unwrap();
    }
    name
}

/// A valid telemetry value for `car`; `n` varies every number so records differ.
pub fn sample(car: &str, n: u32) -> Value {
    let f = f64::from(n);
    json!({
        "car": car, "ts": 1_700_000_000_000_i64 + i64::from(n) * 50,
        "speed_kph": 100.0 + f, "rpm": 8000.0 + f * 10.0,
        "tire_temp_c": {"fl": 80.0 + f / 10.0, "fr": 81.0, "rl": 82.0, "rr": 83.0},
        "lap": 1 + n / 100, "gear": 5
    })
}

/// Produces each `(partition, key, value)` in order and waits for every acknowledgement.
/// Returns the offset each record got.
pub async fn produce(topic: &str, records: &[(i32, &str, Option<Vec<u8>>)]) -> Vec<i64> {
    produce_at(topic, None, records).await
}

/// As [`produce`], with every record's Kafka timestamp set to `timestamp_ms` when given.
pub async fn produce_at(topic: &str, timestamp_ms: Option<i64>, records: &[(i32, &str, Option<Vec<u8>>)]) -> Vec<i64> {
    let timed: Vec<Timed<'_>> = records.iter().map(|(p, key, value)| (*p, *key, timestamp_ms, value.clone())).collect();
    produce_timed(topic, &timed).await
}

/// A record to produce: partition, key, Kafka timestamp (the producer's clock when none),
/// value.
pub type Timed<'a> = (i32, &'a str, Option<i64>, Option<Vec<u8>>);

/// Produces each record in order and waits for every acknowledgement. Returns the offset
/// each record got.
pub async fn produce_timed(topic: &str, records: &[Timed<'_>]) -> Vec<i64> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("linger.ms", "5")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let sends = records.iter().map(|(p, key, timestamp_ms, value)| {
        let mut r: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic).partition(*p).key(*key);
        if let Some(ts) = timestamp_ms {
            r = r.timestamp(*ts);
        }
        if let Some(v) = value {
            r = r.payload(v.as_slice());
        }
        producer.send(r, Duration::from_secs(10))
    });
    let mut offsets = Vec::new();
    for delivery in futures_util::future::join_all(sends).await {
        offsets.push(delivery.map_err(|(e, _)| e).unwrap().offset);
    }
    offsets
}

pub fn json_bytes(v: &Value) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(v).unwrap())
}

/// Server logs in test output, filtered by RUST_LOG (e.g. `RUST_LOG=trackside=debug`).
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

/// The real server, serving on a port of its own until dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), trackside::serve::ServeError>>>,
}

impl TestApp {
    /// Starts `trackside serve` with these command-line arguments (plus a port of its
    /// own and the test broker), exactly as a user would configure it.
    pub async fn spawn(args: &[&str]) -> TestApp {
        init_logging();
        let brokers = brokers();
        let mut argv = vec!["trackside", "serve", "--listen", "127.0.0.1:0"];
        if !args.contains(&"--brokers") {
            argv.extend(["--brokers", &brokers]);
        }
        argv.extend_from_slice(args);
        let Command::Serve(serve) = Cli::try_parse_from(argv).unwrap().command else { unreachable!() };
        Self::spawn_with(serve).await
    }

    /// The server reading `topic` as a fresh group that starts at the earliest offset, so
    /// it consumes what a test produced before starting it.
    pub async fn reading_from_earliest(topic: &str) -> TestApp {
        Self::spawn(&["--topics", topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await
    }

    pub async fn spawn_with(args: ServeArgs) -> TestApp {
        let listener = tokio::net::TcpListener::bind(args.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(trackside::serve::run(listener, args, async move {
            let _ = stopped.await;
        }));
        TestApp { addr, stop: Some(stop), task: Some(task) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        reqwest::get(self.url(path)).await.unwrap().json().await.unwrap()
    }

    pub async fn viewer(&self) -> Viewer {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", self.addr)).await.unwrap();
        Viewer { ws, seen: Vec::new() }
    }

    /// Shuts the server down as Ctrl-C would, and waits for `run` to return.
    pub async fn shutdown(mut self) -> Duration {
        let started = Instant::now();
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        tokio::time::timeout(PATIENCE, task).await.expect("server did not stop").unwrap().unwrap();
        started.elapsed()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

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

/// A first `trackside serve` run with `args` reads records 0 to 2 of the one-partition
/// `topic` (produced once its group is assigned), commits and leaves; then records 3 and 4
/// arrive while no server runs.
pub async fn three_read_then_two_more_while_stopped(topic: &str, args: &[&str]) {
    let first = TestApp::spawn(args).await;
    let mut viewer = first.viewer().await;
    viewer.subscribe(topic, None).await;
    viewer.next_of("stats", |m| m["group"]["assignment"].as_array().is_some_and(|a| a.len() == 1)).await;
    produce(topic, &(0..3u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect::<Vec<_>>()).await;
    viewer.until("three records", |seen| records(seen, "live").len() >= 3).await;
    first.shutdown().await;
    produce(topic, &(3..5u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect::<Vec<_>>()).await;
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

/// `/api/channels?topic=T` once its first channel has counted `n` records.
pub async fn channels_counted(app: &TestApp, topic: &str, n: u64) -> Value {
    eventually(&format!("{n} records counted"), || async {
        let v = app.get_json(&format!("/api/channels?topic={topic}")).await;
        (v["channels"][0]["records"] == n).then_some(v)
    })
    .await
}

/// One channel's row in an `/api/channels` answer.
pub fn channel_row(api: &Value, name: &str) -> Value {
    api["channels"].as_array().unwrap().iter().find(|c| c["name"] == name).cloned().unwrap()
}

/// Offsets received per partition, in arrival order.
pub fn offsets_by_partition(recs: &[(String, i64, Value)]) -> std::collections::BTreeMap<i64, Vec<i64>> {
    let mut map = std::collections::BTreeMap::<i64, Vec<i64>>::new();
    for (_, p, r) in recs {
        map.entry(*p).or_default().push(r["offset"].as_i64().unwrap());
    }
    map
}

/// Runs `trackside simulate` as fast as possible into `topic` on `brokers`, with `extra`
/// arguments, and waits for it to finish.
pub fn simulate_into(brokers: &str, topic: &str, extra: &[&str]) {
    let mut args = vec!["simulate", "--brokers", brokers, "--topic", topic, "--as-fast-as-possible"];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside")).args(&args).output().unwrap();
    assert!(out.status.success(), "simulate failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A child process that is killed when the test is done with it, passing or not.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `trackside simulate` in real time into `topic` on `brokers`, with `extra`
/// arguments, until the returned guard drops.
pub fn simulate_live(brokers: &str, topic: &str, extra: &[&str]) -> Running {
    Running(
        std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
            .args(["simulate", "--brokers", brokers, "--topic", topic])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// `trackside serve` as a process of its own, as a user starts it: a port of its own,
/// stderr kept for the test to read, and killed if the test ends without stopping it.
pub struct ServeProcess {
    child: std::process::Child,
    /// Base URL, `http://127.0.0.1:PORT`, as the server printed it.
    pub url: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// The thread draining stderr: it ends at end of file, once the process is gone.
    reader: Option<std::thread::JoinHandle<()>>,
}

/// How a [`ServeProcess`] ended.
pub struct Exit {
    pub status: std::process::ExitStatus,
    /// From SIGTERM to the process being gone.
    pub took: Duration,
    pub stderr: String,
}

impl ServeProcess {
    /// Starts the server with `args` and waits until it has printed its URL.
    pub fn start(args: &[&str]) -> ServeProcess {
        Self::start_in(std::path::Path::new("."), args)
    }

    /// As [`ServeProcess::start`], with `dir` as the server's working directory.
    pub fn start_in(dir: &std::path::Path, args: &[&str]) -> ServeProcess {
        use std::io::{BufRead, BufReader, Read};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
            .current_dir(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (mut pipe, sink) = (child.stderr.take().unwrap(), stderr.clone());
        // Drained all along, so a chatty server never blocks on a full pipe.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let line = stdout.lines().map_while(Result::ok).find(|l| l.contains("http://")).expect("the server's URL");
        let url = line[line.find("http://").unwrap()..].trim().trim_end_matches('/').to_owned();
        ServeProcess { child, url, stderr, reader: Some(reader) }
    }

    /// What the server has logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server with SIGKILL, as a crash or an OOM kill would: no goodbye, no
    /// final commit, no LeaveGroup.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn ws_url(&self) -> String {
        self.url.replace("http://", "ws://") + "/ws"
    }

    pub async fn get_json(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.url)).await.unwrap().json().await.unwrap()
    }

    /// Sends SIGTERM, as `docker stop` or systemd would, and waits for the process to
    /// exit by itself (killing it after [`PATIENCE`]).
    pub async fn terminate(mut self) -> Exit {
        let pid = self.child.id().to_string();
        let started = Instant::now();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status =
            eventually("the server to exit after SIGTERM", || std::future::ready(self.child.try_wait().unwrap())).await;
        let took = started.elapsed();
        // Everything the process wrote is read once the reader reaches end of file.
        let reader = self.reader.take().unwrap();
        let joined = tokio::time::timeout(PATIENCE, tokio::task::spawn_blocking(move || reader.join()));
        joined.await.expect("stderr never reached its end").unwrap().unwrap();
        let stderr = self.stderr.lock().unwrap().clone();
        Exit { status, took, stderr }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A private broker managed by scripts/kafka.sh; stopped and removed on drop.
pub struct PrivateBroker {
    pub port: u16,
    pub state: std::path::PathBuf,
    /// More settings for scripts/kafka.sh, such as `TRACKSIDE_KAFKA_SASL_PORT`.
    pub env: Vec<(&'static str, String)>,
}

impl PrivateBroker {
    /// Two free neighbouring ports: the broker's and its controller's. They come from
    /// below the kernel's ephemeral range: a port found free there by binding port 0 could
    /// be taken by any test's next connection or server in the seconds the JVM takes to
    /// start (seen at 4 test threads: "Address already in use"). Below it only a listener
    /// that asks for the port by number can take it; each reservation of this process
    /// gets ports of its own, from a start that differs between processes.
    pub fn reserve() -> PrivateBroker {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let (low, high) = (20_000u64, ephemeral_ports_start().saturating_sub(1));
        let span = high.saturating_sub(low) / 2;
        assert!(span > 100, "no room for a private broker's ports below the ephemeral range ({high})");
        let first = u64::from(std::process::id()) * 97;
        loop {
            let port = (low + (first + NEXT.fetch_add(1, Ordering::Relaxed)) % span * 2) as u16;
            let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
            if free(port) && free(port + 1) {
                let state = std::env::temp_dir().join(unique("trackside-broker"));
                return PrivateBroker { port, state, env: Vec::new() };
            }
        }
    }

    pub fn kafka_sh(&self, command: &str) {
        let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka.sh");
        let out = std::process::Command::new("bash")
            .arg(script)
            .arg(command)
            .env("TRACKSIDE_KAFKA_PORT", self.port.to_string())
            .env("TRACKSIDE_KAFKA_STATE", &self.state)
            .env("TRACKSIDE_KAFKA_HEAP_OPTS", "-Xms256m -Xmx512m")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(out.status.success(), "kafka.sh {command}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `kafka-host:port` of this broker.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the broker with SIGKILL, as a crash would: no controlled shutdown.
    pub fn kill9(&self) {
        let pid = std::fs::read_to_string(self.state.join("broker.pid")).unwrap();
        assert!(std::process::Command::new("kill").args(["-9", pid.trim()]).status().unwrap().success());
    }
}

/// The first port of the kernel's ephemeral range (Linux's default where it cannot be read).
fn ephemeral_ports_start() -> u64 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kafka_sh("down");
        let _ = std::fs::remove_dir_all(&self.state);
    }
}
