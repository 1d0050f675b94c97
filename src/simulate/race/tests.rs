//! The race model's physics and field, checked against what a watcher would see.

use super::*;

/// Runs a race for `secs` at `hz`, calling `check(race, before, after)` each tick with
/// every car's sample before and after it.
fn watch(cars: u16, secs: f64, hz: f64, mut check: impl FnMut(&Race, &[Sample], &[Sample])) {
    let mut race = Race::new(cars, 7);
    let mut before: Vec<Sample> = race.samples(0).collect();
    for tick in 1..=(secs * hz) as i64 {
        race.step(1.0 / hz);
        let after: Vec<Sample> = race.samples(tick).collect();
        check(&race, &before, &after);
        before = after;
    }
}

/// Runs a race, calling `check(track, before, after)` for every car and tick with the
/// unrounded state of the car, for the thermal laws that rounding would blur.
pub(super) fn watch_cars(cars: u16, secs: f64, mut check: impl FnMut(&Track, &Car, &Car)) {
    let mut race = Race::new(cars, 11);
    for _ in 0..(secs * 50.0) as u32 {
        let before = race.cars.clone();
        race.step(0.02);
        for (b, a) in before.iter().zip(&race.cars) {
            check(&race.track, b, a);
        }
    }
}

fn rises(b: &Car, a: &Car) -> [f64; 4] {
    [0, 1, 2, 3].map(|i| a.tires[i] - b.tires[i])
}

#[test]
fn splitmix64_matches_the_published_sequence() {
    let mut rng = SplitMix64(0);
    assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
    assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
}

#[test]
fn the_same_seed_gives_the_same_race_and_another_seed_does_not() {
    let run = |seed| {
        let mut race = Race::new(6, seed);
        (0..1_200)
            .flat_map(|t| {
                race.step(0.05);
                race.samples(t).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn every_sample_sets_every_field_with_finite_compact_values() {
    watch(5, 60.0, 5.0, |_, _, after| {
        for s in after {
            let json = serde_json::to_string(s).unwrap();
            let back = crate::telemetry::decode(Some(json.as_bytes()), None, 0).unwrap();
            assert_eq!(&back, s);
            assert!(json.len() < 320, "{} bytes: {json}", json.len());
            let optional = [s.lap.is_some(), s.gear.is_some(), s.throttle.is_some(), s.brake.is_some()];
            let more = [s.driver.is_some(), s.x.is_some(), s.y.is_some(), s.lap_distance_m.is_some()];
            assert!(optional.iter().chain(&more).all(|set| *set), "{json}");
        }
    });
}

#[test]
fn a_full_field_has_distinct_numbers_and_drivers() {
    let race = Race::new(500, 3);
    let mut ids: Vec<_> = race.cars.iter().map(|c| c.id.as_str()).collect();
    let mut names: Vec<_> = race.cars.iter().map(|c| c.driver.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    names.sort_unstable();
    names.dedup();
    assert_eq!((ids.len(), names.len()), (500, 500));
}

#[test]
fn speed_stays_between_standstill_and_top_speed_and_the_lap_has_both_ends() {
    let (mut top, mut hairpin) = (0.0_f64, f64::MAX);
    watch(4, 200.0, 20.0, |race, _, after| {
        for s in after {
            assert!((0.0..=340.0).contains(&s.speed_kph), "{s:?}");
            if race.time_secs() > 100.0 {
                top = top.max(s.speed_kph);
                hairpin = hairpin.min(s.speed_kph);
            }
        }
    });
    assert!((290.0..=325.0).contains(&top), "top speed {top}");
    assert!((50.0..=100.0).contains(&hairpin), "slowest corner {hairpin}");
}

#[test]
fn rpm_stays_between_idle_and_limiter_and_matches_speed_times_the_gear_ratio() {
    watch(4, 200.0, 20.0, |_, _, after| {
        for s in after {
            let gear = s.gear.unwrap();
            assert!((1..=8).contains(&gear), "gear {gear} while racing");
            assert!((IDLE_RPM..=LIMITER_RPM).contains(&s.rpm), "{s:?}");
            let expected = (s.speed_kph / 3.6 * gear_ratio(gear as u8)).clamp(IDLE_RPM, LIMITER_RPM);
            assert!((s.rpm - expected).abs() < 10.0, "{} rpm at {} km/h in {gear}", s.rpm, s.speed_kph);
        }
    });
}

#[test]
fn upshifts_come_near_the_shift_point_and_use_every_gear() {
    let mut upshifts = [0; 9];
    watch(3, 120.0, 100.0, |_, before, after| {
        for (b, a) in before.iter().zip(after) {
            let (from, to) = (b.gear.unwrap(), a.gear.unwrap());
            if to > from {
                assert_eq!(to, from + 1, "skipped a gear");
                assert!((11_500.0..=12_500.0).contains(&b.rpm), "upshift to {to} at {} rpm", b.rpm);
                assert!(a.rpm < b.rpm);
                upshifts[to as usize] += 1;
            }
        }
    });
    assert!(upshifts[2..].iter().all(|&n| n > 0), "upshifts into each gear: {upshifts:?}");
}

#[test]
fn throttle_and_brake_are_never_pressed_hard_together() {
    let (mut braked, mut floored) = (false, false);
    watch(6, 300.0, 20.0, |_, _, after| {
        for s in after {
            let (t, b) = (s.throttle.unwrap(), s.brake.unwrap());
            assert!((0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&b));
            assert!(!(t > 0.2 && b > 0.2), "throttle {t} and brake {b} together");
            braked |= b > 0.8;
            floored |= t == 1.0;
        }
    });
    assert!(braked && floored);
}

#[test]
fn under_braking_the_front_tires_heat_faster_than_the_rears() {
    let (mut ticks, mut fronts, mut rears) = (0, 0.0, 0.0);
    watch_cars(4, 300.0, |track, b, a| {
        if a.brake > 0.5 && track.curvature_at(a.s) == 0.0 {
            let [fl, fr, rl, rr] = rises(b, a);
            assert!(fl > rl && fr > rr, "fronts {fl:.4} {fr:.4}, rears {rl:.4} {rr:.4}");
            assert!(fl > 0.0 && fr > 0.0);
            (ticks, fronts, rears) = (ticks + 1, fronts + fl + fr, rears + rl + rr);
        }
    });
    assert!(ticks > 100, "only {ticks} braking ticks");
    assert!(fronts > 1.5 * rears, "fronts rose {fronts:.1} °C, rears {rears:.1} °C");
}

#[test]
fn in_a_corner_the_outside_tires_heat_faster_than_the_inside_ones() {
    let (mut rights, mut lefts) = (0, 0);
    watch_cars(4, 300.0, |track, b, a| {
        let [fl, fr, rl, rr] = rises(b, a);
        match track.corner_at(a.s).zip(track.corner_at(b.s)) {
            Some((c, _)) if !c.left => {
                assert!(fl > fr && rl > rr, "right-hander: left {fl:.4} {rl:.4}, right {fr:.4} {rr:.4}");
                rights += 1;
            }
            Some((c, _)) if c.left => {
                assert!(fr > fl && rr > rl, "left-hander: left {fl:.4} {rl:.4}, right {fr:.4} {rr:.4}");
                lefts += 1;
            }
            _ => {}
        }
    });
    assert!(rights > 100 && lefts > 100, "{rights} right-hand and {lefts} left-hand ticks");
}

#[test]
fn tires_cool_flat_out_on_the_main_straight() {
    let mut ticks = 0;
    watch_cars(4, 300.0, |track, b, a| {
        let on_main_straight = a.s < 450.0 || a.s > track.length_m() - 250.0;
        if on_main_straight && b.s < a.s && a.throttle == 1.0 && a.v * 3.6 > 250.0 {
            let rises = rises(b, a);
            assert!(rises.iter().all(|r| *r < 0.0), "{rises:?} at {:.0} m", a.s);
            ticks += 1;
        }
    });
    assert!(ticks > 100, "only {ticks} ticks flat out on the main straight");
}

#[test]
fn tire_temperatures_stay_in_a_racing_window() {
    watch(10, 600.0, 2.0, |race, _, after| {
        for s in after.iter().filter(|_| race.time_secs() > 90.0) {
            let t = s.tire_temp_c.expect("the simulator's cars have tires");
            for temp in [t.fl, t.fr, t.rl, t.rr] {
                assert!((65.0..=120.0).contains(&temp), "{temp} °C: {s:?}");
            }
        }
    });
}

#[test]
fn laps_count_up_at_the_line_and_lap_distance_wraps() {
    let mut crossings = 0;
    watch(5, 300.0, 20.0, |race, before, after| {
        let length = race.track().length_m();
        for (b, a) in before.iter().zip(after) {
            let d = a.lap_distance_m.unwrap();
            assert!((0.0..=length).contains(&d), "{d}");
            if d < b.lap_distance_m.unwrap() {
                assert_eq!(a.lap, b.lap.map(|l| l + 1));
                crossings += 1;
            } else {
                assert_eq!(a.lap, b.lap);
            }
        }
    });
    assert!(crossings >= 5 * 3, "{crossings} crossings of the line");
}

#[test]
fn cars_stay_on_the_outline() {
    let outline = Track::circuit().outline(1.0);
    let off = |x: f64, y: f64| {
        let seg = |(a, b): (&(f64, f64), &(f64, f64))| {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (((x - a.0) * dx + (y - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            (x - a.0 - t * dx).hypot(y - a.1 - t * dy)
        };
        outline.iter().zip(&outline[1..]).map(seg).fold(f64::MAX, f64::min)
    };
    watch(4, 200.0, 1.0, |_, _, after| {
        for s in after {
            let d = off(s.x.unwrap(), s.y.unwrap());
            assert!(d < 0.5, "{d:.2} m off the track at {:?}", s.lap_distance_m);
        }
    });
}

#[test]
fn cars_differ_in_pace() {
    let mut race = Race::new(20, 5);
    race.step(300.0);
    let laps: Vec<f64> = race.cars.iter().filter_map(|c| c.last_lap).collect();
    assert_eq!(laps.len(), 20);
    let (fast, slow) = laps.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    assert!((70.0..110.0).contains(&fast), "fastest lap {fast:.2} s");
    assert!(slow - fast > 0.3, "laps from {fast:.2} to {slow:.2} s");
}

/// Each car's distance raced (laps and metres), in grid order.
fn progress(race: &Race) -> Vec<f64> {
    let length = race.track().length_m();
    race.cars.iter().map(|c| f64::from(c.lap) * length + c.s).collect()
}

#[test]
fn over_a_long_race_the_field_spreads_cars_overtake_pit_under_the_limit_and_lap_times_vary() {
    let mut race = Race::new(10, 3);
    let mut order_changes = 0;
    let mut standing: Vec<f64> = vec![0.0; 10];
    let mut longest_stop: f64 = 0.0;
    let mut laps: Vec<Vec<f64>> = vec![Vec::new(); 10];
    let order = |p: &[f64]| {
        let mut idx: Vec<usize> = (0..p.len()).collect();
        idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
        idx
    };
    let mut last_order = order(&progress(&race));
    for _ in 0..(25 * 60 * 4) {
        let before: Vec<(u32, f64)> = race.cars.iter().map(|c| (c.lap, c.v)).collect();
        race.step(0.25);
        for (i, c) in race.cars.iter().enumerate() {
            if c.v == 0.0 && !c.retired {
                standing[i] += 0.25;
                longest_stop = longest_stop.max(standing[i]);
                let to_line = race.track().length_m() - c.s;
                assert!(to_line < PIT_ENTRY_M, "stopped only in the pit lane, not {to_line:.0} m before the line");
            } else {
                standing[i] = 0.0;
            }
            if matches!(c.pit, Pit::Out)
                || (matches!(c.pit, Pit::In { .. }) && race.track().length_m() - c.s < PIT_ENTRY_M - 50.0)
            {
                assert!(c.v <= PIT_LIMIT + 0.5, "{:.0} km/h in the pit lane", c.v * 3.6);
            }
            if c.lap > before[i].0 {
                laps[i].extend(c.last_lap);
            }
        }
        let now = order(&progress(&race));
        order_changes += usize::from(now != last_order);
        last_order = now;
    }
    assert!(longest_stop >= 2.5, "a pit stop stands the car still for seconds, longest {longest_stop} s");
    assert!(order_changes > 10, "{order_changes} changes of running order");
    let p = progress(&race);
    let spread = p.iter().copied().fold(f64::MIN, f64::max) - p.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread > 0.5 * race.track().length_m(), "the field spreads over {spread:.0} m");
    // One car's laps after the first differ from each other by tenths, not nothing.
    let mine = &laps[0][1..];
    let (lo, hi) = mine.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    assert!(hi - lo > 0.2, "laps from {lo:.2} to {hi:.2} s");
}

#[test]
fn without_retirements_the_whole_field_races_on() {
    // 12 laps of 20 cars: with retirements, two cars of this seed's race have retired.
    let running_at_lap_12 = |race: Race| {
        let mut race = race;
        while race.leader_lap() < 12 {
            race.step(0.5);
        }
        race.samples(0).count()
    };
    assert_eq!(running_at_lap_12(Race::new(20, 2)), 18, "with retirements");
    assert_eq!(running_at_lap_12(Race::new(20, 2).without_retirements()), 20);
}

#[test]
fn a_retired_car_sends_nothing_more_and_is_not_the_leader() {
    let mut race = Race::new(3, 1);
    race.step(10.0);
    let leader = race.cars.iter().enumerate().max_by(|a, b| progress(&race)[a.0].total_cmp(&progress(&race)[b.0]));
    let leader = leader.map(|(i, _)| i).unwrap();
    race.cars[leader].retired = true;
    race.step(10.0);
    let ids: Vec<String> = race.samples(0).map(|s| s.car).collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&race.cars[leader].id));
}

#[test]
fn a_slow_feed_drives_the_same_race_as_a_fast_one() {
    let (mut slow, mut fast) = (Race::new(3, 9), Race::new(3, 9));
    for _ in 0..60 {
        slow.step(1.0);
    }
    for _ in 0..6_000 {
        fast.step(0.01);
    }
    for (a, b) in slow.cars.iter().zip(&fast.cars) {
        assert!((a.s - b.s).abs() < 1.0 && a.lap == b.lap, "{} vs {} m", a.s, b.s);
    }
}

#[test]
fn a_step_that_is_not_a_positive_finite_time_is_ignored() {
    let mut race = Race::new(2, 1);
    for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        race.step(dt);
    }
    assert_eq!(race.time_secs(), 0.0);
    assert_eq!(race.leader_lap(), 1);
}
