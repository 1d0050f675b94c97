//! The shipped examples, applied to their sample JSON, and the reasons a record or a file
//! that does not fit is refused with.

use super::*;
use crate::telemetry::Tires;

const F1_TOML: &str = include_str!("../../examples/mapping/f1-json.toml");
const F1_JSON: &str = include_str!("../../examples/mapping/f1-json.json");
const SIMHUB_TOML: &str = include_str!("../../examples/mapping/simhub.toml");
const SIMHUB_JSON: &str = include_str!("../../examples/mapping/simhub.json");

fn decoder(toml: &str) -> Decoder {
    Decoder::new(Mappings::parse(toml).unwrap(), None)
}

fn many(s: Result<Samples, Malformed>) -> Vec<Sample> {
    s.unwrap().into_iter().map(|(s, _)| s).collect()
}

fn reason(toml: &str, topic: &str, json: &str) -> String {
    decoder(toml).decode(topic, Some(b"k"), Some(json.as_bytes()), Some(5), 0).unwrap_err().to_string()
}

#[test]
fn the_f1_json_example_gives_one_sample_per_car_with_tires_reordered() {
    let samples = many(decoder(F1_TOML).decode("f1-json", None, Some(F1_JSON.as_bytes()), Some(42), 0));
    assert_eq!(samples.len(), 3);
    let first = &samples[0];
    assert_eq!((first.car.as_str(), first.ts, first.speed_kph, first.rpm), ("0", Some(42), 287.0, 11234.0));
    assert_eq!(
        first.tire_temp_c,
        Some(Tires { fl: 96.0, fr: 98.0, rl: 92.0, rr: 93.0 }),
        "RL, RR, FL, FR in the packet"
    );
    assert_eq!((first.gear, first.throttle, first.brake), (Some(7), Some(1.0), Some(0.0)));
    assert_eq!((samples[1].car.as_str(), samples[1].brake), ("1", Some(0.85)));
    assert_eq!((samples[2].car.as_str(), samples[2].gear), ("2", Some(-1)));
}

#[test]
fn the_simhub_example_reads_the_key_the_units_and_the_tires_in_simhubs_order() {
    let d = decoder(SIMHUB_TOML);
    let s = many(d.decode("simhub", Some(b"GT3-Porsche"), Some(SIMHUB_JSON.as_bytes()), Some(1), 0));
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(
        (s.car.as_str(), s.driver.as_deref(), s.ts),
        ("GT3-Porsche", Some("Ada Lovelace"), Some(1_764_028_800_123))
    );
    assert_eq!((s.speed_kph, s.rpm, s.lap), (212.4, 7450.0, Some(4)));
    assert_eq!((s.throttle, s.brake), (Some(0.875), Some(0.0)), "percent becomes 0 to 1");
    assert_eq!(s.tire_temp_c, Some(Tires { fl: 88.5, fr: 89.25, rl: 84.0, rr: 85.75 }));
}

#[test]
fn topics_without_a_mapping_keep_the_contract() {
    let d = decoder(SIMHUB_TOML);
    let contract = r#"{"car":"7","speed_kph":1,"rpm":2}"#;
    assert_eq!(many(d.decode("telemetry", None, Some(contract.as_bytes()), Some(3), 0))[0].car, "7");
    assert!(d.decode("simhub", Some(b"k"), Some(contract.as_bytes()), Some(3), 0).is_err(), "simhub is mapped");
    assert!(matches!(Decoder::default().decode("t", None, None, None, 0), Err(Malformed::Empty)));
}

#[test]
fn a_record_that_does_not_fit_is_malformed_with_the_path_named() {
    let no_rpm = SIMHUB_JSON.replace(r#""Rpms":7450,"#, "");
    assert_eq!(reason(SIMHUB_TOML, "simhub", &no_rpm), "mapping: `/carState/Rpms` (rpm) is missing");
    let text_speed = SIMHUB_JSON.replace("212.4", r#""fast""#);
    assert_eq!(
        reason(SIMHUB_TOML, "simhub", &text_speed),
        "mapping: `/carState/SpeedKmh` (speed_kph) is a string, not a number"
    );
    let three_tires = SIMHUB_JSON.replace("[88.5,89.25,84.0,85.75]", "[88.5,89.25,84.0]");
    assert_eq!(reason(SIMHUB_TOML, "simhub", &three_tires), "mapping: `/tireData/TireTemperatures/3` is missing");
    let half_lap = SIMHUB_JSON.replace(r#""CurrentLap":4"#, r#""CurrentLap":4.5"#);
    assert!(reason(SIMHUB_TOML, "simhub", &half_lap).contains("`/carState/CurrentLap` (lap) is 4.5"));
    assert_eq!(reason(F1_TOML, "f1-json", r#"{"m_header":{}}"#), "mapping: `/m_carTelemetryData` is missing");
    assert_eq!(
        reason(F1_TOML, "f1-json", r#"{"m_carTelemetryData":{}}"#),
        "mapping: `/m_carTelemetryData` is an object, not an array"
    );
    assert!(reason(F1_TOML, "f1-json", "{oops").starts_with("not JSON"));
    let keyless = decoder(SIMHUB_TOML).decode("simhub", None, Some(SIMHUB_JSON.as_bytes()), None, 0);
    assert_eq!(keyless.unwrap_err().to_string(), "mapping: the record has no key to name the car by");
}

#[test]
fn absent_optional_fields_and_tires_are_left_out() {
    let bare = r#"{"carState":{"SpeedKmh":100,"Rpms":5000}}"#;
    let s = many(decoder(SIMHUB_TOML).decode("simhub", Some(b"1"), Some(bare.as_bytes()), Some(9), 0));
    assert_eq!((s[0].tire_temp_c, s[0].lap, s[0].ts, s[0].driver.as_deref()), (None, None, Some(9), None));
}

#[test]
fn units_scale_and_offset_convert_into_the_contract() {
    let toml = r#"
        [[mapping]]
        topics = ["t"]
        car = { value = "44" }
        fields.speed_kph = { path = "/v", unit = "m/s" }
        fields.rpm = { path = "/r", scale = 1000.0 }
        fields.x = { path = "$/pos/0", offset = -100.0 }
        fields."tire_temp_c.fl" = { path = "/t/0", unit = "°F" }
        fields."tire_temp_c.fr" = { path = "/t/1", unit = "K" }
        fields."tire_temp_c.rl" = { path = "/t/2", unit = "C" }
        fields."tire_temp_c.rr" = { path = "/t/3", unit = "F" }
    "#;
    let json = r#"{"v":50,"r":7.5,"pos":[120.5],"t":[212,373.15,80,32]}"#;
    let s = &many(decoder(toml).decode("t", None, Some(json.as_bytes()), Some(1), 0))[0];
    assert_eq!((s.car.as_str(), s.speed_kph, s.rpm, s.x), ("44", 180.0, 7500.0, Some(20.5)));
    let t = s.tire_temp_c.unwrap();
    assert_eq!((t.fl, t.rl, t.rr), (100.0, 80.0, 0.0));
    assert!((t.fr - 100.0).abs() < 1e-9, "{}", t.fr);
    let mph = toml.replace(r#"unit = "m/s""#, r#"unit = "mph""#);
    let s = &many(decoder(&mph).decode("t", None, Some(json.as_bytes()), Some(1), 0))[0];
    assert!((s.speed_kph - 80.4672).abs() < 1e-9, "{}", s.speed_kph);
}

#[test]
fn a_mapping_file_with_a_mistake_is_refused_with_its_place() {
    let base = "[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.rpm = { path = \"/r\" }\n";
    let err = |extra: &str| Mappings::parse(&format!("{base}{extra}")).unwrap_err().to_string();
    assert_eq!(err(""), "mapping 1: `fields` has no `speed_kph`, which the contract requires");
    assert_eq!(
        err("fields.speed_kph = { path = \"/s\", unit = \"K\" }"),
        "mapping 1: unit `K` does not fit `speed_kph`"
    );
    assert!(
        err("fields.speed_kph = { path = \"/s\" }\nfields.speed = { path = \"/s\" }").contains("`speed` is no field")
    );
    assert!(err("fields.speed_kph = { path = \"s\" }").contains("`s` is not a JSON pointer"));
    assert!(
        err("fields.speed_kph = { path = \"/s\" }\nfields.\"tire_temp_c.fl\" = { path = \"/t\" }")
            .contains("not all four")
    );
    assert!(err("fields.speed_kph = { path = \"/s\", colour = 1 }").contains("colour"), "unknown keys are refused");
    let twice = format!("{base}fields.speed_kph = {{ path = \"/s\" }}\n{base}fields.speed_kph = {{ path = \"/s\" }}\n");
    assert_eq!(Mappings::parse(&twice).unwrap_err().to_string(), "topic `t` is mapped twice");
    let both = "[[mapping]]\ntopics = [\"t\"]\ncar = { key = true, value = \"1\" }\nfields.rpm = { path = \"/r\" }\nfields.speed_kph = { path = \"/s\" }\n";
    assert!(Mappings::parse(both).unwrap_err().to_string().contains("exactly one of"));
    let syntax = Mappings::parse("x = [\n").unwrap_err().to_string();
    assert!(!syntax.contains('\n') && !syntax.contains('|'), "one line, without the quoted source: {syntax}");
    assert!(syntax.contains("line 1"), "{syntax}");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever JSON a mapped topic carries, decoding returns.
        #[test]
        fn any_json_on_a_mapped_topic_decodes_or_is_refused_without_panicking(
            text in r#"[{}\[\]":,0-9a-zA-Z_/.eE+\- ]{0,300}"#, cars in any::<bool>()) {
            let d = decoder(if cars { F1_TOML } else { SIMHUB_TOML });
            let _ = d.decode(if cars { "f1-json" } else { "simhub" }, Some(b"1"), Some(text.as_bytes()), None, 0);
        }
    }
}
