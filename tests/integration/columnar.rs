//! Columnar `data` frames (docs/protocol.md): a viewer that offers the subprotocol reads
//! the very records a JSON viewer reads, live, from history and in a replay.

use serde_json::{Value, json};

use crate::helpers::*;

/// Records of `mode` as (topic, partition, record) with the marker of the wire left out.
fn read(viewer: &Viewer, mode: &str) -> Vec<(String, i64, Value)> {
    records(&viewer.seen, mode)
}

/// Records of every shape the contract allows: all fields, no tires, a driver, a car id
/// that is not a number and values whose decimals must come through exactly.
fn shapes(n: u32) -> Value {
    let mut v = sample(if n.is_multiple_of(2) { "7" } else { "car-β" }, n);
    match n % 4 {
        0 => {
            v.as_object_mut().unwrap().remove("tire_temp_c");
        }
        1 => {
            v["driver"] = json!("A. Senna");
            v["throttle"] = json!(0.1 + f64::from(n) * 1e-7);
            v["x"] = json!(-1234.5678901234);
            v["y"] = json!(1e-300);
            v["lap_distance_m"] = json!(5123.000000001);
        }
        2 => v["brake"] = json!(0.3333333333333333),
        _ => v["gear"] = json!(-1),
    }
    v
}

#[tokio::test]
async fn a_columnar_viewer_reads_exactly_what_a_json_viewer_reads() {
    // Arrange: records of every shape in two partitions, and one malformed record.
    let topic = create_topic(2).await;
    let early: Vec<(i32, &str, Option<Vec<u8>>)> =
        (0..40u32).map(|n| ((n % 2) as i32, "k", json_bytes(&shapes(n)))).collect();
    produce(&topic, &early).await;
    produce(&topic, &[(0, "k", Some(b"{broken".to_vec()))]).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let ws = app.url("/ws").replacen("http", "ws", 1);
    let mut json_viewer = Viewer::connect(&ws).await;
    let mut columnar = Viewer::connect_columnar(&ws).await;
    assert_eq!(json_viewer.next_of("hello", |_| true).await["data_format"], "json");
    assert_eq!(columnar.next_of("hello", |_| true).await["data_format"], "columnar");

    // Act: history, then live records, then a replay from the earliest offset.
    for v in [&mut json_viewer, &mut columnar] {
        v.subscribe(&topic, None).await;
        v.until("the first 40 records", |seen| records(seen, "live").len() >= 40).await;
    }
    let late: Vec<(i32, &str, Option<Vec<u8>>)> =
        (40..60u32).map(|n| ((n % 2) as i32, "k", json_bytes(&shapes(n)))).collect();
    produce(&topic, &late).await;
    for v in [&mut json_viewer, &mut columnar] {
        v.until("all 60 records", |seen| records(seen, "live").len() >= 60).await;
        v.send(json!({"type": "replay", "from": "earliest"})).await;
        v.until("the replay", |seen| {
            records(seen, "replay").len() >= 60
                && seen.iter().any(|m| m["type"] == "replay" && m["state"] == "caught_up")
        })
        .await;
    }

    // Assert: the same records, value for value, and binary frames on the columnar socket.
    for mode in ["live", "replay"] {
        let (a, b) = (read(&json_viewer, mode), read(&columnar, mode));
        assert_eq!(a.len(), 60, "{mode}");
        let by_offset = |mut r: Vec<(String, i64, Value)>| {
            r.sort_by_key(|(_, p, v)| (*p, v["offset"].as_i64()));
            r
        };
        assert_eq!(by_offset(a), by_offset(b), "{mode}: a columnar viewer reads what a JSON viewer reads");
    }
    let data = |v: &Viewer| v.seen.iter().filter(|m| m["type"] == "data").cloned().collect::<Vec<_>>();
    assert!(data(&columnar).iter().all(|m| m["wire"] == "columnar"), "every data message came as a binary frame");
    assert!(data(&json_viewer).iter().all(|m| m.get("wire").is_none()));
    let no_tires = read(&columnar, "live").into_iter().filter(|(_, _, r)| r.get("tire_temp_c").is_none()).count();
    assert_eq!(no_tires, 15, "a car without tire data has none in columnar either");
    let replay_end = columnar.seen.iter().rev().find(|m| m["type"] == "replay").unwrap();
    assert_eq!(replay_end["malformed"], 1, "the malformed record is counted, as for JSON");
}
