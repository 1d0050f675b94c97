//! Lap and sector timing, exact to the millisecond.

use super::*;

fn point(ts: f64, lap: u32, dist: f64, speed_kph: f64) -> Point {
    Point { ts, lap, dist, speed_kph, partition: 0, offset: ts as i64 }
}

/// A car at a steady 180 km/h (50 m/s) round a 1,000 m track, sampled every 100 ms
/// from `t0`, where it is `d0` metres into lap `lap0`.
fn steady(t0: f64, lap0: u32, d0: f64, secs: f64) -> Vec<Point> {
    let n = (secs * 10.0) as usize;
    (0..=n)
        .map(|i| {
            let total = d0 + 5.0 * i as f64;
            point(t0 + 100.0 * i as f64, lap0 + (total / 1000.0) as u32, total % 1000.0, 180.0)
        })
        .collect()
}

fn run(points: &[Point]) -> CarTiming {
    let mut car = CarTiming::default();
    for p in points {
        car.feed(*p);
    }
    car
}

#[test]
fn the_crossing_is_interpolated_between_the_samples_around_the_line() {
    // 2 m before the line at t=1000, 3 m past it 100 ms later, at 180 km/h (5 m/100 ms).
    let (t, before) = crossing(&point(1000.0, 4, 998.0, 180.0), &point(1100.0, 5, 3.0, 180.0));
    assert!((t - 1040.0).abs() < 1e-9, "{t}");
    assert!((before - 2.0).abs() < 1e-9);
    // On a sample exactly at the line.
    let (t, _) = crossing(&point(1000.0, 4, 995.0, 180.0), &point(1100.0, 5, 0.0, 180.0));
    assert!((t - 1100.0).abs() < 1e-9, "{t}");
}

#[test]
fn a_lap_that_began_before_the_first_record_is_not_timed_and_the_next_is_exact() {
    // Starts 437 m into lap 1; the line falls 2.6 m past a sample every lap.
    let car = run(&steady(0.0, 1, 437.4, 60.0));
    let laps: Vec<(u32, f64)> = car.laps().iter().map(|l| (l.lap, l.time_ms)).collect();
    assert_eq!(laps.iter().map(|l| l.0).collect::<Vec<_>>(), [2, 3]);
    assert!(laps.iter().all(|l| (l.1 - 20_000.0).abs() < 1e-6), "{laps:?}");
    let lap = &car.laps()[0];
    // Lap 1's line: 562.6 m after the start at 50 m/s.
    assert!((lap.start_ts - 11_252.0).abs() < 1e-6, "{}", lap.start_ts);
    assert!((lap.length_m - 1000.0).abs() < 1e-6);
    assert_eq!(car.current(Some(1000.0)).map(|c| c.lap), Some(4));
    assert_eq!(car.lap_start(1), Some(0.0));
}

#[test]
fn sectors_are_thirds_of_the_lap_and_add_up_to_it() {
    let car = run(&steady(0.0, 1, 900.0, 25.0));
    let lap = &car.laps()[0];
    assert_eq!(lap.sectors_ms.len(), 3);
    for s in &lap.sectors_ms {
        // Times are kept to the microsecond.
        assert!((s - 20_000.0 / 3.0).abs() <= 0.001, "{:?}", lap.sectors_ms);
    }
    assert!((lap.sectors_ms.iter().sum::<f64>() - lap.time_ms).abs() <= 0.002);
    // The lap in progress (lap 3, 2.6 s in, past no boundary yet).
    assert_eq!(car.current(Some(1000.0)).unwrap().sectors_ms.len(), 0);
    let later = run(&steady(0.0, 1, 900.0, 35.0));
    let current = later.current(Some(1000.0)).unwrap();
    assert_eq!(current.lap, 3);
    assert_eq!(current.sectors_ms.len(), 1);
    assert!((current.sectors_ms[0] - 20_000.0 / 3.0).abs() < 1e-6);
}

#[test]
fn a_car_that_pits_has_a_longer_lap_marked_pit_and_is_timed_on() {
    let mut points = steady(0.0, 1, 900.0, 12.0); // to 500 m into lap 2 at t=12 s
    let stop = points.last().copied().unwrap();
    for i in 1..=200 {
        // 20 s stationary in the pit box.
        points.push(Point {
            ts: stop.ts + 100.0 * f64::from(i),
            speed_kph: 0.0,
            offset: 10_000 + i64::from(i),
            ..stop
        });
    }
    let resume = stop.ts + 20_000.0;
    points
        .extend(steady(resume + 100.0, 2, 505.0, 30.0).into_iter().map(|p| Point { offset: p.offset + 100_000, ..p }));
    let car = run(&points);
    let laps: Vec<(u32, bool, f64)> = car.laps().iter().map(|l| (l.lap, l.pit, l.time_ms)).collect();
    assert_eq!(laps[0].0, 2);
    assert!(laps[0].1, "the stop marks lap 2 as a pit lap: {laps:?}");
    assert!((laps[0].2 - 40_000.0).abs() < 1e-6, "{laps:?}");
    assert_eq!((laps[1].0, laps[1].1), (3, false));
    assert!((laps[1].2 - 20_000.0).abs() < 1e-6);
}

#[test]
fn missing_laps_and_samples_from_the_past_start_no_false_lap() {
    let mut car = CarTiming::default();
    car.feed(point(0.0, 1, 990.0, 180.0));
    car.feed(point(100.0, 2, 0.0, 180.0));
    // A jump of three laps: the records of laps between are missing.
    assert!(car.feed(point(200.0, 5, 5.0, 180.0)).is_none());
    assert!(car.feed(point(150.0, 5, 6.0, 180.0)).is_none());
    assert_eq!(car.out_of_order, 1);
    assert!(car.laps().is_empty());
    assert_eq!(car.current(None).map(|c| (c.lap, c.start_ts)), Some((5, None)));
}

#[test]
fn a_lap_span_runs_from_the_sample_before_the_line_to_the_first_of_the_next_lap() {
    let car = run(&steady(0.0, 1, 900.0, 45.0));
    let (partition, from, until) = car.lap_span(2).unwrap();
    let lap2 = &car.laps()[0];
    assert_eq!(partition, 0);
    assert_eq!(from, lap2.before_offset);
    assert_eq!(until, car.laps()[1].offset);
    assert!(from < lap2.offset && lap2.offset < until);
    assert!(car.lap_span(9).is_none());
}
