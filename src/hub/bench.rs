//! A micro-benchmark of the live path's encoding, run by hand (it is `#[ignore]`d):
//! `cargo test --lib hub::bench -- --ignored --nocapture`. One million records of the
//! simulator's shape, in batches of 1,000, published to one columnar viewer, its outbox
//! drained as a socket would; it prints the thread's CPU time spent publishing (from
//! /proc, in clock ticks of 10 ms), not counting the making of the records.

use super::*;
use crate::{
    selection::TopicSelection,
    telemetry::{Sample, Tires},
};

fn full(car: &str, offset: i64) -> Record {
    let sample = Sample {
        tire_temp_c: Some(Tires { fl: 90.5, fr: 91.0, rl: 88.25, rr: 89.0 }),
        lap: Some(3),
        gear: Some(4),
        throttle: Some(0.5),
        brake: Some(0.0),
        driver: Some("Ada".into()),
        x: Some(1.5 + offset as f64),
        y: Some(-2.5),
        lap_distance_m: Some(99.9),
        ..Sample::minimal(car, 1_700_000_000_123 + offset)
    };
    Record::new(offset, sample)
}

/// This thread's user + system CPU time in seconds (Linux).
fn thread_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

#[test]
#[ignore = "a benchmark, run by hand"]
fn a_million_live_records_to_one_columnar_viewer() {
    let hub = Hub::new(60, 64 << 20);
    hub.read_topics(&["t"].map(String::from).into());
    let viewer = hub.connect(DataFormat::Columnar);
    let all = Selection::new(vec![TopicSelection { topic: "t".into(), partitions: None }]).unwrap();
    viewer.watch_live(all);
    let tp = TopicPartition::new("t", 0);
    let cars = ["1", "7", "16", "44", "55", "63", "81", "4", "10", "22"];
    let (mut delivered, mut cpu) = (0, 0.0);
    for b in 0..1_000i64 {
        let batch: Vec<Record> = (0..1_000).map(|i| full(cars[(i % 10) as usize], b * 1_000 + i)).collect();
        let before = thread_cpu_secs();
        delivered += hub.publish(&tp, &batch);
        viewer.outbox().take();
        cpu += thread_cpu_secs() - before;
    }
    assert_eq!(delivered, 1_000_000);
    eprintln!("publishing 1,000,000 live records to one columnar viewer: {cpu:.2} cpu-s");
    let held = lock(&hub.inner.state)
        .history
        .matching(&Selection::new(vec![TopicSelection { topic: "t".into(), partitions: None }]).unwrap());
    let (columnar, json) = (held[0].get(DataFormat::Columnar).len(), held[0].get(DataFormat::Json).len());
    eprintln!("a batch of 1,000 in history: columnar {columnar} bytes, JSON {json}, all it holds {}", held[0].len());
}
