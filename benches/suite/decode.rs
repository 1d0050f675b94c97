//! `decode`: records per second decoded on one thread by the server's decoder (contract
//! v2: the v1 fields and every other channel against the topic's dictionary), for records
//! of the v1 fields alone, for the simulator's own records (its race, with the channels
//! beyond v1) and for records of 100 channels. Baselines: the decoder before v2 (serde's
//! derive into a struct of the v1 fields, with the same checks), and serde_json reading a
//! `serde_json::Value` (the plain way to keep every field). Best of 7 rounds, each timed
//! by the thread's CPU time where Linux gives it.

use std::{hint::black_box, sync::Arc, time::Instant};

use serde::Deserialize;
use serde_json::json;
use trackside::{channels::dictionary::Dictionary, simulate::race::Race, telemetry};

use crate::common::Figure;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Tires {
    fl: f64,
    fr: f64,
    rl: f64,
    rr: f64,
}

/// The v1 fields, as the decoder read them before contract v2 (serde's derive).
#[derive(Deserialize)]
#[allow(dead_code)]
struct V1 {
    car: String,
    ts: Option<i64>,
    speed_kph: f64,
    rpm: f64,
    tire_temp_c: Option<Tires>,
    lap: Option<u32>,
    gear: Option<i8>,
    throttle: Option<f64>,
    brake: Option<f64>,
    driver: Option<String>,
    x: Option<f64>,
    y: Option<f64>,
    lap_distance_m: Option<f64>,
}

/// The decoder before contract v2: the derive, then its checks (car not empty, every
/// number finite) and the `ts` fallback.
fn v1_decode(b: &[u8]) -> Option<V1> {
    let mut s: V1 = serde_json::from_slice(b).ok()?;
    if s.car.is_empty() {
        return None;
    }
    let t = s.tire_temp_c.as_ref();
    let numbers = [
        Some(s.speed_kph),
        Some(s.rpm),
        t.map(|t| t.fl),
        t.map(|t| t.fr),
        t.map(|t| t.rl),
        t.map(|t| t.rr),
        s.throttle,
        s.brake,
        s.x,
        s.y,
        s.lap_distance_m,
    ];
    if numbers.into_iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    s.ts = s.ts.or(Some(0));
    Some(s)
}

/// A record of the v1 fields alone, as the simulator wrote them before its gauges, record `i`.
fn simulator_record(i: u32) -> String {
    let f = f64::from(i);
    format!(
        r#"{{"car":"{}","ts":{},"speed_kph":{:.3},"rpm":{:.1},"tire_temp_c":{{"fl":{:.2},"fr":{:.2},"rl":{:.2},"rr":{:.2}}},"lap":{},"gear":{},"throttle":{:.3},"brake":{:.3},"driver":"Driver {}","x":{:.3},"y":{:.3},"lap_distance_m":{:.2}}}"#,
        i % 20,
        1_764_028_800_000u64 + u64::from(i) * 50,
        200.0 + (f * 0.1).sin() * 80.0,
        9_000.0 + (f * 0.07).cos() * 2_000.0,
        90.0 + (f * 0.01).sin(),
        92.0 + (f * 0.011).sin(),
        88.0 + (f * 0.012).sin(),
        89.0 + (f * 0.013).sin(),
        1 + i / 2_000,
        1 + i % 8,
        (f * 0.05).sin().abs(),
        (f * 0.03).cos().abs(),
        i % 20,
        (f * 0.01).cos() * 500.0,
        (f * 0.01).sin() * 300.0,
        (f * 3.3) % 5_000.0,
    )
}

/// `count` records as `trackside simulate` writes them: 20 cars at 20 Hz, every channel.
fn race_records(count: u32) -> Vec<String> {
    let mut race = Race::new(20, 1).without_retirements();
    let mut out = Vec::with_capacity(count as usize);
    let mut ts = 1_764_028_800_000i64;
    while out.len() < count as usize {
        race.step(0.05);
        ts += 50;
        out.extend(race.records(ts).map(|r| serde_json::to_string(&r).expect("a record")));
    }
    out.truncate(count as usize);
    out
}

/// The simulator's record with 100 more channels: 25 groups of four corners.
fn wide_record(i: u32) -> String {
    let base = simulator_record(i);
    let f = f64::from(i);
    let groups: Vec<String> = (0..25)
        .map(|g| {
            let v = |k: u32| 100.0 + (f * 0.01 + f64::from(g * 4 + k)).sin() * 50.0;
            format!(r#""group_{g}_c":{{"fl":{:.3},"fr":{:.3},"rl":{:.3},"rr":{:.3}}}"#, v(0), v(1), v(2), v(3))
        })
        .collect();
    format!("{},{}}}", &base[..base.len() - 1], groups.join(","))
}

/// Seconds one pass of `f` over `records` takes: of this thread's CPU time where the
/// kernel gives it, else of the clock.
fn pass(records: &[String], f: &mut impl FnMut(&[u8])) -> f64 {
    let (cpu, start) = (thread_cpu_secs(), Instant::now());
    for r in records {
        f(r.as_bytes());
    }
    match (cpu, thread_cpu_secs()) {
        (Some(a), Some(b)) => b - a,
        _ => start.elapsed().as_secs_f64(),
    }
}

/// This thread's CPU time so far, from the scheduler's statistics (nanoseconds): on a
/// machine others share, a pass then costs the same whether or not the thread waited
/// for a core in the middle of it.
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    (ns > 0.0).then_some(ns / 1e9)
}

/// Records per second of `ours` and of `baseline` over `records`, best of 7 rounds each,
/// the two taking turns so that a busy moment of the machine (a core's caches shared)
/// weighs on both alike.
fn rates(records: &[String], mut ours: impl FnMut(&[u8]), mut baseline: impl FnMut(&[u8])) -> (f64, f64) {
    let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..7 {
        a = a.min(pass(records, &mut ours));
        b = b.min(pass(records, &mut baseline));
    }
    (records.len() as f64 / a, records.len() as f64 / b)
}

pub(crate) fn run(count: u32) -> Vec<Figure> {
    let mut figures = Vec::new();
    for (name, records, baseline_name) in [
        ("decode_simulator_records_per_s", (0..count).map(simulator_record).collect::<Vec<_>>(), "decoder before v2"),
        ("decode_race_records_per_s", race_records(count), "decoder before v2"),
        ("decode_100_channel_records_per_s", (0..count).map(wide_record).collect::<Vec<_>>(), "serde_json::Value"),
    ] {
        let dict = Arc::new(Dictionary::default());
        let ours = |b: &[u8]| {
            black_box(telemetry::decode_channels(Some(b), None, 0, || dict.clone()).ok());
        };
        let (ours, baseline) = if baseline_name == "decoder before v2" {
            rates(&records, ours, |b| {
                black_box(v1_decode(b));
            })
        } else {
            rates(&records, ours, |b| {
                black_box(serde_json::from_slice::<serde_json::Value>(b).ok());
            })
        };
        eprintln!("  {name}: {ours:.0} records/s, against {baseline:.0} ({baseline_name})");
        let bytes = records.iter().map(String::len).sum::<usize>() / records.len();
        figures.push(
            Figure::new(name, ours, baseline, "records/s")
                .info()
                .detail(json!({"records": count, "mean_bytes": bytes, "baseline": baseline_name, "threads": 1,
                        "clock": if thread_cpu_secs().is_some() { "thread CPU time" } else { "wall clock" }})),
        );
    }
    figures
}
