//! The fast path against the full decoder: whatever a record holds, decoding it after a
//! record of the same layout gives what decoding it alone gives, error or not.

use std::sync::Arc;

use super::*;
use crate::{
    channels::dictionary::Dictionary,
    simulate::race::Race,
    telemetry::{Malformed, decode_channels},
};

type Decoded = Result<(Sample, Vec<(String, f64)>), Malformed>;

/// Decodes with this thread's memory of the last layout as it is.
fn decode(dict: &Arc<Dictionary>, json: &str) -> Decoded {
    decode_channels(Some(json.as_bytes()), Some(42), 99, || Arc::clone(dict)).map(|(s, c)| (s, c.to_vec()))
}

/// Decodes in full: the thread's memory of the last layout is forgotten first.
fn full(dict: &Arc<Dictionary>, json: &str) -> Decoded {
    super::super::with_scratch(|s| s.templates.clear());
    decode(dict, json)
}

/// `next` decoded right after `first`, and alone: the same, down to the bits of a NaN.
fn same_after(first: &str, next: &str) -> Decoded {
    let dict = Arc::new(Dictionary::default());
    full(&dict, first).expect("the first record decodes");
    let fast = decode(&dict, next);
    let alone = full(&dict, next);
    assert_eq!(format!("{fast:?}"), format!("{alone:?}"), "{next}");
    fast
}

/// Whether `next` is read by the template learnt from `first`.
fn read_fast(first: &str, next: &str) -> bool {
    let dict = Arc::new(Dictionary::default());
    full(&dict, first).expect("the first record decodes");
    let learnt = super::super::with_scratch(|s| {
        s.templates
            .first()
            .map(|t| t.read(next.as_bytes(), if t.has_channels() { dict.id() } else { 0 }, &mut Vec::new()).is_some())
    });
    learnt == Some(true)
}

const FIRST: &str = r#"{"car":"7","ts":1700000000000,"speed_kph":287.5,"rpm":11250,"tire_temp_c":{"fl":96.0,"fr":98.5,"rl":92.0,"rr":93.5},"lap":3,"gear":7,"throttle":1.0,"brake":0.0,"driver":"Ada","x":1.5,"y":-2.0,"lap_distance_m":120.0,"steer":0.1,"brake_temp_c":{"fl":400,"fr":410},"fuel_kg":80.5}"#;

/// FIRST with its values replaced, in order, by `values`.
fn with(values: [&str; 20]) -> String {
    format!(
        r#"{{"car":{},"ts":{},"speed_kph":{},"rpm":{},"tire_temp_c":{{"fl":{},"fr":{},"rl":{},"rr":{}}},"lap":{},"gear":{},"throttle":{},"brake":{},"driver":{},"x":{},"y":{},"lap_distance_m":{},"steer":{},"brake_temp_c":{{"fl":{},"fr":{}}},"fuel_kg":{}}}"#,
        values[0],
        values[1],
        values[2],
        values[3],
        values[4],
        values[5],
        values[6],
        values[7],
        values[8],
        values[9],
        values[10],
        values[11],
        values[12],
        values[13],
        values[14],
        values[15],
        values[16],
        values[17],
        values[18],
        values[19]
    )
}

const PLAIN: [&str; 20] = [
    r#""12""#,
    "1700000000050",
    "290.25",
    "11300",
    "97",
    "98.75",
    "92.5",
    "93",
    "4",
    "-1",
    "0.5",
    "0",
    r#""Bo""#,
    "1e2",
    "-2.5E-3",
    "0.000",
    "-0.25",
    "401",
    "411",
    "80.25",
];

#[test]
fn a_record_of_the_same_layout_is_read_by_its_values_alone_as_the_full_decoder_reads_it() {
    let next = with(PLAIN);
    assert!(read_fast(FIRST, &next));
    let (s, channels) = same_after(FIRST, &next).unwrap();
    assert_eq!(
        (s.car.as_str(), s.ts, s.gear, s.driver.as_deref()),
        ("12", Some(1_700_000_000_050), Some(-1), Some("Bo"))
    );
    assert_eq!(s.tire_temp_c, Some(Tires { fl: 97.0, fr: 98.75, rl: 92.5, rr: 93.0 }));
    assert_eq!((s.x, s.y), (Some(100.0), Some(-0.0025)));
    assert_eq!(channels.len(), 4);
}

#[test]
fn the_simulators_records_come_out_as_the_full_decoder_gives_them() {
    let mut race = Race::new(20, 7);
    let dict = Arc::new(Dictionary::default());
    let mut fast_reads = 0;
    for step in 0..50 {
        race.step(0.05);
        for r in race.records(1_700_000_000_000 + step * 50) {
            let json = serde_json::to_string(&r).unwrap();
            let learnt = super::super::with_scratch(|s| {
                s.templates.first().map(|t| t.read(json.as_bytes(), dict.id(), &mut Vec::new()).is_some())
            });
            fast_reads += usize::from(learnt == Some(true));
            let fast = decode(&dict, &json);
            let alone = full(&dict, &json);
            assert_eq!(format!("{fast:?}"), format!("{alone:?}"), "{json}");
            decode(&dict, &json).unwrap(); // learn again for the next one
        }
    }
    assert!(fast_reads > 900, "the simulator's records share a layout: {fast_reads} of 1000 read fast");
}

#[test]
fn values_the_fast_path_does_not_read_go_to_the_full_decoder_with_the_same_outcome() {
    let cases: [(usize, &str); 16] = [
        (12, r#""B\"o""#), // an escape
        (12, r#""Bö""#),   // not ASCII: still read, as UTF-8
        (0, r#""""#),      // an empty car: the full decoder's error
        (2, "null"),       // a null v1 field
        (8, "3.5"),        // a lap that is no integer
        (8, "-1"),         // a negative lap
        (8, "4294967296"), // a lap out of range
        (9, "-0"),         // serde_json reads -0 as a float: no gear
        (9, "200"),        // a gear out of range
        (1, "1.7e12"),     // a ts that is no integer
        (2, "1e999"),      // out of range
        (2, "01"),         // not JSON
        (2, "-"),          // not JSON
        (17, "true"),      // a channel of another kind
        (17, "[1,2]"),     // an array where a number was
        (19, r#""x""#),    // a string where a number was
    ];
    for (i, v) in cases {
        let mut values = PLAIN;
        values[i] = v;
        let _same_either_way = same_after(FIRST, &with(values));
    }
    let mut big = PLAIN;
    big[2] = "123456789012345678901234567890";
    big[17] = "18446744073709551616";
    assert!(same_after(FIRST, &with(big)).is_ok());
}

#[test]
fn a_record_laid_out_otherwise_is_decoded_in_full() {
    for other in [
        FIRST.replace(r#""steer":0.1,"#, ""),                            // a channel fewer
        FIRST.replace(r#""fuel_kg":80.5"#, r#""fuel_kg":80.5,"oil":1"#), // one more
        FIRST.replace(r#","ts":"#, r#", "ts":"#),                        // other spacing
        format!("{FIRST} "),                                             // trailing space
        FIRST.replace("\"lap\":3,\"gear\":7", "\"gear\":7,\"lap\":3"),   // another order
        FIRST.replace("}", ""),                                          // cut short
    ] {
        assert!(!read_fast(FIRST, &other), "{other}");
        let dict = Arc::new(Dictionary::default());
        full(&dict, FIRST).unwrap();
        let fast = decode(&dict, &other);
        assert_eq!(format!("{fast:?}"), format!("{:?}", full(&dict, &other)), "{other}");
    }
}

#[test]
fn a_record_with_what_the_fast_path_does_not_read_is_not_learnt() {
    let dict = Arc::new(Dictionary::default());
    for json in [
        r#"{"car":"1","speed_kph":1,"wing":[1,2]}"#,
        r#"{"car":"1","speed_kph":1,"drs":true}"#,
        r#"{"car":"1","speed_kph":1,"a":1,"a":2}"#,
        r#"{"car":"1","speed_kph":1,"tire_temp_c":null,"a":1}"#,
        r#"{"car":"1","sp\u0065ed_kph":1,"a":1}"#,
    ] {
        full(&dict, json).unwrap();
        assert!(super::super::with_scratch(|s| s.templates.is_empty()), "{json}");
    }
}

#[test]
fn records_of_v1_fields_alone_are_read_fast_too_and_two_layouts_take_turns() {
    let v1 = r#"{"car":"1","ts":5,"speed_kph":1.5,"rpm":2,"team":"x"}"#;
    let v1_next = r#"{"car":"2","ts":6,"speed_kph":2.5,"rpm":3,"team":"x"}"#;
    assert!(!read_fast(v1, v1_next), "a string among the other fields is not learnt");
    let v1 = r#"{"car":"1","ts":5,"speed_kph":1.5,"rpm":2}"#;
    let v1_next = r#"{"car":"2","ts":6,"speed_kph":2.5,"rpm":3}"#;
    assert!(read_fast(v1, v1_next));
    let (s, channels) = same_after(v1, v1_next).unwrap();
    assert_eq!((s.car.as_str(), s.rpm, channels.len()), ("2", 3.0, 0));
    // Turn by turn, each layout is read by its own template.
    let dict = Arc::new(Dictionary::default());
    full(&dict, v1).unwrap();
    decode(&dict, FIRST).unwrap();
    for json in [v1_next, &with(PLAIN), v1_next, &with(PLAIN)] {
        let both = super::super::with_scratch(|s| {
            s.templates.iter().any(|t| {
                t.read(json.as_bytes(), if t.has_channels() { dict.id() } else { 0 }, &mut Vec::new()).is_some()
            })
        });
        assert!(both, "{json}");
        let fast = decode(&dict, json);
        assert_eq!(format!("{fast:?}"), format!("{:?}", full(&dict, json)));
        decode(&dict, if json == v1_next { FIRST } else { v1 }).unwrap();
        decode(&dict, json).unwrap();
    }
}

#[test]
fn another_topics_dictionary_takes_the_full_path() {
    let (a, b) = (Arc::new(Dictionary::default()), Arc::new(Dictionary::default()));
    full(&a, FIRST).unwrap();
    let next = with(PLAIN);
    let (_, channels) = decode(&b, &next).unwrap();
    assert_eq!(channels.len(), 4);
    assert_eq!(b.index_of("fuel_kg"), Some(3), "the names went into b");
}
