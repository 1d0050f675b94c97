//! When the group starts reading: no record falls between the history it reads and the
//! live stream, a topic created a moment ago is found, and lag means what it says.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::helpers::*;

/// The highest offset a viewer has received, per partition.
fn last_offsets(seen: &[Value]) -> BTreeMap<i64, i64> {
    offsets_by_partition(&records(seen, "live")).into_iter().map(|(p, o)| (p, *o.last().unwrap())).collect()
}

/// Asserts that each partition's offsets run from 0 without a gap, a repeat or a swap.
fn assert_every_offset_once_in_order_from_0(who: &str, seen: &[Value]) {
    let by_partition = offsets_by_partition(&records(seen, "live"));
    assert_eq!(by_partition.len(), 3, "{who}: every partition");
    for (partition, offsets) in by_partition {
        let expected: Vec<i64> = (0..offsets.len() as i64).collect();
        assert!(offsets == expected, "{who}, partition {partition}: {offsets:?}");
    }
}

#[tokio::test]
async fn a_server_started_while_a_producer_writes_shows_every_record_once_in_order_to_early_and_late_viewers() {
    // Arrange: 1,000 records a second into three partitions, already flowing.
    let topic = unique("it");
    let producer = simulate_live(&brokers(), &topic, &["--partitions", "3", "--cars", "20", "--hz", "50"]);
    let probe = TestApp::spawn(&["--topics", "", "--group-id", &unique("g")]).await;
    eventually("the producer to have written", || async {
        let topics = probe.get_json("/api/topics").await;
        let ours = topics["topics"].as_array()?.iter().find(|t| t["name"] == topic.as_str())?.clone();
        ours["partitions"].as_array()?.iter().all(|p| p["high"].as_i64() > Some(0)).then_some(())
    })
    .await;
    drop(probe);

    // Act: a server starts reading it, with a viewer watching before its group has joined.
    // (A queue large enough that a test client on a busy CI machine is never coalesced.)
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--client-queue-bytes", "67108864"]).await;
    let mut early = app.viewer().await;
    early.subscribe(&topic, None).await;
    let joined = early.next_of("stats", |m| m["group"]["assignment"].as_array().is_some_and(|a| a.len() == 3)).await;
    // Two seconds of live records past the high watermarks seen at the join.
    let highs: BTreeMap<i64, i64> = joined["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["partition"].as_i64().unwrap(), p["high"].as_i64().unwrap()))
        .collect();
    early
        .until("live records well past the join", |seen| {
            let last = last_offsets(seen);
            highs.iter().all(|(p, high)| last.get(p).is_some_and(|o| *o > high + 600))
        })
        .await;

    // Assert: the early viewer saw the whole window (everything, as the race began less
    // than a minute ago) and then live, every offset once and in order.
    assert_every_offset_once_in_order_from_0("the early viewer", &early.seen);

    // And a viewer who comes later is sent the same as history, then live.
    let early_last = last_offsets(&early.seen);
    let mut late = app.viewer().await;
    late.subscribe(&topic, None).await;
    late.until("everything the early viewer saw", |seen| {
        let last = last_offsets(seen);
        early_last.iter().all(|(p, o)| last.get(p).is_some_and(|l| l >= o))
    })
    .await;
    assert_every_offset_once_in_order_from_0("the late viewer", &late.seen);
    drop(producer);
}

#[tokio::test]
async fn a_topic_created_a_moment_ago_is_accepted_and_shown() {
    // Arrange: a server that has already listed the cluster's topics.
    let other = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &other, "--group-id", &unique("g")]).await;
    eventually("the server to list the topics", || async {
        let topics = app.get_json("/api/topics").await;
        topics["topics"].as_array().is_some_and(|t| t.iter().any(|t| t["name"] == other.as_str()))
    })
    .await;

    // Act: a topic is created and filled, and chosen 100 ms later, before the server's
    // next look at the cluster.
    let topic = create_topic(1).await;
    produce(&topic, &(0..5u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect::<Vec<_>>()).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;

    // Assert: accepted, not "does not exist", and its five records are charted.
    viewer.until("an answer", |seen| seen.iter().any(|m| m["type"] == "subscribed" || m["type"] == "error")).await;
    let errors: Vec<&Value> = viewer.seen.iter().filter(|m| m["type"] == "error").collect();
    assert!(errors.is_empty(), "refused: {errors:?}");
    viewer.until("the five records", |seen| records(seen, "live").len() >= 5).await;
    assert_eq!(offsets_by_partition(&records(&viewer.seen, "live"))[&0], vec![0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn a_just_added_topic_whose_records_all_predate_the_group_shows_no_lag() {
    // Arrange: fifty records written ten minutes ago, before the history window, and a
    // server reading another topic.
    let topic = create_topic(2).await;
    let ten_minutes_ago =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis().saturating_sub(600_000)
            as i64;
    let old: Vec<_> = (0..50u32).map(|n| ((n % 2) as i32, "1", json_bytes(&sample("1", n)))).collect();
    produce_at(&topic, Some(ten_minutes_ago), &old).await;
    let other = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &other, "--group-id", &unique("g")]).await;

    // Act: a viewer adds the topic to what the group reads.
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    let ours = |m: &Value| -> Vec<Value> {
        m["partitions"].as_array().unwrap().iter().filter(|p| p["topic"] == topic.as_str()).cloned().collect()
    };
    let assigned = |m: &Value| {
        m["group"]["assignment"].as_array().unwrap().iter().filter(|a| a["topic"] == topic.as_str()).count() == 2
    };
    viewer.next_of("stats", |m| assigned(m) && ours(m).iter().all(|p| !p["lag"].is_null())).await;
    // Three more reports, as the page shows them a second apart.
    for _ in 0..3 {
        viewer.next_of("stats", |_| true).await;
    }

    // Assert: from the moment the group owns the partitions, they show high 25 and lag 0,
    // never the whole partition as lag.
    for m in viewer.seen.iter().filter(|m| m["type"] == "stats" && assigned(m)) {
        for p in ours(m) {
            assert!(p["lag"].is_null() || p["lag"] == 0, "lag of a partition the group sits at the end of: {p}");
            assert_eq!(p["high"], 25, "{p}");
        }
    }
}

#[tokio::test]
async fn a_restarted_server_resumes_at_its_commit_and_still_shows_the_records_before_it() {
    // Arrange: a first run consumes three records, commits and leaves; two more arrive
    // while no server runs.
    let topic = create_topic(1).await;
    let group = unique("g");
    let args = ["--topics", topic.as_str(), "--group-id", group.as_str()];
    three_read_then_two_more_while_stopped(&topic, &args).await;

    // Act: the server starts again. Assert: the group resumed at its commit (it consumed
    // only the two new records), and the page still shows all five: the three before the
    // commit come from a backfill.
    let (second, _viewer) = restarted_resumes_at_its_commit(&topic, &args).await;
    let mut late = second.viewer().await;
    late.subscribe(&topic, None).await;
    late.until("five records", |seen| records(seen, "live").len() >= 5).await;
    assert_eq!(offsets_by_partition(&records(&late.seen, "live"))[&0], vec![0, 1, 2, 3, 4]);
}
