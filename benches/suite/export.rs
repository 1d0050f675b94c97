//! `export`: the replay's topic exported to Parquet through the server (`/api/export`),
//! from the request to the file's last byte, against kcat reading the same records; the
//! server's peak RSS meanwhile.

use std::time::Instant;

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::json;

use crate::{
    common::{Figure, Server, median, step},
    replay::{KcatRuns, PartKcat, REPEATS},
};

/// Exports the whole `topic` to Parquet `REPEATS` times. `kcat` holds the replay's kcat
/// runs of the same topic when the replay ran; otherwise kcat runs here, alternating.
pub(crate) fn export_vs_kcat(
    rt: &tokio::runtime::Runtime,
    brokers: &str,
    topic: &str,
    records: u64,
    kcat: Option<KcatRuns>,
) -> Figure {
    let mut kcat = PartKcat::new(kcat);
    let mut server = Server::start(brokers, topic, &["--history-secs", "0"]);
    rt.block_on(server.wait_for_lap_index(topic));
    // What the server held before any export (its group member and its lap index have
    // read the topic), so that the peak says what the exports added.
    let (rss_before_mb, peak_before_mb) = (server.rss_mb(), server.peak_rss_mb());
    let (mut ours, mut cpu, mut sizes) = (vec![], vec![], vec![]);
    for i in 1..=REPEATS {
        kcat.before_run("export", i, brokers, topic);
        step(&format!("export {i}/{REPEATS}: the whole topic to Parquet"));
        let cpu_before = server.cpu_secs();
        let (secs, file) = rt.block_on(export_once(&server.url, topic));
        ours.push(secs);
        cpu.push(server.cpu_secs() - cpu_before);
        sizes.push(file.len());
        let rows = SerializedFileReader::new(file).expect("a Parquet file").metadata().file_metadata().num_rows();
        assert_eq!(u64::try_from(rows).ok(), Some(records), "the export holds every record");
        eprintln!("  trackside {secs:.2} s ({:.2} CPU-s), {:.1} MB", cpu[i - 1], sizes[i - 1] as f64 / 1e6);
    }
    let peak_rss_mb = server.peak_rss_mb();
    server.stop();
    let (k, t) = (median(kcat.runs.secs.clone()), median(ours.clone()));
    Figure::new("export_parquet", t, k, "s").target("at most 3x kcat's time", t <= 3.0 * k).detail(json!({
        "records": records, "runs_trackside_s": ours, "runs_kcat_s": kcat.runs.secs,
        "kcat_runs": kcat.source(),
        "runs_server_cpu_s": cpu, "runs_kcat_cpu_s": kcat.runs.cpu_secs, "server_peak_rss_mb": peak_rss_mb,
        "server_rss_before_exports_mb": rss_before_mb,
        "server_peak_rss_before_exports_mb": peak_before_mb, "file_bytes": sizes,
    }))
}

/// Downloads the whole topic as Parquet; the seconds it took and the file.
async fn export_once(url: &str, topic: &str) -> (f64, Bytes) {
    let started = Instant::now();
    let resp = reqwest::get(format!("{url}/api/export?topic={topic}&format=parquet")).await.expect("the export");
    assert!(resp.status().is_success(), "export refused: {}", resp.status());
    let file = resp.bytes().await.expect("the file");
    (started.elapsed().as_secs_f64(), file)
}
