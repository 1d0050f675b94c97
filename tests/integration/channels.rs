//! Contract v2: every numeric field of a record is a channel, carried to a JSON viewer
//! (one that did not offer the columnar subprotocol) live, from history, in a replay and
//! after a seek, under `"channels"` beside the v1 fields. The columnar wire and the
//! overview are in `wire_channels.rs`.

use serde_json::{Value, json};

use crate::helpers::*;

/// Record `n` of car 5: v1 fields, and nested extra fields the contract did not know.
pub fn wide(n: u32) -> Value {
    let f = f64::from(n);
    json!({"car": "5", "ts": 1_700_000_000_000i64 + i64::from(n) * 100, "speed_kph": 100.0 + f, "rpm": 9000,
           "g": {"lat": 1.25 + f, "long": -0.5}, "brake_temp_c": {"fl": 512.0, "fr": 498.5 + f},
           "drs": n.is_multiple_of(2), "wear": [0.125, 0.25], "team": "ignored", "flags": null})
}

/// The `"channels"` a viewer must get for [`wide`]`(n)`, in the record's order.
fn wide_channels(n: u32) -> Value {
    let f = f64::from(n);
    json!({"g.lat": 1.25 + f, "g.long": -0.5, "brake_temp_c.fl": 512.0, "brake_temp_c.fr": 498.5 + f,
           "drs": if n.is_multiple_of(2) { 1.0 } else { 0.0 }, "wear.0": 0.125, "wear.1": 0.25})
}

/// A record that carries brake temperatures only: no speed, no rpm (contract v2).
pub fn brakes_only(n: u32) -> Value {
    json!({"car": "6", "ts": 1_700_000_000_000i64 + i64::from(n) * 100, "brake_temp_c": {"fl": 300.0 + f64::from(n)}})
}

/// Checks every record a viewer got in `mode` against what was produced at its offset:
/// v1 fields as they were, the other channels under `"channels"`, and records of v1
/// fields only without `"channels"`.
fn assert_exact(got: &[(String, i64, Value)], produced: &[(i64, Value)]) {
    assert_eq!(got.len(), produced.len(), "{got:?}");
    for ((_, _, r), (offset, want)) in got.iter().zip(produced) {
        assert_eq!(r["offset"], *offset);
        let mut expected = serde_json::Map::new();
        expected.insert("offset".into(), (*offset).into());
        for key in ["car", "ts", "speed_kph", "rpm"] {
            if let Some(v) = want.get(key) {
                let v = if key == "rpm" || key == "speed_kph" { json!(v.as_f64().unwrap()) } else { v.clone() };
                expected.insert(key.into(), v);
            }
        }
        let channels = if want["car"] == "5" {
            wide_channels(u32::try_from(want["ts"].as_i64().unwrap() - 1_700_000_000_000).unwrap() / 100)
        } else {
            json!({"brake_temp_c.fl": want["brake_temp_c"]["fl"]})
        };
        expected.insert("channels".into(), channels);
        assert_eq!(*r, Value::Object(expected), "the record at offset {offset}");
    }
}

#[tokio::test]
async fn records_with_nested_extra_fields_reach_a_json_viewer_exactly_from_history_live_in_replay_and_after_a_seek() {
    reach_a_viewer_exactly(false).await;
}

/// Records with nested extra fields reach a JSON viewer, or a columnar one, exactly:
/// from history, live, in a replay and after a seek.
pub async fn reach_a_viewer_exactly(columnar: bool) {
    // Arrange: three records already in the topic (history), then a server reading it.
    let topic = create_topic(1).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let first: Vec<Value> = vec![wide(0), brakes_only(1), wide(2)];
    let encoded: Vec<_> = first.iter().map(|v| (0, "5", json_bytes(v))).collect();
    let offsets = produce_at(&topic, Some(now - 5_000), &encoded).await;
    let mut produced: Vec<(i64, Value)> = offsets.into_iter().zip(first).collect();
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--history-secs", "60"]).await;
    let ws = app.url("/ws").replacen("http", "ws", 1);
    let mut viewer = if columnar { Viewer::connect_columnar(&ws).await } else { app.viewer().await };
    viewer.subscribe(&topic, None).await;

    // History, then a record produced while watching, live.
    viewer.until("the history", |seen| records(seen, "live").len() >= 3).await;
    let more = produce(&topic, &[(0, "5", json_bytes(&wide(3)))]).await;
    produced.push((more[0], wide(3)));
    viewer.until("the live record", |seen| records(seen, "live").len() >= 4).await;
    assert_exact(&records(&viewer.seen, "live"), &produced);

    // A replay from the earliest offset.
    viewer.send(json!({"type": "replay", "from": "earliest", "speed": "max", "id": 1})).await;
    viewer.next_of("replay", |m| m["id"] == 1 && m["state"] == "caught_up").await;
    let start = viewer.seen.iter().position(|m| m["type"] == "replay" && m["id"] == 1).unwrap();
    assert_exact(&records(&viewer.seen[start..], "replay"), &produced);

    // A seek to the second record's offset.
    let to = json!({"offsets": [{"topic": topic, "partition": 0, "offset": produced[1].0}]});
    viewer.send(json!({"type": "seek", "to": to, "id": 2})).await;
    viewer.next_of("replay", |m| m["id"] == 2 && m["state"] == "caught_up").await;
    let start = viewer.seen.iter().position(|m| m["type"] == "replay" && m["id"] == 2).unwrap();
    assert_exact(&records(&viewer.seen[start..], "replay"), &produced[1..]);
    let want = columnar.then(|| Value::from("columnar"));
    let data: Vec<&Value> = viewer.seen.iter().filter(|m| m["type"] == "data").collect();
    assert!(data.iter().all(|m| m.get("wire") == want.as_ref()), "every data message on the wire asked for");
}

#[tokio::test]
async fn a_v1_record_reaches_a_json_viewer_without_a_channels_field() {
    let topic = create_topic(1).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    produce(&topic, &[(0, "1", json_bytes(&sample("1", 1)))]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("the record", |seen| !records(seen, "live").is_empty()).await;
    let (_, _, r) = &records(&viewer.seen, "live")[0];
    assert!(r.get("channels").is_none(), "{r}");
    assert_eq!(r["speed_kph"], sample("1", 1)["speed_kph"]);
}

#[tokio::test]
async fn the_channels_api_and_message_list_every_channel_with_its_unit_count_and_range() {
    let topic = create_topic(1).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    produce(&topic, &[(0, "5", json_bytes(&wide(0))), (0, "5", json_bytes(&wide(3)))]).await;

    let message = viewer
        .next_of("channels", |m| m["topic"] == topic.as_str() && m["channels"].as_array().is_some_and(|c| c.len() == 9))
        .await;
    let api = channels_counted(&app, &topic, 2).await;
    let row = |name: &str| channel_row(&api, name);
    let want = |name: &str, unit: Value, min: f64, max: f64| json!({"name": name, "unit": unit, "records": 2, "min": min, "max": max, "math": false});
    assert_eq!(row("speed_kph"), want("speed_kph", json!("km/h"), 100.0, 103.0));
    assert_eq!(row("rpm"), want("rpm", json!("rpm"), 9000.0, 9000.0));
    assert_eq!(row("brake_temp_c.fr"), want("brake_temp_c.fr", json!("°C"), 498.5, 501.5));
    assert_eq!(row("g.lat"), want("g.lat", Value::Null, 1.25, 4.25));
    assert_eq!(row("drs"), want("drs", json!("on/off"), 0.0, 1.0));
    let names = |v: &Value| v["channels"].as_array().unwrap().iter().map(|c| c["name"].clone()).collect::<Vec<_>>();
    // serde_json writes an object's keys in order, so that is the order the records had.
    let all = ["speed_kph", "rpm", "brake_temp_c.fl", "brake_temp_c.fr", "drs", "g.lat", "g.long", "wear.0", "wear.1"];
    assert_eq!(names(&api), all.map(Value::from).to_vec());
    assert_eq!(names(&message), names(&api), "the message lists what the API lists");
    assert_eq!(
        api["dropped"],
        json!({"name_too_long": 0, "over_record_limit": 0, "over_topic_limit": 0, "refused_channels": 0})
    );
    let unknown = app.get_json("/api/channels?topic=nothing-here").await;
    assert_eq!(unknown["channels"], json!([]));
}

#[tokio::test]
async fn six_hundred_distinct_channel_names_in_one_topic_stop_at_512_with_the_count_reported() {
    let topic = create_topic(1).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    // Six records of 100 new names each, then a record naming the first and the last.
    let batch: Vec<_> = (0..6)
        .map(|r| {
            let mut v = json!({"car": "1", "ts": 1_700_000_000_000i64 + r});
            for i in r * 100..(r + 1) * 100 {
                v[format!("c{i:03}")] = json!(i);
            }
            (0, "1", json_bytes(&v))
        })
        .chain([(0, "1", json_bytes(&json!({"car": "1", "ts": 1_700_000_000_010i64, "c000": -1, "c599": -2})))])
        .collect();
    produce(&topic, &batch).await;

    viewer.until("every record", |seen| records(seen, "live").len() >= 7).await;
    let got = records(&viewer.seen, "live");
    assert_eq!(got[0].2["channels"].as_object().unwrap().len(), 100);
    assert_eq!(got[5].2["channels"].as_object().unwrap().len(), 12, "c500 to c511 fit, c512 on are refused");
    assert_eq!(got[5].2["channels"]["c511"], 511.0);
    assert_eq!(got[6].2["channels"], json!({"c000": -1.0}), "a refused channel's later values are dropped too");
    let api = eventually("the drops counted", || async {
        let v = app.get_json(&format!("/api/channels?topic={topic}")).await;
        (v["dropped"]["over_topic_limit"] == 89).then_some(v)
    })
    .await;
    assert_eq!(api["channels"].as_array().unwrap().len(), 512);
    assert_eq!(api["dropped"]["refused_channels"], 88);
    let message = viewer.next_of("channels", |m| m["channels"].as_array().is_some_and(|c| c.len() == 512)).await;
    assert_eq!(message["dropped"]["refused_channels"], 88);
}

/// A math-channels file in the temporary folder, removed when dropped.
pub struct ChannelsFile(std::path::PathBuf);

impl ChannelsFile {
    pub fn new(text: &str) -> ChannelsFile {
        let path = std::env::temp_dir().join(format!("{}.toml", unique("math")));
        std::fs::write(&path, text).unwrap();
        ChannelsFile(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for ChannelsFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn a_math_channel_file_gives_exact_values_live_and_in_replay() {
    let file = ChannelsFile::new(
        "[channels]\n\"g.total\" = \"sqrt(g.lat^2 + g.long^2)\"\nspeed_ms = \"speed_kph / 3.6\"\n\
         accel_kph = \"d(speed_kph)\"\nfront_max_c = \"max(brake_temp_c.fl, brake_temp_c.fr)\"\n",
    );
    let topic = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "--channels", file.path()]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.next_of("subscribed", |_| true).await;
    // wide(n) is n × 100 ms in and 100 + n km/h: d() is 10 km/h a second between car 5's
    // records; brakes_only (car 6) has no g, no speed and one brake.
    let produced = [wide(0), wide(1), brakes_only(2), wide(3)];
    produce(&topic, &produced.iter().map(|v| (0, "5", json_bytes(v))).collect::<Vec<_>>()).await;

    let math = |r: &Value| {
        let c = &r["channels"];
        [c["g.total"].as_f64(), c["speed_ms"].as_f64(), c["accel_kph"].as_f64(), c["front_max_c"].as_f64()]
    };
    let total = |n: f64| ((1.25 + n) * (1.25 + n) + 0.25f64).sqrt();
    let want = [
        [Some(total(0.0)), Some(100.0 / 3.6), None, Some(512.0)],
        [Some(total(1.0)), Some(101.0 / 3.6), Some(10.0), Some(512.0)],
        [None, None, None, None],
        [Some(total(3.0)), Some(103.0 / 3.6), Some(10.0), Some(512.0)],
    ];
    viewer.until("every record", |seen| records(seen, "live").len() >= 4).await;
    let live: Vec<_> = records(&viewer.seen, "live").iter().map(|(_, _, r)| math(r)).collect();
    assert_eq!(live, want, "live; d() is per car: car 6 between car 5's records does not break it");

    viewer.send(json!({"type": "replay", "from": "earliest", "speed": "max", "id": 1})).await;
    viewer.next_of("replay", |m| m["id"] == 1 && m["state"] == "caught_up").await;
    let replay: Vec<_> = records(&viewer.seen, "replay").iter().map(|(_, _, r)| math(r)).collect();
    assert_eq!(replay, want, "a replay computes the same values, its first d() absent again");

    let api = app.get_json(&format!("/api/channels?topic={topic}")).await;
    let row = |name: &str| api["channels"].as_array().unwrap().iter().find(|c| c["name"] == name).cloned().unwrap();
    assert_eq!((row("speed_ms")["math"].clone(), row("speed_ms")["missing_inputs"].clone()), (json!(true), json!(1)));
    assert_eq!(row("front_max_c")["unit"], "°C", "a math channel's unit is its suffix's");
    assert_eq!(row("accel_kph")["missing_inputs"], 2, "car 5's first record and car 6's");
    assert_eq!((row("g.total")["unit"].clone(), row("g.total")["records"].clone()), (Value::Null, json!(3)));
    assert_eq!(row("g.lat")["math"], false);
}

#[test]
fn a_math_channel_file_with_a_mistake_stops_serve_with_one_line_naming_the_channel_and_the_column() {
    let file = ChannelsFile::new("[channels]\nok = \"speed_kph / 3.6\"\ng_total = \"sqrt(g.lat^2 + nope(g.long))\"\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["serve", "--channels", file.path()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("channel g_total") && stderr.contains("column 16"), "{stderr}");
}
