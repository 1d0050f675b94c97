//! `replay` against kcat, and the server's peak memory while replaying.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use memchr::memmem;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Figure, Server, fill, median, step, unique, viewer};

/// Replays of the same topic, for a median: single runs swing by a factor of two on a
/// busy two-core machine.
pub(crate) const REPEATS: usize = 3;
/// After the fill, the broker flushes its log segments; measuring then would time the
/// disk, not the readers.
const SETTLE: Duration = Duration::from_secs(5);

pub(crate) struct ReplayRun {
    pub(crate) secs: f64,
    pub(crate) peak_rss_mb: f64,
    pub(crate) cpu_secs: f64,
}

/// kcat reading a whole topic, run by run: what the replay and the overview are held to.
#[derive(Default)]
pub(crate) struct KcatRuns {
    pub(crate) secs: Vec<f64>,
    pub(crate) cpu_secs: Vec<f64>,
}

impl KcatRuns {
    pub(crate) fn once(&mut self, brokers: &str, topic: &str) {
        let (secs, cpu_secs) = kcat_once(brokers, topic);
        self.secs.push(secs);
        self.cpu_secs.push(cpu_secs);
    }
}

/// Fills a fresh topic with `records` simulator records and lets the broker settle;
/// the replay and the overview read it.
pub(crate) fn filled_topic(brokers: &str, records: u64) -> String {
    let topic = format!("bench-replay-{}", unique());
    step(&format!("replay: filling {topic} with {records} simulator records across 6 partitions"));
    fill(brokers, &topic, records, 20);
    step(&format!("replay: letting the broker settle for {} s", SETTLE.as_secs()));
    std::thread::sleep(SETTLE);
    topic
}

/// Reads `topic` from the beginning `REPEATS` times with kcat and with a Trackside
/// viewer, alternating. Returns the figures and kcat's runs (the overview's baseline).
pub(crate) fn replay_vs_kcat(
    rt: &tokio::runtime::Runtime,
    brokers: &str,
    topic: &str,
    records: u64,
) -> (Vec<Figure>, KcatRuns) {
    let (mut runs, mut ours, mut rss, mut cpu) = (KcatRuns::default(), vec![], vec![], vec![]);
    for i in 1..=REPEATS {
        step(&format!("replay {i}/{REPEATS}: kcat -C -o beginning -e to /dev/null"));
        runs.once(brokers, topic);
        step(&format!("replay {i}/{REPEATS}: one WebSocket viewer replays from earliest"));
        let r = rt.block_on(trackside_once(brokers, topic, records));
        ours.push(r.secs);
        rss.push(r.peak_rss_mb);
        cpu.push(r.cpu_secs);
        eprintln!(
            "  kcat {:.2} s ({:.2} CPU-s), trackside {:.2} s ({:.2} CPU-s), peak RSS {:.0} MB",
            runs.secs[i - 1],
            runs.cpu_secs[i - 1],
            r.secs,
            r.cpu_secs,
            r.peak_rss_mb
        );
    }
    let (kcat, kcat_cpu) = (runs.secs.clone(), runs.cpu_secs.clone());
    let (k, t) = (median(kcat.clone()), median(ours.clone()));
    let per_sec = |s: f64| (records as f64 / s).round();
    let replay = Figure::new("replay", t, k, "s").target("at most 1.3x kcat's time", t <= 1.3 * k).detail(json!({
        "records": records, "runs_trackside_s": ours, "runs_kcat_s": kcat,
        "trackside_records_per_s": per_sec(t), "kcat_records_per_s": per_sec(k),
    }));
    let peak = median(rss.clone());
    let rss_fig = Figure::new("replay_peak_rss", peak, 300.0, "MB")
        .target("at most 300 MB", peak <= 300.0)
        .detail(json!({"records": records, "runs_mb": rss}));
    // Not a target: what bounds the replay on a machine of few cores. kcat only copies
    // bytes out; the server decodes and re-encodes every record.
    let cpu_fig = Figure::new("replay_cpu", median(cpu.clone()), median(kcat_cpu.clone()), "cpu-s")
        .info()
        .detail(json!({"records": records, "runs_server_cpu_s": cpu, "runs_kcat_cpu_s": kcat_cpu}));
    (vec![replay, rss_fig, cpu_fig], runs)
}

/// Peak server RSS while one viewer replays a large topic.
pub(crate) fn replay_memory(rt: &tokio::runtime::Runtime, brokers: &str, records: u64) -> (Figure, String) {
    let topic = format!("bench-memory-{}", unique());
    step(&format!("memory: filling {topic} with {records} simulator records (about 45 s per 10 million)"));
    fill(brokers, &topic, records, 20);
    std::thread::sleep(SETTLE);
    step(&format!("memory: one viewer replays all {records} records"));
    let r = rt.block_on(trackside_once(brokers, &topic, records));
    eprintln!("  {:.1} s, peak RSS {:.0} MB", r.secs, r.peak_rss_mb);
    let figure = Figure::new("memory_replay_peak_rss", r.peak_rss_mb, 300.0, "MB")
        .target("at most 300 MB", r.peak_rss_mb <= 300.0)
        .detail(json!({"records": records, "replay_s": r.secs, "server_cpu_s": r.cpu_secs}));
    (figure, topic)
}

/// kcat's wall time, and the CPU time it used (bash's `times` reports its children's).
fn kcat_once(brokers: &str, topic: &str) -> (f64, f64) {
    let script = format!("kcat -C -b '{brokers}' -t '{topic}' -o beginning -e -q >/dev/null && times");
    let started = Instant::now();
    let out = Command::new("bash").args(["-c", &script]).output().expect("bash and kcat");
    let secs = started.elapsed().as_secs_f64();
    assert!(out.status.success(), "kcat failed: {}", String::from_utf8_lossy(&out.stderr));
    // `times` prints the shell's user and system time, then its children's: "0m0.350s 0m0.100s".
    let text = String::from_utf8_lossy(&out.stdout);
    let cpu = text.lines().nth(1).map_or(f64::NAN, |l| l.split_whitespace().map(minutes_seconds).sum());
    (secs, cpu)
}

fn minutes_seconds(t: &str) -> f64 {
    let (m, s) = t.trim_end_matches('s').split_once('m').unwrap_or(("0", t));
    m.parse::<f64>().unwrap_or(0.0) * 60.0 + s.parse::<f64>().unwrap_or(f64::NAN)
}

/// Starts a server, sends "replay from earliest" and waits until every record and
/// `caught_up` arrived. The viewer counts records without parsing frames, so that it
/// costs the two cores no more than kcat writing to /dev/null does.
async fn trackside_once(brokers: &str, topic: &str, records: u64) -> ReplayRun {
    let mut server = Server::start(brokers, topic, &["--history-secs", "0"]);
    server.wait_for_lap_index(topic).await;
    let mut ws = viewer(&server.ws_url(), topic).await;
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    ws.send(Message::text(json!({"type": "replay", "from": "earliest"}).to_string()))
        .await
        .expect("sending to the server");
    let record = memmem::Finder::new(br#""offset":"#);
    let (mut received, mut caught_up, mut last_report) = (0u64, false, Instant::now());
    while received < records || !caught_up {
        let text = match ws.next().await {
            Some(Ok(Message::Text(text))) => text,
            // The server pings every few seconds; the client answers by itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("the socket ended mid-replay: {other:?}"),
        };
        let bytes = text.as_bytes();
        if bytes.starts_with(br#"{"type":"data","mode":"replay""#) {
            received += record.find_iter(bytes).count() as u64;
        } else if bytes.starts_with(br#"{"type":"replay""#) {
            let v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON from the server");
            match v["state"].as_str() {
                Some("caught_up") => caught_up = true,
                Some("failed") => panic!("replay failed: {v}"),
                _ => {}
            }
        }
        if last_report.elapsed() > Duration::from_secs(1) {
            eprint!("\r  {received} of {records} records");
            last_report = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu_secs = server.cpu_secs() - cpu_before;
    eprintln!("\r  {received} of {records} records; the server used {cpu_secs:.2} CPU-seconds");
    let peak_rss_mb = server.peak_rss_mb();
    let _ = ws.close(None).await;
    server.stop();
    ReplayRun { secs, peak_rss_mb, cpu_secs }
}
