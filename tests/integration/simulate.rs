//! `trackside simulate` against the real broker: what lands on the topic honours the
//! contract, is keyed by car, and the same seed gives the same race.

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
            let sample = decode(m.payload(), None, 0).expect("the simulator honours the contract");
            out.push((m.partition(), key, sample));
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
