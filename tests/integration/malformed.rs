//! A record that breaks the contract is counted, shown with its reason, and skipped.

use crate::helpers::*;

#[tokio::test]
async fn malformed_records_are_counted_shown_with_their_reason_and_skipped() {
    let topic = create_topic(1).await;
    let missing_car = br#"{"speed_kph":1,"rpm":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec();
    let wrong_type = br#"{"car":"1","speed_kph":"fast","rpm":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec();
    let batch = vec![
        (0, "1", json_bytes(&sample("1", 1))),
        (0, "1", Some(b"garbage".to_vec())),
        (0, "1", Some(missing_car)),
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
        (br#"{"speed_kph":1,"tire_temp_c":{"fl":1,"fr":1,"rl":1,"rr":1}}"#.to_vec(), "missing field `car`"),
        (br#"{"car":"1","ts":5,"driver":"Ada"}"#.to_vec(), "no channel"),
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

/// One record of the hostile corpus: what a producer might really send.
struct Case {
    name: &'static str,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: &'static [(&'static str, &'static [u8])],
    /// `None` for a record that must be charted; else words its reason must contain.
    refused_because: Option<&'static str>,
}

#[tokio::test]
async fn a_hostile_corpus_charts_every_valid_record_and_counts_every_bad_one_with_its_reason() {
    use rdkafka::{
        ClientConfig,
        message::{Header, OwnedHeaders},
        producer::{FutureProducer, FutureRecord},
    };
    let valid = |car: &str| serde_json::to_vec(&sample(car, 1)).unwrap();
    let tires = r#""tire_temp_c":{"fl":90,"fr":90,"rl":90,"rr":90}"#;
    let with = |fields: &str| format!(r#"{{"car":"c",{fields},{tires}}}"#).into_bytes();
    // Nested 30,000 deep, under the size limit: as the record itself, and in a field the
    // contract does not know (skipped without recursion once its name is past the
    // channel-name bound, so it is charted).
    let nested = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let deep_unknown = format!(r#"{{"car":"deep","speed_kph":1,"rpm":1,"x_nested":{nested},{tires}}}"#).into_bytes();
    let mut huge = valid("huge");
    huge.splice(1..1, format!(r#""pad":"{}","#, "x".repeat(1_000_000)).into_bytes());
    let case = |name, key: &[u8], value: Option<Vec<u8>>, refused_because| Case {
        name,
        key: Some(key.to_vec()),
        value,
        headers: &[],
        refused_because,
    };
    let corpus = vec![
        case("not JSON", b"c", Some(b"speed=200 rpm=11000".to_vec()), Some("not JSON")),
        case("truncated JSON", b"c", Some(valid("c")[..40].to_vec()), Some("not JSON")),
        case("wrong type", b"c", Some(with(r#""speed_kph":"fast","rpm":1"#)), Some("invalid type")),
        case("missing car", b"c", Some(br#"{"speed_kph":1,"rpm":1}"#.to_vec()), Some("missing field `car`")),
        case("no channel", b"c", Some(br#"{"car":"c","driver":"Ada","team":"x"}"#.to_vec()), Some("no channel")),
        case("no rpm (contract v2)", b"c", Some(with(r#""speed_kph":1"#)), None),
        case("NaN", b"c", Some(with(r#""speed_kph":NaN,"rpm":1"#)), Some("not JSON")),
        case("Infinity", b"c", Some(with(r#""speed_kph":Infinity,"rpm":1"#)), Some("not JSON")),
        case("huge number", b"c", Some(with(r#""speed_kph":1e400,"rpm":1"#)), Some("out of range")),
        case("deeply nested", b"c", Some(nested.into_bytes()), Some("invalid type")),
        case("deeply nested unknown field", b"c", Some(deep_unknown), None),
        case("1 MB record", b"c", Some(huge), Some("exceeds the 65536-byte limit")),
        case("tombstone", b"c", None, Some("tombstone")),
        case("value not UTF-8", b"c", Some(vec![0xc3, 0x28, 0xff, 0xfe]), Some("not JSON")),
        case("empty car", b"c", Some(serde_json::to_vec(&sample("", 1)).unwrap()), Some("`car` is empty")),
        case("empty key", b"", Some(valid("empty-key")), None),
        case("key not UTF-8", &[0xff, 0xfe, 0x00], Some(valid("binary-key")), None),
        Case { name: "no key", key: None, value: Some(valid("no-key")), headers: &[], refused_because: None },
        Case {
            name: "with headers",
            key: Some(b"c".to_vec()),
            value: Some(valid("headers")),
            headers: &[("source", b"pit-wall"), ("binary", &[0, 159, 146, 150])],
            refused_because: None,
        },
        case("unknown fields", b"c", Some(with(r#""speed_kph":1,"rpm":1,"drs":true,"ers":{"mode":2}"#)), None),
    ];
    // One partition per case, so each one's count and reason can be read on its own.
    let topic = create_topic(corpus.len() as i32).await;
    let producer: FutureProducer =
        ClientConfig::new().set("bootstrap.servers", brokers()).set("message.max.bytes", "2000000").create().unwrap();
    for (partition, c) in corpus.iter().enumerate() {
        let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&topic).partition(partition as i32);
        if let Some(key) = &c.key {
            record = record.key(key.as_slice());
        }
        if let Some(value) = &c.value {
            record = record.payload(value.as_slice());
        }
        let mut headers = OwnedHeaders::new();
        for (key, value) in c.headers {
            headers = headers.insert(Header { key, value: Some(*value) });
        }
        let sent = producer.send(record.headers(headers), PATIENCE).await;
        assert!(sent.is_ok(), "{}: {sent:?}", c.name);
    }

    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    let bad = corpus.iter().filter(|c| c.refused_because.is_some()).count() as u64;
    let good = corpus.len() - bad as usize;
    let stats = viewer.next_of("stats", |m| m["totals"]["malformed"] == bad && m["totals"]["consumed"] == good).await;

    // Every valid record is charted, whatever its key and headers.
    viewer.until("every valid record", |seen| records(seen, "live").len() >= good).await;
    let mut charted: Vec<String> =
        records(&viewer.seen, "live").iter().map(|(_, _, r)| r["car"].as_str().unwrap().to_owned()).collect();
    charted.sort();
    assert_eq!(
        charted,
        ["binary-key", "c", "c", "deep", "empty-key", "headers", "no-key"],
        "`c` twice: no rpm is valid"
    );
    // Every bad one is counted once, in its partition, with a reason that says what is wrong.
    for (partition, c) in corpus.iter().enumerate() {
        let row = stats["partitions"].as_array().unwrap().iter().find(|p| p["partition"] == partition).unwrap();
        match c.refused_because {
            None => assert_eq!((row["consumed"].as_u64(), row["malformed"].as_u64()), (Some(1), Some(0)), "{}", c.name),
            Some(because) => {
                assert_eq!((row["consumed"].as_u64(), row["malformed"].as_u64()), (Some(0), Some(1)), "{}", c.name);
                let reason = row["last_malformed"]["reason"].as_str().unwrap();
                assert!(reason.contains(because), "{}: expected `{because}` in `{reason}`", c.name);
                assert!(reason.len() < 300, "{}: a reason is a sentence, not the record: {reason}", c.name);
            }
        }
    }
    app.shutdown().await;
}
