//! The expression language: precedence, functions, names, errors with their column.

use proptest::prelude::*;

use super::{error, value};
use crate::channels::math::Expr;

#[test]
fn multiplication_binds_tighter_than_addition_and_parentheses_override_it() {
    assert_eq!(value("1 + 2 * 3", &[]), Some(7.0));
    assert_eq!(value("(1 + 2) * 3", &[]), Some(9.0));
    assert_eq!(value("2 * 3 ^ 2", &[]), Some(18.0));
    assert_eq!(value("1 + 6 / 2 ^ 2 * 4", &[]), Some(7.0));
}

#[test]
fn subtraction_and_division_group_left_and_power_groups_right() {
    assert_eq!(value("10 - 4 - 3", &[]), Some(3.0));
    assert_eq!(value("16 / 4 / 2", &[]), Some(2.0));
    assert_eq!(value("2 ^ 3 ^ 2", &[]), Some(512.0));
}

#[test]
fn unary_minus_applies_after_power_and_nests() {
    assert_eq!(value("-2 ^ 2", &[]), Some(-4.0));
    assert_eq!(value("(-2) ^ 2", &[]), Some(4.0));
    assert_eq!(value("2 ^ -1", &[]), Some(0.5));
    assert_eq!(value("3 - -2", &[]), Some(5.0));
    assert_eq!(value("--3", &[]), Some(3.0));
    assert_eq!(value("-speed_kph * 2", &[("speed_kph", 10.0)]), Some(-20.0));
}

#[test]
fn numbers_take_fractions_and_exponents() {
    assert_eq!(value("1e-3", &[]), Some(0.001));
    assert_eq!(value("2.5E2 + 0.5", &[]), Some(250.5));
    assert_eq!(value("1e+2", &[]), Some(100.0));
    assert_eq!(error("1e999"), "invalid number `1e999` at column 1");
}

#[test]
fn abs_and_sqrt_take_one_argument() {
    assert_eq!(value("abs(-2.5)", &[]), Some(2.5));
    assert_eq!(value("abs(2.5)", &[]), Some(2.5));
    assert_eq!(value("sqrt(16)", &[]), Some(4.0));
    assert_eq!(value("sqrt(-1)", &[]), None, "NaN is absent");
}

#[test]
fn min_and_max_take_two_or_more_arguments() {
    assert_eq!(value("min(3, 1)", &[]), Some(1.0));
    assert_eq!(value("min(3, 1, 2, -4)", &[]), Some(-4.0));
    assert_eq!(value("max(3, 1)", &[]), Some(3.0));
    assert_eq!(value("max(3, 1, 7, 2)", &[]), Some(7.0));
}

#[test]
fn clamp_bounds_a_value_and_is_absent_when_the_bounds_cross() {
    assert_eq!(value("clamp(5, 0, 1)", &[]), Some(1.0));
    assert_eq!(value("clamp(-5, 0, 1)", &[]), Some(0.0));
    assert_eq!(value("clamp(0.25, 0, 1)", &[]), Some(0.25));
    assert_eq!(value("clamp(0.25, 1, 0)", &[]), None);
}

#[test]
fn if_chooses_its_second_argument_when_the_first_is_not_zero() {
    assert_eq!(value("if(1, 10, 20)", &[]), Some(10.0));
    assert_eq!(value("if(-0.5, 10, 20)", &[]), Some(10.0));
    assert_eq!(value("if(0, 10, 20)", &[]), Some(20.0));
    assert_eq!(value("if(drs, 1, missing)", &[("drs", 1.0)]), Some(1.0), "the branch not taken may be absent");
    assert_eq!(value("if(missing, 1, 2)", &[]), None);
}

#[test]
fn a_function_with_the_wrong_number_of_arguments_is_refused_at_its_name() {
    assert_eq!(error("sqrt(1, 2)"), "`sqrt` takes 1 argument, not 2 at column 1");
    assert_eq!(error("abs()"), "`abs` takes 1 argument, not 0 at column 1");
    assert_eq!(error("1 + min(2)"), "`min` takes 2 or more arguments, not 1 at column 5");
    assert_eq!(error("max(2)"), "`max` takes 2 or more arguments, not 1 at column 1");
    assert_eq!(error("clamp(1, 2)"), "`clamp` takes 3 arguments, not 2 at column 1");
    assert_eq!(error("if(1, 2, 3, 4)"), "`if` takes 3 arguments, not 4 at column 1");
    assert_eq!(error("d(a, b)"), "`d` takes 1 argument, not 2 at column 1");
}

#[test]
fn an_unknown_function_is_refused_with_its_column() {
    assert_eq!(error("sqrtt(g.lat^2 + g.long^2)"), "unknown function `sqrtt` at column 1");
    assert_eq!(error("speed_kph / avg(a, b)"), "unknown function `avg` at column 13");
}

#[test]
fn unbalanced_parentheses_are_refused_with_their_column() {
    assert_eq!(error("max(a, b) + c)"), "unexpected `)` at column 14");
    assert_eq!(error("sqrt(1 + 2"), "`(` is never closed at column 5");
    assert_eq!(error("(1 + 2"), "`(` is never closed at column 1");
    assert_eq!(error("max(1 2)"), "unexpected `2` at column 7");
    assert_eq!(error("()"), "unexpected `)` at column 2");
}

#[test]
fn incomplete_or_stray_text_is_refused_with_its_column() {
    assert_eq!(error(""), "empty expression at column 1");
    assert_eq!(error("   "), "empty expression at column 1");
    assert_eq!(error("1 +"), "unexpected end of expression at column 4");
    assert_eq!(error("1 * * 2"), "unexpected `*` at column 5");
    assert_eq!(error("speed_kph % 2"), "unexpected `%` at column 11");
    assert_eq!(error("é + 1"), "unexpected `é` at column 1");
    assert_eq!(error("a + é"), "unexpected `é` at column 5");
}

#[test]
fn channel_names_keep_their_dots() {
    let inputs = [("g.lat", 1.0), ("brake_temp_c.fl", 20.0), ("tire_pressure_psi.0", 300.0)];
    assert_eq!(value("g.lat + brake_temp_c.fl + tire_pressure_psi.0", &inputs), Some(321.0));
    assert_eq!(Expr::parse("g.lat * g.lat + g.long").unwrap().names(), ["g.lat", "g.long"]);
    assert_eq!(error("1 + g..lat"), "invalid channel name `g..lat` at column 5");
    assert_eq!(error("g.lat."), "invalid channel name `g.lat.` at column 1");
    let long = "a".repeat(129);
    assert_eq!(error(&long), format!("invalid channel name `{long}` at column 1"));
    assert_eq!(value(&"a".repeat(128), &[(&"a".repeat(128), 2.0)]), Some(2.0));
}

#[test]
fn a_missing_input_leaves_the_channel_absent() {
    assert_eq!(value("speed_kph / 3.6", &[]), None);
    assert_eq!(value("max(brake_temp_c.fl, brake_temp_c.fr)", &[("brake_temp_c.fl", 500.0)]), None);
    assert_eq!(value("rpm + 0 * speed_kph", &[("rpm", 9000.0)]), None);
}

#[test]
fn a_value_that_is_not_finite_is_absent() {
    assert_eq!(value("1 / 0", &[]), None);
    assert_eq!(value("0 / 0", &[]), None);
    assert_eq!(value("10 ^ 400", &[]), None);
    assert_eq!(value("x", &[("x", f64::NAN)]), None);
    assert_eq!(value("max(x, 1)", &[("x", f64::INFINITY)]), None);
}

#[test]
fn nesting_beyond_the_bound_is_refused_not_overflowing_the_stack() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(error(&deep).starts_with("expression nested more than 256 deep at column"));
    let long_sum = vec!["1"; 10_000].join(" + ");
    assert!(error(&long_sum).starts_with("expression nested more than 256 deep at column"));
    assert_eq!(value(&vec!["1"; 200].join(" + "), &[]), Some(200.0));
}

#[test]
fn an_expression_prints_fully_parenthesized() {
    let printed = Expr::parse("-2^2 + max(g.lat, 1e-3) * d(speed_kph)").unwrap().to_string();
    assert_eq!(printed, "((-(2.0 ^ 2.0)) + (max(g.lat, 0.001) * d(speed_kph)))");
}

fn source() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        (0.0f64..1e6).prop_map(|v| v.to_string()),
        (1e-9f64..1e-3).prop_map(|v| format!("{v:e}")),
        prop::sample::select(vec!["a", "g.lat", "tire_pressure_psi.0", "_b"]).prop_map(String::from),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "^"]), inner.clone())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (prop::sample::select(vec!["abs", "sqrt", "d"]), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (prop::sample::select(vec!["min", "max"]), prop::collection::vec(inner.clone(), 2..4))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (prop::sample::select(vec!["clamp", "if"]), inner.clone(), inner.clone(), inner)
                .prop_map(|(f, a, b, c)| format!("{f}({a}, {b}, {c})")),
        ]
    })
}

proptest! {
    #[test]
    fn an_expression_printed_and_read_back_is_the_same_tree(text in source()) {
        let parsed = Expr::parse(&text).unwrap();
        prop_assert_eq!(Expr::parse(&parsed.to_string()), Ok(parsed));
    }

    #[test]
    fn the_parser_never_panics_on_any_text(text in "\\PC{0,40}") {
        let _ = Expr::parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_text_made_of_its_own_tokens(text in "[a-z0-9_.+*/^(), e-]{0,40}") {
        let _ = Expr::parse(&text);
    }
}
