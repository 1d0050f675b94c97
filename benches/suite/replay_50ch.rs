//! `replay_50ch`: the replay of a topic whose records carry 50 channels each (the
//! simulator's race with channels added up to 50), against kcat reading the same topic
//! (issue 23, item 4). The replay part's machinery, on a topic of its own.

use std::time::Duration;

use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer},
    producer::{BaseRecord, Producer, ThreadedProducer},
};
use serde_json::{Value, json};
use trackside::simulate::race::Race;

use crate::{
    common::{Figure, Wire, create_topic, median, step, unique},
    replay::{KcatRuns, REPEATS, SETTLE, trackside_once},
};

/// Channels every record of the topic carries, the v1 fields counted.
pub(crate) const CHANNELS: usize = 50;

/// Fills a fresh topic (6 partitions, keyed by car as the simulator does) with `records`
/// records of [`CHANNELS`] channels, and lets the broker settle.
pub(crate) fn filled_topic(rt: &tokio::runtime::Runtime, brokers: &str, records: u64) -> String {
    let topic = format!("bench-replay-50ch-{}", unique());
    step(&format!("replay_50ch: filling {topic} with {records} records of {CHANNELS} channels across 6 partitions"));
    rt.block_on(create_topic(brokers, &topic, 6));
    let producer: ThreadedProducer<_> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "20")
        .set("compression.type", "lz4")
        .create()
        .expect("a producer");
    let mut race = Race::new(20, 7).without_retirements();
    // Times that end now: the broker's retention deletes a log whose records' timestamps
    // are older than it keeps, under a running replay (a fixed date a year back did).
    let span_ms = i64::try_from(records / 20 * 50).unwrap_or(0);
    let (mut ts, mut sent) = (crate::common::now_ms_f64() as i64 - span_ms, 0u64);
    while sent < records {
        race.step(0.05);
        ts += 50;
        for r in race.records(ts) {
            if sent == records {
                break;
            }
            let mut value = serde_json::to_value(&r).expect("a record");
            widen(&mut value, sent);
            assert_eq!(channels(&value), CHANNELS, "a record of the 50-channel topic: {value}");
            let car = value["car"].as_str().unwrap_or_default().to_owned();
            let payload = value.to_string();
            loop {
                let record = BaseRecord::to(&topic).key(&car).payload(&payload).timestamp(ts);
                match producer.send(record) {
                    Ok(()) => break,
                    // librdkafka's queue is full: let it drain.
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            sent += 1;
        }
    }
    producer.flush(Duration::from_secs(60)).expect("the records produced");
    // The producer's delivery failures are silent: the replay waits for every record, so
    // the topic must hold them all.
    let held = held(brokers, &topic);
    assert_eq!(held, records, "the 50-channel topic holds {held} of the {records} records produced");
    step(&format!("replay_50ch: letting the broker settle for {} s", SETTLE.as_secs()));
    std::thread::sleep(SETTLE);
    topic
}

/// Records the topic holds: the sum of its partitions' high watermarks.
fn held(brokers: &str, topic: &str) -> u64 {
    let consumer: BaseConsumer = ClientConfig::new().set("bootstrap.servers", brokers).create().expect("a consumer");
    (0..6)
        .map(|p| consumer.fetch_watermarks(topic, p, Duration::from_secs(10)).expect("the watermarks").1)
        .sum::<i64>()
        .try_into()
        .unwrap_or(0)
}

/// Adds `aux.N` channels to a simulator record until it carries [`CHANNELS`].
fn widen(value: &mut Value, n: u64) {
    let have = channels(value);
    let Some(object) = value.as_object_mut() else { return };
    let aux: serde_json::Map<String, Value> = (0..CHANNELS.saturating_sub(have))
        .map(|k| (format!("aux_{k}"), json!(((n as f64) * 0.01 + k as f64).sin() * 100.0)))
        .collect();
    object.insert("aux".into(), Value::Object(aux));
}

/// The channels of a record as the contract counts them: every number or boolean at any
/// depth, each element of an array of numbers.
fn channels(value: &Value) -> usize {
    match value {
        Value::Number(_) | Value::Bool(_) => 1,
        Value::Array(items) => items.iter().map(channels).sum(),
        Value::Object(fields) => fields.values().map(channels).sum(),
        Value::String(_) | Value::Null => 0,
    }
}

/// kcat and a columnar viewer in turn, `REPEATS` times each, on the 50-channel topic.
pub(crate) fn replay_vs_kcat(rt: &tokio::runtime::Runtime, brokers: &str, topic: &str, records: u64) -> Vec<Figure> {
    let mut kcat = KcatRuns::default();
    let mut ours = Vec::new();
    for i in 1..=REPEATS {
        step(&format!("replay_50ch {i}/{REPEATS}: kcat, then one columnar viewer"));
        kcat.once(brokers, topic);
        let r = rt.block_on(trackside_once(crate::common::BIN, brokers, topic, records, Wire::Columnar));
        eprintln!(
            "  kcat {:.2} s; trackside {:.2} s ({:.2} CPU-s), peak RSS {:.0} MB",
            kcat.secs[i - 1],
            r.secs,
            r.cpu_secs,
            r.peak_rss_mb
        );
        ours.push(r);
    }
    let millions = records as f64 / 1e6;
    let secs: Vec<f64> = ours.iter().map(|r| r.secs).collect();
    let cpu: Vec<f64> = ours.iter().map(|r| r.cpu_secs / millions).collect();
    let kcat_cpu: Vec<f64> = kcat.cpu_secs.iter().map(|c| c / millions).collect();
    let (t, k) = (median(secs.clone()), median(kcat.secs.clone()));
    let replay = Figure::new("replay_50ch", t, k, "s").target("at most 1.3x kcat's time", t <= 1.3 * k).detail(json!({
        "records": records, "channels_per_record": CHANNELS, "wire": "columnar",
        "runs_trackside_s": secs, "runs_kcat_s": kcat.secs,
        "runs_peak_rss_mb": ours.iter().map(|r| r.peak_rss_mb).collect::<Vec<_>>(),
    }));
    let cpu_fig = Figure::new("replay_50ch_cpu_per_million", median(cpu.clone()), median(kcat_cpu.clone()), "cpu-s")
        .info()
        .detail(json!({"records": records, "runs_server_cpu_s_per_million": cpu,
                       "runs_kcat_cpu_s_per_million": kcat_cpu, "baseline": "kcat's CPU-seconds per million records"}));
    vec![replay, cpu_fig]
}
