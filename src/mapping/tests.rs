//! The shipped examples, applied to their sample JSON, and the reasons a record or a file
//! that does not fit is refused with.

use super::*;
use crate::{
    channels::flatten::{MAX_NAME_BYTES, MAX_RECORD_CHANNELS},
    telemetry::Tires,
};

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
fn the_simhub_example_keeps_its_pressures_its_oil_and_every_other_number_of_car_state() {
    let d = decoder(SIMHUB_TOML).observing();
    let mut samples = d.decode("simhub", Some(b"GT3-Porsche"), Some(SIMHUB_JSON.as_bytes()), Some(1), 0).unwrap();
    d.finish("simhub", &mut samples);
    let channels = samples.into_iter().next().unwrap().1.to_vec();
    let want = [
        ("oil_temp", 104.5),
        ("tire_pressure_psi.fl", 27.1),
        ("tire_pressure_psi.fr", 27.2),
        ("tire_pressure_psi.rl", 26.8),
        ("tire_pressure_psi.rr", 26.9),
        ("EngineMap.Current", 2.0),
        ("Fuel", 41.2),
        ("PitLimiterOn", 0.0),
        ("TrackPositionPercent", 0.42),
        ("WaterTemperature", 91.0),
    ];
    assert_eq!(channels, named(&want), "what `fields` and the pointers read is not passed through again");
    let list = d.channels().topic("simhub").list("simhub");
    let unit = |name: &str| list.channels.iter().find(|c| c.name == name).and_then(|c| c.unit);
    assert_eq!((unit("oil_temp"), unit("tire_pressure_psi.rr"), unit("Fuel")), (Some("°C"), Some("psi"), None));
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
fn speed_and_rpm_are_optional_as_in_contract_v2_but_a_record_needs_a_channel() {
    let toml = "[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.speed_kph = { path = \"/s\" }\n\
                [mapping.channels]\nbrake_fl = { path = \"/b\", unit = \"°C\" }\n";
    let d = decoder(toml);
    let only_brake: Vec<_> =
        d.decode("t", Some(b"7"), Some(br#"{"b":512.5}"#), Some(1), 0).unwrap().into_iter().collect();
    assert!(only_brake[0].0.speed_kph.is_nan() && only_brake[0].0.rpm.is_nan(), "neither mapped value was sent");
    assert_eq!(only_brake[0].1.to_vec(), named(&[("brake_fl", 512.5)]));
    let nothing = d.decode("t", Some(b"7"), Some(br#"{"other":1}"#), Some(1), 0);
    assert!(matches!(nothing, Err(Malformed::NoChannel)), "a record with nothing mapped in it is malformed");
}

#[test]
fn a_v1_only_decoder_keeps_no_other_channel_of_a_mapped_topic_either() {
    let toml = "[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.speed_kph = { path = \"/s\" }\n\
                [mapping.channels]\nbrake_fl = { path = \"/b\" }\n";
    let d = decoder(toml).v1_only();
    let got: Vec<_> =
        d.decode("t", Some(b"7"), Some(br#"{"s":90,"b":512.5}"#), Some(1), 0).unwrap().into_iter().collect();
    assert_eq!((got[0].0.speed_kph, got[0].1.is_empty()), (90.0, true));
    assert!(d.channels().get("t").is_none(), "no dictionary was even made");
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
    assert_eq!(
        Mappings::parse("[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.ts = { path = \"/t\" }\n")
            .unwrap_err()
            .to_string(),
        "mapping 1: the mapping reads no channel: `fields` or `channels` must name one"
    );
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

/// Each car's channels beyond the contract's fields, by name.
fn channels(d: &Decoder, json: &str) -> Vec<Vec<(String, f64)>> {
    let samples = d.decode("t", Some(b"k"), Some(json.as_bytes()), Some(1), 0).unwrap();
    samples.into_iter().map(|(_, c)| c.to_vec()).collect()
}

fn named(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect()
}

const CHANNELS: &str = r#"
    [[mapping]]
    topics = ["t"]
    car = { key = true }
    fields.speed_kph = { path = "/car/speed" }
    fields.rpm = { path = "/car/rpm" }
    [mapping.channels]
    "brake_temp_c.fl" = { path = "/brakes/0", unit = "°F" }
    oil = { path = "/car/oil", unit = "°C", scale = 0.1, offset = -1.0 }
    drs = { path = "$/drs" }
    "*" = { path = "/car" }
    "extra.*" = { path = "/more" }
"#;

#[test]
fn channel_pointers_keep_their_number_scaled_and_booleans_as_one_and_zero() {
    let json = r#"{"car":{"speed":100,"rpm":5000,"oil":905},"brakes":[400.5],"drs":true}"#;
    let got = &channels(&decoder(CHANNELS), json)[0];
    assert_eq!(
        &got[..3],
        &named(&[("brake_temp_c.fl", 400.5), ("drs", 1.0), ("oil", 89.5)])[..],
        "no conversion by unit"
    );
}

#[test]
fn a_pass_through_keeps_every_other_number_at_any_depth_by_its_dotted_name() {
    let json = r#"{"car":{"speed":100,"rpm":5000,"oil":905,"Gear":3,"pit":false,"name":"x",
        "g":{"lat":1.5,"long":null},"wear":[0.1,[0.2]],"rpm_limit_pct":98,"speed_kph":7,"ts":9},
        "more":{"fuel_kg":40},"brakes":[400.5],"drs":false}"#;
    let got = &channels(&decoder(CHANNELS), json)[0];
    let want = [
        ("brake_temp_c.fl", 400.5),
        ("drs", 0.0),
        ("oil", 89.5),
        ("Gear", 3.0),
        ("g.lat", 1.5),
        ("pit", 0.0),
        ("rpm_limit_pct", 98.0),
        ("wear.0", 0.1),
        ("wear.1.0", 0.2),
        ("extra.fuel_kg", 40.0),
    ];
    assert_eq!(
        got,
        &named(&want),
        "speed, rpm and oil are mapped, so not passed through; `speed_kph` and `ts` are the contract's names"
    );
}

#[test]
fn with_cars_a_pass_through_reads_each_car_and_leaves_out_the_array_and_the_car_s_id() {
    let toml = r#"
        [[mapping]]
        topics = ["t"]
        cars = "/cars"
        car = { path = "/id" }
        fields.speed_kph = { path = "/v" }
        fields.rpm = { path = "$/rpm" }
        channels."*" = { path = "" }
        channels."session.*" = { path = "$" }
    "#;
    let json = r#"{"rpm":9000,"track_temp_c":31,"cars":[{"id":44,"v":1,"fuel":0.5},{"id":16,"v":2,"fuel":0.25}]}"#;
    let got = channels(&decoder(toml), json);
    assert_eq!(got[0], named(&[("fuel", 0.5), ("session.track_temp_c", 31.0)]), "rpm is mapped, from the root");
    assert_eq!(got[1], named(&[("fuel", 0.25), ("session.track_temp_c", 31.0)]));
}

#[test]
fn an_absent_channel_is_left_out_and_one_of_the_wrong_type_makes_the_record_malformed() {
    let d = decoder(CHANNELS);
    assert_eq!(channels(&d, r#"{"car":{"speed":1,"rpm":2}}"#), vec![Vec::new()], "nothing absent is malformed");
    assert_eq!(channels(&d, r#"{"car":{"speed":1,"rpm":2,"oil":null},"brakes":[]}"#), vec![Vec::new()]);
    let wrong = |json: &str| d.decode("t", Some(b"k"), Some(json.as_bytes()), None, 0).unwrap_err().to_string();
    assert_eq!(
        wrong(r#"{"car":{"speed":1,"rpm":2,"oil":"hot"}}"#),
        "mapping: `/car/oil` (channel `oil`) is a string, not a number"
    );
    assert_eq!(
        wrong(r#"{"car":{"speed":1,"rpm":2},"brakes":[{"t":1}]}"#),
        "mapping: `/brakes/0` (channel `brake_temp_c.fl`) is an object, not a number"
    );
    assert_eq!(
        wrong(r#"{"car":{"speed":1,"rpm":2},"more":5}"#),
        "mapping: `/more` (pass-through) is a number, not an object or an array"
    );
    let tenfold = decoder(&CHANNELS.replace("scale = 0.1", "scale = 10.0"));
    let huge = r#"{"car":{"speed":1,"rpm":2,"oil":1e308}}"#;
    assert_eq!(
        tenfold.decode("t", Some(b"k"), Some(huge.as_bytes()), None, 0).unwrap_err().to_string(),
        "mapping: `/car/oil` (channel `oil`) is not a finite number"
    );
}

#[test]
fn the_mapping_s_units_are_listed_and_the_others_come_from_the_names() {
    let d = decoder(CHANNELS).observing();
    let json = r#"{"car":{"speed":100,"rpm":5000,"oil":905,"water_c":90},"brakes":[400.5],"more":{"fuel_kg":40}}"#;
    let mut samples = d.decode("t", Some(b"k"), Some(json.as_bytes()), Some(1), 0).unwrap();
    d.finish("t", &mut samples);
    let list = d.channels().topic("t").list("t");
    let got: Vec<_> = list.channels.iter().map(|c| (c.name.as_str(), c.unit)).collect();
    assert_eq!(
        got,
        [
            ("speed_kph", Some("km/h")),
            ("rpm", Some("rpm")),
            ("brake_temp_c.fl", Some("°F")),
            ("oil", Some("°C")),
            ("water_c", Some("°C")),
            ("extra.fuel_kg", Some("kg")),
        ]
    );
}

#[test]
fn a_math_channel_reads_a_mapped_channel_as_any_other() {
    let math = crate::channels::math::MathChannels::parse("m.toml", "[channels]\noil_f = \"oil * 1.8 + 32\"\n");
    let d = Decoder::new(Mappings::parse(CHANNELS).unwrap(), Some(math.unwrap()));
    let mut samples = d.decode("t", Some(b"k"), Some(br#"{"car":{"speed":1,"rpm":2,"oil":1010}}"#), None, 0).unwrap();
    d.finish("t", &mut samples);
    let channels = samples.into_iter().next().unwrap().1;
    assert_eq!((channels.get("oil"), channels.get("oil_f")), (Some(100.0), Some(212.0)));
}

#[test]
fn a_pass_through_keeps_what_the_record_s_bound_leaves_and_counts_the_rest() {
    let d = decoder(CHANNELS).observing();
    let many: Vec<String> = (0..300).map(|i| format!(r#""c{i}":{i}"#)).collect();
    let json = format!(r#"{{"car":{{"speed":1,"rpm":2,"oil":10,{}}}}}"#, many.join(","));
    let mut samples = d.decode("t", Some(b"k"), Some(json.as_bytes()), Some(1), 0).unwrap();
    d.finish("t", &mut samples);
    let kept = samples.into_iter().next().unwrap().1.len();
    assert_eq!(kept, MAX_RECORD_CHANNELS - 2, "speed and rpm take their share");
    let dropped = d.channels().topic("t").dropped();
    assert_eq!(dropped.over_record_limit, 300 + 1 + 2 - MAX_RECORD_CHANNELS as u64);
}

#[test]
fn a_mistake_in_the_channels_is_refused_naming_the_mapping_and_the_channel() {
    let base = "[[mapping]]\ntopics = [\"t\"]\ncar = { key = true }\nfields.rpm = { path = \"/r\" }\nfields.speed_kph = { path = \"/s\" }\n";
    let err = |extra: &str| Mappings::parse(&format!("{base}{extra}")).unwrap_err().to_string();
    let long = "n".repeat(MAX_NAME_BYTES + 1);
    assert_eq!(
        err(&format!("channels.{long} = {{ path = \"/n\" }}")),
        format!("mapping 1: channel `{long}`: a channel's name is 1 to 128 bytes")
    );
    let at_bound = format!("channels.{} = {{ path = \"/n\" }}", "n".repeat(MAX_NAME_BYTES));
    assert!(Mappings::parse(&format!("{base}{at_bound}")).is_ok(), "128 bytes is a name");
    assert_eq!(
        err("channels.oil = { path = \"oil\" }"),
        "mapping 1: channel `oil`: `oil` is not a JSON pointer (it starts with `/`, or `$/` for the record's root)"
    );
    assert_eq!(
        err("channels.rpm = { path = \"/r2\" }"),
        "mapping 1: channel `rpm`: a field of the contract: map it under `fields`"
    );
    assert!(err("channels.\"tire_temp_c.fl\" = { path = \"/t\" }").contains("map it under `fields`"));
    assert_eq!(
        err("channels.\"*\" = { path = \"/o\", unit = \"°C\" }"),
        "mapping 1: channel `*`: a pass-through takes only `path`: its channels' units come from their names"
    );
    assert!(err("channels.\"b*\" = { path = \"/o\" }").contains("ends a group's name"));
    assert!(err("channels.\"a.*.*\" = { path = \"/o\" }").contains("ends a group's name"));
    assert!(err("channels.\"a*b\" = { path = \"/o\" }").contains("`*` ends a pass-through's name only"));
    assert!(err("channels.oil = { path = \"/o\", unit = \"\" }").contains("a unit is 1 to 32 bytes"));
    assert!(err("channels.oil = { path = \"/o\", scale = inf }").contains("finite"));
    assert!(err("channels.oil = { path = \"/o\", colour = 1 }").contains("colour"), "unknown keys are refused");
    assert!(err("channels.oil = { path = \"/o\" }\nchannels.oil = { path = \"/p\" }").contains("duplicate"));
    let wide: String = (0..MAX_RECORD_CHANNELS - 1).map(|i| format!("channels.c{i} = {{ path = \"/c\" }}\n")).collect();
    assert_eq!(err(&wide), "mapping 1: `channels` and `fields` map 257 channels, over a record's 256");
}
