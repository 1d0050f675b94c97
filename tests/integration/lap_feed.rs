//! The lap index is fed the records the group member and the follower decoded: its own
//! reader decodes what Kafka retained before, and live laps are timed from the feed
//! alone, on every replica of a group.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::laps::{T0, close};

const TRACK_M: f64 = 3_000.0;
/// 60 m/s, a record every 100 ms: a lap is 500 records, 50.000 s.
const LAP_MS: f64 = 50_000.0;

/// Car `car`'s record `i`: it begins 600 m before the end of lap 1, so lap 2 runs from
/// record 100 to record 600.
fn sample(car: &str, i: i64) -> Value {
    let total = 2_400.0 + 6.0 * i as f64;
    json!({
        "car": car, "ts": T0 + i * 100, "speed_kph": 216.0, "rpm": 9000.0,
        "lap": 1 + (total / TRACK_M).floor() as u32,
        "lap_distance_m": total % TRACK_M,
    })
}

async fn produce_car(topic: &str, partition: i32, car: &str, samples: std::ops::Range<i64>) {
    let values: Vec<Option<Vec<u8>>> = samples.map(|i| json_bytes(&sample(car, i))).collect();
    let records: Vec<(i32, &str, Option<Vec<u8>>)> = values.into_iter().map(|v| (partition, car, v)).collect();
    produce(topic, &records).await;
}

fn laps_of(table: &Value, car: &str) -> Vec<Value> {
    let cars = table["cars"].as_array().cloned().unwrap_or_default();
    let found = cars.into_iter().find(|c| c["car"] == car);
    found.and_then(|c| c["laps"].as_array().cloned()).unwrap_or_default()
}

fn records_read(table: &Value) -> u64 {
    table["index"]["records_read"].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test]
async fn live_laps_come_from_the_group_and_the_index_reader_decodes_only_the_backlog() {
    let topic = create_topic(1).await;
    produce_car(&topic, 0, "B", 0..300).await;
    // No history: the group delivers only what comes after it joined.
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--history-secs", "0"]).await;
    let path = format!("/api/laps?topic={topic}");
    eventually("the index to read the backlog", || async {
        let t = app.get_json(&path).await;
        if t["index"]["state"] == "live" && records_read(&t) == 300 { Ok(()) } else { Err(t.to_string()) }
    })
    .await;

    // The reader and the group both see the first live records; once the group has fed a
    // round the reader had not read, the reader leaves the partition to it.
    let mut before = 300;
    let mut produced = 300;
    for _ in 0..20 {
        produce_car(&topic, 0, "B", produced..produced + 10).await;
        produced += 10;
        eventually("the group to consume the round", || async {
            let stats = app.get_json("/api/stats").await;
            let consumed = stats["totals"]["consumed"].as_i64().unwrap_or(0);
            if consumed == produced - 300 { Ok(()) } else { Err(stats["totals"].to_string()) }
        })
        .await;
        let read = records_read(&app.get_json(&path).await);
        if read == before {
            break;
        }
        before = read;
    }
    assert!(before <= 320, "the reader decoded {before} records: more than the backlog and two rounds");

    // Lap 2 is timed exactly from live records, and the reader decoded none of them.
    produce_car(&topic, 0, "B", produced..700).await;
    let table = eventually("lap 2 from live records", || async {
        let t = app.get_json(&path).await;
        if laps_of(&t, "B").iter().any(|l| l["lap"] == 2) { Ok(t) } else { Err(t.to_string()) }
    })
    .await;
    let lap2 = laps_of(&table, "B").into_iter().find(|l| l["lap"] == 2).unwrap();
    assert!(close(&lap2["time_ms"], LAP_MS), "{lap2}");
    assert_eq!(records_read(&table), before, "the group fed every live record: {}", table["index"]);
}

#[tokio::test]
async fn two_servers_in_one_group_each_time_every_partition_from_live_records() {
    let topic = create_topic(2).await;
    produce_car(&topic, 0, "P0", 0..300).await;
    produce_car(&topic, 1, "P1", 0..300).await;
    let group = unique("g");
    let args = ["--topics", topic.as_str(), "--group-id", group.as_str(), "--history-secs", "0"];
    let (first, second) = (TestApp::spawn(&args).await, TestApp::spawn(&args).await);
    let path = format!("/api/laps?topic={topic}");
    for app in [&first, &second] {
        eventually("each server to index the backlog of both partitions", || async {
            let t = app.get_json(&path).await;
            if t["index"]["state"] == "live" && records_read(&t) == 600 { Ok(()) } else { Err(t.to_string()) }
        })
        .await;
    }
    // Each server's member owns a share, its follower reads the rest: both feed the index.
    produce_car(&topic, 0, "P0", 300..700).await;
    produce_car(&topic, 1, "P1", 300..700).await;
    for app in [&first, &second] {
        let table = eventually("lap 2 of both cars on each server", || async {
            let t = app.get_json(&path).await;
            let both = ["P0", "P1"].iter().all(|car| laps_of(&t, car).iter().any(|l| l["lap"] == 2));
            if both { Ok(t) } else { Err(t.to_string()) }
        })
        .await;
        for car in ["P0", "P1"] {
            let lap2 = laps_of(&table, car).into_iter().find(|l| l["lap"] == 2).unwrap();
            assert!(close(&lap2["time_ms"], LAP_MS), "{car}: {lap2}");
        }
    }
}
