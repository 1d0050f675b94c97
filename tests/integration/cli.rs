//! The command line as a user meets it.

use std::process::Command;

#[test]
fn a_bad_flag_prints_one_line_and_exits_2() {
    for args in
        [&["serve", "--no-such-flag"][..], &["simulate", "--hz", "fast"], &["serve", "-X", "novalue"], &["warp"]]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_trackside")).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[test]
fn help_and_version_succeed() {
    let help = Command::new(env!("CARGO_BIN_EXE_trackside")).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout).unwrap().contains("simulate"));
}

#[tokio::test]
async fn sigterm_under_load_closes_viewers_with_1001_commits_leaves_the_group_and_exits_within_5_s() {
    use rdkafka::{
        ClientConfig, Offset, TopicPartitionList,
        consumer::{BaseConsumer, Consumer},
    };

    use crate::helpers::*;

    let topic = create_topic(1).await;
    let group = unique("g");
    let brokers = brokers();
    // Load: 1,000 records a second arriving, and a viewer replaying.
    let _producer = simulate_live(&brokers, &topic, &["--cars", "20", "--hz", "50"]);
    let args = ["--brokers", brokers.as_str(), "--topics", topic.as_str(), "--group-id", group.as_str()];
    let server = ServeProcess::start(&args);
    let (replaying, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut replaying = Viewer { ws: replaying, seen: Vec::new() };
    replaying.subscribe(&topic, None).await;
    replaying.send(serde_json::json!({"type": "replay", "from": "earliest"})).await;
    replaying.next_of("replay", |_| true).await;
    let (ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut viewer = Viewer { ws, seen: Vec::new() };
    // Wait until the server is a member of the group and has consumed records, so there is
    // something to leave and something to commit.
    viewer
        .next_of("stats", |stats| {
            let member = stats["group"]["assignment"].as_array().is_some_and(|a| !a.is_empty());
            member && stats["totals"]["consumed"].as_u64().is_some_and(|n| n > 0)
        })
        .await;

    let exit = tokio::spawn(server.terminate());

    // The viewer is told the server is going away.
    let close = viewer.next_of("close", |_| true).await;
    assert_eq!(close["code"], 1001, "{close}");
    // The process exits by itself with success within 5 s, having left the group.
    let exit = exit.await.unwrap();
    assert!(exit.status.success(), "{:?}: {}", exit.status, exit.stderr);
    assert!(exit.took < std::time::Duration::from_secs(5), "took {:?}", exit.took);
    assert!(exit.stderr.contains("left the consumer group"), "{}", exit.stderr);
    // What it consumed is committed: a restart would carry on from there.
    let member: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", &brokers).set("group.id", &group).create().unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(&topic, 0);
    let committed = member.committed_offsets(tpl, PATIENCE).unwrap();
    let offset = committed.elements()[0].offset();
    assert!(matches!(offset, Offset::Offset(o) if o > 0), "nothing committed: {offset:?}");
}

#[test]
fn a_property_librdkafka_refuses_stops_serve_before_it_offers_a_url() {
    let out = Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["serve", "--listen", "127.0.0.1:0", "-X", "no.such.property=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().is_empty(), "no URL for a server that will not run");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("No such configuration property: \"no.such.property\""), "{stderr}");
}
