//! Where a live record's time goes on its way through the server, for finding latency
//! (docs/performance.md, "Live latency"). Off unless the server runs with
//! `TRACKSIDE_STAGE_TIMES=1`; then each stage's times are counted in buckets of half a
//! millisecond and logged every 10 s (target `trackside::stages`, at info): how many,
//! the median, the 99th percentile and the longest since the last log. Off, a stage
//! costs one load of a flag per batch or frame.
//!
//! - `group`: from a record's `ts` (its producer's stamp, when the producer stamps it so,
//!   as `make bench` does) to the group member handing its batch to the hub; per record.
//! - `outbox`: from the hub queuing a live batch for a viewer to the viewer's send task
//!   taking it, which is where frame pacing waits; per record and viewer.
//! - `send`: from that take to the socket accepting the frames made of it; per take.

use std::{
    sync::{
        LazyLock, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tracing::info;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Stage {
    Group = 0,
    Outbox = 1,
    Send = 2,
}

const NAMES: [&str; 3] = ["group", "outbox", "send"];
const BUCKET_US: u64 = 500;
/// To 100 ms; the last bucket holds everything longer.
const BUCKETS: usize = 200;
const REPORT_EVERY: Duration = Duration::from_secs(10);

static ENABLED: LazyLock<bool> = LazyLock::new(|| std::env::var("TRACKSIDE_STAGE_TIMES").is_ok_and(|v| v == "1"));

struct Times {
    buckets: [[AtomicU64; BUCKETS]; 3],
    max_us: [AtomicU64; 3],
    last_report: Mutex<Option<Instant>>,
}

static TIMES: Times = Times {
    buckets: [const { [const { AtomicU64::new(0) }; BUCKETS] }; 3],
    max_us: [const { AtomicU64::new(0) }; 3],
    last_report: Mutex::new(None),
};

/// Whether stage times are being taken.
pub(crate) fn enabled() -> bool {
    *ENABLED
}

/// Counts `weight` records (or frames) that spent `took` in `stage`.
pub(crate) fn record(stage: Stage, took: Duration, weight: u64) {
    if !enabled() {
        return;
    }
    let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    let i = stage as usize;
    let bucket = usize::try_from(us / BUCKET_US).unwrap_or(BUCKETS).min(BUCKETS - 1);
    TIMES.buckets[i][bucket].fetch_add(weight, Ordering::Relaxed);
    TIMES.max_us[i].fetch_max(us, Ordering::Relaxed);
    report_if_due();
}

/// Counts the records of a batch the group hands to the hub, by their `ts` (ms since the
/// epoch) against the wall clock now.
pub(crate) fn record_group(stamps: impl Iterator<Item = i64>) {
    if !enabled() {
        return;
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let now_us = i64::try_from(now.as_micros()).unwrap_or(i64::MAX);
    for ts in stamps {
        let age = now_us.saturating_sub(ts.saturating_mul(1000)).max(0);
        record(Stage::Group, Duration::from_micros(age.unsigned_abs()), 1);
    }
}

fn report_if_due() {
    let Ok(mut last) = TIMES.last_report.try_lock() else { return };
    let now = Instant::now();
    match *last {
        None => *last = Some(now),
        Some(t) if now.duration_since(t) >= REPORT_EVERY => {
            *last = Some(now);
            drop(last);
            report();
        }
        Some(_) => {}
    }
}

fn report() {
    for (i, name) in NAMES.iter().enumerate() {
        let counts: Vec<u64> = TIMES.buckets[i].iter().map(|b| b.swap(0, Ordering::Relaxed)).collect();
        let max_ms = TIMES.max_us[i].swap(0, Ordering::Relaxed) as f64 / 1000.0;
        let n: u64 = counts.iter().sum();
        let quantile = |q: f64| {
            let rank = ((q * n as f64).ceil() as u64).max(1);
            let mut seen = 0;
            let i = counts.iter().position(|c| {
                seen += c;
                seen >= rank
            });
            i.map_or(f64::NAN, |i| ((i + 1) as u64 * BUCKET_US) as f64 / 1000.0)
        };
        info!(target: "trackside::stages", stage = name, n, p50_ms = quantile(0.5), p99_ms = quantile(0.99), max_ms);
    }
}
