use apache_avro::{Decimal, types::Value as Avro};
use serde_json::json;

use super::*;

pub(crate) const SCHEMA: &str = r#"{
  "type": "record", "name": "Sample", "namespace": "trackside",
  "fields": [
    {"name": "car", "type": "string"},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "speed_kph", "type": "double"},
    {"name": "rpm", "type": "float"},
    {"name": "lap", "type": ["null", "int"]},
    {"name": "driver", "type": ["null", "string"], "default": null},
    {"name": "tire_temp_c", "type": {"type": "record", "name": "Tires", "fields": [
      {"name": "fl", "type": "double"}, {"name": "fr", "type": "double"},
      {"name": "rl", "type": "double"}, {"name": "rr", "type": "double"}]}},
    {"name": "flag", "type": {"type": "enum", "name": "Flag", "symbols": ["GREEN", "YELLOW", "RED"]}},
    {"name": "sectors", "type": {"type": "array", "items": "double"}},
    {"name": "brake_temp_c", "type": {"type": "map", "values": "long"}},
    {"name": "fuel_kg", "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}},
    {"name": "sent_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "spare", "type": ["null", "Tires"]}
  ]
}"#;

fn tires(base: f64) -> Avro {
    Avro::Record(
        ["fl", "fr", "rl", "rr"]
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), Avro::Double(base + i as f64)))
            .collect(),
    )
}

fn datum() -> Avro {
    Avro::Record(vec![
        ("car".into(), Avro::String("44".into())),
        ("ts".into(), Avro::TimestampMillis(1_700_000_000_123)),
        ("speed_kph".into(), Avro::Double(287.5)),
        ("rpm".into(), Avro::Float(11_250.0)),
        ("lap".into(), Avro::Union(1, Box::new(Avro::Int(7)))),
        ("driver".into(), Avro::Union(0, Box::new(Avro::Null))),
        ("tire_temp_c".into(), tires(90.0)),
        ("flag".into(), Avro::Enum(1, "YELLOW".into())),
        ("sectors".into(), Avro::Array(vec![Avro::Double(31.5), Avro::Double(-2.25)])),
        ("brake_temp_c".into(), Avro::Map([("fl".to_owned(), Avro::Long(612))].into_iter().collect())),
        ("fuel_kg".into(), Avro::Decimal(Decimal::from(&(-12_345i32).to_be_bytes()[1..]))),
        ("sent_us".into(), Avro::TimestampMicros(1_700_000_000_123_456)),
        ("spare".into(), Avro::Union(1, Box::new(tires(50.0)))),
    ])
}

fn encode(schema: &str, datum: Avro) -> Vec<u8> {
    let schema = Schema::parse_str(schema).unwrap();
    apache_avro::writer::datum::GenericDatumWriter::builder(&schema).build().unwrap().write_value_to_vec(datum).unwrap()
}

#[test]
fn every_type_the_contract_reads_becomes_json_by_name() {
    let bytes = encode(SCHEMA, datum());
    let value = AvroSchema::parse(SCHEMA).unwrap().decode(&bytes, 5).unwrap();
    assert_eq!(
        value,
        json!({
            "car": "44", "ts": 1_700_000_000_123i64, "speed_kph": 287.5, "rpm": 11_250.0,
            "lap": 7, "driver": null,
            "tire_temp_c": {"fl": 90.0, "fr": 91.0, "rl": 92.0, "rr": 93.0},
            "flag": 1, "flag_symbol": "YELLOW",
            "sectors": [31.5, -2.25], "brake_temp_c": {"fl": 612},
            "fuel_kg": -123.45, "sent_us": 1_700_000_000_123i64,
            "spare": {"fl": 50.0, "fr": 51.0, "rl": 52.0, "rr": 53.0},
        })
    );
}

#[test]
fn a_truncated_record_says_how_many_bytes_it_had() {
    let bytes = encode(SCHEMA, datum());
    let err = AvroSchema::parse(SCHEMA).unwrap().decode(&bytes[..bytes.len() - 3], 5).unwrap_err();
    let total = bytes.len() - 3 + 5;
    assert!(err.starts_with(&format!("cannot read the record in its {total} bytes")), "{err}");
}

#[test]
fn bytes_after_the_record_are_refused_with_where_it_ended() {
    let mut bytes = encode(SCHEMA, datum());
    let len = bytes.len();
    bytes.extend_from_slice(&[0; 11]);
    let err = AvroSchema::parse(SCHEMA).unwrap().decode(&bytes, 5).unwrap_err();
    assert_eq!(err, format!("record ends at byte {} of {}", len + 5, len + 16));
}

#[test]
fn a_record_written_by_an_older_schema_reads_by_its_own() {
    // The wire format names the writer's schema: a reader never needs the newer one.
    let old = r#"{"type":"record","name":"S","fields":[{"name":"car","type":"string"},{"name":"rpm","type":"int"}]}"#;
    let bytes = encode(old, Avro::Record(vec![("car".into(), Avro::String("1".into())), ("rpm".into(), Avro::Int(9))]));
    assert_eq!(AvroSchema::parse(old).unwrap().decode(&bytes, 5).unwrap(), json!({"car": "1", "rpm": 9}));
}

#[test]
fn a_schema_that_is_not_avro_is_refused() {
    assert!(AvroSchema::parse("{\"type\": \"nope\"}").is_err());
    assert!(AvroSchema::parse("syntax = \"proto3\";").is_err());
}

#[test]
fn decimals_of_any_sign_and_scale() {
    assert_eq!(decimal(&[0x30, 0x39], 2), 123.45);
    assert_eq!(decimal(&[0xcf, 0xc7], 2), -123.45);
    assert_eq!(decimal(&[0x01], 0), 1.0);
    assert_eq!(decimal(&[], 3), 0.0);
}
