//! The group's live stream: values arrive intact, and a viewer sees only its choice.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn a_viewer_sees_exactly_the_values_that_were_produced() {
    // Arrange: records already on a fresh topic, and a fresh group reading from earliest.
    let topic = create_topic(3).await;
    let values: Vec<(i32, String, Value)> =
        (0..30u32).map(|n| ((n % 3) as i32, format!("car{}", n % 3), sample(&format!("car{}", n % 3), n))).collect();
    let batch: Vec<_> = values.iter().map(|(p, k, v)| (*p, k.as_str(), json_bytes(v))).collect();
    let offsets = produce(&topic, &batch).await;
    let app = TestApp::reading_from_earliest(&topic).await;

    // Act
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("30 records", |seen| records(seen, "live").len() >= 30).await;

    // Assert: every record once, each with the values it was produced with.
    let got = records(&viewer.seen, "live");
    assert_eq!(got.len(), 30);
    for ((partition, car, value), offset) in values.iter().zip(&offsets) {
        let (_, _, r) = got
            .iter()
            .find(|(_, p, r)| *p == i64::from(*partition) && r["offset"] == *offset)
            .unwrap_or_else(|| panic!("partition {partition} offset {offset} missing"));
        assert_eq!(r["car"], car.as_str());
        for field in ["ts", "speed_kph", "rpm", "tire_temp_c", "lap", "gear"] {
            assert_eq!(r[field], value[field], "{field} of {car} at offset {offset}");
        }
    }

    // And records produced from now on stream in too.
    let more: Vec<_> = (100..103u32).map(|n| (0, "car0", json_bytes(&sample("car0", n)))).collect();
    produce(&topic, &more).await;
    viewer.until("3 more records", |seen| records(seen, "live").len() >= 33).await;
    let speeds: Vec<f64> =
        records(&viewer.seen, "live")[30..].iter().map(|(_, _, r)| r["speed_kph"].as_f64().unwrap()).collect();
    assert_eq!(speeds, vec![200.0, 201.0, 202.0]);
}

#[tokio::test]
async fn a_viewer_that_chose_one_partition_sees_only_that_partition() {
    let topic = create_topic(3).await;
    let batch: Vec<_> = (0..30u32).map(|n| ((n % 3) as i32, "k", json_bytes(&sample("7", n)))).collect();
    produce(&topic, &batch).await;
    let app = TestApp::reading_from_earliest(&topic).await;

    let mut one = app.viewer().await;
    let mut all = app.viewer().await;
    one.subscribe(&topic, Some(vec![1])).await;
    all.subscribe(&topic, None).await;
    all.until("all 30 records", |seen| records(seen, "live").len() >= 30).await;
    one.until("partition 1's 10 records", |seen| records(seen, "live").len() >= 10).await;

    // Records for another partition, then a marker on partition 1: by the time the
    // marker arrives, the others would have arrived too had they been sent.
    produce(&topic, &[(0, "k", json_bytes(&sample("7", 500)))]).await;
    all.until("the partition 0 record", |seen| records(seen, "live").len() >= 31).await;
    produce(&topic, &[(1, "k", json_bytes(&sample("7", 501)))]).await;
    one.until("the marker", |seen| records(seen, "live").iter().any(|(_, _, r)| r["speed_kph"] == 601.0)).await;

    let partitions: Vec<i64> = records(&one.seen, "live").iter().map(|(_, p, _)| *p).collect();
    assert_eq!(partitions, vec![1; 11]);
    let subscribed = one.seen.iter().find(|m| m["type"] == "subscribed").unwrap();
    assert_eq!(subscribed["selection"][0]["partitions"], serde_json::json!([1]));
}

#[tokio::test]
async fn stats_show_the_group_its_assignment_and_the_partition_offsets() {
    let topic = create_topic(2).await;
    let batch: Vec<_> = (0..10u32).map(|n| ((n % 2) as i32, "k", json_bytes(&sample("7", n)))).collect();
    produce(&topic, &batch).await;
    let group = unique("g");
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &group, "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    let hello = viewer.next_of("hello", |_| true).await;
    assert_eq!(hello["group_id"], group.as_str());

    let stats = viewer
        .next_of("stats", |m| {
            m["totals"]["consumed"] == 10
                && m["partitions"].as_array().is_some_and(|ps| ps.iter().all(|p| p["lag"] == 0 && p["high"] == 5))
        })
        .await;
    assert_eq!(stats["kafka"]["reachable"], true);
    assert_eq!(stats["group"]["id"], group.as_str());
    let assigned: Vec<i64> =
        stats["group"]["assignment"].as_array().unwrap().iter().map(|a| a["partition"].as_i64().unwrap()).collect();
    assert_eq!(assigned, vec![0, 1]);
    let p0 = &stats["partitions"][0];
    assert_eq!((p0["low"].as_i64(), p0["last_offset"].as_i64(), p0["consumed"].as_i64()), (Some(0), Some(4), Some(5)));
}

#[tokio::test]
async fn choosing_a_topic_the_group_does_not_read_yet_adds_it_to_the_subscription() {
    let (configured, chosen) = (create_topic(1).await, create_topic(1).await);
    produce(&chosen, &[(0, "5", json_bytes(&sample("5", 1)))]).await;
    let app =
        TestApp::spawn(&["--topics", &configured, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"])
            .await;
    let mut viewer = app.viewer().await;
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;

    viewer.subscribe(&chosen, None).await;
    viewer.until("the chosen topic's record", |seen| !records(seen, "live").is_empty()).await;

    let (topic, _, record) = &records(&viewer.seen, "live")[0];
    assert_eq!((topic.as_str(), record["car"].as_str()), (chosen.as_str(), Some("5")));
    let stats = viewer.next_of("stats", |m| m["group"]["topics"].as_array().is_some_and(|t| t.len() == 2)).await;
    assert!(stats["group"]["topics"].as_array().unwrap().iter().any(|t| t == configured.as_str()));
}

#[tokio::test]
async fn a_viewer_of_a_just_started_server_sees_the_last_minute_at_once() {
    // Arrange: records from two minutes ago and from ten seconds ago, then a server whose
    // group starts at the live edge, keeping 60 s of history.
    let topic = create_topic(1).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let old: Vec<_> = (0..5u32).map(|n| (0, "3", json_bytes(&sample("3", n)))).collect();
    let recent: Vec<_> = (5..25u32).map(|n| (0, "3", json_bytes(&sample("3", n)))).collect();
    produce_at(&topic, Some(now - 120_000), &old).await;
    let recent_offsets = produce_at(&topic, Some(now - 10_000), &recent).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--history-secs", "60"]).await;

    // Act
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;

    // Assert: the last minute arrives without anything new being produced.
    viewer.until("the last minute", |seen| records(seen, "live").len() >= 20).await;
    let offsets: Vec<i64> =
        records(&viewer.seen, "live").iter().map(|(_, _, r)| r["offset"].as_i64().unwrap()).collect();
    assert_eq!(offsets, recent_offsets);

    // And new records follow on, once each.
    produce(&topic, &[(0, "3", json_bytes(&sample("3", 99)))]).await;
    viewer.until("the new record", |seen| records(seen, "live").len() >= 21).await;
    assert_eq!(records(&viewer.seen, "live")[20].2["offset"], 25);
}
