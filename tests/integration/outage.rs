//! A broker that is not there when the server starts: the server starts anyway, says so,
//! and streams once the broker comes up, with no restart. Runs a second, private broker
//! on ports of its own, so the shared one is never disturbed.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn a_server_started_before_its_broker_connects_when_the_broker_comes_up() {
    // Arrange: a server pointed at a broker that is not running yet.
    let broker = PrivateBroker::reserve();
    let brokers = broker.brokers();
    let app = TestApp::spawn(&[
        "--brokers",
        &brokers,
        "--topics",
        "laps",
        "--group-id",
        &unique("g"),
        "-X",
        "auto.offset.reset=earliest",
    ])
    .await;
    let mut viewer = app.viewer().await;
    let down = viewer.next_of("stats", |_| true).await;
    assert_eq!(down["kafka"]["reachable"], false);
    assert!(down["kafka"]["error"].as_str().is_some_and(|e| !e.is_empty()), "{down}");

    // Act: the broker comes up (auto-creating the topic on first write), and a record arrives.
    broker.kafka_sh("up");
    simulate_into(&brokers, "laps", &["--partitions", "1", "--cars", "2", "--count", "20"]);

    // Assert: the same server, never restarted, reports Kafka and streams the records.
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;
    viewer.subscribe("laps", None).await;
    viewer.until("the records", |seen: &[Value]| records(seen, "live").len() >= 20).await;
    // Leave the group while the broker is still there (it goes when `broker` drops).
    app.shutdown().await;
}

#[tokio::test]
async fn after_a_broker_is_killed_and_restarted_live_data_resumes_without_a_restart() {
    // Arrange: a private broker, a producer writing to it all along, and a server.
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = broker.brokers();
    let _producer = simulate_live(&brokers, "laps", &["--partitions", "2", "--cars", "4", "--hz", "10"]);
    let app = TestApp::spawn(&["--brokers", &brokers, "--topics", "laps", "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe("laps", None).await;
    viewer.until("live data", |seen: &[Value]| records(seen, "live").len() >= 10).await;

    // Act: kill -9, as a crash would, and keep it down for a while.
    broker.kill9();
    let down = viewer.next_of("stats", |m| m["kafka"]["reachable"] == false).await;
    assert!(down["kafka"]["error"].as_str().is_some_and(|e| !e.is_empty()));
    // The outage itself, then the restart, while the viewer goes on reading (and answering
    // the server's pings: a viewer silent for --idle-timeout-secs is closed, and a broker
    // can take that long to start on a busy machine).
    let back_at = std::time::Instant::now() + std::time::Duration::from_secs(5);
    viewer.until("five seconds of outage", |_| std::time::Instant::now() >= back_at).await;
    let before = records(&viewer.seen, "live").len();
    let restart = tokio::task::spawn_blocking(move || {
        broker.kafka_sh("up");
        broker
    });

    while !restart.is_finished() {
        let a_second = std::time::Instant::now() + std::time::Duration::from_secs(1);
        viewer.until("the broker to start again", |_| std::time::Instant::now() >= a_second).await;
    }
    let _broker = restart.await.unwrap();

    // Assert: the page hears Kafka is back, and new records stream again.
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;
    viewer.until("live data after the restart", |seen| records(seen, "live").len() >= before + 10).await;
    app.shutdown().await;
}

#[tokio::test]
async fn sigterm_with_the_broker_gone_still_exits_promptly() {
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = broker.brokers();
    let topic = "laps";
    let group = unique("g");
    // Offsets stay uncommitted until shutdown, so there is something to commit then.
    let args = ["--brokers", brokers.as_str(), "--topics", topic, "--group-id", group.as_str()];
    let server = ServeProcess::start(&[&args[..], &["-X", "auto.commit.interval.ms=600000"]].concat());
    // Make it a member of the group that has consumed records: the topic exists once
    // something is written, and the group reads what is written after it joins.
    let simulate = || simulate_into(&brokers, topic, &["--count", "10"]);
    simulate();
    eventually("the server to join the group", || async {
        let stats = server.get_json("/api/stats").await;
        if stats["group"]["assignment"].as_array().is_none_or(|a| a.is_empty()) { Err(stats) } else { Ok(()) }
    })
    .await;
    simulate();
    eventually("the group to consume what was written after it joined", || async {
        let stats = server.get_json("/api/stats").await;
        if stats["totals"]["consumed"].as_u64().unwrap_or(0) < 10 { Err(stats) } else { Ok(()) }
    })
    .await;

    // The broker dies; then the server is asked to stop.
    broker.kill9();
    let exit = server.terminate().await;

    // It exits by itself within 5 s, without a broker to say goodbye to.
    assert!(exit.status.success(), "{:?}: {}", exit.status, exit.stderr);
    assert!(exit.took < std::time::Duration::from_secs(5), "took {:?}: {}", exit.took, exit.stderr);
}

#[tokio::test]
async fn a_replay_across_a_broker_crash_delivers_every_offset_exactly_once_in_order() {
    // Arrange: a private broker holding 30,000 records in 3 partitions, and a replay
    // paused part-way, so the crash lands in the middle of it.
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = broker.brokers();
    simulate_into(&brokers, "laps", &["--partitions", "3", "--count", "30000"]);
    let app = TestApp::spawn(&["--brokers", &brokers, "--topics", "laps", "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe("laps", None).await;
    viewer.next_of("subscribed", |_| true).await;
    viewer.send(serde_json::json!({"type": "replay", "from": "earliest"})).await;
    viewer.send(serde_json::json!({"type": "pause"})).await;
    viewer.next_of("replay", |m| m["state"] == "paused").await;
    let at_pause = records(&viewer.seen, "replay").len();
    assert!(at_pause < 30_000, "paused before the end");

    // Act: kill -9, resume while the broker is down, then bring it back.
    broker.kill9();
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == false).await;
    viewer.send(serde_json::json!({"type": "resume"})).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await; // the outage itself
    broker.kafka_sh("up");

    // Assert: the replay finishes, and the viewer got every offset once, in order: no
    // loss, no duplicate, no skip, no reordering, across the crash.
    let done = |seen: &[Value]| seen.iter().any(|m| m["type"] == "replay" && m["state"] == "caught_up");
    viewer.until("the end of the replay", done).await;
    let by_partition = offsets_by_partition(&records(&viewer.seen, "replay"));
    assert_eq!(by_partition.len(), 3);
    for (partition, offsets) in &by_partition {
        assert_eq!(offsets, &(0..offsets.len() as i64).collect::<Vec<_>>(), "partition {partition}");
    }
    assert_eq!(by_partition.values().map(Vec::len).sum::<usize>(), 30_000);
    app.shutdown().await;
}

#[tokio::test]
async fn a_server_started_while_its_broker_is_down_fills_its_history_once_the_broker_is_back() {
    // Arrange: twenty records on a broker that is then stopped.
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = broker.brokers();
    simulate_into(&brokers, "laps", &["--partitions", "1", "--cars", "2", "--count", "20"]);
    broker.kafka_sh("down");

    // Act: the server starts without its broker, then the broker comes back. Nothing new
    // is produced, so only reading the history window when it joins can show the twenty.
    let app = TestApp::spawn(&["--brokers", &brokers, "--topics", "laps", "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == false).await;
    broker.kafka_sh("up");

    // Assert: a page opened now is not empty.
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;
    let mut late = app.viewer().await;
    late.subscribe("laps", None).await;
    late.until("the history", |seen: &[Value]| records(seen, "live").len() >= 20).await;
    let offsets = offsets_by_partition(&records(&late.seen, "live"));
    assert_eq!(offsets[&0], (0..20).collect::<Vec<i64>>());
    app.shutdown().await;
}
