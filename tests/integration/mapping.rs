//! `serve --mapping`: the shipped examples, pointed at a topic of the test's own, chart
//! JSON of other shapes with the right values and units; a record that does not fit is
//! malformed with the path named.

use serde_json::{Value, json};

use crate::helpers::*;

/// The example file with its topic renamed to `topic`, written where the server can read it.
fn example(name: &str, example_topic: &str, topic: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(format!("examples/mapping/{name}.toml")).unwrap();
    let renamed = text.replace(&format!("topics = [\"{example_topic}\"]"), &format!("topics = [\"{topic}\"]"));
    assert_ne!(text, renamed, "the example names `{example_topic}`");
    let path = std::env::temp_dir().join(format!("{}.toml", unique(name)));
    std::fs::write(&path, renamed).unwrap();
    path
}

fn example_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("examples/mapping/{name}.json")).unwrap()).unwrap()
}

/// A server reading `topic` from the earliest offset through `mapping`, and a viewer of it.
async fn watching_mapped(topic: &str, mapping: &std::path::Path) -> (TestApp, Viewer) {
    let group = unique("g");
    let args = ["--topics", topic, "--group-id", &group, "-X", "auto.offset.reset=earliest"];
    let app = TestApp::spawn(&[&args[..], &["--mapping", mapping.to_str().unwrap()]].concat()).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(topic, None).await;
    (app, viewer)
}

#[tokio::test]
async fn an_f1_json_packet_charts_every_car_in_it_with_tires_in_their_corners() {
    let topic = create_topic(1).await;
    let mapping = example("f1-json", "f1-json", &topic);
    produce(&topic, &[(0, "packet", json_bytes(&example_json("f1-json")))]).await;
    let (_app, mut viewer) = watching_mapped(&topic, &mapping).await;
    viewer.until("three cars", |seen| records(seen, "live").len() >= 3).await;
    std::fs::remove_file(&mapping).unwrap();

    let got = records(&viewer.seen, "live");
    let cars: Vec<&str> = got.iter().map(|(_, _, r)| r["car"].as_str().unwrap()).collect();
    assert_eq!(cars, ["0", "1", "2"]);
    let first = &got[0].2;
    assert_eq!(
        (first["speed_kph"].as_f64(), first["rpm"].as_f64(), first["gear"].as_i64()),
        (Some(287.0), Some(11234.0), Some(7))
    );
    assert_eq!(first["tire_temp_c"], json!({"fl": 96.0, "fr": 98.0, "rl": 92.0, "rr": 93.0}));
    assert_eq!((got[1].2["brake"].as_f64(), got[2].2["gear"].as_i64()), (Some(0.85), Some(-1)));
    assert!(got.iter().all(|(_, _, r)| r["offset"] == 0), "one record, three cars");
}

#[tokio::test]
async fn a_simhub_object_charts_with_its_units_converted_and_a_misfit_names_its_path() {
    let topic = create_topic(1).await;
    let mapping = example("simhub", "simhub", &topic);
    let mut value = example_json("simhub");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    value["time"] = json!(now);
    let mut broken = value.clone();
    broken["carState"]["Rpms"] = json!("high");
    produce(&topic, &[(0, "GT3-911", json_bytes(&value)), (0, "GT3-911", json_bytes(&broken))]).await;
    let (app, mut viewer) = watching_mapped(&topic, &mapping).await;
    viewer.until("the car", |seen| !records(seen, "live").is_empty()).await;
    std::fs::remove_file(&mapping).unwrap();

    let r = &records(&viewer.seen, "live")[0].2;
    assert_eq!(
        (r["car"].as_str(), r["driver"].as_str(), r["ts"].as_i64()),
        (Some("GT3-911"), Some("Ada Lovelace"), Some(now))
    );
    assert_eq!((r["speed_kph"].as_f64(), r["rpm"].as_f64(), r["lap"].as_i64()), (Some(212.4), Some(7450.0), Some(4)));
    assert_eq!((r["throttle"].as_f64(), r["brake"].as_f64()), (Some(0.875), Some(0.0)), "percent becomes 0 to 1");
    assert_eq!(r["tire_temp_c"], json!({"fl": 88.5, "fr": 89.25, "rl": 84.0, "rr": 85.75}));

    let stats = eventually("the misfit counted", || async {
        let s = app.get_json("/api/stats").await;
        let text = s.to_string();
        if text.contains("/carState/Rpms") { Ok(s) } else { Err(text) }
    })
    .await;
    assert!(stats.to_string().contains("mapping: `/carState/Rpms` (rpm) is a string, not a number"), "{stats}");
}

#[tokio::test]
async fn a_simhub_object_s_channels_reach_a_viewer_and_are_listed_with_the_mapping_s_units() {
    let topic = create_topic(1).await;
    let mapping = example("simhub", "simhub", &topic);
    let mut second = example_json("simhub");
    second["carState"]["OilTemperature"] = json!(110.0);
    second["carState"]["Fuel"] = json!(40.9);
    second["carState"]["PitLimiterOn"] = json!(true);
    let batch = [(0, "GT3-911", json_bytes(&example_json("simhub"))), (0, "GT3-911", json_bytes(&second))];
    produce(&topic, &batch).await;
    let (app, mut viewer) = watching_mapped(&topic, &mapping).await;
    viewer.until("both records", |seen| records(seen, "live").len() >= 2).await;
    std::fs::remove_file(&mapping).unwrap();

    let got = records(&viewer.seen, "live");
    let channels = |oil: f64, fuel: f64, pit: f64| {
        json!({
            "oil_temp": oil, "Fuel": fuel, "PitLimiterOn": pit,
            "tire_pressure_psi.fl": 27.1, "tire_pressure_psi.fr": 27.2,
            "tire_pressure_psi.rl": 26.8, "tire_pressure_psi.rr": 26.9,
            "EngineMap.Current": 2.0, "TrackPositionPercent": 0.42, "WaterTemperature": 91.0,
        })
    };
    assert_eq!(got[0].2["channels"], channels(104.5, 41.2, 0.0));
    assert_eq!(got[1].2["channels"], channels(110.0, 40.9, 1.0));
    assert_eq!(got[0].2["rpm"], 7450.0, "the contract's fields stay outside `channels`");

    let api = channels_counted(&app, &topic, 2).await;
    let row = |name: &str| channel_row(&api, name);
    let want = |name: &str, unit: Value, min: f64, max: f64| json!({"name": name, "unit": unit, "records": 2, "min": min, "max": max, "math": false});
    assert_eq!(row("oil_temp"), want("oil_temp", json!("°C"), 104.5, 110.0), "the mapping's unit");
    assert_eq!(row("tire_pressure_psi.fl"), want("tire_pressure_psi.fl", json!("psi"), 27.1, 27.1));
    assert_eq!(row("Fuel"), want("Fuel", Value::Null, 40.9, 41.2), "passed through: the name's suffix, none");
    assert_eq!(row("PitLimiterOn"), want("PitLimiterOn", Value::Null, 0.0, 1.0));
    let names: Vec<&str> = api["channels"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names.len(),
        9 + 10,
        "nine contract fields (speed, rpm, four tires, lap, pedals) and ten channels: {names:?}"
    );
}

/// `serve --mapping` of a file holding `text`: its exit code and what it wrote to stderr.
/// A file that is not refused would leave `serve` running: it is stopped after 60 s and
/// the test fails, rather than hanging the suite.
fn serve_with_mapping(text: &str) -> (Option<i32>, String) {
    let path = std::env::temp_dir().join(format!("{}.toml", unique("bad-mapping")));
    std::fs::write(&path, text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["serve", "--listen", "127.0.0.1:0", "--mapping", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            std::fs::remove_file(&path).unwrap();
            panic!("serve accepted the mapping file and kept running:\n{text}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    std::fs::remove_file(&path).unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_mapping_file_with_a_mistake_stops_serve_with_one_line_naming_it() {
    let (code, stderr) =
        serve_with_mapping("[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.ts = { path = \"/t\" }\n");
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("mapping 1: the mapping reads no channel"), "{stderr}");
}

#[test]
fn a_channel_over_the_name_bound_stops_serve_with_one_line_naming_the_mapping_and_the_channel() {
    let long = "n".repeat(129);
    let text = format!(
        "[[mapping]]\ntopics = [\"t\"]\ncar = {{ key = true }}\nfields.rpm = {{ path = \"/r\" }}\n\
         fields.speed_kph = {{ path = \"/s\" }}\nchannels.{long} = {{ path = \"/n\" }}\n"
    );
    let (code, stderr) = serve_with_mapping(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("mapping 1: channel `{long}`: a channel's name is 1 to 128 bytes")), "{stderr}");
}
