//! `replay` against kcat, and the server's peak memory while replaying.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use memchr::memmem;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Figure, Server, fill, median, run, step, unique, viewer};

/// Replays of the same topic, for a median: single runs swing by a factor of two on a
/// busy two-core machine.
const REPEATS: usize = 3;
/// After the fill, the broker flushes its log segments; measuring then would time the
/// disk, not the readers.
const SETTLE: Duration = Duration::from_secs(5);

pub(crate) struct ReplayRun {
    pub(crate) secs: f64,
    pub(crate) peak_rss_mb: f64,
    pub(crate) cpu_secs: f64,
}

/// Fills a topic, then reads it from the beginning `REPEATS` times with kcat and with a
/// Trackside viewer, alternating. Returns the figures and the topic (for clean-up).
pub(crate) fn replay_vs_kcat(rt: &tokio::runtime::Runtime, brokers: &str, records: u64) -> (Vec<Figure>, String) {
    let topic = format!("bench-replay-{}", unique());
    step(&format!("replay: filling {topic} with {records} simulator records across 6 partitions"));
    fill(brokers, &topic, records, 20);
    step(&format!("replay: letting the broker settle for {} s", SETTLE.as_secs()));
    std::thread::sleep(SETTLE);
    let (mut kcat, mut ours, mut rss, mut cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 1..=REPEATS {
        step(&format!("replay {i}/{REPEATS}: kcat -C -o beginning -e to /dev/null"));
        kcat.push(kcat_once(brokers, &topic));
        step(&format!("replay {i}/{REPEATS}: one WebSocket viewer replays from earliest"));
        let r = rt.block_on(trackside_once(brokers, &topic, records));
        ours.push(r.secs);
        rss.push(r.peak_rss_mb);
        cpu.push(r.cpu_secs);
        eprintln!("  kcat {:.2} s, trackside {:.2} s, peak RSS {:.0} MB", kcat[i - 1], r.secs, r.peak_rss_mb);
    }
    let (k, t) = (median(kcat.clone()), median(ours.clone()));
    let per_sec = |s: f64| (records as f64 / s).round();
    let replay = Figure::new("replay", t, k, "s").target("at most 1.3x kcat's time", t <= 1.3 * k).detail(json!({
        "records": records, "runs_trackside_s": ours, "runs_kcat_s": kcat, "runs_server_cpu_s": cpu,
        "trackside_records_per_s": per_sec(t), "kcat_records_per_s": per_sec(k),
    }));
    let peak = median(rss.clone());
    let rss_fig = Figure::new("replay_peak_rss", peak, 300.0, "MB")
        .target("at most 300 MB", peak <= 300.0)
        .detail(json!({"records": records, "runs_mb": rss}));
    (vec![replay, rss_fig], topic)
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

fn kcat_once(brokers: &str, topic: &str) -> f64 {
    let started = Instant::now();
    run(Command::new("kcat")
        .args(["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q"])
        .stdout(Stdio::null()));
    started.elapsed().as_secs_f64()
}

/// Starts a server, sends "replay from earliest" and waits until every record and
/// `caught_up` arrived. The viewer counts records without parsing frames, so that it
/// costs the two cores no more than kcat writing to /dev/null does.
async fn trackside_once(brokers: &str, topic: &str, records: u64) -> ReplayRun {
    let mut server = Server::start(brokers, topic, &["--history-secs", "0"]);
    let mut ws = viewer(&server.ws_url(), topic).await;
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    ws.send(Message::text(json!({"type": "replay", "from": "earliest"}).to_string()))
        .await
        .expect("sending to the server");
    let record = memmem::Finder::new(br#""offset":"#);
    let (mut received, mut caught_up, mut last_report) = (0u64, false, Instant::now());
    while received < records || !caught_up {
        let Some(Ok(Message::Text(text))) = ws.next().await else { panic!("the socket ended mid-replay") };
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
