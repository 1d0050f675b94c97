//! Reference laps from anywhere: the laps of a topic the group does not read, indexed on
//! demand and served by `/api/laps`, the `laps` message and `/api/lap` with exact values;
//! a topic that does not exist; and a lap whose records retention deleted, said plainly.

use rdkafka::{
    ClientConfig, Offset, TopicPartitionList,
    admin::{AdminClient, AdminOptions},
    client::DefaultClientContext,
};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::laps::{LAP2_MS, LAP3_MS, T0, a1_laps, close, produce_a1};

/// The lap table of `topic` once the index has read it all, with A1's laps 2 and 3.
async fn indexed(app: &TestApp, topic: &str) -> Value {
    let path = format!("/api/laps?topic={topic}");
    eventually("the index to read the other topic", || async {
        let t = app.get_json(&path).await;
        if t["index"]["state"] == "live" && a1_laps(&t).len() == 2 { Ok(t) } else { Err(t.to_string()) }
    })
    .await
}

/// Deletes the records of partition 0 of `topic` below `before`, as retention would.
async fn delete_records(topic: &str, before: i64) {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let mut offsets = TopicPartitionList::new();
    offsets.add_partition_offset(topic, 0, Offset::Offset(before)).unwrap();
    let deleted = admin.delete_records(&offsets, &AdminOptions::new()).await.unwrap();
    assert!(deleted.elements().iter().all(|e| e.error().is_ok()), "{deleted:?}");
}

#[tokio::test]
async fn a_lap_of_a_topic_the_group_does_not_read_is_served_exactly() {
    let watched = create_topic(1).await;
    let other = create_topic(1).await;
    // Up to 50 s into lap 4: laps 2 and 3 are complete.
    produce_a1(&other, 0..2_915).await;
    let app = TestApp::spawn(&["--topics", &watched, "--group-id", &unique("g")]).await;

    // The first answer already names the topic; reading or live, it says how far it is.
    let first = app.get_json(&format!("/api/laps?topic={other}")).await;
    assert_eq!(first["topic"], other.as_str());
    assert!(first["index"]["state"] == "reading" || first["index"]["state"] == "live", "{first}");
    assert!(first["index"]["read"].as_u64() <= first["index"]["total"].as_u64(), "{first}");

    let table = indexed(&app, &other).await;
    let laps = a1_laps(&table);
    assert!(close(&laps[0]["time_ms"], LAP2_MS), "{}", laps[0]);
    assert!(close(&laps[1]["time_ms"], LAP3_MS), "{}", laps[1]);
    assert!(close(&laps[1]["start_ts"], (T0 + 150_000) as f64), "lap 3 begins 150 s in: {}", laps[1]);
    assert_eq!(table["cars"][0]["driver"], "Ada One");
    assert_eq!(table["index"]["total"], 2_915);

    // The lap itself, read from the other topic: the sample before the line, the lap,
    // the first sample after it, each with the values produced.
    let lap = app.get_json(&format!("/api/lap?topic={other}&car=A1&lap=3")).await;
    assert_eq!(lap["topic"], other.as_str());
    assert!(close(&lap["time_ms"], LAP3_MS), "{lap}");
    let samples = lap["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 913 + 2, "91.25 s of samples every 100 ms, and one either side");
    assert_eq!((samples[0]["lap"].clone(), samples[0]["ts"].clone()), (json!(2), json!(T0 + 149_900)));
    assert_eq!((samples[1]["lap"].clone(), samples[1]["ts"].clone()), (json!(3), json!(T0 + 150_000)));
    let kph = 3_000.0 / (LAP3_MS / 1000.0) * 3.6;
    assert!(close(&samples[1]["speed_kph"], kph), "{}", samples[1]);
    assert!(close(&samples[1]["lap_distance_m"], 0.0), "{}", samples[1]);
    assert_eq!(samples.last().unwrap()["lap"], 4);

    // The socket's `laps` request answers for it too, whatever the viewer watches.
    let mut viewer = app.viewer().await;
    viewer.subscribe(&watched, None).await;
    viewer.send(json!({"type": "laps", "topic": other})).await;
    let full = viewer.next_of("laps", |m| m["topic"] == other.as_str() && m["full"] == true).await;
    assert_eq!(a1_laps(&full).len(), 2);

    // A topic that is not there is said to be not there.
    let missing = unique("no-such-topic");
    let res = reqwest::get(app.url(&format!("/api/laps?topic={missing}"))).await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], format!("topic `{missing}` does not exist"));
    let res = reqwest::get(app.url(&format!("/api/lap?topic={missing}&car=A1&lap=3"))).await.unwrap();
    assert_eq!(res.status(), 404);
    let res = reqwest::get(app.url("/api/laps?topic=__consumer_offsets")).await.unwrap();
    assert_eq!(res.status(), 400, "Kafka's own topics are not read for laps");
    viewer.send(json!({"type": "laps", "topic": missing})).await;
    let refused = viewer.next_of("error", |m| m["request"] == "laps").await;
    assert_eq!(refused["error"], "unknown_topic");
}

#[tokio::test]
async fn a_reference_lap_whose_records_left_kafka_says_so_and_when_the_topic_starts() {
    let watched = create_topic(1).await;
    let other = create_topic(1).await;
    produce_a1(&other, 0..2_915).await;
    let app = TestApp::spawn(&["--topics", &watched, "--group-id", &unique("g")]).await;
    indexed(&app, &other).await;

    // Lap 2 runs from the sample at 59.9 s (offset 599) to 150 s; retention takes the
    // first 100 s.
    delete_records(&other, 1_000).await;
    let res = reqwest::get(app.url(&format!("/api/lap?topic={other}&car=A1&lap=2"))).await.unwrap();
    assert_eq!(res.status(), 410);
    let body: Value = res.json().await.unwrap();
    // The first record left is offset 1,000, 100 s after T0 (2023-11-14T22:13:20Z).
    let said = format!(
        "lap 2 of car `A1` in `{other}`: its records have left Kafka (retention); the topic now starts at \
         2023-11-14T22:15:00.000Z"
    );
    assert_eq!(body["error"], said);

    // Lap 3 is still all there.
    let lap = app.get_json(&format!("/api/lap?topic={other}&car=A1&lap=3")).await;
    assert!(close(&lap["time_ms"], LAP3_MS), "{lap}");
    assert_eq!(lap["samples"][1]["ts"], T0 + 150_000);
}
