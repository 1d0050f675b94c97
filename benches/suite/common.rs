//! What every part of the suite shares: the server as a user runs it, its CPU and memory
//! from /proc, a WebSocket viewer, fresh topics, figures and the results file.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_trackside");

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One row of results.json.
pub(crate) struct Figure {
    pub(crate) name: String,
    pub(crate) trackside: f64,
    pub(crate) baseline: f64,
    pub(crate) unit: &'static str,
    /// trackside / baseline
    pub(crate) ratio: f64,
    pub(crate) target: String,
    pub(crate) met: bool,
    /// What the figure measured, and the numbers behind it.
    pub(crate) detail: serde_json::Value,
}

impl Figure {
    pub(crate) fn new(name: impl Into<String>, trackside: f64, baseline: f64, unit: &'static str) -> Self {
        let ratio = if baseline == 0.0 { f64::NAN } else { trackside / baseline };
        Self {
            name: name.into(),
            trackside,
            baseline,
            unit,
            ratio,
            target: String::new(),
            met: true,
            detail: json!({}),
        }
    }

    pub(crate) fn target(mut self, target: impl Into<String>, met: bool) -> Self {
        self.target = target.into();
        self.met = met;
        self
    }

    /// A figure with no target of its own: it informs, and is always met.
    pub(crate) fn info(self) -> Self {
        self.target("(for information)", true)
    }

    pub(crate) fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// `trackside serve` as a user runs it, on a port of its own, in a group of its own.
pub(crate) struct Server {
    /// The server, or `perf record` running it when `BENCH_PERF` names a folder for
    /// profiles: started by perf, every thread the server starts later (the decoding
    /// pool, made on first use) is recorded, which attaching to it would miss.
    child: Child,
    /// The server's own process id.
    pid: u32,
    pub(crate) url: String,
}

impl Server {
    pub(crate) fn start(brokers: &str, topic: &str, extra: &[&str]) -> Server {
        Server::start_bin(BIN, brokers, topic, extra)
    }

    /// [`start`](Self::start) with another build's binary: `BENCH_BASELINE_BIN`'s, a
    /// server of an earlier commit replaying the same topic.
    pub(crate) fn start_bin(bin: &str, brokers: &str, topic: &str, extra: &[&str]) -> Server {
        let group = format!("bench-{}-{}", std::process::id(), unique());
        let profiles = std::env::var("BENCH_PERF").ok();
        let mut command = match &profiles {
            Some(dir) => {
                let out = format!("{dir}/perf-{}.data", unique());
                step(&format!("profiling the server into {out}"));
                let mut c = Command::new("perf");
                c.args(["record", "-F", "999", "--call-graph", "dwarf,16384", "-o", &out, "--", bin]);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .args(["serve", "--brokers", brokers, "--listen", "127.0.0.1:0", "--group-id", &group, "--topics", topic])
            .args(extra)
            .stdout(Stdio::piped())
            // A server asked for its stage times (see src/stages.rs) logs them here.
            .stderr(if std::env::var("TRACKSIDE_STAGE_TIMES").is_ok_and(|v| v == "1") {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("trackside serve (perf, when BENCH_PERF is set)");
        let mut lines = BufReader::new(child.stdout.take().expect("its stdout")).lines();
        let line = lines.by_ref().map_while(Result::ok).find(|l| l.contains("http://")).expect("its URL");
        // Keep reading what it prints, so it never writes to a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let url = line[line.find("http://").unwrap_or(0)..].trim().trim_end_matches('/').to_owned();
        let pid = if profiles.is_some() { only_child(child.id()) } else { child.id() };
        Server { child, pid, url }
    }

    /// One unlabelled value from the server's `/metrics`.
    pub(crate) async fn metric(&self, name: &str) -> Option<f64> {
        let text = reqwest::get(format!("{}/metrics", self.url)).await.ok()?.text().await.ok()?;
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    pub(crate) fn ws_url(&self) -> String {
        self.url.replace("http://", "ws://") + "/ws"
    }

    /// Waits until the server's lap index has read what Kafka retains of `topic`. A server
    /// reads each topic once when it starts; the figures are of one that has.
    pub(crate) async fn wait_for_lap_index(&self, topic: &str) {
        let started = Instant::now();
        loop {
            let url = format!("{}/api/laps?topic={topic}", self.url);
            let state = match reqwest::get(url).await {
                Ok(r) => r.json::<serde_json::Value>().await.ok(),
                Err(_) => None,
            };
            if state.as_ref().is_some_and(|v| v["index"]["state"] == "live") {
                eprintln!("  the lap index read the topic in {:.1} s", started.elapsed().as_secs_f64());
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(600), "the lap index never finished: {state:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Peak resident memory so far, from the kernel's high-water mark.
    pub(crate) fn peak_rss_mb(&self) -> f64 {
        proc_status_kb(self.pid, "VmHWM:") / 1024.0
    }

    pub(crate) fn rss_mb(&self) -> f64 {
        proc_status_kb(self.pid, "VmRSS:") / 1024.0
    }

    /// CPU seconds (user + system) the server has used so far.
    pub(crate) fn cpu_secs(&self) -> f64 {
        cpu_secs_of(self.pid)
    }

    /// Stops the server (and perf, which ends with it, writing its profile).
    pub(crate) fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}

/// CPU seconds (user + system) process `pid` has used so far.
pub(crate) fn cpu_secs_of(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces:
    // utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / clock_ticks_per_sec()
}

/// The one process `parent` started (the server perf runs): it prints its URL only once
/// it runs, so by then it is there.
fn only_child(parent: u32) -> u32 {
    let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")).unwrap_or_default();
    children.split_whitespace().next().and_then(|p| p.parse().ok()).expect("the server perf started")
}

fn proc_status_kb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// A name no other run uses.
pub(crate) fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

pub(crate) fn admin(brokers: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new().set("bootstrap.servers", brokers).create().expect("an admin client")
}

pub(crate) async fn create_topic(brokers: &str, topic: &str, partitions: i32) {
    let admin = admin(brokers);
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let results = admin.create_topics([&new], &AdminOptions::new()).await.expect("creating a topic");
    for r in results {
        r.unwrap_or_else(|(t, e)| panic!("cannot create {t}: {e}"));
    }
}

/// Deletes topics this run made, so big fills do not stay on the broker's disk.
pub(crate) async fn delete_topics(brokers: &str, topics: &[String]) {
    if topics.is_empty() {
        return;
    }
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    let _ = admin(brokers).delete_topics(&names, &AdminOptions::new()).await;
}

/// How a viewer asks for `data`: the columnar binary layout, as the page does, or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    Columnar,
    Json,
}

impl Wire {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Wire::Columnar => "columnar",
            Wire::Json => "json",
        }
    }
}

/// Opens a JSON viewer and subscribes it to `topic`; see [`viewer_on`].
pub(crate) async fn viewer(ws_url: &str, topic: &str) -> Ws {
    viewer_on(ws_url, topic, Wire::Json).await
}

/// Opens a viewer reading `wire` and subscribes it to `topic`; returns once the server
/// said `subscribed`. A server that does not know the topic yet (its metadata lags) is
/// asked again.
pub(crate) async fn viewer_on(ws_url: &str, topic: &str, wire: Wire) -> Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    for _ in 0..60 {
        let mut request = ws_url.into_client_request().expect("a WebSocket URL");
        if wire == Wire::Columnar {
            let protocol = trackside::columnar::SUBPROTOCOL.parse().expect("a header value");
            request.headers_mut().insert("Sec-WebSocket-Protocol", protocol);
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("the server's WebSocket");
        let subscribe = json!({"type": "subscribe", "selection": [{"topic": topic}]}).to_string();
        ws.send(Message::text(subscribe)).await.expect("sending to the server");
        while let Some(Ok(m)) = ws.next().await {
            let Ok(text) = m.to_text() else { continue };
            if text.contains(r#""type":"subscribed""#) {
                return ws;
            }
            if text.contains(r#""type":"error""#) {
                break;
            }
        }
        let _ = ws.close(None).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the server never accepted a subscription to {topic}");
}

/// Milliseconds since the Unix epoch, with the clock's full resolution.
pub(crate) fn now_ms_f64() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

pub(crate) fn step(what: &str) {
    eprintln!("bench: {what}");
}

pub(crate) fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed");
}

/// Fills a fresh topic with `records` simulator records across 6 partitions.
pub(crate) fn fill(brokers: &str, topic: &str, records: u64, cars: u32) {
    run(Command::new(BIN)
        .args(["simulate", "--brokers", brokers, "--topic", topic, "--partitions", "6", "--cars", &cars.to_string()])
        .args(["--count", &records.to_string(), "--as-fast-as-possible"])
        .stdout(Stdio::null()));
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown CPU".to_owned(), |s| s.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gb = proc_meminfo_kb("MemTotal:") / 1024.0 / 1024.0;
    format!("{cpu}, {cores} cores, {mem_gb:.0} GB")
}

fn proc_meminfo_kb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

pub(crate) fn print_table(figures: &[Figure]) {
    println!();
    println!(
        "{:<30} {:>11} {:>11} {:>6} {:>7}  {:<44} met",
        "figure", "trackside", "baseline", "unit", "ratio", "target"
    );
    for f in figures {
        println!(
            "{:<30} {:>11.3} {:>11.3} {:>6} {:>7.2}  {:<44} {}",
            f.name, f.trackside, f.baseline, f.unit, f.ratio, f.target, f.met
        );
    }
}

pub(crate) fn write_results(figures: &[Figure], quick: bool, command: &str) {
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let out = json!({
        "machine": machine(),
        "date": date,
        "quick": quick,
        "command": command,
        "figures": figures.iter().map(|f| json!({
            "name": f.name, "trackside": f.trackside, "baseline": f.baseline, "unit": f.unit,
            "ratio": if f.ratio.is_finite() { json!(f.ratio) } else { json!(null) },
            "target": f.target, "met": f.met, "detail": f.detail,
        })).collect::<Vec<_>>(),
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("target/bench");
    let path = dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap_or_default()).expect("results.json");
    eprintln!("bench: wrote {}", path.display());
}

/// Runs a node script of e2e/ against the server binary and the broker, and returns the
/// last JSON line it printed (its figures); its stderr shows as it runs.
pub(crate) fn node_figures(script: &str, args: &[&str], brokers: &str) -> serde_json::Value {
    let path = format!("{}/e2e/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg(&path)
        .args(args)
        .env("TRACKSIDE_BIN", BIN)
        .env("TRACKSIDE_TEST_BROKERS", brokers)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {path}: {e}"));
    assert!(out.status.success(), "{path} failed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("{path} printed no JSON: {text}"))
}
