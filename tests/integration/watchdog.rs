//! The group consumer's watchdog: a consumer that stops fetching while records wait (as
//! librdkafka's can after a broker restart) is replaced, and the live stream goes on with
//! no gap. The stall is injected with a fail point, so this needs `--features failpoints`
//! (`make test` turns it on).

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn a_stalled_group_consumer_is_replaced_and_the_live_stream_resumes_without_a_gap() {
    // Arrange: a server reading a topic that a simulator keeps writing to.
    let topic = create_topic(2).await;
    let group = unique("g");
    let _producer = simulate_live(&brokers(), &topic, &["--cars", "4", "--hz", "10"]);
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &group, "--stuck-timeout-secs", "3"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("live data", |seen: &[Value]| records(seen, "live").len() >= 20).await;

    // Act: the consumer stops fetching, though Kafka is fine and records keep coming.
    fail::cfg("group-consumer-stall", &format!("return({group})")).unwrap();

    // Assert: the watchdog notices, says why, and a new consumer takes over.
    let restarted = viewer.next_of("stats", |m| m["group"]["consumer_restarts"] == 1).await;
    fail::remove("group-consumer-stall");
    let why = restarted["group"]["last_restart"].as_str().unwrap();
    assert!(why.contains("no progress for") && why.contains(&topic), "{why}");
    let before = records(&viewer.seen, "live").len();
    viewer.until("live data after the restart", |seen| records(seen, "live").len() >= before + 40).await;

    // Every offset from the first live record on arrived once, in order: the new consumer
    // started where the stuck one stopped.
    for (partition, offsets) in offsets_by_partition(&records(&viewer.seen, "live")) {
        let expected: Vec<i64> = (offsets[0]..offsets[0] + offsets.len() as i64).collect();
        assert_eq!(offsets, expected, "partition {partition}");
    }
    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("trackside_consumer_restarts_total 1"), "{metrics}");
    app.shutdown().await;
}
