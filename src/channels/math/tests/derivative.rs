//! `d(x)`: the derivative per second against the same car's previous record.

use super::{compute, one};
use crate::channels::math::{Cars, MathChannels};

#[test]
fn d_of_speed_over_three_records_is_the_change_per_second() {
    let set = one("d(speed_kph)");
    let mut car = set.new_car();
    assert_eq!(compute(&set, &mut car, 1_000, &[("speed_kph", 100.0)]), [None], "the first record has no previous");
    assert_eq!(compute(&set, &mut car, 1_100, &[("speed_kph", 110.0)]), [Some(100.0)]);
    assert_eq!(compute(&set, &mut car, 1_300, &[("speed_kph", 100.0)]), [Some(-50.0)]);
}

#[test]
fn the_first_record_of_a_car_has_no_derivative() {
    let set = one("d(rpm) + 1");
    assert_eq!(compute(&set, &mut set.new_car(), 5_000, &[("rpm", 9000.0)]), [None]);
}

#[test]
fn a_record_no_later_than_the_previous_one_has_no_derivative_and_starts_again() {
    let set = one("d(x)");
    let mut car = set.new_car();
    compute(&set, &mut car, 1_000, &[("x", 1.0)]);
    assert_eq!(compute(&set, &mut car, 1_000, &[("x", 2.0)]), [None], "dt = 0");
    assert_eq!(compute(&set, &mut car, 500, &[("x", 3.0)]), [None], "dt < 0, as after a seek back");
    assert_eq!(compute(&set, &mut car, 1_000, &[("x", 4.0)]), [Some(2.0)], "against the record at 500 ms");
}

#[test]
fn a_record_without_the_input_leaves_d_absent_on_it_and_on_the_next() {
    let set = one("d(x)");
    let mut car = set.new_car();
    compute(&set, &mut car, 0, &[("x", 1.0)]);
    assert_eq!(compute(&set, &mut car, 100, &[]), [None]);
    assert_eq!(compute(&set, &mut car, 200, &[("x", 5.0)]), [None], "the previous record had no x");
    assert_eq!(compute(&set, &mut car, 300, &[("x", 6.0)]), [Some(10.0)]);
}

#[test]
fn d_in_a_branch_not_taken_still_sees_every_record() {
    let set = one("if(use, d(x), 0)");
    let mut car = set.new_car();
    assert_eq!(compute(&set, &mut car, 0, &[("use", 0.0), ("x", 1.0)]), [Some(0.0)]);
    assert_eq!(compute(&set, &mut car, 1_000, &[("use", 1.0), ("x", 3.0)]), [Some(2.0)]);
}

#[test]
fn each_d_of_a_file_keeps_its_own_memory() {
    let set = MathChannels::parse("x.toml", "[channels]\na = 'd(x)'\nb = 'd(y) + d(x * 2)'\n").unwrap();
    let mut car = set.new_car();
    compute(&set, &mut car, 0, &[("x", 1.0), ("y", 10.0)]);
    assert_eq!(compute(&set, &mut car, 500, &[("x", 2.0), ("y", 11.0)]), [Some(2.0), Some(2.0 + 4.0)]);
}

#[test]
fn d_is_computed_per_car_independently() {
    let set = one("d(speed_kph)");
    let mut cars = Cars::default();
    let mut out = [None];
    let mut record = |cars: &mut Cars, car: &str, t: i64, speed: f64| {
        cars.compute(&set, car, t, |_| Some(speed), &mut out);
        out[0]
    };
    assert_eq!(record(&mut cars, "7", 0, 100.0), None);
    assert_eq!(record(&mut cars, "44", 50, 200.0), None, "car 44's first record, whatever car 7 did");
    assert_eq!(record(&mut cars, "7", 1_000, 110.0), Some(10.0));
    assert_eq!(record(&mut cars, "44", 550, 190.0), Some(-20.0));
    assert_eq!(cars.forgotten(), 0);
}

#[test]
fn a_topic_full_of_cars_forgets_the_least_recently_seen() {
    let set = one("d(x)");
    let mut cars = Cars::new(2);
    let mut out = [None];
    let mut record = |cars: &mut Cars, car: &str, t: i64| {
        cars.compute(&set, car, t, |_| Some(t as f64), &mut out);
        out[0]
    };
    record(&mut cars, "a", 0);
    record(&mut cars, "b", 0);
    record(&mut cars, "a", 1_000);
    assert_eq!(record(&mut cars, "c", 1_000), None, "c is new; b, seen least recently, makes room");
    assert_eq!(cars.forgotten(), 1);
    assert_eq!(record(&mut cars, "a", 2_000), Some(1000.0), "a is remembered");
    assert_eq!(record(&mut cars, "b", 2_000), None, "b was forgotten, so this is its first record again");
}
