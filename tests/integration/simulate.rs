//! `trackside simulate` against the real broker: what lands on the topic honours the
//! contract, is keyed by car, carries the gauges beyond v1, and the same seed gives the
//! same race.

use std::time::Duration;

use rdkafka::{
    ClientConfig, Message, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};
use trackside::telemetry::{Sample, decode};

use crate::helpers::*;

fn simulate(topic: &str, extra: &[&str]) {
    simulate_into(&brokers(), topic, extra);
}

/// Every record of the topic as (partition, key, decoded sample).
async fn read_all(topic: &str, partitions: i32) -> Vec<(i32, String, Sample)> {
    let decoded = |(p, key, value): (i32, String, Option<Vec<u8>>)| {
        (p, key, decode(value.as_deref(), None, 0).expect("the simulator honours the contract"))
    };
    read_values(topic, partitions).await.into_iter().map(decoded).collect()
}

/// Every record of the topic as (partition, key, value).
async fn read_values(topic: &str, partitions: i32) -> Vec<(i32, String, Option<Vec<u8>>)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    let mut total = 0;
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning).unwrap();
        total += consumer.fetch_watermarks(topic, p, Duration::from_secs(5)).unwrap().1 as usize;
    }
    consumer.assign(&tpl).unwrap();
    let out = std::sync::Mutex::new(Vec::new());
    eventually("every record of the topic", || async {
        let mut out = out.lock().unwrap();
        while out.len() < total
            && let Some(m) = consumer.poll(Duration::from_millis(500))
        {
            let m = m.unwrap();
            let key = String::from_utf8(m.key().unwrap().to_vec()).unwrap();
            out.push((m.partition(), key, m.payload().map(<[u8]>::to_vec)));
        }
        if out.len() == total { Ok(()) } else { Err(format!("{} of {total} records read", out.len())) }
    })
    .await;
    out.into_inner().unwrap()
}

#[tokio::test]
async fn the_simulator_produces_valid_telemetry_keyed_by_car() {
    let topic = unique("sim");
    simulate(&topic, &["--count", "240", "--cars", "4", "--partitions", "2", "--seed", "3"]);
    let records = read_all(&topic, 2).await;
    assert_eq!(records.len(), 240);
    let mut cars: Vec<&str> = records.iter().map(|(_, k, _)| k.as_str()).collect();
    cars.sort();
    cars.dedup();
    assert_eq!(cars.len(), 4, "four cars");
    for (partition, key, s) in &records {
        assert_eq!(key, &s.car, "the key is the car");
        assert!(s.gear.is_some() && s.lap.is_some() && s.x.is_some() && s.driver.is_some());
        // A car's records stay in one partition, so they stay in order.
        let same_car = records.iter().filter(|(_, k, _)| k == key);
        assert!(same_car.clone().all(|(p, _, _)| p == partition));
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_race() {
    let (a, b) = (unique("sim"), unique("sim"));
    simulate(&a, &["--count", "100", "--cars", "5", "--partitions", "1", "--seed", "11"]);
    simulate(&b, &["--count", "100", "--cars", "5", "--partitions", "1", "--seed", "11"]);
    let strip_ts =
        |rs: Vec<(i32, String, Sample)>| rs.into_iter().map(|(_, _, s)| Sample { ts: None, ..s }).collect::<Vec<_>>();
    assert_eq!(strip_ts(read_all(&a, 1).await), strip_ts(read_all(&b, 1).await));
}

#[tokio::test]
async fn every_record_carries_the_gauges_beyond_v1_within_physical_ranges() {
    let topic = unique("sim");
    simulate(&topic, &["--count", "2400", "--cars", "4", "--partitions", "1", "--seed", "5"]);
    let values = read_values(&topic, 1).await;
    assert_eq!(values.len(), 2400);
    let (mut hottest_brake, mut least_fuel) = (0.0_f64, f64::MAX);
    for (_, _, value) in &values {
        let record: serde_json::Value = serde_json::from_slice(value.as_deref().unwrap()).unwrap();
        let channel = |name: &str| {
            let at = name.split('.').fold(&record, |v, key| &v[key]);
            at.as_f64().unwrap_or_else(|| panic!("no number at {name} in {record}"))
        };
        assert!((-1.0..=1.0).contains(&channel("steer")), "{record}");
        assert!(channel("g_lat").abs() <= 5.0 && channel("g_long").abs() <= 6.0, "{record}");
        for corner in ["fl", "fr", "rl", "rr"] {
            let brake = channel(&format!("brake_temp_c.{corner}"));
            assert!((30.0..=900.0).contains(&brake), "{record}");
            assert!((20.0..=30.0).contains(&channel(&format!("tire_pressure_psi.{corner}"))), "{record}");
            assert!((0.0..=100.0).contains(&channel(&format!("tire_wear_pct.{corner}"))), "{record}");
            hottest_brake = hottest_brake.max(brake);
        }
        let fuel = channel("fuel_kg");
        assert!((0.0..=100.0).contains(&fuel), "{record}");
        least_fuel = least_fuel.min(fuel);
    }
    // 30 s of racing: the first heavy stop, and half a lap's fuel.
    assert!(hottest_brake > 500.0, "brakes reached only {hottest_brake} °C");
    assert!(least_fuel < 99.5, "fuel fell only to {least_fuel} kg");
}
