//! The gauges beyond contract v1, checked against what a race engineer would see on them.

use super::gauges::{self, Record};
use super::tests::watch_cars;
use super::*;

/// Runs a race for `secs` at `hz`, calling `check(race, record)` for every car each tick.
fn watch_records(cars: u16, secs: f64, hz: f64, mut check: impl FnMut(&Race, &Record)) {
    let mut race = Race::new(cars, 5);
    for tick in 1..=(secs * hz) as i64 {
        race.step(1.0 / hz);
        for record in race.records(tick) {
            check(&race, &record);
        }
    }
}

fn fuel(car: &Car) -> f64 {
    gauges::fuel_kg(car.gauges.burnt_kg)
}

#[test]
fn a_record_is_the_v1_sample_followed_by_the_new_channels() {
    let mut race = Race::new(6, 4);
    race.step(90.0);
    for (record, sample) in race.records(17).zip(race.samples(17)) {
        assert_eq!(record.sample, sample);
        let json = serde_json::to_string(&record).unwrap();
        let v1 = serde_json::to_string(&sample).unwrap();
        assert!(json.starts_with(v1.trim_end_matches('}')), "{json}");
        assert_eq!(crate::telemetry::decode(Some(json.as_bytes()), None, 0), Ok(sample));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        for name in ["steer", "g_lat", "g_long", "fuel_kg"] {
            assert!(value[name].is_number(), "{name} in {json}");
        }
        for group in ["brake_temp_c", "tire_pressure_psi", "tire_wear_pct"] {
            for corner in ["fl", "fr", "rl", "rr"] {
                assert!(value[group][corner].is_number(), "{group}.{corner} in {json}");
            }
        }
        let gauges = &json[v1.len() - 1..];
        assert!(!gauges.contains(":-0.0,") && !gauges.contains(":-0.0}"), "a gauge reads -0: {json}");
        assert!(json.len() < 520, "{} bytes: {json}", json.len());
    }
}

#[test]
fn the_same_seed_gives_the_same_records() {
    let run = |seed| {
        let mut race = Race::new(4, seed);
        (0..600)
            .flat_map(|t| {
                race.step(0.05);
                race.records(t).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(8), run(8));
}

#[test]
fn brakes_heat_under_braking_and_cool_flat_out_on_a_straight() {
    let (mut braking, mut straight) = (0, 0);
    watch_cars(4, 300.0, |track, b, a| {
        let (before, after) = (b.gauges.brakes, a.gauges.brakes);
        if a.brake > 0.5 && a.v > 30.0 {
            assert!(after.iter().zip(before).all(|(a, b)| *a > b), "braking: {before:?} to {after:?}");
            braking += 1;
        }
        if a.throttle == 1.0 && track.curvature_at(a.s) == 0.0 && a.v * 3.6 > 250.0 {
            assert!(after.iter().zip(before).all(|(a, b)| *a < b), "flat out: {before:?} to {after:?}");
            straight += 1;
        }
    });
    assert!(braking > 100 && straight > 1_000, "{braking} braking and {straight} flat-out ticks");
}

#[test]
fn front_brakes_run_hotter_than_the_rears_and_the_outside_of_the_circuit_s_corners_hotter() {
    let (mut ticks, mut left, mut right) = (0, 0.0, 0.0);
    watch_cars(4, 300.0, |_, _, a| {
        if a.lap_started > 0.0 {
            let [fl, fr, rl, rr] = a.gauges.brakes;
            assert!(fl > rl + 50.0 && fr > rr + 50.0, "fronts {fl:.0} {fr:.0}, rears {rl:.0} {rr:.0} °C");
            (ticks, left, right) = (ticks + 1, left + fl, right + fr);
        }
    });
    assert!(ticks > 10_000, "{ticks} ticks after the first lap");
    // Braking into the circuit's many right-handers loads the left front.
    let (left, right) = (left / ticks as f64, right / ticks as f64);
    assert!((left - right) > 2.0 && (left - right) < 50.0, "fl {left:.0}, fr {right:.0} °C on average");
}

#[test]
fn fuel_only_falls_burning_with_throttle_through_pit_stops_and_keeps_up_with_the_pace_model() {
    let mut stops = 0;
    watch_cars(6, 600.0, |_, b, a| {
        let (before, after) = (fuel(b), fuel(a));
        assert!(after <= before, "fuel rose from {before} to {after} kg");
        if a.throttle > 0.0 {
            assert!(after < before, "at throttle {} the fuel stays at {after} kg", a.throttle);
        } else if b.throttle == 0.0 {
            assert_eq!(after, before, "off the throttle");
        }
        // The race's pace model takes a lap's fuel at the line; the gauge burns it through
        // the lap, so it reads up to a lap's fuel (a little more from a standing start) less.
        let ahead = a.fuel_kg - after;
        assert!((-0.1..FUEL_PER_LAP_KG + 0.2).contains(&ahead), "{after:.2} kg against {} kg", a.fuel_kg);
        stops += usize::from(matches!(a.pit, Pit::Out) && matches!(b.pit, Pit::Box { .. }));
    });
    assert!(stops > 0, "no car stopped");
}

#[test]
fn fuel_never_goes_below_zero() {
    let mut race = Race::new(2, 3);
    race.cars[0].gauges.burnt_kg = 98.0;
    for _ in 0..(300 * 20) {
        race.step(0.05);
        let record = race.records(0).next().unwrap();
        assert!(record.channels.fuel_kg >= 0.0, "{} kg", record.channels.fuel_kg);
    }
    assert_eq!(race.records(0).next().map(|r| r.channels.fuel_kg), Some(0.0), "the tank ran dry");
}

#[test]
fn wear_grows_through_a_stint_resets_at_a_tire_change_and_is_fastest_on_the_left() {
    let (mut changes, mut laps) = (0, 0);
    let mut lap_start: Vec<[f64; 4]> = Vec::new();
    let mut index = 0;
    watch_cars(8, 600.0, |_, b, a| {
        let (before, after) = (b.gauges.wear, a.gauges.wear);
        if matches!(a.pit, Pit::Out) && matches!(b.pit, Pit::Box { .. }) {
            assert_eq!(after, [0.0; 4], "new tires");
            changes += 1;
        } else {
            assert!(after.iter().zip(before).all(|(a, b)| *a >= b), "{before:?} to {after:?}");
        }
        // One lap's wear, for laps without a stop: the left-hand corners, outside in most
        // of the circuit's corners, wear faster than the right-hand ones.
        let car = index % 8;
        index += 1;
        if lap_start.len() < 8 {
            lap_start.push(after);
        } else if a.lap != b.lap {
            let lap = [0, 1, 2, 3].map(|i| after[i] - lap_start[car][i]);
            if lap.iter().all(|w| *w > 0.0) && a.lap > 2 {
                let [fl, fr, rl, rr] = lap;
                assert!(fl > fr && rl > rr, "a lap's wear {lap:?}");
                let mean = lap.iter().sum::<f64>() / 4.0;
                assert!((mean / (100.0 * a.wear_per_lap) - 1.0).abs() < 0.2, "{mean:.2}% in a lap");
                laps += 1;
            }
            lap_start[car] = after;
        }
    });
    assert!(changes > 0 && laps > 10, "{changes} tire changes, {laps} laps timed");
}

#[test]
fn lateral_g_peaks_in_corners_and_is_zero_on_straights() {
    let (mut corner_peak, mut straight_peak) = (0.0_f64, 0.0_f64);
    watch_cars(4, 300.0, |track, _, a| {
        let g = a.gauges.channels(track.curvature_at(a.s), a.v, &a.tires).g_lat.abs();
        match track.corner_at(a.s) {
            Some(_) => corner_peak = corner_peak.max(g),
            None => straight_peak = straight_peak.max(g),
        }
    });
    assert!((3.0..=5.0).contains(&corner_peak), "{corner_peak} g at most in corners");
    assert_eq!(straight_peak, 0.0, "on the straights");
}

#[test]
fn steer_and_lateral_g_follow_the_corner_s_direction() {
    let (mut lefts, mut rights) = (0, 0);
    watch_cars(4, 300.0, |track, _, a| {
        let channels = a.gauges.channels(track.curvature_at(a.s), a.v, &a.tires);
        let (steer, g) = (channels.steer, channels.g_lat);
        match track.corner_at(a.s) {
            Some(c) if c.left => {
                assert!(steer < 0.0 && g <= 0.0, "left-hander: steer {steer}, {g} g");
                lefts += 1;
            }
            Some(_) => {
                assert!(steer > 0.0 && g >= 0.0, "right-hander: steer {steer}, {g} g");
                rights += 1;
            }
            None => assert_eq!((steer, g), (0.0, 0.0)),
        }
    });
    assert!(lefts > 1_000 && rights > 1_000, "{lefts} left-hand and {rights} right-hand ticks");
}

#[test]
fn longitudinal_g_is_negative_under_braking_and_positive_under_throttle() {
    let (mut braking, mut driving, mut peak) = (0, 0, 0.0_f64);
    watch_cars(4, 200.0, |_, _, a| {
        let g = a.gauges.accel / gauges::G;
        peak = peak.min(g);
        if a.brake > 0.8 {
            assert!(g < -1.2, "{g} g at brake {}", a.brake);
            braking += 1;
        }
        if a.throttle == 1.0 && a.v < 40.0 {
            assert!(g > 0.5, "{g} g at full throttle and {:.0} km/h", a.v * 3.6);
            driving += 1;
        }
    });
    assert!(braking > 100 && driving > 100, "{braking} braking and {driving} driving ticks");
    assert!((-6.0..-4.0).contains(&peak), "the hardest stop pulls {peak} g");
}

#[test]
fn every_new_channel_stays_in_a_physical_range_through_a_long_race() {
    let mut hard_braking = 0;
    watch_records(10, 1_200.0, 2.0, |race, r| {
        let c = &r.channels;
        assert!((-1.0..=1.0).contains(&c.steer), "{c:?}");
        assert!(c.g_lat.abs() <= 5.0 && (-6.0..=2.5).contains(&c.g_long), "{c:?}");
        assert!(c.brake_temp_c.values().iter().all(|t| (30..=900).contains(t)), "{c:?}");
        assert!(c.tire_pressure_psi.values().iter().all(|p| (20.0..=30.0).contains(p)), "{c:?}");
        assert!(c.tire_wear_pct.values().iter().all(|w| (0.0..=100.0).contains(w)), "{c:?}");
        assert!((0.0..=100.0).contains(&c.fuel_kg), "{c:?}");
        if race.time_secs() > 90.0 {
            let tires = r.sample.tire_temp_c.unwrap();
            if tires.fl > 90.0 {
                assert!((26.0..=29.0).contains(&c.tire_pressure_psi.fl), "hot at {} °C: {c:?}", tires.fl);
            }
            if r.sample.brake.unwrap() > 0.8 {
                let fronts = [c.brake_temp_c.fl, c.brake_temp_c.fr];
                assert!(fronts.iter().all(|t| (200..=900).contains(t)), "hard braking: {c:?}");
                hard_braking += 1;
            }
        }
    });
    assert!(hard_braking > 100, "{hard_braking} samples under hard braking");
}
