use prost_reflect::prost::Message;
use serde_json::json;

use super::*;

pub(crate) const PROTO: &str = r#"
syntax = "proto3";
package trackside.test;
import "google/protobuf/wrappers.proto";

enum Flag { GREEN = 0; YELLOW = 1; RED = 2; }

message Sample {
  message Tires { double fl = 1; double fr = 2; double rl = 3; double rr = 4; }
  string car = 1;
  int64 ts = 2;
  double speed_kph = 3;
  float rpm = 4;
  Tires tire_temp_c = 5;
  repeated double sectors = 6;
  Flag flag = 7;
  google.protobuf.Int32Value lap = 8;
  google.protobuf.StringValue driver = 9;
  optional double throttle = 10;
  map<string, int32> brake_temp_c = 11;
}

message Other { string name = 1; }
"#;

/// A message of the schema, written from JSON.
pub(crate) fn encode(schema: &ProtoSchema, indexes: &[usize], json: &str) -> Vec<u8> {
    let message = schema.message(indexes).unwrap();
    let mut de = serde_json::Deserializer::from_str(json);
    DynamicMessage::deserialize(message, &mut de).unwrap().encode_to_vec()
}

#[test]
fn messages_nested_repeated_enums_and_wrappers_become_json_by_name() {
    let schema = ProtoSchema::parse(PROTO).unwrap();
    let body = encode(
        &schema,
        &[0],
        r#"{"car":"44","ts":1700000000123,"speed_kph":0,"rpm":11250,
            "tire_temp_c":{"fl":90,"fr":91,"rl":92,"rr":93},"sectors":[31.5,-2.25],"flag":"YELLOW",
            "lap":7,"driver":"Ada","brake_temp_c":{"fl":612}}"#,
    );
    let mut bytes = vec![0];
    bytes.extend(body);
    let value = schema.decode(&bytes, 5).unwrap();
    assert_eq!(
        value,
        json!({
            "car": "44", "ts": 1_700_000_000_123i64, "speed_kph": 0.0, "rpm": 11_250.0,
            "tire_temp_c": {"fl": 90.0, "fr": 91.0, "rl": 92.0, "rr": 93.0},
            "sectors": [31.5, -2.25], "flag": 1, "lap": 7, "driver": "Ada",
            "brake_temp_c": {"fl": 612},
        })
    );
}

#[test]
fn message_indexes_name_a_nested_or_a_later_message() {
    let schema = ProtoSchema::parse(PROTO).unwrap();
    // [1]: the second message of the file (count 1 and index 1, zigzag: 2 and 2).
    let mut other = vec![2, 2];
    other.extend(encode(&schema, &[1], r#"{"name":"x"}"#));
    assert_eq!(schema.decode(&other, 5).unwrap(), json!({"name": "x"}));
    // [0, 0]: the first message nested in the first (count 2: zigzag 4).
    let mut nested = vec![4, 0, 0];
    nested.extend(encode(&schema, &[0, 0], r#"{"fl":1.5}"#));
    assert_eq!(schema.decode(&nested, 5).unwrap(), json!({"fl": 1.5, "fr": 0.0, "rl": 0.0, "rr": 0.0}));
    assert_eq!(schema.decode(&[2, 8], 5).unwrap_err(), "no message at [4] in the schema");
    assert_eq!(schema.decode(&[0x80], 5).unwrap_err(), "its message indexes are cut short or too many");
}

#[test]
fn a_truncated_message_says_how_many_bytes_it_had() {
    let schema = ProtoSchema::parse(PROTO).unwrap();
    let mut bytes = vec![0];
    bytes.extend(encode(&schema, &[0], r#"{"car":"44","speed_kph":287.5}"#));
    let cut = &bytes[..bytes.len() - 3];
    let err = schema.decode(cut, 5).unwrap_err();
    assert!(err.starts_with(&format!("cannot read the record in its {} bytes", cut.len() + 5)), "{err}");
}

#[test]
fn a_schema_that_does_not_compile_is_refused() {
    assert!(ProtoSchema::parse("syntax = \"proto3\"; message {").is_err());
    assert!(ProtoSchema::parse("syntax = \"proto3\"; import \"elsewhere.proto\";").is_err());
    assert_eq!(ProtoSchema::parse("syntax = \"proto3\";").unwrap_err(), "no message in the schema");
}
