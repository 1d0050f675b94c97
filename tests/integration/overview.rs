//! Overviews: a span of the selection summarised per car as each channel's minimum and
//! maximum per time bucket, so a one-sample spike shows at any zoom, a car that stopped
//! sending shows as a gap, and a short span gives the raw samples.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use rdkafka::{
    ClientConfig, ClientContext,
    producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer},
};
use serde_json::{Value, json};

use crate::helpers::*;

/// How long a whole-topic overview of a million records may take in a debug build on a
/// busy two-core machine. It takes 25 s on two quiet cores and up to 60 s on busy ones
/// (decoding a million records without optimisation); about 3 s in a release build.
const BIG_PATIENCE: Duration = Duration::from_secs(300);

/// Counts the records the broker did not take.
#[derive(Default)]
struct Failures(AtomicU64);

impl ClientContext for Failures {}

impl ProducerContext for Failures {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if result.is_err() {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One record to produce: partition, key, `ts` (also its Kafka timestamp), value.
type Timed = (i32, String, i64, Vec<u8>);

/// Produces every record as fast as librdkafka takes them, each stamped with its own
/// `ts` so that offsets-for-times finds it, and waits until the broker has them all.
/// Blocking; faster than one future per record by far in a debug build.
fn produce_timed(topic: &str, records: impl Iterator<Item = Timed>) {
    let producer: ThreadedProducer<Failures> = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("linger.ms", "20")
        .set("batch.num.messages", "10000")
        .set("queue.buffering.max.messages", "500000")
        .create_with_context(Failures::default())
        .unwrap();
    for (partition, key, ts, value) in records {
        let mut record = BaseRecord::to(topic).partition(partition).key(&key).payload(&value).timestamp(ts);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((e, back)) => {
                    assert!(e.to_string().contains("Queue full"), "cannot produce: {e}");
                    record = back;
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(120)).unwrap();
    assert_eq!(producer.context().0.load(Ordering::Relaxed), 0, "every record delivered");
}

/// A telemetry value, written by hand: serialising a million `Value`s would cost more
/// than the rest of the test.
fn value(car: u32, ts: i64, speed: f64, rpm: f64, lap: u32) -> Vec<u8> {
    format!(
        r#"{{"car":"{car}","ts":{ts},"speed_kph":{speed},"rpm":{rpm},"tire_temp_c":{{"fl":90.5,"fr":91,"rl":88,"rr":89.5}},"lap":{lap},"gear":6,"throttle":1.0,"brake":0.0,"driver":"Driver {car}"}}"#
    )
    .into_bytes()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Waits for the answer to overview `id` (its `done` or `failed`), however many
/// `running` messages come first, and returns it with the `running` ones.
pub async fn answer(viewer: &mut Viewer, id: u64, patience: Duration) -> (Value, Vec<Value>) {
    let deadline = Instant::now() + patience;
    let mut running = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "overview {id} took more than {patience:?}; running: {:?}", running.last());
        let m = viewer.next_of("overview", |m| m["id"] == id).await;
        if m["state"] != "running" {
            return (m, running);
        }
        running.push(m);
    }
}

/// The `channels.<name>.<which>` array of a car, as numbers (NaN for null).
pub fn channel(car: &Value, name: &str, which: &str) -> Vec<f64> {
    car["channels"][name][which].as_array().unwrap().iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()
}

fn counts(car: &Value) -> Vec<u64> {
    car["count"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

pub fn car<'a>(done: &'a Value, id: &str) -> &'a Value {
    done["cars"].as_array().unwrap().iter().find(|c| c["car"] == id).unwrap_or_else(|| panic!("no car {id}"))
}

#[tokio::test]
async fn a_one_sample_spike_among_a_million_records_shows_in_the_zoomed_out_overview() {
    // Arrange: 20 cars at 20 Hz for 2,500 s (1,000,000 records), ending a second ago;
    // every rpm is under 13,000 but one record of car 7, at 25,000.
    const CARS: u32 = 20;
    const TICKS: u32 = 50_000;
    let topic = create_topic(4).await;
    let t0 = now_ms() - i64::from(TICKS) * 50 - 1_000;
    let spike = (7, 31_337);
    let spike_ts = t0 + i64::from(spike.1) * 50;
    let started = Instant::now();
    let into = topic.clone();
    tokio::task::spawn_blocking(move || {
        let records = (0..TICKS).flat_map(|tick| (0..CARS).map(move |car| (tick, car))).map(|(tick, car)| {
            let ts = t0 + i64::from(tick) * 50;
            let rpm = if (car, tick) == spike { 25_000.0 } else { f64::from(6_000 + (tick * 7 + car * 13) % 6_900) };
            let speed = f64::from(100 + (tick + car) % 200);
            ((car % 4) as i32, car.to_string(), ts, value(car, ts, speed, rpm, 1 + tick / 1_800))
        });
        produce_timed(&into, records);
    })
    .await
    .unwrap();
    eprintln!("produced 1,000,000 records in {:.1} s", started.elapsed().as_secs_f64());
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--history-secs", "0"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;

    // Act: a first request, replaced at once by the zoomed-out overview of everything.
    let started = Instant::now();
    viewer.send(json!({"type": "overview", "id": 1, "buckets": 4000})).await;
    viewer.send(json!({"type": "overview", "id": 2, "buckets": 1000})).await;
    let (done, running) = answer(&mut viewer, 2, BIG_PATIENCE).await;
    eprintln!("the overview of 1,000,000 records took {:.1} s", started.elapsed().as_secs_f64());

    // Assert
    assert_eq!(done["state"], "done", "{}", done["error"]);
    assert_eq!((done["records"].as_u64(), done["malformed"].as_u64()), (Some(1_000_000), Some(0)));
    assert_eq!((done["from_ts"].as_i64(), done["cars_left_out"].as_u64()), (Some(t0), Some(0)));
    let (bucket_ms, buckets) = (done["bucket_ms"].as_i64().unwrap(), done["buckets"].as_u64().unwrap() as usize);
    assert!(buckets <= 1000 && bucket_ms * buckets as i64 >= done["to_ts"].as_i64().unwrap() - t0, "{bucket_ms}");
    let cars = done["cars"].as_array().unwrap();
    assert_eq!(cars.len(), CARS as usize);
    assert_eq!(cars.iter().map(|c| counts(c).iter().sum::<u64>()).sum::<u64>(), 1_000_000);
    let spike_bucket = ((spike_ts - t0) / bucket_ms) as usize;
    assert_eq!(channel(car(&done, "7"), "rpm", "max")[spike_bucket], 25_000.0);
    for c in cars {
        for (i, max) in channel(c, "rpm", "max").into_iter().enumerate() {
            let is_spike = c["car"] == "7" && i == spike_bucket;
            assert!(is_spike || max.is_nan() || max < 13_000.0, "car {} bucket {i}: rpm max {max}", c["car"]);
        }
    }
    assert_eq!(car(&done, "7")["laps"].as_array().unwrap().len(), 28, "laps of 1,800 ticks");
    assert!(!running.is_empty(), "progress while it read");
    let progress: Vec<f64> = running.iter().map(|m| m["progress"].as_f64().unwrap()).collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]) && progress.iter().all(|p| (0.0..=1.0).contains(p)));
    let first_of_2 = viewer.seen.iter().position(|m| m["type"] == "overview" && m["id"] == 2).unwrap();
    assert!(
        !viewer.seen[first_of_2..].iter().any(|m| m["type"] == "overview" && m["id"] == 1),
        "the replaced overview says nothing more"
    );
}

#[tokio::test]
async fn a_car_that_stops_sending_leaves_a_gap_and_a_short_span_gives_the_raw_samples() {
    // Arrange: cars 1 and 2 at 10 Hz for 60 s, car 2 silent from 20 s to 40 s; laps of 10 s.
    let topic = create_topic(2).await;
    let t0 = now_ms() - 120_000;
    let into = topic.clone();
    tokio::task::spawn_blocking(move || {
        let records = (0..600u32)
            .flat_map(|tick| [1u32, 2].map(|car| (tick, car)))
            .filter(|&(tick, car)| car == 1 || !(200..400).contains(&tick))
            .map(|(tick, car)| {
                let ts = t0 + i64::from(tick) * 100;
                let v = value(car, ts, f64::from(100 + tick), f64::from(8_000 + tick * 3 + car), 1 + tick / 100);
                ((car - 1) as i32, car.to_string(), ts, v)
            });
        produce_timed(&into, records);
    })
    .await
    .unwrap();
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;

    // Act: the minute in 60 buckets of a second.
    viewer.send(json!({"type": "overview", "id": 1, "buckets": 60, "from_ts": t0, "to_ts": t0 + 60_000})).await;
    let (done, _) = answer(&mut viewer, 1, PATIENCE).await;

    // Assert
    assert_eq!(done["state"], "done", "{}", done["error"]);
    assert_eq!((done["bucket_ms"].as_i64(), done["buckets"].as_u64()), (Some(1_000), Some(60)));
    assert_eq!(counts(car(&done, "1")), vec![10; 60]);
    let two = car(&done, "2");
    let expected: Vec<u64> = (0..60).map(|s| if (20..40).contains(&s) { 0 } else { 10 }).collect();
    assert_eq!(counts(two), expected, "the gap is a run of zeros");
    let rpm_min = channel(two, "rpm", "min");
    assert!(rpm_min[20..40].iter().all(|v| v.is_nan()) && rpm_min[40] == 8_000.0 + 1_200.0 + 2.0, "{rpm_min:?}");
    assert_eq!((two["driver"].as_str(), two["partition"].as_i64()), (Some("Driver 2"), Some(1)));
    let laps: Vec<(u64, i64, i64)> = car(&done, "1")["laps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["lap"].as_u64().unwrap(), l["ts"].as_i64().unwrap(), l["offset"].as_i64().unwrap()))
        .collect();
    assert_eq!(laps, (0..6).map(|l| (l + 1, t0 + l as i64 * 10_000, l as i64 * 100)).collect::<Vec<_>>());

    // Act: one second, in buckets of 100 ms, one sample per car in each.
    viewer.send(json!({"type": "overview", "id": 2, "buckets": 10, "from_ts": t0 + 5_000, "to_ts": t0 + 6_000})).await;
    let (zoomed, _) = answer(&mut viewer, 2, PATIENCE).await;

    // Assert: the raw samples, and only the records of that second were read.
    assert_eq!(zoomed["state"], "done", "{}", zoomed["error"]);
    assert_eq!((zoomed["bucket_ms"].as_i64(), zoomed["records"].as_u64()), (Some(100), Some(20)));
    for id in ["1", "2"] {
        let c = car(&zoomed, id);
        assert_eq!(counts(c), vec![1; 10]);
        let raw: Vec<f64> = (50..60).map(|tick| f64::from(100 + tick)).collect();
        assert_eq!((channel(c, "speed_kph", "min"), channel(c, "speed_kph", "max")), (raw.clone(), raw));
    }
}

#[tokio::test]
async fn a_bad_overview_request_is_refused_and_the_connection_lives_on() {
    let topic = create_topic(1).await;
    produce(&topic, &[(0, "1", json_bytes(&sample("1", 1)))]).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;

    viewer.send(json!({"type": "overview", "buckets": 10})).await;
    let before_subscribe = viewer.next_of("error", |_| true).await;
    assert_eq!(before_subscribe["request"], "overview");

    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    viewer.send(json!({"type": "overview", "buckets": 0})).await;
    let refused = viewer.next_of("error", |_| true).await;
    assert_eq!((refused["request"].as_str(), refused["error"].as_str()), (Some("overview"), Some("bad_request")));
    assert!(refused["message"].as_str().unwrap().contains("buckets"), "{refused}");

    viewer.send(json!({"type": "overview", "id": 3, "buckets": 10, "from_ts": 1_699_999_999_000_i64})).await;
    let (done, _) = answer(&mut viewer, 3, PATIENCE).await;
    assert_eq!((done["state"].as_str(), done["records"].as_u64()), (Some("done"), Some(1)));
    assert_eq!(counts(car(&done, "1")).iter().sum::<u64>(), 1);
}
