//! serde_json against sonic-rs and simd-json, decoding the records a topic holds into the
//! contract's sample (a copy of `trackside::telemetry::Sample`, so this builds apart from
//! the server), with every float compared to serde_json's exact `float_roundtrip`.
//!
//! ```sh
//! trackside simulate --topic parsers --count 100000 --as-fast-as-possible
//! kcat -C -b 127.0.0.1:9092 -t parsers -o beginning -c 100000 -e -q -f '%s\n' > /tmp/records.jsonl
//! cd benches/parsers && cargo run --release -- /tmp/records.jsonl
//! ```
//!
//! Prints the best of 5 rounds per parser, in microseconds per record.

use std::time::Instant;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct Tires {
    fl: f64,
    fr: f64,
    rl: f64,
    rr: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Sample {
    car: String,
    #[serde(default)]
    ts: Option<i64>,
    speed_kph: f64,
    rpm: f64,
    #[serde(default)]
    tire_temp_c: Option<Tires>,
    #[serde(default)]
    lap: Option<u32>,
    #[serde(default)]
    gear: Option<i8>,
    #[serde(default)]
    throttle: Option<f64>,
    #[serde(default)]
    brake: Option<f64>,
    #[serde(default)]
    driver: Option<String>,
    #[serde(default)]
    x: Option<f64>,
    #[serde(default)]
    y: Option<f64>,
    #[serde(default)]
    lap_distance_m: Option<f64>,
}

type Parse = fn(&[u8]) -> Sample;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/records.jsonl".into());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let records: Vec<&[u8]> = text.lines().map(str::as_bytes).collect();
    let parsers: [(&str, Parse); 3] = [
        ("serde_json", |b| serde_json::from_slice(b).unwrap()),
        ("sonic-rs", |b| sonic_rs::from_slice(b).unwrap()),
        // simd-json parses in place: the copy is part of what it costs.
        ("simd-json", |b| simd_json::serde::from_slice(&mut b.to_vec()).unwrap()),
    ];
    let reference: Vec<Sample> = records.iter().map(|b| parsers[0].1(b)).collect();
    for (name, parse) in parsers {
        let mut best = f64::INFINITY;
        let mut exact = true;
        for _ in 0..5 {
            let started = Instant::now();
            let decoded: Vec<Sample> = records.iter().map(|b| parse(b)).collect();
            best = best.min(started.elapsed().as_secs_f64());
            exact &= decoded == reference;
        }
        let per_record = best / records.len() as f64 * 1e6;
        println!("{name:>10}: {per_record:.3} µs per record, every value equal to serde_json's: {exact}");
    }
}
