//! The channels file: the issue's examples, order between math channels, and every error.

use super::{compute, file_error};
use crate::channels::math::{MAX_MATH_CHANNELS, MathChannels};

const EXAMPLES: &str = r#"
[channels]
g_total = "sqrt(g.lat^2 + g.long^2)"
brake_temp_front_max_c = "max(brake_temp_c.fl, brake_temp_c.fr)"
speed_ms = "speed_kph / 3.6"
long_accel_g = "d(speed_kph) / 3.6 / 9.80665"
"#;

#[test]
fn the_issues_four_example_channels_compute_exact_values() {
    let set = MathChannels::parse("x.toml", EXAMPLES).unwrap();
    assert_eq!(set.names(), ["g_total", "brake_temp_front_max_c", "speed_ms", "long_accel_g"]);
    assert_eq!(set.inputs(), ["g.lat", "g.long", "brake_temp_c.fl", "brake_temp_c.fr", "speed_kph"]);
    let mut car = set.new_car();
    let first = [("g.lat", 3.0), ("g.long", -4.0), ("brake_temp_c.fl", 512.0), ("brake_temp_c.fr", 498.5)];
    let first = [&first[..], &[("speed_kph", 100.0)]].concat();
    assert_eq!(compute(&set, &mut car, 10_000, &first), [Some(5.0), Some(512.0), Some(100.0 / 3.6), None]);
    let second = [("g.lat", 0.6), ("g.long", 0.8), ("brake_temp_c.fl", 400.0), ("brake_temp_c.fr", 401.0)];
    let second = [&second[..], &[("speed_kph", 136.0)]].concat();
    assert_eq!(
        compute(&set, &mut car, 11_000, &second),
        [Some((0.6f64 * 0.6 + 0.8 * 0.8).sqrt()), Some(401.0), Some(136.0 / 3.6), Some(36.0 / 3.6 / 9.80665)]
    );
}

#[test]
fn a_math_channel_may_read_one_defined_later_in_the_file() {
    let set =
        MathChannels::parse("x.toml", "[channels]\nkw = 'power_w / 1000'\npower_w = 'torque_nm * rpm * 0.10472'\n")
            .unwrap();
    assert_eq!(set.inputs(), ["torque_nm", "rpm"]);
    let out = compute(&set, &mut set.new_car(), 0, &[("torque_nm", 600.0), ("rpm", 10_000.0)]);
    let power = 600.0 * 10_000.0 * 0.10472;
    assert_eq!(out, [Some(power / 1000.0), Some(power)]);
    assert_eq!(compute(&set, &mut set.new_car(), 0, &[("rpm", 10_000.0)]), [None, None], "absent all the way");
}

#[test]
fn a_cycle_is_refused_naming_its_channels() {
    assert_eq!(file_error("[channels]\na = 'b + 1'\nb = 'a * 2'\n"), "channels file x.toml: cycle: a -> b -> a");
    assert_eq!(
        file_error("[channels]\nx = 'a'\na = 'b'\nb = 'c'\nc = 'a'\n"),
        "channels file x.toml: cycle: a -> b -> c -> a"
    );
    assert_eq!(file_error("[channels]\nself = 'd(self)'\n"), "channels file x.toml: cycle: self -> self");
}

#[test]
fn an_expression_error_names_the_channel_and_the_column() {
    let text = "[channels]\nspeed_ms = 'speed_kph / 3.6'\ng_total = 'sqrtt(g.lat^2 + g.long^2)'\n";
    assert_eq!(file_error(text), "channels file x.toml: channel g_total: unknown function `sqrtt` at column 1");
    let text = "[channels]\nm = 'max(a, b) + c)'\n";
    assert_eq!(file_error(text), "channels file x.toml: channel m: unexpected `)` at column 14");
}

#[test]
fn a_file_without_channels_is_refused() {
    let expected = "channels file x.toml: no channels: write them under [channels], one `name = \"expression\"` a line";
    assert_eq!(file_error(""), expected);
    assert_eq!(file_error("# nothing yet\n"), expected);
    assert_eq!(file_error("[channels]\n"), expected);
}

#[test]
fn a_name_that_cannot_name_a_channel_is_refused() {
    assert_eq!(
        file_error("[channels]\n\"g total\" = '1'\n"),
        "channels file x.toml: `g total` is not a valid channel name (dot-separated letters, digits and `_`, \
         starting with a letter or `_`, up to 128 bytes)"
    );
    assert!(file_error("[channels]\n\"2fast\" = '1'\n").starts_with("channels file x.toml: `2fast` is not a valid"));
    let set = MathChannels::parse("x.toml", "[channels]\n\"g.total\" = 'g.lat + g.long'\n").unwrap();
    assert_eq!(set.names(), ["g.total"], "a quoted dotted name is one channel");
}

#[test]
fn a_value_that_is_not_an_expression_is_refused_with_a_hint() {
    assert_eq!(
        file_error("[channels]\ng.total = 'g.lat + g.long'\n"),
        "channels file x.toml: channel g: is a table; a name with dots is quoted: \"g.total\" = \"...\""
    );
    assert_eq!(
        file_error("[channels]\nx = 3\n"),
        "channels file x.toml: channel x: the expression is a quoted string: name = \"expression\""
    );
}

#[test]
fn text_that_is_not_toml_or_has_other_tables_is_refused_on_one_line() {
    let broken = file_error("[channels]\nx = 'speed_kph\n");
    assert!(broken.starts_with("channels file x.toml: not TOML: "), "{broken}");
    assert!(broken.ends_with("at line 2, column 15"), "{broken}");
    assert!(!broken.contains('\n'), "{broken}");
    let other = file_error("[channel]\nx = '1'\n");
    assert!(other.starts_with("channels file x.toml: not TOML: unknown field `channel`"), "{other}");
}

#[test]
fn a_file_may_define_at_most_the_bound_of_math_channels() {
    let lines = |n: usize| (0..n).map(|i| format!("c{i} = '{i}'\n")).collect::<String>();
    let set = MathChannels::parse("x.toml", &format!("[channels]\n{}", lines(MAX_MATH_CHANNELS))).unwrap();
    assert_eq!(set.names().len(), MAX_MATH_CHANNELS);
    assert_eq!(
        file_error(&format!("[channels]\n{}", lines(MAX_MATH_CHANNELS + 1))),
        "channels file x.toml: 257 channels, more than the 256 a file may define"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_refused_naming_it() {
    let error = MathChannels::load(std::path::Path::new("/nonexistent/channels.toml")).unwrap_err().to_string();
    assert!(error.starts_with("channels file /nonexistent/channels.toml: cannot read it: "), "{error}");
}

#[test]
fn the_demo_s_example_file_computes_from_the_simulator_s_channels() {
    let text = include_str!("../../../../examples/channels/simulator.toml");
    let set = MathChannels::parse("examples/channels/simulator.toml", text).unwrap();
    assert_eq!(
        set.names(),
        ["g_total", "brake_temp_front_max_c", "brake_temp_balance_c", "tire_temp_spread_c", "long_accel_g"]
    );
    let mut car = set.new_car();
    let brakes = [("brake_temp_c.fl", 600.0), ("brake_temp_c.fr", 580.0), ("brake_temp_c.rl", 400.0)];
    let tires =
        [("tire_temp_c.fl", 90.0), ("tire_temp_c.fr", 95.5), ("tire_temp_c.rl", 88.0), ("tire_temp_c.rr", 89.0)];
    let rest = [("g_lat", 3.0), ("g_long", -4.0), ("brake_temp_c.rr", 380.0), ("speed_kph", 100.0)];
    let record = [&brakes[..], &tires[..], &rest[..]].concat();
    assert_eq!(compute(&set, &mut car, 1_000, &record), [Some(5.0), Some(600.0), Some(200.0), Some(7.5), None]);
}
