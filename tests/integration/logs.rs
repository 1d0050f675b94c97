//! Logs an operator can trust: what a server does in a normal day (start, a viewer
//! watching live, a replay, the viewer leaving, shutdown, a restart that backfills, a
//! second replica joining the group) logs nothing at WARN or ERROR, and `--log-format json` writes one JSON
//! object a line.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_normal_day_logs_nothing_at_warn_or_error_and_json_logs_are_one_object_a_line() {
    let topic = create_topic(3).await;
    let records: Vec<_> = (0..30u32).map(|n| ((n % 3) as i32, "1", json_bytes(&sample("1", n)))).collect();
    produce(&topic, &records).await;
    let group = unique("g");
    let brokers = brokers();
    let args = ["--brokers", brokers.as_str(), "--topics", topic.as_str(), "--group-id", group.as_str()];
    let server = ServeProcess::start(&[&args[..], &["--log-format", "json"]].concat());

    // A viewer watches live, replays from the start to the live edge, then leaves.
    let mut viewer = Viewer::connect(&server.ws_url()).await;
    viewer.subscribe(&topic, None).await;
    viewer.until("the history", |seen| records_of(seen, "live") >= 30).await;
    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.next_of("replay", |m| m["state"] == "caught_up").await;
    viewer.ws.close(None).await.unwrap();
    let first = server.terminate().await;

    // The next server of the group resumes at the commits and backfills the history
    // before them; a second replica joins it: a rebalance, and the follower at work.
    let resumed = ServeProcess::start(&args);
    eventually("the history before the commits to be backfilled", || {
        std::future::ready(resumed.stderr().contains("history backfilled"))
    })
    .await;
    let joined = ServeProcess::start(&args);
    eventually("the second replica to own a share", || async {
        joined.get_json("/api/stats").await["group"]["assignment"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    let (joined, resumed) = (joined.terminate().await, resumed.terminate().await);

    let lines: Vec<Value> = first
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON object ({e}): {l}")))
        .collect();
    let loud: Vec<&Value> =
        lines.iter().filter(|l| ["WARN", "ERROR"].contains(&l["level"].as_str().unwrap())).collect();
    assert!(loud.is_empty(), "logged as warnings or errors: {loud:#?}");
    for said in ["starting", "group rebalance: assigning", "left the consumer group", "stopped"] {
        assert!(lines.iter().any(|l| l["message"] == said), "no `{said}` in {}", first.stderr);
    }
    assert!(lines.iter().all(|l| l["timestamp"].is_string() && l["target"].is_string()));
    // The others, in text, say no more.
    for text in [resumed.stderr, joined.stderr] {
        assert!(!text.contains(" WARN ") && !text.contains("ERROR"), "{text}");
    }
}

fn records_of(seen: &[Value], mode: &str) -> usize {
    records(seen, mode).len()
}
