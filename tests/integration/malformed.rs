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

#[tokio::test]
async fn records_in_every_compression_codec_are_charted() {
    use rdkafka::{
        ClientConfig,
        producer::{FutureProducer, FutureRecord},
    };
    let topic = create_topic(1).await;
    for (i, codec) in ["gzip", "snappy", "lz4", "zstd"].into_iter().enumerate() {
        let producer: FutureProducer =
            ClientConfig::new().set("bootstrap.servers", brokers()).set("compression.type", codec).create().unwrap();
        let value = serde_json::to_vec(&sample(codec, i as u32)).unwrap();
        producer.send(FutureRecord::to(&topic).partition(0).key(codec).payload(&value), PATIENCE).await.unwrap();
    }
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("a record per codec", |seen| records(seen, "live").len() >= 4).await;
    let cars: Vec<String> =
        records(&viewer.seen, "live").iter().map(|(_, _, r)| r["car"].as_str().unwrap().to_owned()).collect();
    assert_eq!(cars, ["gzip", "snappy", "lz4", "zstd"]);
}

#[tokio::test]
async fn records_of_an_aborted_transaction_are_never_shown() {
    use rdkafka::{
        ClientConfig,
        producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer},
    };
    let topic = create_topic(1).await;
    let producer: ThreadedProducer<DefaultProducerContext> =
        ClientConfig::new().set("bootstrap.servers", brokers()).set("transactional.id", unique("tx")).create().unwrap();
    producer.init_transactions(PATIENCE).unwrap();
    for (car, commit) in [("aborted", false), ("committed", true)] {
        producer.begin_transaction().unwrap();
        let value = serde_json::to_vec(&sample(car, 1)).unwrap();
        producer.send(BaseRecord::to(&topic).partition(0).key(car).payload(&value)).map_err(|(e, _)| e).unwrap();
        // On the broker before the outcome, so the aborted record really is in the log.
        producer.flush(PATIENCE).unwrap();
        if commit {
            producer.commit_transaction(PATIENCE).unwrap();
        } else {
            producer.abort_transaction(PATIENCE).unwrap();
        }
    }
    let app =
        TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    viewer.until("the committed record", |seen| !records(seen, "live").is_empty()).await;
    // By the time the group has passed the end of the log, the aborted record would
    // have arrived first had it been shown.
    viewer.next_of("stats", |m| m["partitions"][0]["lag"] == 0).await;
    let cars: Vec<String> =
        records(&viewer.seen, "live").iter().map(|(_, _, r)| r["car"].as_str().unwrap().to_owned()).collect();
    assert_eq!(cars, ["committed"]);

    // A replay reads committed records only, too, and still reaches the end of the log.
    viewer.send(serde_json::json!({"type": "replay", "from": "earliest"})).await;
    let done = viewer.next_of("replay", |m| m["state"] == "caught_up").await;
    assert_eq!(done["progress"], 1.0);
    let replayed: Vec<String> =
        records(&viewer.seen, "replay").iter().map(|(_, _, r)| r["car"].as_str().unwrap().to_owned()).collect();
    assert_eq!(replayed, ["committed"]);
}
