//! Contract v2's channels beyond JSON: records with nested extra fields and math channels
//! reach a columnar viewer exactly, and an overview summarises any channel it names.

use serde_json::{Value, json};

use crate::{
    channels::{ChannelsFile, brakes_only, reach_a_viewer_exactly, wide},
    helpers::*,
    overview::{answer, car, channel, now_ms},
};

#[tokio::test]
async fn records_with_nested_extra_fields_reach_a_columnar_viewer_exactly_from_history_live_in_replay_and_after_a_seek()
{
    reach_a_viewer_exactly(true).await;
}

#[tokio::test]
async fn a_math_channel_arrives_in_columnar_frames_live_and_in_replay_and_an_overview_summarises_it() {
    // Arrange
    let file = ChannelsFile::new(
        "[channels]\nspeed_ms = \"speed_kph / 3.6\"\nfront_max_c = \"max(brake_temp_c.fl, brake_temp_c.fr)\"\n",
    );
    let topic = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--channels", file.path()]).await;
    let mut viewer = Viewer::connect_columnar(&app.url("/ws").replacen("http", "ws", 1)).await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;

    // Act: car 5's records with speed and both front brakes, car 6's with one brake only.
    let produced = [wide(0), wide(1), brakes_only(2), wide(3)];
    produce(&topic, &produced.iter().map(|v| (0, "5", json_bytes(v))).collect::<Vec<_>>()).await;
    viewer.until("every record", |seen| records(seen, "live").len() >= 4).await;
    viewer.send(json!({"type": "replay", "from": "earliest", "speed": "max", "id": 1})).await;
    viewer.next_of("replay", |m| m["id"] == 1 && m["state"] == "caught_up").await;
    viewer.send(json!({"type": "overview", "id": 2, "buckets": 1, "channels": ["speed_ms", "g.lat"]})).await;
    let (done, _) = answer(&mut viewer, 2, PATIENCE).await;

    // Assert
    let math = |r: &Value| [r["channels"]["speed_ms"].as_f64(), r["channels"]["front_max_c"].as_f64()];
    let want = [
        [Some(100.0 / 3.6), Some(512.0)],
        [Some(101.0 / 3.6), Some(512.0)],
        [None, None],
        [Some(103.0 / 3.6), Some(512.0)],
    ];
    for mode in ["live", "replay"] {
        let got: Vec<_> = records(&viewer.seen, mode).iter().map(|(_, _, r)| math(r)).collect();
        assert_eq!(got, want, "{mode}");
    }
    assert!(viewer.seen.iter().filter(|m| m["type"] == "data").all(|m| m["wire"] == "columnar"));
    assert_eq!(done["state"], "done", "{done}");
    let five = car(&done, "5");
    let keys: Vec<&String> = five["channels"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["g.lat", "speed_ms"], "the channels asked for (serde_json's map sorts them)");
    assert_eq!(
        (channel(five, "speed_ms", "min"), channel(five, "speed_ms", "max")),
        (vec![100.0 / 3.6], vec![103.0 / 3.6])
    );
    assert_eq!((channel(five, "g.lat", "min"), channel(five, "g.lat", "max")), (vec![1.25], vec![4.25]));
    assert_eq!(car(&done, "6")["channels"]["speed_ms"], json!({"min": [null], "max": [null]}));
}

#[tokio::test]
async fn an_overview_of_brake_temperatures_gives_the_exact_extremes_of_each_bucket() {
    // Arrange: car 1 at 10 Hz for 4 s, its front-left brake moving, its g.lat too.
    let topic = create_topic(1).await;
    let t0 = now_ms() - 60_000;
    let brake = |i: i64| 300.0 + ((i * 37) % 50) as f64 + 0.25;
    let values: Vec<Value> = (0..40)
        .map(|i| {
            json!({"car": "1", "ts": t0 + i * 100, "speed_kph": 200, "rpm": 9_000 + i,
                   "brake_temp_c": {"fl": brake(i), "fr": 1}, "g": {"lat": -(i as f64)}})
        })
        .collect();
    produce_at(&topic, Some(t0), &values.iter().map(|v| (0, "1", json_bytes(v))).collect::<Vec<_>>()).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;

    // Act: four buckets of a second, of the brake, rpm and a channel no record has; then
    // the default overview of the same span.
    let span = json!({"from_ts": t0, "to_ts": t0 + 4_000, "buckets": 4});
    let mut asked = span.clone();
    asked.as_object_mut().unwrap().extend([
        ("type".into(), json!("overview")),
        ("id".into(), json!(1)),
        ("channels".into(), json!(["brake_temp_c.fl", "rpm", "no.such"])),
    ]);
    viewer.send(asked).await;
    let (done, _) = answer(&mut viewer, 1, PATIENCE).await;
    let mut default = span;
    default.as_object_mut().unwrap().extend([("type".into(), json!("overview")), ("id".into(), json!(2))]);
    viewer.send(default).await;
    let (default, _) = answer(&mut viewer, 2, PATIENCE).await;

    // Assert
    assert_eq!(done["state"], "done", "{done}");
    let one = car(&done, "1");
    let extreme = |pick: fn(f64, f64) -> f64| -> Vec<f64> {
        (0..4).map(|b| (b * 10..b * 10 + 10).map(brake).reduce(pick).unwrap()).collect()
    };
    assert_eq!(channel(one, "brake_temp_c.fl", "min"), extreme(f64::min));
    assert_eq!(channel(one, "brake_temp_c.fl", "max"), extreme(f64::max));
    assert_eq!(channel(one, "rpm", "max"), vec![9_009.0, 9_019.0, 9_029.0, 9_039.0]);
    assert_eq!(one["channels"]["no.such"], json!({"min": [null, null, null, null], "max": [null, null, null, null]}));
    let keys = |c: &Value| c["channels"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    // serde_json's map sorts keys: the order asked is checked where the answer is written.
    assert_eq!(keys(one), ["brake_temp_c.fl", "no.such", "rpm"]);
    let v1 = [
        "brake",
        "rpm",
        "speed_kph",
        "throttle",
        "tire_temp_c.fl",
        "tire_temp_c.fr",
        "tire_temp_c.rl",
        "tire_temp_c.rr",
    ];
    assert_eq!(keys(car(&default, "1")), v1, "a request naming no channels gets what it always got");
    assert_eq!(channel(car(&default, "1"), "rpm", "max"), channel(one, "rpm", "max"));
}

#[tokio::test]
async fn a_bad_channels_list_is_refused_with_an_error_and_the_connection_lives_on() {
    let topic = create_topic(1).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    let seventeen: Vec<String> = (0..17).map(|i| format!("c{i}")).collect();
    for (channels, says) in [
        (json!(seventeen), "`channels` names 1 to 16 channels"),
        (json!([]), "`channels` names 1 to 16 channels"),
        (json!(["n".repeat(129)]), "a channel name is 1 to 128 bytes"),
        (json!(["g.lat", "g.lat"]), "`g.lat` twice"),
        (json!([1, 2]), "cannot read message"),
        (json!("g.lat"), "cannot read message"),
    ] {
        viewer.send(json!({"type": "overview", "id": 9, "buckets": 10, "channels": channels})).await;
        let refused = viewer.next_of("error", |_| true).await;
        assert_eq!((refused["request"].as_str(), refused["error"].as_str()), (Some("overview"), Some("bad_request")));
        assert!(refused["message"].as_str().unwrap().contains(says), "{channels}: {refused}");
    }
    viewer.send(json!({"type": "overview", "id": 3, "buckets": 10, "channels": ["g.lat"]})).await;
    let (done, _) = answer(&mut viewer, 3, PATIENCE).await;
    assert_eq!(done["state"], "done", "the socket still answers: {done}");
}
