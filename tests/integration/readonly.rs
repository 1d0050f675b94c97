//! `serve` is read-only by design: it never writes a record, never creates a topic, and
//! its replay and backfill readers never join a group or commit offsets. (Unless started
//! with `--annotations`, when it writes notes: tests/integration/annotations.rs.)

use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer},
};
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn serve_never_writes_never_creates_topics_and_its_readers_never_commit() {
    // Arrange: ten records, and a server that reads, backfills and replays them.
    let topic = create_topic(2).await;
    let batch: Vec<_> = (0..10u32).map(|n| ((n % 2) as i32, "1", json_bytes(&sample("1", n)))).collect();
    produce(&topic, &batch).await;
    let group = unique("g");
    let missing = unique("no-such-topic");
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &group, "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("the records", |seen: &[Value]| records(seen, "live").len() >= 10).await;
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.next_of("replay", |m| m["state"] == "caught_up").await;
    viewer.send(json!({"type": "live"})).await;
    viewer.next_of("replay", |m| m["state"] == "stopped").await;
    // A subscribe waits for the server's first look at the cluster (viewer.rs); asking for
    // the missing topic once the list shows the real one keeps this test about what the
    // server writes, not about how long that first look takes on a busy broker.
    eventually("the server's first look at the cluster", || async {
        let listed = app.get_json("/api/topics").await;
        listed["topics"].as_array().is_some_and(|t| t.iter().any(|t| t["name"] == topic.as_str()))
    })
    .await;
    viewer.subscribe(&missing, None).await;
    viewer.next_of("error", |m| m["error"] == "unknown_topic").await;
    app.shutdown().await;

    // Assert, asking the broker itself.
    let admin: BaseConsumer = ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let metadata = admin.fetch_metadata(None, PATIENCE).unwrap();
    assert!(!metadata.topics().iter().any(|t| t.name() == missing), "a topic a viewer asked for was created");
    let notes = format!("{topic}.annotations");
    assert!(!metadata.topics().iter().any(|t| t.name() == notes), "its notes' reader created the annotations topic");
    let written: i64 = (0..2).map(|p| admin.fetch_watermarks(&topic, p, PATIENCE).unwrap().1).sum();
    assert_eq!(written, 10, "serve wrote to the topic");
    let groups = admin.fetch_group_list(None, PATIENCE).unwrap();
    let names: Vec<&str> = groups.groups().iter().map(|g| g.name()).collect();
    assert!(names.contains(&group.as_str()), "the group member itself is a group: {names:?}");
    let readers: Vec<&&str> =
        names.iter().filter(|n| n.starts_with("trackside-replay") || n.starts_with("trackside-backfill")).collect();
    assert!(readers.is_empty(), "replay and backfill readers must leave no group behind: {readers:?}");
}
