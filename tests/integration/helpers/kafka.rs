//! Kafka from the test's side: the shared broker, names no other test uses, fresh
//! topics, and producing known records (a valid telemetry value, JSON bytes, records at
//! a chosen Kafka timestamp).

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    producer::{FutureProducer, FutureRecord},
};
use serde_json::{Value, json};

pub fn brokers() -> String {
    std::env::var("TRACKSIDE_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

/// A name no other test, and no earlier run, has used.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

pub async fn create_topic(partitions: i32) -> String {
    let name = unique("it");
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let results = admin
        .create_topics(&[NewTopic::new(&name, partitions, TopicReplication::Fixed(1))], &AdminOptions::new())
        .await
        .expect("is Kafka running? `make kafka-up`");
    for r in results {
        r.unwrap();
    }
    name
}

/// A valid telemetry value for `car`; `n` varies every number so records differ.
pub fn sample(car: &str, n: u32) -> Value {
    let f = f64::from(n);
    json!({
        "car": car, "ts": 1_700_000_000_000_i64 + i64::from(n) * 50,
        "speed_kph": 100.0 + f, "rpm": 8000.0 + f * 10.0,
        "tire_temp_c": {"fl": 80.0 + f / 10.0, "fr": 81.0, "rl": 82.0, "rr": 83.0},
        "lap": 1 + n / 100, "gear": 5
    })
}

/// Produces each `(partition, key, value)` in order and waits for every acknowledgement.
/// Returns the offset each record got.
pub async fn produce(topic: &str, records: &[(i32, &str, Option<Vec<u8>>)]) -> Vec<i64> {
    produce_at(topic, None, records).await
}

/// As [`produce`], with every record's Kafka timestamp set to `timestamp_ms` when given.
pub async fn produce_at(topic: &str, timestamp_ms: Option<i64>, records: &[(i32, &str, Option<Vec<u8>>)]) -> Vec<i64> {
    let timed: Vec<Timed<'_>> = records.iter().map(|(p, key, value)| (*p, *key, timestamp_ms, value.clone())).collect();
    produce_timed(topic, &timed).await
}

/// A record to produce: partition, key, Kafka timestamp (the producer's clock when none),
/// value.
pub type Timed<'a> = (i32, &'a str, Option<i64>, Option<Vec<u8>>);

/// Produces each record in order and waits for every acknowledgement. Returns the offset
/// each record got.
pub async fn produce_timed(topic: &str, records: &[Timed<'_>]) -> Vec<i64> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("linger.ms", "5")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let sends = records.iter().map(|(p, key, timestamp_ms, value)| {
        let mut r: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic).partition(*p).key(*key);
        if let Some(ts) = timestamp_ms {
            r = r.timestamp(*ts);
        }
        if let Some(v) = value {
            r = r.payload(v.as_slice());
        }
        producer.send(r, Duration::from_secs(10))
    });
    let mut offsets = Vec::new();
    for delivery in futures_util::future::join_all(sends).await {
        offsets.push(delivery.map_err(|(e, _)| e).unwrap().offset);
    }
    offsets
}

pub fn json_bytes(v: &Value) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(v).unwrap())
}
