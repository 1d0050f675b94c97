//! The contract's decoder, record by record.

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
fn a_record_without_speed_or_rpm_is_valid_and_one_without_any_channel_is_not() {
    let brakes = dec(r#"{"car":"1","brake_temp_c":{"fl":512.5}}"#).unwrap();
    assert!(brakes.speed_kph.is_nan() && brakes.rpm.is_nan(), "absent, not zero");
    let json = serde_json::to_string(&brakes).unwrap();
    assert!(!json.contains("speed_kph") && !json.contains("rpm"), "absent stays absent: {json}");
    assert_eq!(dec(r#"{"car":"1","speed_kph":1}"#).unwrap().speed_kph, 1.0);
    assert_eq!(dec(r#"{"car":"1","ts":5}"#), Err(Malformed::NoChannel));
    assert_eq!(dec(r#"{"car":"1","driver":"Ada","team":"x"}"#), Err(Malformed::NoChannel));
    assert!(dec(r#"{"speed_kph":1}"#).unwrap_err().to_string().contains("missing field `car`"));
}

#[test]
fn the_other_fields_are_channels_beside_the_v1_fields() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let r = br#"{"car":"7","speed_kph":200,"g":{"lat":1.25,"long":-0.5},"drs":true,"wear":[1,2],"team":"x"}"#;
    let (sample, channels) = decode_channels(Some(r), Some(1), 0, || dict.clone()).unwrap();
    assert_eq!((sample.car.as_str(), sample.speed_kph), ("7", 200.0));
    let got: Vec<(String, f64)> = channels.to_vec();
    let want = [("g.lat", 1.25), ("g.long", -0.5), ("drs", 1.0), ("wear.0", 1.0), ("wear.1", 2.0)];
    assert_eq!(got, want.map(|(n, v)| (n.to_owned(), v)));
    let (_, none) = decode_channels(Some(br#"{"car":"7","rpm":1}"#), None, 0, || unreachable!()).unwrap();
    assert!(none.is_empty(), "a v1 record never touches the dictionary");
}

#[test]
fn the_v1_fields_count_against_the_record_bound() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let extra: Vec<String> = (0..260).map(|i| format!(r#""c{i}":{i}"#)).collect();
    let r = format!(r#"{{"car":"7","speed_kph":1,"rpm":2,{}}}"#, extra.join(","));
    let (sample, channels) = decode_channels(Some(r.as_bytes()), None, 0, || dict.clone()).unwrap();
    dict.observe(sample.v1_values(), &channels);
    assert_eq!(channels.len(), MAX_RECORD_CHANNELS - 2);
    assert_eq!(dict.dropped().over_record_limit, 260 - (MAX_RECORD_CHANNELS as u64 - 2));
}

#[test]
fn a_record_whose_every_other_channel_was_dropped_still_counts_the_drop() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let r = format!(r#"{{"car":"7","speed_kph":1,"{}":1}}"#, "x".repeat(200));
    let (sample, channels) = decode_channels(Some(r.as_bytes()), None, 0, || dict.clone()).unwrap();
    dict.observe(sample.v1_values(), &channels);
    assert!(channels.is_empty());
    assert_eq!(dict.dropped().name_too_long, 1, "the long name is counted, though nothing of it is kept");
}

#[test]
fn a_v1_field_written_twice_is_malformed_as_before() {
    let err = dec(r#"{"car":"1","rpm":1,"rpm":2}"#).unwrap_err().to_string();
    assert!(err.contains("duplicate field `rpm`"), "{err}");
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
