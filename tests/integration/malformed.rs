//! A record that breaks the contract is counted, shown with its reason, and skipped.

use crate::helpers::*;

#[tokio::test]
async fn malformed_records_are_counted_shown_with_their_reason_and_skipped() {
    let topic = create_topic(1).await;
    let missing_rpm = br#"{"car":"1","speed_kph":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec();
    let wrong_type = br#"{"car":"1","speed_kph":"fast","rpm":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec();
    let batch = vec![
        (0, "1", json_bytes(&sample("1", 1))),
        (0, "1", Some(b"garbage".to_vec())),
        (0, "1", Some(missing_rpm)),
        (0, "1", Some(wrong_type)),
        (0, "1", Some(vec![0xff, 0xfe, 0xfd])),
        (0, "1", None), // a tombstone
        (0, "1", json_bytes(&sample("1", 2))),
    ];
    produce(&topic, &batch).await;
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;

    // The valid records on either side of the bad ones arrive.
    viewer.until("both valid records", |seen| records(seen, "live").len() >= 2).await;
    let offsets: Vec<i64> =
        records(&viewer.seen, "live").iter().map(|(_, _, r)| r["offset"].as_i64().unwrap()).collect();
    assert_eq!(offsets, vec![0, 6]);

    // The page is told how many were malformed and why the last one was.
    let stats = viewer.next_of("stats", |m| m["totals"]["malformed"] == 5).await;
    let row = &stats["partitions"][0];
    assert_eq!(row["malformed"], 5);
    assert_eq!(row["consumed"], 2);
    assert_eq!(row["last_malformed"]["offset"], 5);
    assert!(row["last_malformed"]["reason"].as_str().unwrap().contains("tombstone"), "{row}");

    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    let line = format!("trackside_records_malformed_total{{topic=\"{topic}\",partition=\"0\"}} 5");
    assert!(metrics.contains(&line), "{metrics}");
}

#[tokio::test]
async fn each_kind_of_bad_record_gets_a_reason_a_person_can_act_on() {
    let topic = create_topic(1).await;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"garbage".to_vec(), "not JSON"),
        (br#"{"car":"1","speed_kph":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec(), "missing field `rpm`"),
        (
            br#"{"car":"1","speed_kph":"x","rpm":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec(),
            "invalid type",
        ),
        (
            br#"{"car":"1","speed_kph":1e999,"rpm":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec(),
            "out of range",
        ),
    ];
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    for (i, (bad, reason)) in cases.into_iter().enumerate() {
        produce(&topic, &[(0, "1", Some(bad))]).await;
        let stats = viewer.next_of("stats", |m| m["totals"]["malformed"] == i + 1).await;
        let got = stats["partitions"][0]["last_malformed"]["reason"].as_str().unwrap().to_owned();
        assert!(got.contains(reason), "expected `{reason}` in `{got}`");
    }
}
