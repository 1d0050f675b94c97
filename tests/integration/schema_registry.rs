//! Avro and Protobuf topics in the Confluent wire format, against the real schema
//! registry (scripts/registry.sh; `TRACKSIDE_TEST_REGISTRY` names one already running)
//! and the real broker: they chart as JSON ones do, a schema evolves, an unknown schema is a
//! malformed record with its reason, and a registry that stops loses nothing, even to a
//! server stopped while it waits.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use trackside::schema::{RegistryConfig, WireWriter};

use crate::helpers::*;

/// The registry the tests share: started once per run by scripts/test.sh.
fn registry() -> String {
    std::env::var("TRACKSIDE_TEST_REGISTRY").unwrap_or_else(|_| "http://127.0.0.1:8081/apis/ccompat/v7".into())
}

/// Every record the viewer was sent for `topic`, by offset, without its time (two runs
/// of the simulator start their clocks apart).
fn by_offset(seen: &[Value], topic: &str) -> BTreeMap<i64, Value> {
    let mut out = BTreeMap::new();
    for m in seen.iter().filter(|m| m["type"] == "data") {
        for b in m["batches"].as_array().unwrap().iter().filter(|b| b["topic"] == topic) {
            for r in b["records"].as_array().unwrap() {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("ts");
                out.insert(r["offset"].as_i64().unwrap(), r);
            }
        }
    }
    out
}

#[tokio::test]
async fn avro_and_protobuf_topics_chart_exactly_what_the_same_race_in_json_does() {
    let (plain, avro, proto) = (unique("json"), unique("avro"), unique("proto"));
    let race = ["--count", "120", "--cars", "3", "--partitions", "1", "--seed", "5"];
    let url = registry();
    simulate_into(&brokers(), &plain, &race);
    for (topic, format) in [(&avro, "avro"), (&proto, "protobuf")] {
        let mut args = race.to_vec();
        args.extend(["--format", format, "--schema-registry", &url]);
        simulate_into(&brokers(), topic, &args);
    }

    let topics = format!("{plain},{avro},{proto}");
    let group = unique("g");
    let args =
        ["--topics", &topics, "--group-id", &group, "-X", "auto.offset.reset=earliest", "--schema-registry", &url];
    let app = TestApp::spawn(&args).await;
    let mut viewer = app.viewer().await;
    let selection = json!([{"topic": plain}, {"topic": avro}, {"topic": proto}]);
    viewer.send(json!({"type": "subscribe", "selection": selection})).await;
    viewer
        .until("every record of the three topics", |seen| {
            [&plain, &avro, &proto].iter().all(|t| by_offset(seen, t).len() == 120)
        })
        .await;
    let json = by_offset(&viewer.seen, &plain);
    assert_eq!(json, by_offset(&viewer.seen, &avro), "Avro: the same race, the same values");
    assert_eq!(json, by_offset(&viewer.seen, &proto), "Protobuf: the same race, the same values");
    assert!(json[&0]["channels"]["brake_temp_c.fl"].is_number(), "the channels beyond v1 too: {}", json[&0]);
    let stats = viewer.next_of("stats", |m| m["kafka"]["schema_registry"]["reachable"] == true).await;
    assert!(stats["kafka"]["schema_registry"]["schemas"].as_u64().unwrap() >= 2, "{stats}");
    assert_eq!(stats["totals"]["malformed"], 0);
}

const V1: &str = r#"{"type":"record","name":"Car","namespace":"evolve","fields":[
    {"name":"car","type":"string"},{"name":"speed_kph","type":"double"}]}"#;
const V2: &str = r#"{"type":"record","name":"Car","namespace":"evolve","fields":[
    {"name":"car","type":"string"},{"name":"speed_kph","type":"double"},
    {"name":"fuel_kg","type":"double","default":0.0}]}"#;

/// A server reading `topic` from its start with the registry at `url`, and a viewer of it.
async fn watch(topic: &str, url: &str) -> (TestApp, Viewer) {
    let group = unique("g");
    let args = ["--topics", topic, "--group-id", &group, "-X", "auto.offset.reset=earliest", "--schema-registry", url];
    let app = TestApp::spawn(&args).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(topic, None).await;
    (app, viewer)
}

async fn wire(writer: &WireWriter, record: Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    writer.write(&record, &mut out).unwrap();
    Some(out)
}

#[tokio::test]
async fn a_compatibly_evolved_schema_keeps_charting_old_and_new_records() {
    let topic = create_topic(1).await;
    let config = RegistryConfig::from_env(&registry());
    let subject = format!("{topic}-value");
    let v1 = WireWriter::register_avro(&config, &subject, V1).await.unwrap();
    let v2 = WireWriter::register_avro(&config, &subject, V2).await.unwrap();
    assert_ne!(v1.id(), v2.id());
    let old = wire(&v1, json!({"car": "1", "speed_kph": 100.5})).await;
    let new = wire(&v2, json!({"car": "1", "speed_kph": 101.5, "fuel_kg": 42.25})).await;
    produce(&topic, &[(0, "1", old), (0, "1", new)]).await;

    let url = registry();
    let (_app, mut viewer) = watch(&topic, &url).await;
    viewer.until("both records", |seen| by_offset(seen, &topic).len() == 2).await;
    let got = by_offset(&viewer.seen, &topic);
    assert_eq!(got[&0]["speed_kph"], 100.5);
    assert_eq!(got[&0].get("channels"), None, "{}", got[&0]);
    assert_eq!(got[&1]["speed_kph"], 101.5);
    assert_eq!(got[&1]["channels"]["fuel_kg"], 42.25);
}

#[tokio::test]
async fn a_record_whose_schema_the_registry_lacks_is_malformed_with_its_reason() {
    let topic = create_topic(1).await;
    let config = RegistryConfig::from_env(&registry());
    let v1 = WireWriter::register_avro(&config, &format!("{topic}-value"), V1).await.unwrap();
    // An id far past any the shared registry has given.
    let mut unknown = vec![0, 0x7f, 0xff, 0xff, 0x01];
    unknown.extend_from_slice(&[2, b'1']);
    let good = wire(&v1, json!({"car": "1", "speed_kph": 1.0})).await;
    produce(&topic, &[(0, "1", Some(unknown)), (0, "1", good)]).await;

    let url = registry();
    let (_app, mut viewer) = watch(&topic, &url).await;
    viewer.until("the good record", |seen| by_offset(seen, &topic).len() == 1).await;
    let stats = viewer.next_of("stats", |m| m["totals"]["malformed"] == 1).await;
    let row = &stats["partitions"][0];
    assert_eq!(row["last_malformed"]["offset"], 0);
    assert_eq!(row["last_malformed"]["reason"], "schema 2147483393: not found in the registry");
}

/// A registry of the test's own, to stop and start: scripts/registry.sh on a free port
/// with a state directory of its own; stopped on drop.
struct PrivateRegistry {
    port: u16,
    state: std::path::PathBuf,
}

impl PrivateRegistry {
    fn new() -> PrivateRegistry {
        let broker = PrivateBroker::reserve();
        // Its free port, not its broker: dropping it stops a broker that never started.
        PrivateRegistry { port: broker.port, state: broker.state.clone() }
    }

    fn sh(&self, command: &str) {
        let (port, data) = (self.port.to_string(), self.state.join("data"));
        let env = [
            ("TRACKSIDE_REGISTRY_PORT", port.as_ref()),
            ("TRACKSIDE_REGISTRY_STATE", self.state.as_os_str()),
            // Schemas kept on disk: a registry restarted keeps them, as a real one does.
            ("TRACKSIDE_REGISTRY_DATA", data.as_os_str()),
        ];
        run_script("registry.sh", command, &env);
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/apis/ccompat/v7", self.port)
    }
}

impl Drop for PrivateRegistry {
    fn drop(&mut self) {
        self.sh("down");
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

/// Five records of one car on a new topic, written with a schema registered at `config`.
async fn five_records(config: &RegistryConfig) -> String {
    let topic = create_topic(1).await;
    let v1 = WireWriter::register_avro(config, &format!("{topic}-value"), V1).await.unwrap();
    let mut batch = Vec::new();
    for n in 0..5 {
        batch.push((0, "1", wire(&v1, json!({"car": "1", "speed_kph": f64::from(n) + 0.5})).await));
    }
    produce(&topic, &batch).await;
    topic
}

fn speeds(viewer: &Viewer, topic: &str) -> Vec<f64> {
    by_offset(&viewer.seen, topic).values().map(|r| r["speed_kph"].as_f64().unwrap()).collect()
}

/// One registry stopped once (it takes a while to start): a server that waits for it
/// delivers every record when it is back, and one stopped while it waited committed none
/// of the records it put back, so the next server of its group starts at the first.
#[tokio::test]
async fn records_wait_for_a_registry_that_is_down_and_none_is_lost() {
    let registry = std::sync::Arc::new(PrivateRegistry::new());
    registry.sh("up");
    let config = RegistryConfig::from_env(&registry.url());
    let (waits, stops) = (five_records(&config).await, five_records(&config).await);
    registry.sh("down");
    let url = registry.url();

    // No history window: a restarted server starts exactly where the group committed.
    let group = unique("g");
    let args = ["--topics", &stops, "--group-id", &group, "-X", "auto.offset.reset=earliest", "--history-secs", "0"];
    let args = [args.as_slice(), &["--schema-registry", &url]].concat();
    let stopped = TestApp::spawn(&args).await;
    let mut viewer = stopped.viewer().await;
    viewer.subscribe(&stops, None).await;
    // The first record waits for its schema; the four behind it were fetched and put back.
    viewer.next_of("stats", |m| m["kafka"]["schema_registry"]["reachable"] == false).await;
    assert!(by_offset(&viewer.seen, &stops).is_empty());
    stopped.shutdown().await;

    let (_app, mut viewer) = watch(&waits, &url).await;
    // The Kafka panel says so, and the records wait rather than being counted malformed.
    let stats = viewer.next_of("stats", |m| m["kafka"]["schema_registry"]["reachable"] == false).await;
    assert_eq!(stats["totals"]["malformed"], 0);
    assert!(by_offset(&viewer.seen, &waits).is_empty());

    // The page keeps reading (and answering pings) while the registry starts again.
    let back = tokio::task::spawn_blocking({
        let registry = registry.clone();
        move || registry.sh("up")
    });
    viewer.until("every record", |seen| by_offset(seen, &waits).len() == 5).await;
    back.await.unwrap();
    assert_eq!(speeds(&viewer, &waits), vec![0.5, 1.5, 2.5, 3.5, 4.5]);
    let stats = viewer.next_of("stats", |m| m["kafka"]["schema_registry"]["reachable"] == true).await;
    assert_eq!(stats["totals"]["malformed"], 0);

    // Had the stopped server committed the records it put back, this one would start past them.
    let restarted = TestApp::spawn(&args).await;
    let mut viewer = restarted.viewer().await;
    viewer.subscribe(&stops, None).await;
    viewer.until("every record, from the first", |seen| by_offset(seen, &stops).len() == 5).await;
    assert_eq!(speeds(&viewer, &stops), vec![0.5, 1.5, 2.5, 3.5, 4.5]);
}
