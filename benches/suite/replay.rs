//! `replay` against kcat, and the server's peak memory while replaying.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use trackside::{channels::stats::V1_CHANNELS, telemetry::Sample};

use crate::common::{BIN, Figure, Server, Wire, fill, median, step, unique, viewer_on};

/// Replays of the same topic, for a median: single runs swing by a factor of two on a
/// busy two-core machine.
pub(crate) const REPEATS: usize = 3;
/// After the fill, the broker flushes its log segments; measuring then would time the
/// disk, not the readers.
pub(crate) const SETTLE: Duration = Duration::from_secs(5);
/// Issue 23's bound on a replay's peak RSS (it was 127 MB before the lap index).
const PEAK_RSS_MB: f64 = 150.0;

pub(crate) struct ReplayRun {
    pub(crate) secs: f64,
    pub(crate) peak_rss_mb: f64,
    pub(crate) cpu_secs: f64,
}

/// kcat reading a whole topic, run by run: what the replay, the overview and the page's
/// replay are held to.
#[derive(Default, Clone)]
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

/// The kcat runs a later part (the overview, the export) compares with: the replay's, of
/// the same topic in the same run, when it ran; otherwise the part's own, one before each
/// of its runs, alternating.
pub(crate) struct PartKcat {
    pub(crate) runs: KcatRuns,
    own: bool,
}

impl PartKcat {
    pub(crate) fn new(replays: Option<KcatRuns>) -> Self {
        Self { own: replays.is_none(), runs: replays.unwrap_or_default() }
    }

    /// Before run `i` of `part`: kcat reads `topic` once, when the runs are the part's own.
    pub(crate) fn before_run(&mut self, part: &str, i: usize, brokers: &str, topic: &str) {
        if self.own {
            step(&format!("{part} {i}/{REPEATS}: kcat -C -o beginning -e to /dev/null"));
            self.runs.once(brokers, topic);
        }
    }

    /// Where the runs came from, for a figure's detail.
    pub(crate) fn source(&self) -> &'static str {
        if self.own { "its own" } else { "the replay's, same topic, same run" }
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
/// viewer of each wire, in turn. Returns the figures and kcat's runs (the overview's
/// baseline).
pub(crate) fn replay_vs_kcat(
    rt: &tokio::runtime::Runtime,
    brokers: &str,
    topic: &str,
    records: u64,
) -> (Vec<Figure>, KcatRuns) {
    let mut runs = KcatRuns::default();
    let mut ours: [Vec<ReplayRun>; 2] = [vec![], vec![]];
    let wires = [Wire::Columnar, Wire::Json];
    let baseline_bin = std::env::var("BENCH_BASELINE_BIN").ok().filter(|b| !b.is_empty());
    let mut theirs: Vec<ReplayRun> = Vec::new();
    // The page's way: a viewer that asks for the channels it reads. The v1 channels are
    // what the baseline (before contract v2) sent, so the two are held to the same output.
    let mut v1_only: Vec<ReplayRun> = Vec::new();
    for i in 1..=REPEATS {
        step(&format!("replay {i}/{REPEATS}: kcat -C -o beginning -e to /dev/null"));
        runs.once(brokers, topic);
        eprintln!("  kcat {:.2} s ({:.2} CPU-s)", runs.secs[i - 1], runs.cpu_secs[i - 1]);
        for (w, wire) in wires.iter().enumerate() {
            step(&format!(
                "replay {i}/{REPEATS}: one {} viewer replays from earliest, decoding every record",
                wire.name()
            ));
            let r = rt.block_on(trackside_once(BIN, brokers, topic, records, *wire));
            eprintln!("  trackside {:.2} s ({:.2} CPU-s), peak RSS {:.0} MB", r.secs, r.cpu_secs, r.peak_rss_mb);
            ours[w].push(r);
        }
        step(&format!("replay {i}/{REPEATS}: one columnar viewer asking for the v1 channels only"));
        let r = rt.block_on(trackside_choosing(BIN, brokers, topic, records, Wire::Columnar, Some(&V1_CHANNELS)));
        eprintln!(
            "  trackside, v1 channels {:.2} s ({:.2} CPU-s), peak RSS {:.0} MB",
            r.secs, r.cpu_secs, r.peak_rss_mb
        );
        v1_only.push(r);
        if let Some(bin) = &baseline_bin {
            step(&format!("replay {i}/{REPEATS}: the baseline server {bin}, one columnar viewer"));
            let r = rt.block_on(trackside_once(bin, brokers, topic, records, Wire::Columnar));
            eprintln!("  baseline {:.2} s ({:.2} CPU-s), peak RSS {:.0} MB", r.secs, r.cpu_secs, r.peak_rss_mb);
            theirs.push(r);
        }
    }
    let k = median(runs.secs.clone());
    let per_sec = |s: f64| (records as f64 / s).round();
    let millions = records as f64 / 1e6;
    let kcat_cpu = median(runs.cpu_secs.clone()) / millions;
    let secs = |w: usize| ours[w].iter().map(|r| r.secs).collect::<Vec<_>>();
    let cpu = |w: usize| ours[w].iter().map(|r| r.cpu_secs / millions).collect::<Vec<_>>();
    let t = median(secs(0));
    let replay = Figure::new("replay", t, k, "s").target("at most 1.3x kcat's time", t <= 1.3 * k).detail(json!({
        "records": records, "wire": "columnar", "runs_trackside_s": secs(0), "runs_kcat_s": runs.secs,
        "trackside_records_per_s": per_sec(t), "kcat_records_per_s": per_sec(k),
    }));
    let tj = median(secs(1));
    // JSON stays the default for clients others write; the page reads columnar.
    let replay_json = Figure::new("replay_json", tj, k, "s").info().detail(json!({
        "records": records, "wire": "json", "runs_trackside_s": secs(1), "runs_kcat_s": runs.secs,
        "trackside_records_per_s": per_sec(tj),
    }));
    let rss: Vec<f64> = ours.iter().flatten().chain(&v1_only).map(|r| r.peak_rss_mb).collect();
    let peak = rss.iter().copied().fold(0.0, f64::max);
    let rss_fig = Figure::new("replay_peak_rss", peak, PEAK_RSS_MB, "MB")
        .target("at most 150 MB", peak <= PEAK_RSS_MB)
        .detail(json!({"records": records, "runs_mb": rss, "figure": "the largest of every run of both wires"}));
    // kcat only copies bytes out; the server decodes and re-encodes every record. Issue 23
    // holds the page's wire (columnar) to twice kcat's CPU; JSON's is for information.
    let cpu_figs = wires.iter().enumerate().map(|(w, wire)| {
        let c = median(cpu(w));
        let figure = Figure::new(format!("replay_cpu_per_million_{}", wire.name()), c, kcat_cpu, "cpu-s");
        let figure = match wire {
            Wire::Columnar => figure.target("at most 2x kcat's CPU", c <= 2.0 * kcat_cpu),
            Wire::Json => figure.info(),
        };
        figure.detail(json!({"records": records, "runs_server_cpu_s_per_million": cpu(w),
                           "runs_kcat_cpu_s": runs.cpu_secs, "baseline": "kcat's CPU-seconds per million records"}))
    });
    let mut figures = vec![replay, replay_json, rss_fig];
    figures.extend(cpu_figs);
    let v1_cpu: Vec<f64> = v1_only.iter().map(|r| r.cpu_secs / millions).collect();
    figures.push(
        Figure::new("replay_cpu_per_million_v1_channels", median(v1_cpu.clone()), kcat_cpu, "cpu-s").info().detail(
            json!({"records": records, "wire": "columnar", "channels": V1_CHANNELS,
                   "runs_server_cpu_s_per_million": v1_cpu, "runs_server_s": v1_only.iter().map(|r| r.secs).collect::<Vec<_>>(),
                   "baseline": "kcat's CPU-seconds per million records"}),
        ),
    );
    if let Some(bin) = baseline_bin {
        figures.push(against_baseline(&bin, &v1_only, &theirs, records, V1_BASELINE));
        figures.push(against_baseline(&bin, &ours[0], &theirs, records, ALL_BASELINE));
    }
    (figures, runs)
}

/// A figure of this build's CPU against the baseline server's: its name, its target
/// (none for an informative figure) and what the viewer asked for.
struct Versus {
    name: &'static str,
    target: bool,
    channels: &'static str,
}

/// The like-with-like figure issue 20 holds to 1.1x: this build sending the columns the
/// baseline sent (a viewer asking for the v1 channels).
const V1_BASELINE: Versus = Versus {
    name: "replay_cpu_per_million_vs_baseline",
    target: true,
    channels: "the v1 channels (the baseline's 17 columns)",
};
/// The same with every channel of the simulator's records (33 columns against the
/// baseline's 17): what a viewer that names no channels costs.
const ALL_BASELINE: Versus =
    Versus { name: "replay_cpu_all_channels_per_million", target: false, channels: "every channel" };

/// This build's columnar replay against the baseline server's (`BENCH_BASELINE_BIN`, an
/// earlier commit's build) on the same topic in the same run, by CPU time: what issue 20
/// holds the replay to (within 10% of the server before contract v2).
fn against_baseline(bin: &str, ours: &[ReplayRun], theirs: &[ReplayRun], records: u64, versus: Versus) -> Figure {
    let millions = records as f64 / 1e6;
    let cpu = |runs: &[ReplayRun]| runs.iter().map(|r| r.cpu_secs / millions).collect::<Vec<_>>();
    let secs = |runs: &[ReplayRun]| runs.iter().map(|r| r.secs).collect::<Vec<_>>();
    let (a, b) = (median(cpu(ours)), median(cpu(theirs)));
    let figure = Figure::new(versus.name, a, b, "cpu-s");
    let figure =
        if versus.target { figure.target("at most 1.1x the baseline server's", a <= 1.1 * b) } else { figure.info() };
    figure.detail(json!({"records": records, "wire": "columnar", "baseline_bin": bin, "channels": versus.channels,
                       "runs_server_cpu_s_per_million": cpu(ours), "runs_baseline_cpu_s_per_million": cpu(theirs),
                       "runs_server_s": secs(ours), "runs_baseline_s": secs(theirs),
                       "runs_baseline_peak_rss_mb": theirs.iter().map(|r| r.peak_rss_mb).collect::<Vec<_>>()}))
}

/// Peak server RSS while one viewer replays a large topic.
pub(crate) fn replay_memory(rt: &tokio::runtime::Runtime, brokers: &str, records: u64) -> (Figure, String) {
    let topic = format!("bench-memory-{}", unique());
    step(&format!("memory: filling {topic} with {records} simulator records (about 45 s per 10 million)"));
    fill(brokers, &topic, records, 20);
    std::thread::sleep(SETTLE);
    step(&format!("memory: one viewer replays all {records} records"));
    let r = rt.block_on(trackside_once(BIN, brokers, &topic, records, Wire::Columnar));
    eprintln!("  {:.1} s, peak RSS {:.0} MB", r.secs, r.peak_rss_mb);
    let figure = Figure::new("memory_replay_peak_rss", r.peak_rss_mb, PEAK_RSS_MB, "MB")
        .target("at most 150 MB", r.peak_rss_mb <= PEAK_RSS_MB)
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

/// A JSON `data` message, read as a client of the contract would: every record into a
/// typed sample.
#[derive(Deserialize)]
struct JsonData {
    mode: String,
    batches: Vec<JsonBatch>,
}

#[derive(Deserialize)]
struct JsonBatch {
    records: Vec<Sample>,
}

/// Reads every value of every record of a `data` message, so no client work is skipped.
/// Returns the replay records it held.
/// The records and batches of a replay `data` message (none for anything else).
fn decode_data(message: &Message) -> (u64, u64) {
    let use_all = |samples: &mut dyn Iterator<Item = &Sample>| -> u64 {
        let mut n = 0;
        let mut sum = 0.0;
        for s in samples {
            sum += s.speed_kph + s.rpm + s.ts.unwrap_or(0) as f64 + s.car.len() as f64;
            n += 1;
        }
        std::hint::black_box(sum);
        n
    };
    match message {
        Message::Binary(bytes) => {
            let frame = trackside::columnar::decode_frame(bytes).expect("a columnar frame from the server");
            if frame.mode != "replay" {
                return (0, 0);
            }
            let batches = frame.batches.len() as u64;
            (use_all(&mut frame.batches.iter().flat_map(|b| b.records.iter().map(|r| &r.sample))), batches)
        }
        Message::Text(text) if text.as_str().starts_with(r#"{"type":"data""#) => {
            let data: JsonData = serde_json::from_str(text.as_str()).expect("JSON from the server");
            if data.mode != "replay" {
                return (0, 0);
            }
            let batches = data.batches.len() as u64;
            (use_all(&mut data.batches.iter().flat_map(|b| b.records.iter())), batches)
        }
        _ => (0, 0),
    }
}

/// What a replay's data messages came to on the wire.
#[derive(Default)]
struct WireCount {
    frames: u64,
    bytes: u64,
    batches: u64,
}

impl WireCount {
    fn add(&mut self, message: &Message, batches: u64) {
        self.frames += 1;
        self.bytes += message.len() as u64;
        self.batches += batches;
    }
}

/// Starts a server (`bin`'s), sends "replay from earliest" and waits until every record and
/// `caught_up` arrived, decoding every record as a client of `wire` does.
pub(crate) async fn trackside_once(bin: &str, brokers: &str, topic: &str, records: u64, wire: Wire) -> ReplayRun {
    trackside_choosing(bin, brokers, topic, records, wire, None).await
}

/// [`trackside_once`], the viewer asking for `channels` only when there are some.
async fn trackside_choosing(
    bin: &str,
    brokers: &str,
    topic: &str,
    records: u64,
    wire: Wire,
    channels: Option<&[&str]>,
) -> ReplayRun {
    let mut server = Server::start_bin(bin, brokers, topic, &["--history-secs", "0"]);
    server.wait_for_lap_index(topic).await;
    let mut ws = viewer_on(&server.ws_url(), topic, wire).await;
    let cpu_before = server.cpu_secs();
    let started = Instant::now();
    let mut request = json!({"type": "replay", "from": "earliest"});
    if let Some(channels) = channels {
        request["channels"] = json!(channels);
    }
    ws.send(Message::text(request.to_string())).await.expect("sending to the server");
    let (mut received, mut caught_up, mut last_report) = (0u64, false, Instant::now());
    let mut wire = WireCount::default();
    while received < records || !caught_up {
        let message = match ws.next().await {
            // The server pings every few seconds; the client answers by itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(m)) => m,
            other => panic!("the socket ended mid-replay: {other:?}"),
        };
        let (records, batches) = decode_data(&message);
        if records > 0 {
            received += records;
            wire.add(&message, batches);
        }
        if let Message::Text(text) = &message
            && text.as_str().starts_with(r#"{"type":"replay""#)
        {
            let v: serde_json::Value = serde_json::from_str(text.as_str()).expect("JSON from the server");
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
    eprintln!(
        "  {} data frames ({:.0} a second), {:.1} bytes a record, {:.1} records a batch",
        wire.frames,
        wire.frames as f64 / secs,
        wire.bytes as f64 / received.max(1) as f64,
        received as f64 / wire.batches.max(1) as f64
    );
    let peak_rss_mb = server.peak_rss_mb();
    let _ = ws.close(None).await;
    server.stop();
    ReplayRun { secs, peak_rss_mb, cpu_secs }
}
