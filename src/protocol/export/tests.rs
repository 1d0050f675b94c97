use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use ::parquet::{
    arrow::arrow_reader::ParquetRecordBatchReaderBuilder,
    file::reader::{FileReader, SerializedFileReader},
};
use bytes::Bytes;

use super::*;
use crate::{
    channels::dictionary::{Channels, Dictionary},
    telemetry::Sample,
};

/// A `Write` the test reads back after the exporter is done with it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn record(dict: &Arc<Dictionary>, offset: i64, ts: i64, extra: &[(&str, f64)]) -> Record {
    let mut sample = Sample::minimal("7", ts);
    sample.tire_temp_c = None;
    sample.lap = Some(3);
    sample.driver = Some("A, \"Ace\"".into());
    let mut channels = Channels::default();
    for (name, v) in extra {
        channels.push(dict, dict.index_or_add(name).unwrap(), *v);
    }
    Record { offset, sample, channels }
}

fn export(format: Format, chosen: Option<&[&str]>, row_group: usize, records: Vec<Record>) -> (Vec<u8>, Summary) {
    let out = Shared::default();
    let rule = ChannelRule { chosen: chosen.map(|c| c.iter().map(|s| (*s).to_owned()).collect()), dictionary: None };
    let mut exporter = Exporter::new(format, "t", rule, row_group, Box::new(out.clone()));
    for r in records {
        assert!(exporter.take(1, r));
    }
    let summary = exporter.finish().unwrap();
    let bytes = out.0.lock().unwrap().clone();
    (bytes, summary)
}

#[test]
fn a_csv_has_units_in_its_header_an_empty_cell_where_a_record_lacks_a_channel_and_quotes_where_needed() {
    let dict = Arc::new(Dictionary::default());
    let records = vec![record(&dict, 10, 1_000, &[("brake_temp_c.fl", 512.5)]), record(&dict, 11, 1_050, &[])];
    let (bytes, summary) = export(Format::Csv, None, 100, records);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "ts [ms],car,driver,lap,topic,partition,offset,speed_kph [km/h],rpm [rpm],brake_temp_c.fl [°C]",
            "1000,7,\"A, \"\"Ace\"\"\",3,t,1,10,100,9000,512.5",
            "1050,7,\"A, \"\"Ace\"\"\",3,t,1,11,100,9000,",
        ]
    );
    assert_eq!(summary.rows, 2);
    assert!(summary.unlisted.is_empty());
}

#[test]
fn a_channel_first_seen_after_the_columns_were_fixed_is_counted_and_said_at_the_end_of_a_csv() {
    let dict = Arc::new(Dictionary::default());
    let mut records: Vec<Record> = (0..3).map(|i| record(&dict, i, 1_000 + i, &[])).collect();
    records.push(record(&dict, 3, 2_000, &[("late_kg", 1.0)]));
    records.push(record(&dict, 4, 2_001, &[("late_kg", 2.0)]));
    let (bytes, summary) = export(Format::Csv, None, 2, records);
    assert_eq!(summary.unlisted.values.get("late_kg"), Some(&2));
    let text = String::from_utf8(bytes).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("# trackside: ") && last.contains("late_kg (2)"), "{last}");
    assert_eq!(text.lines().count(), 1 + 5 + 1, "the header, every row, the note");
}

#[test]
fn chosen_channels_are_the_only_columns_in_their_order_and_the_others_are_not_counted() {
    let dict = Arc::new(Dictionary::default());
    let records = vec![record(&dict, 1, 1_000, &[("g.lat", 1.25), ("fuel_kg", 40.0)])];
    let (bytes, summary) = export(Format::Csv, Some(&["g.lat", "rpm"]), 100, records);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().next().unwrap(), "ts [ms],car,driver,lap,topic,partition,offset,g.lat,rpm [rpm]");
    assert!(text.lines().nth(1).unwrap().ends_with(",1.25,9000"));
    assert!(summary.unlisted.is_empty(), "left out by choice");
}

#[test]
fn jsonl_lines_are_data_records_with_their_topic_and_partition_and_chosen_channels_only_when_chosen() {
    let dict = Arc::new(Dictionary::default());
    let make = || vec![record(&dict, 5, 1_000, &[("g.lat", 1.25), ("fuel_kg", 40.0)])];
    let (bytes, _) = export(Format::Jsonl, None, 100, make());
    let line: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        line,
        serde_json::json!({ "topic": "t", "partition": 1, "offset": 5, "car": "7", "ts": 1000, "speed_kph": 100.0,
            "rpm": 9000.0, "lap": 3, "driver": "A, \"Ace\"", "channels": { "g.lat": 1.25, "fuel_kg": 40.0 } })
    );
    let (bytes, _) = export(Format::Jsonl, Some(&["fuel_kg", "rpm"]), 100, make());
    let line: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        line,
        serde_json::json!({ "topic": "t", "partition": 1, "offset": 5, "car": "7", "ts": 1000, "rpm": 9000.0,
            "lap": 3, "driver": "A, \"Ace\"", "channels": { "fuel_kg": 40.0 } })
    );
}

#[test]
fn parquet_row_groups_hold_at_most_the_row_group_and_fields_carry_their_units() {
    let dict = Arc::new(Dictionary::default());
    let records: Vec<Record> = (0..1_000).map(|i| record(&dict, i, 1_000 + i, &[("fuel_kg", i as f64)])).collect();
    let (bytes, summary) = export(Format::Parquet, None, 128, records);
    let bytes = Bytes::from(bytes);
    let file = SerializedFileReader::new(bytes.clone()).unwrap();
    let groups: Vec<i64> = file.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups.iter().sum::<i64>(), 1_000);
    assert!(groups.iter().all(|&n| n <= 128), "{groups:?}");
    assert!(summary.peak_buffered <= 2 * 128, "the first row group held, then at most one in progress: {summary:?}");
    let kv = file.metadata().file_metadata().key_value_metadata().unwrap();
    let rows = kv.iter().find(|k| k.key == "trackside.rows").unwrap();
    assert_eq!(rows.value.as_deref(), Some("1000"));

    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap();
    let schema = reader.schema().clone();
    assert_eq!(schema.field_with_name("ts").unwrap().metadata().get("unit").map(String::as_str), Some("ms"));
    assert_eq!(schema.field_with_name("fuel_kg").unwrap().metadata().get("unit").map(String::as_str), Some("kg"));
    let batches: Vec<_> = reader.build().unwrap().collect::<Result<_, _>>().unwrap();
    let fuel: Vec<f64> = batches
        .iter()
        .flat_map(|b| {
            let c = b.column_by_name("fuel_kg").unwrap();
            c.as_any().downcast_ref::<arrow_array::Float64Array>().unwrap().values().to_vec()
        })
        .collect();
    assert_eq!(fuel, (0..1_000).map(f64::from).collect::<Vec<_>>(), "every row, in order");
}
