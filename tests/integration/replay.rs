//! Replay from the earliest offset: every record exactly once, in order per partition,
//! with progress, pause and resume, and then on into new records.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::*;

fn replay_done(seen: &[Value], want: usize) -> bool {
    records(seen, "replay").len() >= want && seen.iter().any(|m| m["type"] == "replay" && m["state"] == "caught_up")
}

#[tokio::test]
async fn replay_from_earliest_delivers_every_record_exactly_once_in_order() {
    // Arrange: 100 valid records per partition and one malformed record in each.
    let topic = create_topic(3).await;
    let mut batch = Vec::new();
    for n in 0..303u32 {
        let p = (n % 3) as i32;
        let value = if n % 101 == 50 { Some(b"{not json".to_vec()) } else { json_bytes(&sample("9", n)) };
        batch.push((p, "9", value));
    }
    let offsets = produce(&topic, &batch).await;
    let mut expected: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for ((p, _, v), o) in batch.iter().zip(&offsets) {
        if v.as_deref() != Some(b"{not json".as_slice()) {
            expected.entry(i64::from(*p)).or_default().push(*o);
        }
    }
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;

    // Act
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.until("the whole replay", |seen| replay_done(seen, 300)).await;

    // Assert
    let got = records(&viewer.seen, "replay");
    assert_eq!(got.len(), 300);
    assert_eq!(offsets_by_partition(&got), expected, "no loss, no duplicate, no reordering");
    let last = viewer.seen.iter().rev().find(|m| m["type"] == "replay").unwrap();
    assert_eq!(last["state"], "caught_up");
    assert_eq!(last["progress"], 1.0);
    assert_eq!(last["total"], 303);
    assert_eq!(last["malformed"], 3);
    assert!(last["last_malformed"]["reason"].as_str().unwrap().starts_with("not JSON"), "{last}");
    let first = viewer.seen.iter().find(|m| m["type"] == "replay").unwrap();
    assert_eq!(first["state"], "running");
    let ends: Vec<i64> = last["partitions"].as_array().unwrap().iter().map(|p| p["end"].as_i64().unwrap()).collect();
    assert_eq!(ends, vec![101, 101, 101]);

    // Once caught up, the same reader carries on with new records, still in replay mode.
    produce(&topic, &[(2, "9", json_bytes(&sample("9", 999)))]).await;
    viewer.until("the new record", |seen| records(seen, "replay").len() >= 301).await;
    assert_eq!(records(&viewer.seen, "replay")[300].2["speed_kph"], 1099.0);
    let replay_started = viewer.seen.iter().position(|m| m["type"] == "replay").unwrap();
    assert!(records(&viewer.seen[replay_started..], "live").is_empty(), "a replaying viewer gets no group data");
}

#[tokio::test]
async fn a_replay_covers_only_the_chosen_partitions() {
    let topic = create_topic(3).await;
    let batch: Vec<_> = (0..60u32).map(|n| ((n % 3) as i32, "1", json_bytes(&sample("1", n)))).collect();
    produce(&topic, &batch).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, Some(vec![0, 2])).await;
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.until("the replay", |seen| replay_done(seen, 40)).await;
    let by_partition = offsets_by_partition(&records(&viewer.seen, "replay"));
    assert_eq!(by_partition.keys().copied().collect::<Vec<_>>(), vec![0, 2]);
    assert_eq!(by_partition[&0], (0..20).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_paused_replay_sends_nothing_until_resumed_then_finishes() {
    let topic = create_topic(1).await;
    let batch: Vec<_> = (0..5_000u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect();
    produce(&topic, &batch).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.send(json!({"type": "pause"})).await;
    viewer.next_of("replay", |m| m["state"] == "paused").await;
    let at_pause = records(&viewer.seen, "replay").len();

    // Two stats messages (two seconds) pass with the replay paused.
    viewer.next_of("stats", |_| true).await;
    viewer.next_of("stats", |_| true).await;
    assert_eq!(records(&viewer.seen, "replay").len(), at_pause, "no data while paused");
    assert!(at_pause < 5_000, "paused before the end");

    viewer.send(json!({"type": "resume"})).await;
    viewer.until("the rest of the replay", |seen| replay_done(seen, 5_000)).await;
    assert_eq!(offsets_by_partition(&records(&viewer.seen, "replay"))[&0], (0..5_000).collect::<Vec<i64>>());
}

#[tokio::test]
async fn back_to_live_stops_the_replay_and_resumes_the_group_stream() {
    let topic = create_topic(1).await;
    produce(&topic, &[(0, "1", json_bytes(&sample("1", 1)))]).await;
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("the live record", |seen| !records(seen, "live").is_empty()).await;
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.until("the replay", |seen| replay_done(seen, 1)).await;
    viewer.send(json!({"type": "live"})).await;
    viewer.next_of("replay", |m| m["state"] == "stopped").await;
    let live_before = records(&viewer.seen, "live").len();
    produce(&topic, &[(0, "1", json_bytes(&sample("1", 2)))]).await;
    // History is sent again, then the new record.
    viewer
        .until("the new live record", |seen| records(seen, "live").iter().any(|(_, _, r)| r["speed_kph"] == 102.0))
        .await;
    assert!(records(&viewer.seen, "live").len() > live_before);
    assert_eq!(records(&viewer.seen, "replay").len(), 1, "the replay reader stopped");
}

#[tokio::test]
async fn replays_are_bounded_and_a_slot_frees_when_a_replay_ends() {
    let topic = create_topic(1).await;
    produce(&topic, &[(0, "1", json_bytes(&sample("1", 1)))]).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--max-replays", "1"]).await;
    let (mut a, mut b) = (app.viewer().await, app.viewer().await);
    for v in [&mut a, &mut b] {
        v.subscribe(&topic, None).await;
        v.next_of("subscribed", |_| true).await;
    }
    a.send(json!({"type": "replay", "from": "earliest"})).await;
    a.next_of("replay", |m| m["state"] == "caught_up").await;

    b.send(json!({"type": "replay", "from": "earliest"})).await;
    let refused = b.next_of("error", |_| true).await;
    assert_eq!((refused["error"].as_str(), refused["request"].as_str()), (Some("too_many_replays"), Some("replay")));

    a.send(json!({"type": "live"})).await;
    a.next_of("replay", |m| m["state"] == "stopped").await;
    b.send(json!({"type": "replay", "from": "earliest"})).await;
    b.until("b's replay", |seen| replay_done(seen, 1)).await;
}
