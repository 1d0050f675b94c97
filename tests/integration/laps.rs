//! The lap index: a race produced by hand, with laps of known times, read back through
//! `/api/laps`, the `laps` message, `/api/lap` and a seek to a lap.

use serde_json::{Value, json};

use crate::helpers::*;

/// The track of the hand-made race, metres.
const TRACK_M: f64 = 3_000.0;
pub(crate) const T0: i64 = 1_700_000_000_000;
/// Car A1: lap 1 from 1,000 m at 120 km/h (60 s to the line), lap 2 at 120 km/h
/// (exactly 90.000 s), then laps at 3,000 m / 91.25 s (exactly 91.250 s each).
pub(crate) const LAP2_MS: f64 = 90_000.0;
pub(crate) const LAP3_MS: f64 = 91_250.0;

/// A1's record at sample `i` (every 100 ms).
fn a1(i: i64) -> Value {
    let t = i as f64 / 10.0;
    let (v2, v3) = (TRACK_M / (LAP2_MS / 1000.0), TRACK_M / (LAP3_MS / 1000.0));
    // Lap 3 begins at 60 + 90 = 150 s, 6,000 m from the start of lap 1.
    let (total, v) = if t < 150.0 { (1_000.0 + v2 * t, v2) } else { (6_000.0 + v3 * (t - 150.0), v3) };
    json!({
        "car": "A1", "driver": "Ada One", "ts": T0 + i * 100,
        "speed_kph": v * 3.6, "rpm": 9000.0,
        "tire_temp_c": {"fl": 90.0, "fr": 90.0, "rl": 88.0, "rr": 88.0},
        "lap": 1 + (total / TRACK_M).floor() as u32,
        "lap_distance_m": total % TRACK_M,
    })
}

pub(crate) async fn produce_a1(topic: &str, samples: std::ops::Range<i64>) {
    let values: Vec<Option<Vec<u8>>> = samples.map(|i| json_bytes(&a1(i))).collect();
    let records: Vec<(i32, &str, Option<Vec<u8>>)> = values.into_iter().map(|v| (0, "A1", v)).collect();
    produce(topic, &records).await;
}

pub(crate) fn a1_laps(table: &Value) -> Vec<Value> {
    let cars = table["cars"].as_array().cloned().unwrap_or_default();
    let a1 = cars.into_iter().find(|c| c["car"] == "A1");
    a1.and_then(|c| c["laps"].as_array().cloned()).unwrap_or_default()
}

pub(crate) fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 0.001)
}

#[tokio::test]
async fn laps_of_a_hand_made_race_are_timed_exactly_in_the_api_the_socket_and_a_seek() {
    let topic = create_topic(2).await;
    // Up to 50 s into lap 4: laps 2 and 3 are complete.
    produce_a1(&topic, 0..2_915).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;

    let path = format!("/api/laps?topic={topic}");
    let table = eventually("the index to read the race", || async {
        let t = app.get_json(&path).await;
        if t["index"]["state"] == "live" && a1_laps(&t).len() == 2 { Ok(t) } else { Err(t.to_string()) }
    })
    .await;
    let laps = a1_laps(&table);
    assert_eq!((laps[0]["lap"].clone(), laps[1]["lap"].clone()), (json!(2), json!(3)));
    assert!(close(&laps[0]["time_ms"], LAP2_MS), "{}", laps[0]);
    assert!(close(&laps[1]["time_ms"], LAP3_MS), "{}", laps[1]);
    assert!(close(&laps[0]["start_ts"], (T0 + 60_000) as f64), "lap 2 begins 60 s in: {}", laps[0]);
    let sectors: f64 = laps[1]["sectors_ms"].as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).sum();
    assert!((sectors - LAP3_MS).abs() < 0.01, "{}", laps[1]);
    assert!(close(&laps[1]["sectors_ms"][0], LAP3_MS / 3.0), "equal thirds at a steady speed: {}", laps[1]);
    assert_eq!(table["cars"][0]["driver"], "Ada One");
    assert!(close(&table["track"]["length_m"], TRACK_M), "{}", table["track"]);
    assert_eq!(table["cars"][0]["current"]["lap"], 4);

    // A viewer asks for the table, then hears of lap 4 when it ends live.
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.send(json!({"type": "laps", "topic": topic})).await;
    let full = viewer.next_of("laps", |m| m["full"] == true).await;
    assert_eq!(a1_laps(&full).len(), 2);
    produce_a1(&topic, 2_915..3_900).await;
    let update = viewer.next_of("laps", |m| a1_laps(m).iter().any(|l| l["lap"] == 4)).await;
    let lap4 = a1_laps(&update).into_iter().find(|l| l["lap"] == 4).unwrap();
    assert!(close(&lap4["time_ms"], LAP3_MS), "{lap4}");
    // The table the server sends once when reading ends is whole; an update after it
    // holds only what is new (the unit tests of `laps` pin that down exactly).
    if update["full"] == false {
        assert_eq!(a1_laps(&update).len(), 1, "an update holds only the new lap: {update}");
    }

    // One lap's samples: the one before the line, the lap, the first after it.
    let lap = app.get_json(&format!("/api/lap?topic={topic}&car=A1&lap=3")).await;
    let samples = lap["samples"].as_array().unwrap();
    assert!(close(&lap["time_ms"], LAP3_MS), "{lap}");
    assert_eq!(samples.first().unwrap()["lap"], 2);
    assert_eq!(samples.last().unwrap()["lap"], 4);
    assert!(samples[1..samples.len() - 1].iter().all(|s| s["lap"] == 3));
    assert_eq!(samples.len(), 913 + 2, "91.25 s of samples every 100 ms, and one either side");

    // A seek to lap 3 starts at its line: the car's first record there is on lap 3.
    viewer.send(json!({"type": "replay", "from": {"lap": {"car": "A1", "lap": 3}}, "speed": "max", "id": 3})).await;
    viewer.next_of("replay", |m| m["id"] == 3 && m["state"] == "caught_up").await;
    let start = viewer.seen.iter().position(|m| m["type"] == "replay" && m["id"] == 3).unwrap();
    let replayed = records(&viewer.seen[start..], "replay");
    let first = &replayed.first().expect("records from lap 3 on").2;
    assert_eq!((first["lap"].clone(), first["ts"].clone()), (json!(3), json!(T0 + 150_000)));

    // What is not there is said plainly.
    viewer.send(json!({"type": "seek", "to": {"lap": {"car": "A1", "lap": 40}}, "id": 4})).await;
    let failed = viewer.next_of("replay", |m| m["id"] == 4 && m["state"] == "failed").await;
    assert_eq!(failed["error"], "car `A1` has no lap 40 in what Kafka holds (its laps there are 1 to 5)");
    let missing = reqwest::get(app.url(&format!("/api/lap?topic={topic}&car=Z9&lap=2"))).await.unwrap();
    assert_eq!(missing.status(), 404);
    viewer.send(json!({"type": "laps", "topic": ""})).await;
    let refused = viewer.next_of("error", |m| m["request"] == "laps").await;
    assert_eq!(refused["error"], "bad_request");
}
