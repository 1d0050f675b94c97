//! `overview`: the whole-topic overview of the replay's topic, from the request to its
//! `done`, against kcat reading the same records.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    common::{Figure, Server, Ws, median, step, viewer},
    replay::{KcatRuns, PartKcat, REPEATS},
};

/// Buckets of the overview: a chart a thousand pixels wide.
const BUCKETS: u32 = 1000;

/// Asks one server for the overview of the whole `topic` `REPEATS` times. `kcat` holds
/// the replay's kcat runs of the same topic when the replay ran; otherwise kcat runs
/// here, alternating with the overviews.
pub(crate) fn overview_vs_kcat(
    rt: &tokio::runtime::Runtime,
    brokers: &str,
    topic: &str,
    records: u64,
    kcat: Option<KcatRuns>,
) -> Figure {
    let mut kcat = PartKcat::new(kcat);
    let mut server = Server::start(brokers, topic, &["--history-secs", "0"]);
    rt.block_on(server.wait_for_lap_index(topic));
    let mut ws = rt.block_on(viewer(&server.ws_url(), topic));
    let (mut ours, mut cpu) = (vec![], vec![]);
    for i in 1..=REPEATS {
        kcat.before_run("overview", i, brokers, topic);
        step(&format!("overview {i}/{REPEATS}: the whole topic in {BUCKETS} buckets"));
        let cpu_before = server.cpu_secs();
        let secs = rt.block_on(overview_once(&mut ws, i as u64, records));
        ours.push(secs);
        cpu.push(server.cpu_secs() - cpu_before);
        eprintln!("  trackside {secs:.2} s ({:.2} CPU-s)", cpu[i - 1]);
    }
    let peak_rss_mb = server.peak_rss_mb();
    rt.block_on(async { ws.close(None).await.ok() });
    server.stop();
    let (k, t) = (median(kcat.runs.secs.clone()), median(ours.clone()));
    Figure::new("overview", t, k, "s").target("at most 1.5x kcat's time", t <= 1.5 * k).detail(json!({
        "records": records, "buckets": BUCKETS, "runs_trackside_s": ours, "runs_kcat_s": kcat.runs.secs,
        "kcat_runs": kcat.source(),
        "runs_server_cpu_s": cpu, "runs_kcat_cpu_s": kcat.runs.cpu_secs, "server_peak_rss_mb": peak_rss_mb,
    }))
}

/// Sends the overview request `id` and waits for its `done`; returns the seconds between.
async fn overview_once(ws: &mut Ws, id: u64, records: u64) -> f64 {
    let request = json!({"type": "overview", "id": id, "buckets": BUCKETS});
    let started = Instant::now();
    ws.send(Message::text(request.to_string())).await.expect("sending to the server");
    let mut last_report = Instant::now();
    loop {
        let text = match ws.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("the socket ended mid-overview: {other:?}"),
        };
        // Only the overview's own messages are parsed (stats come once a second).
        if !text.as_str().starts_with(r#"{"type":"overview""#) {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(text.as_str()).expect("JSON from the server");
        match v["state"].as_str() {
            Some("done") => {
                let secs = started.elapsed().as_secs_f64();
                assert_eq!(v["records"].as_u64(), Some(records), "the overview read every record");
                eprintln!("\r  {records} of {records} records");
                return secs;
            }
            Some("failed") => panic!("overview failed: {v}"),
            _ => {}
        }
        if last_report.elapsed() > Duration::from_secs(1) {
            eprint!("\r  {} of {records} records", v["records"]);
            last_report = Instant::now();
        }
    }
}
