//! The message contract (v1): what a telemetry record looks like on Kafka, and the one
//! pure function that turns record bytes into a [`Sample`] or says why it cannot.

use serde::{Deserialize, Serialize};

/// Records larger than this are refused before parsing. A telemetry sample is a few
/// hundred bytes; anything near this size is a producer bug, and parsing it would only
/// cost the consumer time that belongs to every other record.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// Tire temperature at each corner, in °C.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tires {
    pub fl: f64,
    pub fr: f64,
    pub rl: f64,
    pub rr: f64,
}

/// One telemetry reading of one car. The Kafka key is the car id.
///
/// Field order is the order of the JSON the simulator writes and the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The car's number or id; also the record key.
    pub car: String,
    /// Milliseconds since the Unix epoch. Optional on the wire: when missing, the Kafka
    /// record timestamp is used, so after [`decode`] it is always set.
    #[serde(default)]
    pub ts: Option<i64>,
    pub speed_kph: f64,
    pub rpm: f64,
    /// Optional since contract v1.1 (e.g. OutGauge has no tires); when present, all four
    /// corners are required and finite. `null` reads as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tire_temp_c: Option<Tires>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lap: Option<u32>,
    /// -1 is reverse, 0 is neutral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gear: Option<i8>,
    /// 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<f64>,
    /// 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brake: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Position on the track, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lap_distance_m: Option<f64>,
}

/// Why a record broke the contract. The text is shown to users as the "last reason".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Malformed {
    #[error("empty value (a tombstone?)")]
    Empty,
    #[error("record of {0} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")]
    TooLarge(usize),
    /// The bytes are not JSON at all (or are cut short).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not a telemetry sample: a field missing or of the wrong type.
    #[error("{0}")]
    Contract(String),
    #[error("field `{0}` is not a finite number")]
    NotFinite(&'static str),
    #[error("field `car` is empty")]
    EmptyCar,
}

/// Decodes one record value. `record_ts` is the Kafka record timestamp (ms), used when
/// the value carries no `ts`; when neither exists the sample gets `now_ms`.
pub fn decode(value: Option<&[u8]>, record_ts: Option<i64>, now_ms: i64) -> Result<Sample, Malformed> {
    let bytes = match value {
        None | Some([]) => return Err(Malformed::Empty),
        Some(b) if b.len() > MAX_RECORD_BYTES => return Err(Malformed::TooLarge(b.len())),
        Some(b) => b,
    };
    let mut sample: Sample = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Malformed::Contract(e.to_string()),
        _ => Malformed::NotJson(e.to_string()),
    })?;
    if sample.car.is_empty() {
        return Err(Malformed::EmptyCar);
    }
    check_finite(&sample)?;
    sample.ts = sample.ts.or(record_ts).or(Some(now_ms));
    Ok(sample)
}

/// Checks the numbers of a sample built by other code than [`decode`] (the bridge, a
/// field mapping) against the same rule.
pub fn check_sample(s: &Sample) -> Result<(), Malformed> {
    if s.car.is_empty() {
        return Err(Malformed::EmptyCar);
    }
    check_finite(s)
}

/// serde_json refuses NaN and infinities in text, but a number like `1e308 * 10` cannot
/// reach us either; this guards the contract itself rather than one parser's habits.
fn check_finite(s: &Sample) -> Result<(), Malformed> {
    let required = [("speed_kph", s.speed_kph), ("rpm", s.rpm)];
    let t = s.tire_temp_c.as_ref();
    let optional = [
        ("tire_temp_c.fl", t.map(|t| t.fl)),
        ("tire_temp_c.fr", t.map(|t| t.fr)),
        ("tire_temp_c.rl", t.map(|t| t.rl)),
        ("tire_temp_c.rr", t.map(|t| t.rr)),
        ("throttle", s.throttle),
        ("brake", s.brake),
        ("x", s.x),
        ("y", s.y),
        ("lap_distance_m", s.lap_distance_m),
    ];
    let all = required.into_iter().chain(optional.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))));
    for (name, v) in all {
        if !v.is_finite() {
            return Err(Malformed::NotFinite(name));
        }
    }
    Ok(())
}

/// A partition of a topic, the unit Kafka orders records in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

/// One decoded record with its offset, as a batch carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub offset: i64,
    pub sample: Sample,
}

/// A record that broke the contract: where, and why, as shown to a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MalformedNote {
    pub offset: i64,
    pub reason: String,
}

#[cfg(test)]
impl Sample {
    /// A valid sample with only the required fields, for tests elsewhere in the crate.
    pub(crate) fn minimal(car: &str, ts: i64) -> Self {
        Self {
            car: car.into(),
            ts: Some(ts),
            speed_kph: 100.0,
            rpm: 9000.0,
            tire_temp_c: Some(Tires { fl: 1.0, fr: 2.0, rl: 3.0, rr: 4.0 }),
            lap: None,
            gear: None,
            throttle: None,
            brake: None,
            driver: None,
            x: None,
            y: None,
            lap_distance_m: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"car":"7","ts":1700000000000,"speed_kph":287.5,"rpm":11250,
        "tire_temp_c":{"fl":96.0,"fr":98.5,"rl":92.0,"rr":93.5},"lap":3,"gear":7,
        "throttle":1.0,"brake":0.0,"driver":"Ada","x":1.5,"y":-2.0,"lap_distance_m":120.0,
        "team":"ignored"}"#;

    fn dec(s: &str) -> Result<Sample, Malformed> {
        decode(Some(s.as_bytes()), Some(42), 99)
    }

    #[test]
    fn a_full_record_decodes_every_field_and_ignores_unknown_ones() {
        let s = dec(GOOD).unwrap();
        assert_eq!(s.car, "7");
        assert_eq!(s.ts, Some(1_700_000_000_000));
        assert_eq!(s.speed_kph, 287.5);
        assert_eq!(s.rpm, 11250.0);
        assert_eq!(s.tire_temp_c, Some(Tires { fl: 96.0, fr: 98.5, rl: 92.0, rr: 93.5 }));
        assert_eq!((s.lap, s.gear, s.driver.as_deref()), (Some(3), Some(7), Some("Ada")));
        assert_eq!((s.x, s.y, s.lap_distance_m), (Some(1.5), Some(-2.0), Some(120.0)));
    }

    #[test]
    fn a_record_without_ts_takes_the_kafka_timestamp_then_the_clock() {
        let minimal = r#"{"car":"1","speed_kph":1,"rpm":2,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        assert_eq!(dec(minimal).unwrap().ts, Some(42));
        assert_eq!(decode(Some(minimal.as_bytes()), None, 99).unwrap().ts, Some(99));
    }

    #[test]
    fn reverse_gear_is_minus_one() {
        let r = r#"{"car":"1","speed_kph":1,"rpm":2,"gear":-1,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        assert_eq!(dec(r).unwrap().gear, Some(-1));
    }

    #[test]
    fn a_record_without_tires_decodes_and_tires_when_present_need_all_four_finite_corners() {
        let no_tires = dec(r#"{"car":"1","speed_kph":1,"rpm":2}"#).unwrap();
        assert_eq!(no_tires.tire_temp_c, None);
        assert!(!serde_json::to_string(&no_tires).unwrap().contains("tire"), "absent stays absent");
        assert_eq!(dec(r#"{"car":"1","speed_kph":1,"rpm":2,"tire_temp_c":null}"#).unwrap().tire_temp_c, None);
        let three = dec(r#"{"car":"1","speed_kph":1,"rpm":2,"tire_temp_c":{"fl":1,"fr":2,"rl":3}}"#);
        assert!(three.unwrap_err().to_string().contains("missing field `rr`"));
        let mut s = no_tires.clone();
        s.tire_temp_c = Some(Tires { fl: 1.0, fr: f64::NAN, rl: 3.0, rr: 4.0 });
        assert_eq!(check_sample(&s), Err(Malformed::NotFinite("tire_temp_c.fr")));
    }

    #[test]
    fn a_message_without_rpm_is_malformed_and_says_so() {
        let r = r#"{"car":"1","speed_kph":1,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        let err = dec(r).unwrap_err().to_string();
        assert!(err.contains("missing field `rpm`"), "{err}");
    }

    #[test]
    fn wrong_types_not_json_and_empty_values_are_malformed() {
        let wrong = r#"{"car":"1","speed_kph":"fast","rpm":2,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        assert!(dec(wrong).unwrap_err().to_string().contains("invalid type"));
        assert!(dec("not json").unwrap_err().to_string().starts_with("not JSON"));
        assert!(matches!(dec(r#"{"car":"1","speed"#), Err(Malformed::NotJson(_))));
        assert_eq!(decode(None, None, 0), Err(Malformed::Empty));
        assert_eq!(decode(Some(b""), None, 0), Err(Malformed::Empty));
        let car_number = r#"{"car":7,"speed_kph":1,"rpm":2,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        assert!(dec(car_number).is_err());
        let no_car = r#"{"car":"","speed_kph":1,"rpm":2,"tire_temp_c":{"fl":1,"fr":2,"rl":3,"rr":4}}"#;
        assert_eq!(dec(no_car), Err(Malformed::EmptyCar));
    }

    #[test]
    fn non_finite_and_out_of_range_numbers_are_malformed() {
        for bad in ["NaN", "Infinity", "1e400", "-1e400"] {
            let r = format!(r#"{{"car":"1","speed_kph":{bad},"rpm":2,"tire_temp_c":{{"fl":1,"fr":2,"rl":3,"rr":4}}}}"#);
            assert!(dec(&r).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn oversized_and_deeply_nested_records_are_refused_without_panicking() {
        let big = vec![b' '; MAX_RECORD_BYTES + 1];
        assert_eq!(decode(Some(&big), None, 0), Err(Malformed::TooLarge(MAX_RECORD_BYTES + 1)));
        let deep = format!(r#"{{"car":"1","x":{}{}}}"#, "[".repeat(5000), "]".repeat(5000));
        assert!(dec(&deep).is_err());
        assert!(decode(Some(&[0xff, 0xfe, 0x00]), None, 0).is_err());
    }

    #[test]
    fn a_sample_survives_a_round_trip_through_json() {
        let s = dec(GOOD).unwrap();
        let again = dec(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(s, again);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn finite() -> impl Strategy<Value = f64> {
            -1e6..1e6f64
        }

        prop_compose! {
            fn samples()(car in "[A-Za-z0-9]{1,8}", ts in proptest::option::of(0..i64::MAX / 2),
                         speed in finite(), rpm in finite(),
                         t in proptest::option::of([finite(), finite(), finite(), finite()]),
                         lap in proptest::option::of(any::<u32>()), gear in proptest::option::of(-1..9i8),
                         driver in proptest::option::of(".{0,20}"), x in proptest::option::of(finite()))
                -> Sample {
                Sample { car, ts, speed_kph: speed, rpm, tire_temp_c: t.map(|t| Tires { fl: t[0], fr: t[1], rl: t[2], rr: t[3] }),
                         lap, gear, throttle: None, brake: None, driver, x, y: x, lap_distance_m: None }
            }
        }

        proptest! {
            /// `make test` tries a few hundred inputs; PROPTEST_CASES=1000000 tries more.
            #[test]
            fn any_bytes_decode_or_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
                let _ = decode(Some(&bytes), Some(1), 2);
            }

            #[test]
            fn any_json_text_decodes_or_is_refused_without_panicking(text in r#"[{}\[\]":,0-9a-z_.eE+\- ]{0,300}"#) {
                let _ = decode(Some(text.as_bytes()), None, 0);
            }

            #[test]
            fn every_valid_sample_survives_encoding_and_decoding(sample in samples()) {
                let bytes = serde_json::to_vec(&sample).unwrap();
                let back = decode(Some(&bytes), Some(7), 9).unwrap();
                prop_assert_eq!(back.ts, sample.ts.or(Some(7)));
                prop_assert_eq!(Sample { ts: sample.ts.or(Some(7)), ..sample }, back);
            }
        }
    }
}
