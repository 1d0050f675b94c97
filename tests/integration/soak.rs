//! `make soak`: the long versions of the fault tests, with figures printed as they go.
//! `cargo test` skips them (`#[ignore]`); `make soak` runs them one at a time.
//!
//! - `TRACKSIDE_SOAK_RUNS` (10) broker crashes, each down `TRACKSIDE_SOAK_DOWN_SECS` (30);
//! - a viewer stalled for `TRACKSIDE_SOAK_STALL_SECS` (60);
//! - `TRACKSIDE_SOAK_LOG=1` prints the server's log after the crashes.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// Milliseconds since the Unix epoch, as the records' `ts` count.
fn now_ms() -> i64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("milliseconds fit an i64")
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Reads whatever the server has already sent, until it has been quiet for `quiet`.
async fn drain(viewer: &mut Viewer, quiet: Duration) {
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(quiet, viewer.ws.next()).await {
        if let Message::Text(t) = msg {
            viewer.seen.push(serde_json::from_str(t.as_str()).unwrap());
        }
    }
}

fn summary(label: &str, secs: &[f64]) -> String {
    let mut sorted = secs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    format!("{label}: min {:.2} s, median {median:.2} s, max {:.2} s", sorted[0], sorted[sorted.len() - 1])
}

#[tokio::test]
#[ignore = "long: make soak"]
async fn soak_every_broker_crash_is_shown_and_recovered_from_without_a_restart() {
    let (runs, down) = (setting("TRACKSIDE_SOAK_RUNS", 10), setting("TRACKSIDE_SOAK_DOWN_SECS", 30));
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = broker.brokers();
    let _producer = simulate_live(&brokers, "laps", &["--partitions", "3", "--cars", "6", "--hz", "20"]);
    let server = ServeProcess::start(&["--brokers", &brokers, "--topics", "laps", "--group-id", &unique("g")]);
    let (ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut viewer = Viewer { ws, seen: Vec::new() };
    viewer.subscribe("laps", None).await;
    viewer.until("live data", |seen: &[Value]| records(seen, "live").len() >= 10).await;

    let (mut noticed, mut recovered) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let crash = Instant::now();
        broker.kill9();
        viewer.next_of("stats", |m| m["kafka"]["reachable"] == false).await;
        noticed.push(crash.elapsed().as_secs_f64());
        tokio::time::sleep(Duration::from_secs(down).saturating_sub(crash.elapsed())).await;
        drain(&mut viewer, Duration::from_millis(300)).await;
        let mark = viewer.seen.len();
        broker.kafka_sh("up");
        let back = Instant::now();
        viewer.until("live data after the restart", |seen| !records(&seen[mark..], "live").is_empty()).await;
        recovered.push(back.elapsed().as_secs_f64());
        eprintln!(
            "soak run {run}/{runs}: \"Kafka unavailable\" after {:.2} s; down {down} s; live data {:.2} s after the broker was back",
            noticed[noticed.len() - 1],
            recovered[recovered.len() - 1]
        );
    }
    eprintln!("soak: {runs}/{runs} recovered with no restart of the server");
    eprintln!("soak: {}", summary("shown unavailable", &noticed));
    eprintln!("soak: {}", summary("live data after the broker's return", &recovered));
    let restarts = server.get_json("/api/stats").await["group"]["consumer_restarts"].clone();
    eprintln!("soak: consumer restarts by the watchdog: {restarts}");
    if std::env::var("TRACKSIDE_SOAK_LOG").is_ok() {
        eprintln!("{}", server.stderr());
    }
    assert!(noticed.iter().all(|s| *s < 5.0), "the page is told within a few seconds: {noticed:?}");
    assert!(recovered.iter().all(|s| *s < 10.0), "live data within 10 s of the broker's return: {recovered:?}");
}

/// Server RSS in MB, from /proc.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches(" kB").parse().unwrap();
    kb / 1024.0
}

/// Reads live records for `secs`, returning each one's latency (ms, from the sample's
/// `ts` as the simulator stamped it) and the server's peak RSS over the period.
async fn watch_latency(viewer: &mut Viewer, pid: u32, secs: u64) -> (Vec<i64>, f64) {
    let (mut latencies, mut peak) = (Vec::new(), 0.0f64);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut next_sample = Instant::now();
    while Instant::now() < end {
        if Instant::now() >= next_sample {
            peak = peak.max(rss_mb(pid));
            next_sample += Duration::from_secs(1);
        }
        let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(Duration::from_millis(200), viewer.ws.next()).await
        else {
            continue;
        };
        let msg: Value = serde_json::from_str(t.as_str()).unwrap();
        let now = now_ms();
        for (_, _, r) in records(std::slice::from_ref(&msg), "live") {
            latencies.push(now - r["ts"].as_i64().unwrap());
        }
    }
    latencies.sort_unstable();
    (latencies, peak)
}

fn p99(sorted: &[i64]) -> i64 {
    sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)]
}

#[tokio::test]
#[ignore = "long: make soak"]
async fn soak_a_viewer_stalled_for_a_minute_costs_bounded_memory_and_no_one_elses_latency() {
    let stall = setting("TRACKSIDE_SOAK_STALL_SECS", 60);
    let topic = create_topic(3).await;
    // 20 cars at 50 Hz: 1,000 records a second.
    let _producer = simulate_live(&brokers(), &topic, &["--cars", "20", "--hz", "50"]);
    let queue_mb = 1;
    let server = ServeProcess::start(&[
        "--topics",
        &topic,
        "--group-id",
        &unique("g"),
        "--client-queue-bytes",
        &(queue_mb << 20).to_string(),
        // Keep the stalled viewer for the whole test rather than disconnecting it.
        "--stall-timeout-secs",
        &(stall + 60).to_string(),
        "--idle-timeout-secs",
        &(stall + 60).to_string(),
        // History full before the first measurement, so it does not grow between the two.
        "--history-secs",
        "5",
    ]);
    let connect = || async {
        // A small receive buffer, as on a slow link: the server's queue, not the kernel's,
        // takes the backlog.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(64 << 10).unwrap();
        let addr = server.url.trim_start_matches("http://").parse().unwrap();
        let stream = socket.connect(addr).await.unwrap();
        let (ws, _) =
            tokio_tungstenite::client_async(server.ws_url(), tokio_tungstenite::MaybeTlsStream::Plain(stream))
                .await
                .unwrap();
        let mut v = Viewer { ws, seen: Vec::new() };
        v.subscribe(&topic, None).await;
        v
    };
    let mut healthy = connect().await;
    healthy.until("live data", |seen: &[Value]| records(seen, "live").len() >= 100).await;

    let (alone, rss_alone) = watch_latency(&mut healthy, server.pid(), (stall / 2).max(10)).await;
    // A viewer that subscribes and then never reads again: a laptop lid closed.
    let mut stalled = connect().await;
    let (beside, rss_beside) = watch_latency(&mut healthy, server.pid(), stall).await;
    let clients = server.get_json("/api/stats").await["totals"]["clients"].clone();
    // The laptop wakes: its page hears how much it missed, and carries on.
    let told = stalled.next_of("data", |m| m["dropped"].as_u64().is_some_and(|d| d > 0)).await;
    let dropped = told["dropped"].as_u64().unwrap();

    eprintln!(
        "stalled viewer: healthy viewer's latency p50/p99/max {}/{}/{} ms alone, {}/{}/{} ms beside a viewer stalled {stall} s",
        alone[alone.len() / 2],
        p99(&alone),
        alone[alone.len() - 1],
        beside[beside.len() / 2],
        p99(&beside),
        beside[beside.len() - 1]
    );
    eprintln!(
        "stalled viewer: server peak RSS {rss_alone:.1} MB alone, {rss_beside:.1} MB with it; it was told {dropped} records were dropped for it"
    );
    assert_eq!(clients, 2, "the stalled viewer was still connected");
    assert!(rss_beside - rss_alone < f64::from(queue_mb) + 16.0, "bounded: {rss_alone:.1} -> {rss_beside:.1} MB");
    // Frames go out at most 30 times a second (the default --max-frame-rate), so latency
    // moves in steps of 33 ms: allow the larger of 10% and one step.
    let allowed = (p99(&alone) as f64 * 1.1).max(p99(&alone) as f64 + 1000.0 / 30.0);
    assert!((p99(&beside) as f64) <= allowed, "healthy p99 {} ms beside, {} ms alone", p99(&beside), p99(&alone));
}
