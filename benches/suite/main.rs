//! `make bench`: Trackside against baselines measured in the same run, on the local real
//! broker. Prints a table and writes `target/bench/results.json`.
//!
//! Figures so far:
//! - `replay`: time from a viewer's "replay from earliest" to the last record arriving
//!   at it, against `kcat -C -o beginning -e` reading the same topic to /dev/null.
//! - `replay_peak_rss`: the server's peak RSS during that replay, against its target.
//!
//! `QUICK=1` (or `--quick`) uses a smaller topic. Everything runs on loopback and stops
//! on its own. Environment: `TRACKSIDE_TEST_BROKERS` (default 127.0.0.1:9092).

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_trackside");

struct Figure {
    name: &'static str,
    trackside: f64,
    baseline: f64,
    unit: &'static str,
    /// trackside / baseline
    ratio: f64,
    target: String,
    met: bool,
}

fn main() {
    let quick = std::env::var("QUICK").is_ok_and(|v| v == "1") || std::env::args().any(|a| a == "--quick");
    let brokers = std::env::var("TRACKSIDE_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into());
    let records: u64 = if quick { 200_000 } else { 1_000_000 };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");

    step(&format!("filling a fresh topic with {records} simulator records across 6 partitions"));
    let topic = format!("bench-replay-{}", std::process::id());
    run(Command::new(BIN).args(["simulate", "--brokers", &brokers, "--topic", &topic, "--partitions", "6"]).args([
        "--count",
        &records.to_string(),
        "--as-fast-as-possible",
    ]));

    step("baseline: kcat -C -o beginning -e to /dev/null");
    let started = Instant::now();
    run(Command::new("kcat")
        .args(["-C", "-b", &brokers, "-t", &topic, "-o", "beginning", "-e", "-q"])
        .stdout(Stdio::null()));
    let kcat = started.elapsed().as_secs_f64();

    step("trackside: one WebSocket viewer replays from earliest");
    let mut server = Server::start(&brokers);
    let replay = runtime.block_on(replay_once(&server.url, &topic, records));
    let peak_rss_mb = server.peak_rss_mb();
    server.stop();

    let per_sec = |secs: f64| records as f64 / secs;
    let figures = vec![
        Figure {
            name: "replay",
            trackside: replay,
            baseline: kcat,
            unit: "s",
            ratio: replay / kcat,
            target: "at most 1.3x kcat's time".into(),
            met: replay <= 1.3 * kcat,
        },
        Figure {
            name: "replay_peak_rss",
            trackside: peak_rss_mb,
            baseline: 300.0,
            unit: "MB",
            ratio: peak_rss_mb / 300.0,
            target: "at most 300 MB".into(),
            met: peak_rss_mb <= 300.0,
        },
    ];
    println!();
    println!(
        "{:<18} {:>12} {:>12} {:>6} {:>8}  {:<26} met",
        "figure", "trackside", "baseline", "unit", "ratio", "target"
    );
    for f in &figures {
        println!(
            "{:<18} {:>12.2} {:>12.2} {:>6} {:>8.2}  {:<26} {}",
            f.name, f.trackside, f.baseline, f.unit, f.ratio, f.target, f.met
        );
    }
    println!("replay: trackside {:.0} records/s, kcat {:.0} records/s", per_sec(replay), per_sec(kcat));
    write_results(&figures, quick, records);
}

/// Sends "replay from earliest" and waits until every record and `caught_up` arrived.
async fn replay_once(url: &str, topic: &str, records: u64) -> f64 {
    let ws_url = url.replace("http://", "ws://") + "ws";
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.expect("the server's WebSocket");
    ws.send(Message::text(json!({"type": "subscribe", "selection": [{"topic": topic}]}).to_string()))
        .await
        .expect("sending to the server");
    while let Some(Ok(m)) = ws.next().await {
        if m.to_text().is_ok_and(|t| t.contains(r#""type":"subscribed""#)) {
            break;
        }
    }
    let started = Instant::now();
    ws.send(Message::text(json!({"type": "replay", "from": "earliest"}).to_string()))
        .await
        .expect("sending to the server");
    let (mut received, mut caught_up, mut last_report) = (0u64, false, Instant::now());
    while received < records || !caught_up {
        let Some(Ok(Message::Text(text))) = ws.next().await else { panic!("the socket ended mid-replay") };
        let v: Value = serde_json::from_str(text.as_str()).expect("JSON from the server");
        match v["type"].as_str() {
            Some("data") if v["mode"] == "replay" => {
                for b in v["batches"].as_array().into_iter().flatten() {
                    received += b["records"].as_array().map_or(0, |r| r.len() as u64);
                }
            }
            Some("replay") if v["state"] == "caught_up" => caught_up = true,
            Some("replay") if v["state"] == "failed" => panic!("replay failed: {v}"),
            _ => {}
        }
        if last_report.elapsed() > Duration::from_secs(1) {
            eprint!("\r  {received} of {records} records");
            last_report = Instant::now();
        }
    }
    eprintln!("\r  {received} of {records} records");
    started.elapsed().as_secs_f64()
}

/// `trackside serve` as a user runs it, on a port of its own.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(brokers: &str) -> Server {
        let group = format!("bench-{}", std::process::id());
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--brokers",
                brokers,
                "--listen",
                "127.0.0.1:0",
                "--group-id",
                &group,
                "--history-secs",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("trackside serve");
        let stdout = child.stdout.take().expect("its stdout");
        let line =
            BufReader::new(stdout).lines().map_while(Result::ok).find(|l| l.contains("http://")).expect("its URL");
        let url = line[line.find("http://").unwrap_or(0)..].trim().to_owned();
        Server { child, url }
    }

    /// Peak resident memory so far, from the kernel's high-water mark.
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        kb / 1024.0
    }

    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

fn step(what: &str) {
    eprintln!("bench: {what}");
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed");
}

fn write_results(figures: &[Figure], quick: bool, records: u64) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown CPU".to_owned(), |s| s.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let out = json!({
        "machine": format!("{cpu}, {cores} cores"),
        "date": date,
        "quick": quick,
        "records": records,
        "figures": figures.iter().map(|f| json!({
            "name": f.name, "trackside": f.trackside, "baseline": f.baseline, "unit": f.unit,
            "ratio": f.ratio, "target": f.target, "met": f.met,
        })).collect::<Vec<_>>(),
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("target/bench");
    let path = dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap_or_default()).expect("results.json");
    eprintln!("bench: wrote {}", path.display());
}
