//! A replay that names its channels: each record carries those and `offset`, `ts`, `car`
//! (and `driver`) only, in both wire forms, through its seeks; a new replay sets the
//! choice again; a bad list is refused and the connection lives on.

use serde_json::{Value, json};

use crate::helpers::*;

/// Record `n` of car 3: v1 fields, a tire set, a driver and channels beyond them.
fn full(n: u32) -> Value {
    let f = f64::from(n);
    json!({"car": "3", "ts": 1_700_000_000_000i64 + i64::from(n) * 100, "driver": "B. Lee",
           "speed_kph": 150.5 + f, "rpm": 9000 + n, "lap": 2, "gear": 4, "throttle": 0.5, "x": 10.0 + f,
           "tire_temp_c": {"fl": 90, "fr": 91, "rl": 92, "rr": 93},
           "brake_temp_c": {"fl": 400.25 + f, "fr": 410}, "g": {"lat": 1.5}})
}

/// What a viewer that chose `speed_kph` and `brake_temp_c.fl` must get of [`full`]`(n)`.
fn chosen(offset: i64, n: u32) -> Value {
    let f = f64::from(n);
    json!({"offset": offset, "car": "3", "ts": 1_700_000_000_000i64 + i64::from(n) * 100, "driver": "B. Lee",
           "speed_kph": 150.5 + f, "channels": {"brake_temp_c.fl": 400.25 + f}})
}

fn replayed(viewer: &Viewer) -> Vec<Value> {
    records(&viewer.seen, "replay").into_iter().map(|(_, _, r)| r).collect()
}

async fn only_the_chosen_channels_are_replayed(columnar: bool) {
    // Arrange
    let topic = create_topic(1).await;
    let offsets = produce(&topic, &(0..4).map(|n| (0, "3", json_bytes(&full(n)))).collect::<Vec<_>>()).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let ws = app.url("/ws").replacen("http", "ws", 1);
    let mut viewer = if columnar { Viewer::connect_columnar(&ws).await } else { app.viewer().await };
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    let want: Vec<Value> = offsets.iter().zip(0..).map(|(&o, n)| chosen(o, n)).collect();

    // Act: a replay of two channels, then a seek within it.
    let channels = json!(["speed_kph", "brake_temp_c.fl"]);
    viewer.send(json!({"type": "replay", "from": "earliest", "id": 1, "channels": channels})).await;
    viewer.next_of("replay", |m| m["id"] == 1 && m["state"] == "caught_up").await;
    let first = replayed(&viewer);
    viewer.seen.clear();
    viewer
        .send(json!({"type": "seek", "to": {"offsets": [{"topic": topic, "partition": 0, "offset": offsets[2]}]},
                       "id": 2}))
        .await;
    viewer.next_of("replay", |m| m["id"] == 2 && m["state"] == "caught_up").await;
    let after_seek = replayed(&viewer);
    viewer.seen.clear();
    // A new replay without `channels` carries every channel again.
    viewer.send(json!({"type": "replay", "from": "earliest", "id": 3})).await;
    viewer.next_of("replay", |m| m["id"] == 3 && m["state"] == "caught_up").await;
    let every = replayed(&viewer);

    // Assert
    let wire = if columnar { "columnar" } else { "json" };
    assert_eq!(first, want, "{wire}: the chosen channels, exactly");
    assert_eq!(after_seek, want[2..], "{wire}: a seek keeps the choice");
    assert_eq!(every.len(), 4, "{wire}: {every:?}");
    assert_eq!((every[1]["rpm"].as_f64(), every[1]["x"].as_f64()), (Some(9001.0), Some(11.0)), "{wire}");
    assert_eq!(every[1]["tire_temp_c"]["rr"], json!(93.0), "{wire}");
    assert_eq!(every[1]["channels"]["g.lat"], json!(1.5), "{wire}: every channel again");
}

#[tokio::test]
async fn a_replay_naming_its_channels_carries_exactly_those_as_json_even_after_a_seek() {
    only_the_chosen_channels_are_replayed(false).await;
}

#[tokio::test]
async fn a_replay_naming_its_channels_carries_exactly_those_in_columnar_frames_even_after_a_seek() {
    only_the_chosen_channels_are_replayed(true).await;
}

#[tokio::test]
async fn a_bad_channels_list_for_a_replay_is_refused_and_the_connection_lives_on() {
    let topic = create_topic(1).await;
    produce(&topic, &[(0, "3", json_bytes(&full(0)))]).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    let too_many: Vec<String> = (0..513).map(|i| format!("c{i}")).collect();
    for (channels, says) in [
        (json!(too_many), "`channels` names 1 to 512 channels"),
        (json!([]), "`channels` names 1 to 512 channels"),
        (json!(["n".repeat(129)]), "a channel name is 1 to 128 bytes"),
        (json!(["lap", "speed_kph", "lap"]), "`lap` twice (at 2)"),
        (json!(["lap", 7]), "cannot read message"),
    ] {
        viewer.send(json!({"type": "replay", "from": "earliest", "channels": channels})).await;
        let refused = viewer.next_of("error", |_| true).await;
        assert_eq!((refused["request"].as_str(), refused["error"].as_str()), (Some("replay"), Some("bad_request")));
        assert!(refused["message"].as_str().unwrap().contains(says), "{channels}: {refused}");
    }
    viewer.send(json!({"type": "replay", "from": "earliest", "id": 4, "channels": ["lap"]})).await;
    viewer.next_of("replay", |m| m["id"] == 4 && m["state"] == "caught_up").await;
    let got = replayed(&viewer);
    assert_eq!(got.len(), 1, "the socket still answers: {got:?}");
    assert_eq!(got[0]["lap"], json!(2));
    assert!(got[0].get("speed_kph").is_none() && got[0].get("channels").is_none(), "{}", got[0]);
}
