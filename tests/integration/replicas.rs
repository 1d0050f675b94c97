//! Running several replicas, as behind a load balancer: each shows every partition live
//! whichever one a viewer reaches, a replica lost costs no partition, and topics no
//! viewer watches leave the subscription and come back with their history.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// How soon a viewer must see every partition live.
const WITHIN: Duration = Duration::from_secs(10);

fn partitions_of(stats: &Value, field: &str) -> BTreeSet<i64> {
    stats["group"][field].as_array().unwrap().iter().map(|a| a["partition"].as_i64().unwrap()).collect()
}

/// The partitions of records a viewer received after its `from`th message.
fn partitions_since(viewer: &Viewer, from: usize) -> BTreeSet<i64> {
    records(&viewer.seen[from..], "live").iter().map(|(_, p, _)| *p).collect()
}

/// Waits until `viewer` has received records of all six partitions after its `from`th
/// message, and fails if that takes past `deadline`.
async fn all_six_by(viewer: &mut Viewer, from: usize, deadline: Instant, what: &str) {
    let left = deadline.saturating_duration_since(Instant::now());
    let six =
        |seen: &[Value]| records(&seen[from..], "live").iter().map(|(_, p, _)| *p).collect::<BTreeSet<_>>().len() == 6;
    if tokio::time::timeout(left, viewer.until(what, six)).await.is_err() {
        panic!("{what}: only partitions {:?} within {WITHIN:?}", partitions_since(viewer, from));
    }
}

/// Three `trackside serve` processes with identical flags, a viewer subscribed on each,
/// and then a simulator writing to the six partitions of their topic.
struct ThreeReplicas {
    topic: String,
    servers: Vec<ServeProcess>,
    viewers: Vec<Viewer>,
    /// Stops the simulator when dropped: bind it for as long as records should flow.
    _simulator: Running,
    /// When the simulator started.
    started: Instant,
}

async fn three_replicas() -> ThreeReplicas {
    let topic = create_topic(6).await;
    let group = unique("g");
    let brokers = brokers();
    let args = ["--brokers", brokers.as_str(), "--topics", topic.as_str(), "--group-id", group.as_str()];
    let servers: Vec<ServeProcess> = (0..3).map(|_| ServeProcess::start(&args)).collect();
    let mut viewers = Vec::new();
    for server in &servers {
        let mut viewer = Viewer::connect(&server.ws_url()).await;
        viewer.subscribe(&topic, None).await;
        viewer.next_of("subscribed", |_| true).await;
        viewers.push(viewer);
    }
    let simulator = simulate_live(&brokers, &topic, &["--cars", "20", "--hz", "10"]);
    ThreeReplicas { topic, servers, viewers, _simulator: simulator, started: Instant::now() }
}

/// Waits until the group has settled on `servers`: each owns some partitions, no two the
/// same, all six between them, and each follows exactly the ones it does not own.
async fn settled(servers: &[&ServeProcess]) -> Vec<BTreeSet<i64>> {
    eventually("the group to share the six partitions and each replica to follow the rest", || async {
        let mut owned = Vec::new();
        for server in servers {
            let stats = server.get_json("/api/stats").await;
            let (own, follow) = (partitions_of(&stats, "assignment"), partitions_of(&stats, "followed"));
            if own.is_empty() || !own.is_disjoint(&follow) || own.union(&follow).count() != 6 {
                return Err(format!("owns {own:?}, follows {follow:?}"));
            }
            owned.push(own);
        }
        let all: BTreeSet<i64> = owned.iter().flatten().copied().collect();
        if owned.iter().map(BTreeSet::len).sum::<usize>() == 6 && all.len() == 6 {
            Ok(owned)
        } else {
            Err(format!("{owned:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn three_replicas_with_identical_flags_each_show_every_partition_live_within_10_s() {
    let ThreeReplicas { servers, mut viewers, started, _simulator: _running, .. } = three_replicas().await;

    // Each viewer receives live records of all six partitions, whichever replica it reached.
    for (i, viewer) in viewers.iter_mut().enumerate() {
        all_six_by(viewer, 0, started + WITHIN, &format!("the viewer of replica {i}")).await;
    }

    // The group is real: the three share the partitions, and each follows the rest.
    settled(&servers.iter().collect::<Vec<_>>()).await;
    // The page's stats say who reads each partition, with its lag.
    let stats = servers[0].get_json("/api/stats").await;
    for row in stats["partitions"].as_array().unwrap() {
        assert!(["group", "follower"].contains(&row["read_by"].as_str().unwrap_or("")), "{row}");
        assert!(row["lag"].is_i64(), "{row}");
    }
    // Rebalances and the follower's work are normal: nothing logged as a warning.
    for server in &servers {
        let log = server.stderr();
        assert!(!log.contains(" WARN ") && !log.contains("ERROR"), "{log}");
    }
}

#[tokio::test]
async fn a_replica_killed_costs_no_partition_and_its_viewer_sees_all_six_on_another() {
    let ThreeReplicas { topic, mut servers, mut viewers, started, _simulator: _running } = three_replicas().await;
    for (i, viewer) in viewers.iter_mut().enumerate() {
        all_six_by(viewer, 0, started + WITHIN + PATIENCE, &format!("the viewer of replica {i}")).await;
    }
    settled(&servers.iter().collect::<Vec<_>>()).await;

    // Replica 0 dies without a word; its viewer reconnects to replica 1 and sees all six.
    servers.remove(0).kill9();
    let killed = Instant::now();
    let mut moved = Viewer::connect(&servers[0].ws_url()).await;
    moved.subscribe(&topic, None).await;
    let from = moved.seen.len();
    all_six_by(&mut moved, from, killed + WITHIN, "the viewer that moved to replica 1").await;

    // Once the group notices (its session timeout), the survivors own all six between them,
    // and every partition still reaches the viewers live.
    settled(&servers.iter().collect::<Vec<_>>()).await;
    let from = moved.seen.len();
    all_six_by(&mut moved, from, Instant::now() + WITHIN, "the moved viewer, after the takeover").await;
    let stayed = &mut viewers[2];
    let from = stayed.seen.len();
    all_six_by(stayed, from, Instant::now() + WITHIN, "the viewer of replica 2, after the takeover").await;

    // The viewer that stayed on replica 2 through it all got every offset once, in order.
    for (partition, offsets) in offsets_by_partition(&records(&stayed.seen, "live")) {
        let expected: Vec<i64> = (offsets[0]..offsets[0] + offsets.len() as i64).collect();
        assert_eq!(offsets, expected, "partition {partition}: a gap or a repeat");
    }
}

/// Subscribes `viewer` to `topic` and returns the offsets per partition it receives after
/// the server's `subscribed`, once they are `expected` or `within` has passed.
async fn offsets_after_subscribing(
    viewer: &mut Viewer,
    topic: &str,
    expected: &BTreeMap<i64, Vec<i64>>,
    within: Duration,
) -> BTreeMap<i64, Vec<i64>> {
    let from = viewer.seen.len();
    viewer.subscribe(topic, None).await;
    let deadline = tokio::time::Instant::now() + within;
    let got = |seen: &[Value]| {
        let Some(at) = seen[from..].iter().position(|m| m["type"] == "subscribed") else { return BTreeMap::new() };
        offsets_by_partition(&records(&seen[from + at..], "live"))
    };
    while got(&viewer.seen) != *expected {
        match tokio::time::timeout_at(deadline, viewer.ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => viewer.seen.push(serde_json::from_str(t.as_str()).unwrap()),
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("the socket ended: {other:?}"),
            Err(_) => break,
        }
    }
    got(&viewer.seen)
}

#[tokio::test]
async fn an_unwatched_topic_is_dropped_after_the_idle_time_and_comes_back_with_its_history() {
    let (pinned, watched) = (create_topic(1).await, create_topic(2).await);
    let batch = |from: u32| {
        (from..from + 3).flat_map(|n| [0, 1].map(|p| (p, "1", json_bytes(&sample("1", n))))).collect::<Vec<_>>()
    };
    produce(&watched, &batch(0)).await;
    let app = TestApp::spawn(&["--topics", &pinned, "--group-id", &unique("g"), "--topic-idle-secs", "2"]).await;
    let topics = |stats: &Value| -> Vec<String> {
        stats["group"]["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
    };

    // A viewer watches the topic: it is read, with its history.
    let mut viewer = app.viewer().await;
    viewer.subscribe(&watched, None).await;
    viewer.until("the watched topic's records", |seen| records(seen, "live").len() >= 6).await;
    assert!(topics(&app.get_json("/api/stats").await).contains(&watched));

    // It turns to the pinned topic: the other leaves the subscription 2 s later, rows too.
    viewer.subscribe(&pinned, None).await;
    let unwatched = Instant::now();
    eventually("the unwatched topic to leave the subscription", || async {
        let stats = app.get_json("/api/stats").await;
        let rows = stats["partitions"].as_array().unwrap().iter().filter(|r| r["topic"] == watched.as_str()).count();
        if topics(&stats) == vec![pinned.clone()] && rows == 0 { Ok(()) } else { Err(format!("{stats}")) }
    })
    .await;
    let took = unwatched.elapsed();
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(5), "left after {took:?}");

    // Records arrive meanwhile; watched again, the topic comes back with all of them.
    produce(&watched, &batch(3)).await;
    let expected: BTreeMap<i64, Vec<i64>> = [(0, (0..6).collect()), (1, (0..6).collect())].into();
    let mut last = BTreeMap::new();
    let deadline = Instant::now() + PATIENCE;
    while last != expected && Instant::now() < deadline {
        // The history is filled once the group is back on the topic; each subscribe
        // is sent the history held at that moment.
        last = offsets_after_subscribing(&mut viewer, &watched, &expected, Duration::from_secs(1)).await;
    }
    assert_eq!(last, expected, "the history of the topic watched again");
    assert!(topics(&app.get_json("/api/stats").await).contains(&watched));
}
