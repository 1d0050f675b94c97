//! `/api/export`: a hand-made topic of three partitions exported as CSV, Parquet and JSON
//! lines gives exactly what was produced, in time order, with units; a span larger than
//! an export's bound stays within it; a client that goes away stops the reader.

use std::collections::HashMap;

use arrow_array::{Array, Float64Array, Int32Array, Int64Array, StringArray, UInt32Array};
use bytes::Bytes;
use parquet::{arrow::arrow_reader::ParquetRecordBatchReaderBuilder, file::reader::FileReader};
use serde_json::{Value, json};

use crate::helpers::*;

const T0: i64 = 1_700_000_000_000;
/// Records of each car.
const N: i64 = 40;
const CARS: [&str; 3] = ["c0", "c1", "c2"];

/// One produced record as its row should read.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    ts: i64,
    car: String,
    driver: String,
    lap: u32,
    partition: i32,
    offset: i64,
    speed: f64,
    rpm: f64,
    brake: f64,
    g_lat: Option<f64>,
}

/// Car `c` (0 to 2) writes to partition `c`; its record `i` is at `T0 + 100 i + 30 c`,
/// except that every tenth of car 2's is at car 1's time: a tie, which goes in partition
/// order. `g.lat` only on odd records: an empty cell on the others.
fn value(c: i64, i: i64) -> (i64, Value) {
    let ts = T0 + 100 * i + if c == 2 && i % 10 == 0 { 30 } else { 30 * c };
    let mut v = json!({
        "car": format!("c{c}"), "driver": format!("Driver {c}"), "ts": ts,
        "speed_kph": 100.5 + i as f64 + c as f64, "rpm": 9000 + i,
        "lap": 1 + i / 20, "brake_temp_c": { "fl": 500.25 + i as f64 },
    });
    if i % 2 == 1 {
        v["g"] = json!({ "lat": i as f64 / 100.0 });
    }
    (ts, v)
}

/// Produces the three cars' records, each with its `ts` as its Kafka timestamp, and
/// returns the rows an export of everything must give, in order.
async fn produce_race(topic: &str) -> Vec<Row> {
    let mut records = Vec::new();
    let mut rows = Vec::new();
    for c in 0..3 {
        for i in 0..N {
            let (ts, v) = value(c, i);
            records.push((c as i32, CARS[c as usize], Some(ts), json_bytes(&v)));
            rows.push(Row {
                ts,
                car: format!("c{c}"),
                driver: format!("Driver {c}"),
                lap: 1 + (i / 20) as u32,
                partition: c as i32,
                offset: 0,
                speed: 100.5 + i as f64 + c as f64,
                rpm: (9000 + i) as f64,
                brake: 500.25 + i as f64,
                g_lat: (i % 2 == 1).then(|| i as f64 / 100.0),
            });
        }
    }
    let offsets = produce_timed(topic, &records).await;
    for (row, offset) in rows.iter_mut().zip(offsets) {
        row.offset = offset;
    }
    rows.sort_by_key(|r| (r.ts, r.partition));
    rows
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

async fn body(app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, Bytes) {
    let resp = get(app, path).await;
    assert_eq!(resp.status(), 200, "{path}");
    let headers = resp.headers().clone();
    (headers, resp.bytes().await.unwrap())
}

fn csv_rows(text: &str) -> Vec<Row> {
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Row {
                ts: f[0].parse().unwrap(),
                car: f[1].into(),
                driver: f[2].into(),
                lap: f[3].parse().unwrap(),
                partition: f[5].parse().unwrap(),
                offset: f[6].parse().unwrap(),
                speed: f[7].parse().unwrap(),
                rpm: f[8].parse().unwrap(),
                brake: f[9].parse().unwrap(),
                g_lat: (!f[10].is_empty()).then(|| f[10].parse().unwrap()),
            }
        })
        .collect()
}

fn parquet_rows(bytes: Bytes) -> (Vec<Row>, HashMap<String, Option<String>>) {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap();
    let units: HashMap<String, Option<String>> =
        reader.schema().fields().iter().map(|f| (f.name().clone(), f.metadata().get("unit").cloned())).collect();
    let mut rows = Vec::new();
    for batch in reader.build().unwrap() {
        let b = batch.unwrap();
        let col = |name: &str| b.column_by_name(name).unwrap().clone();
        let (ts, car, driver, lap) = (col("ts"), col("car"), col("driver"), col("lap"));
        let (ts, car) =
            (ts.as_any().downcast_ref::<Int64Array>().unwrap(), car.as_any().downcast_ref::<StringArray>().unwrap());
        let driver = driver.as_any().downcast_ref::<StringArray>().unwrap();
        let lap = lap.as_any().downcast_ref::<UInt32Array>().unwrap();
        let (partition, offset) = (col("partition"), col("offset"));
        let partition = partition.as_any().downcast_ref::<Int32Array>().unwrap();
        let offset = offset.as_any().downcast_ref::<Int64Array>().unwrap();
        let f64s = |name: &str| col(name).as_any().downcast_ref::<Float64Array>().unwrap().clone();
        let (speed, rpm, brake, g_lat) = (f64s("speed_kph"), f64s("rpm"), f64s("brake_temp_c.fl"), f64s("g.lat"));
        for i in 0..b.num_rows() {
            rows.push(Row {
                ts: ts.value(i),
                car: car.value(i).into(),
                driver: driver.value(i).into(),
                lap: lap.value(i),
                partition: partition.value(i),
                offset: offset.value(i),
                speed: speed.value(i),
                rpm: rpm.value(i),
                brake: brake.value(i),
                g_lat: g_lat.is_valid(i).then(|| g_lat.value(i)),
            });
        }
    }
    (rows, units)
}

fn jsonl_rows(text: &str, topic: &str) -> Vec<Row> {
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["topic"], topic);
            assert!(v.get("tire_temp_c").is_none(), "nothing the record lacked: {v}");
            Row {
                ts: v["ts"].as_i64().unwrap(),
                car: v["car"].as_str().unwrap().into(),
                driver: v["driver"].as_str().unwrap().into(),
                lap: v["lap"].as_u64().unwrap() as u32,
                partition: v["partition"].as_i64().unwrap() as i32,
                offset: v["offset"].as_i64().unwrap(),
                speed: v["speed_kph"].as_f64().unwrap(),
                rpm: v["rpm"].as_f64().unwrap(),
                brake: v["channels"]["brake_temp_c.fl"].as_f64().unwrap(),
                g_lat: v["channels"]["g.lat"].as_f64(),
            }
        })
        .collect()
}

#[tokio::test]
async fn csv_parquet_and_jsonl_exports_of_a_hand_made_topic_give_the_values_produced_in_time_order_with_units() {
    let topic = create_topic(3).await;
    let want = produce_race(&topic).await;
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;

    let (headers, csv) = body(&app, &format!("/api/export?topic={topic}&format=csv")).await;
    let csv = String::from_utf8(csv.to_vec()).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "ts [ms],car,driver,lap,topic,partition,offset,speed_kph [km/h],rpm [rpm],brake_temp_c.fl [°C],g.lat"
    );
    assert_eq!(csv_rows(&csv), want);
    assert_eq!(headers["x-export-records"], "120", "the span's records, for the page's progress");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"{topic}-all-start-end.csv\""));

    let (_, parquet) = body(&app, &format!("/api/export?topic={topic}&format=parquet")).await;
    let (rows, units) = parquet_rows(parquet);
    assert_eq!(rows, want);
    let unit = |name: &str| units[name].as_deref();
    assert_eq!(
        (unit("ts"), unit("speed_kph"), unit("brake_temp_c.fl"), unit("g.lat")),
        (Some("ms"), Some("km/h"), Some("°C"), None)
    );

    let (_, jsonl) = body(&app, &format!("/api/export?topic={topic}&format=jsonl")).await;
    assert_eq!(jsonl_rows(std::str::from_utf8(&jsonl).unwrap(), &topic), want);

    // A time range of some cars, with chosen channels: those rows, those columns.
    let (from, to) = (T0 + 1_000, T0 + 2_030);
    let path = format!("/api/export?topic={topic}&from_ts={from}&to_ts={to}&cars=c1&channels=rpm,g.lat");
    let (headers, csv) = body(&app, &path).await;
    let csv = String::from_utf8(csv.to_vec()).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "ts [ms],car,driver,lap,topic,partition,offset,rpm [rpm],g.lat");
    let got: Vec<(i64, String)> = csv
        .lines()
        .skip(1)
        .map(|l| (l.split(',').next().unwrap().parse().unwrap(), l.split(',').nth(1).unwrap().to_owned()))
        .collect();
    let expect: Vec<(i64, String)> =
        want.iter().filter(|r| r.car == "c1" && (from..=to).contains(&r.ts)).map(|r| (r.ts, r.car.clone())).collect();
    assert_eq!(got, expect);
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"{topic}-c1-{from}-{to}.csv\""));
}

#[tokio::test]
async fn bad_parameters_are_named_an_unknown_topic_is_404_and_a_lap_not_indexed_says_why() {
    let topic = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    // While the index still reads the topic, a lap is 503; once it has, a lap it lacks is 404.
    let laps = format!("/api/laps?topic={topic}");
    eventually("the lap index to read the topic", || async { app.get_json(&laps).await["index"]["state"] == "live" })
        .await;
    for (path, status, says) in [
        (format!("/api/export?topic={topic}&format=xlsx"), 400, "format"),
        (format!("/api/export?topic={topic}&from_ts=yesterday"), 400, "from_ts"),
        (format!("/api/export?topic={topic}&car=7"), 400, "lap"),
        (format!("/api/export?topic={}", unique("none")), 404, "does not exist"),
        (format!("/api/export?topic={topic}&car=7&lap=2"), 404, "car `7`"),
    ] {
        let resp = get(&app, &path).await;
        assert_eq!(resp.status(), status, "{path}");
        let error: Value = resp.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains(says), "{path}: {error}");
    }
}

#[tokio::test]
async fn an_export_of_a_span_far_larger_than_its_bound_holds_no_more_than_the_bound() {
    let topic = create_topic(2).await;
    let records: Vec<Timed<'_>> = (0..6_000)
        .map(|i: i64| {
            let ts = T0 + i * 10;
            let v = json!({ "car": "7", "ts": ts, "speed_kph": i as f64, "fuel_kg": 50.0 });
            ((i % 2) as i32, "7", Some(ts), json_bytes(&v))
        })
        .collect();
    produce_timed(&topic, &records).await;
    let row_group = 256;
    let app = TestApp::spawn(&["--group-id", &unique("g"), "--export-row-group", &row_group.to_string()]).await;

    let (_, parquet) = body(&app, &format!("/api/export?topic={topic}&format=parquet")).await;
    let file = parquet::file::reader::SerializedFileReader::new(parquet.clone()).unwrap();
    let groups: Vec<i64> = file.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups.iter().sum::<i64>(), 6_000);
    assert!(groups.len() >= 6_000 / row_group && groups.iter().all(|&n| n <= row_group as i64), "{groups:?}");
    let kv = file.metadata().file_metadata().key_value_metadata().unwrap();
    let peak: u64 = kv
        .iter()
        .find(|k| k.key == "trackside.peak_buffered_records")
        .unwrap()
        .value
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    // The reader's merge (its budget is a row group) and the writer's row group, and the
    // rows of the Arrow batch being built.
    assert!(peak > 0 && peak <= 3 * row_group as u64, "held {peak} records of 6,000 at once");
    let reader = ParquetRecordBatchReaderBuilder::try_new(parquet).unwrap().build().unwrap();
    let speeds: Vec<f64> = reader
        .flat_map(|b| {
            let b = b.unwrap();
            b.column_by_name("speed_kph").unwrap().as_any().downcast_ref::<Float64Array>().unwrap().values().to_vec()
        })
        .collect();
    assert_eq!(speeds, (0..6_000).map(|i| i as f64).collect::<Vec<_>>(), "every record, in time order");
}

#[tokio::test]
async fn a_client_that_disconnects_stops_the_export_reading() {
    let topic = create_topic(1).await;
    // Wide records: their CSV is far more than the socket's and the server's buffers.
    let wide: serde_json::Map<String, Value> =
        (0..60).map(|k| (format!("ch{k}_c"), json!(123.456_789_012_34 + k as f64))).collect();
    let total: i64 = 30_000;
    let records: Vec<Timed<'_>> = (0..total)
        .map(|i| {
            let mut v = json!({ "car": "7", "ts": T0 + i, "speed_kph": 1.0 });
            v.as_object_mut().unwrap().extend(wide.clone());
            (0, "7", Some(T0 + i), json_bytes(&v))
        })
        .collect();
    produce_timed(&topic, &records).await;
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;

    let mut resp = get(&app, &format!("/api/export?topic={topic}")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.chunk().await.unwrap().is_some(), "the download began");
    let running = |app: &TestApp| {
        let url = app.url("/api/stats");
        async move { reqwest::get(url).await.unwrap().json::<Value>().await.unwrap()["totals"].clone() }
    };
    assert_eq!(running(&app).await["exports_running"], 1, "the reader waits for the client");
    drop(resp);
    let totals = eventually("the export to stop reading", || async {
        let t = running(&app).await;
        if t["exports_running"] == 0 { Ok(t) } else { Err(t.to_string()) }
    })
    .await;
    let written = totals["export_records"].as_i64().unwrap();
    assert!(written < total, "the reader stopped after {written} rows, not at the end of {total}");
}
