//! A broker that is not there when the server starts: the server starts anyway, says so,
//! and streams once the broker comes up, with no restart. Runs a second, private broker
//! on ports of its own, so the shared one is never disturbed.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::helpers::*;

/// A private broker managed by scripts/kafka.sh; stopped and removed on drop.
struct PrivateBroker {
    port: u16,
    state: PathBuf,
}

impl PrivateBroker {
    /// Two free neighbouring ports: the broker's and its controller's.
    fn reserve() -> PrivateBroker {
        loop {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
                let state = std::env::temp_dir().join(unique("trackside-broker"));
                return PrivateBroker { port, state };
            }
        }
    }

    fn kafka_sh(&self, command: &str) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg(command)
            .env("TRACKSIDE_KAFKA_PORT", self.port.to_string())
            .env("TRACKSIDE_KAFKA_STATE", &self.state)
            .env("TRACKSIDE_KAFKA_HEAP_OPTS", "-Xms256m -Xmx512m")
            .output()
            .unwrap();
        assert!(out.status.success(), "kafka.sh {command}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kafka_sh("down");
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

#[tokio::test]
async fn a_server_started_before_its_broker_connects_when_the_broker_comes_up() {
    // Arrange: a server pointed at a broker that is not running yet.
    let broker = PrivateBroker::reserve();
    let brokers = format!("127.0.0.1:{}", broker.port);
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
    let brokers = format!("127.0.0.1:{}", broker.port);
    let mut producer = Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["simulate", "--brokers", &brokers, "--topic", "laps", "--partitions", "2", "--cars", "4", "--hz", "10"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let app = TestApp::spawn(&["--brokers", &brokers, "--topics", "laps", "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe("laps", None).await;
    viewer.until("live data", |seen: &[Value]| records(seen, "live").len() >= 10).await;

    // Act: kill -9, as a crash would, and keep it down for a while.
    let pid = std::fs::read_to_string(broker.state.join("broker.pid")).unwrap();
    assert!(Command::new("kill").args(["-9", pid.trim()]).status().unwrap().success());
    let down = viewer.next_of("stats", |m| m["kafka"]["reachable"] == false).await;
    assert!(down["kafka"]["error"].as_str().is_some_and(|e| !e.is_empty()));
    tokio::time::sleep(std::time::Duration::from_secs(5)).await; // the outage itself
    let before = records(&viewer.seen, "live").len();
    broker.kafka_sh("up");

    // Assert: the page hears Kafka is back, and new records stream again.
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;
    viewer.until("live data after the restart", |seen| records(seen, "live").len() >= before + 10).await;
    let _ = producer.kill();
    let _ = producer.wait();
    app.shutdown().await;
}

#[tokio::test]
async fn sigterm_with_the_broker_gone_still_exits_promptly() {
    let broker = PrivateBroker::reserve();
    broker.kafka_sh("up");
    let brokers = format!("127.0.0.1:{}", broker.port);
    let topic = "laps";
    let group = unique("g");
    // Offsets stay uncommitted until shutdown, so there is something to commit then.
    let args = ["--brokers", brokers.as_str(), "--topics", topic, "--group-id", group.as_str()];
    let (mut server, url) =
        serve_process(&[&args[..], &["-X", "auto.commit.interval.ms=600000"]].concat(), std::process::Stdio::null());
    // Make it a member of the group that has consumed records: the topic exists once
    // something is written, and the group reads what is written after it joins.
    let simulate = || simulate_into(&brokers, topic, &["--count", "10"]);
    simulate();
    let stats = |url: String| async move {
        let v: Value = reqwest::get(format!("{url}/api/stats")).await.unwrap().json().await.unwrap();
        v
    };
    let deadline = std::time::Instant::now() + PATIENCE;
    while stats(url.clone()).await["group"]["assignment"].as_array().is_none_or(|a| a.is_empty()) {
        assert!(std::time::Instant::now() < deadline, "never joined the group");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    simulate();
    while stats(url.clone()).await["totals"]["consumed"].as_u64().unwrap_or(0) < 10 {
        assert!(std::time::Instant::now() < deadline, "never consumed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The broker dies; then the server is asked to stop.
    let pid = std::fs::read_to_string(broker.state.join("broker.pid")).unwrap();
    assert!(Command::new("kill").args(["-9", pid.trim()]).status().unwrap().success());
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());

    // It exits by itself, without a broker to say goodbye to.
    let waited = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = server.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = server.kill();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    let status = waited.await.unwrap().expect("the server did not exit with its broker gone");
    assert!(status.success(), "{status:?}");
}
