//! One car's lap timing, fed its samples in order: where it crosses the line, how long
//! each lap and sector took, and whether it stopped in the pits. Pure; no clock, no I/O.

use std::collections::VecDeque;

use serde::Serialize;

/// Completed laps kept per car. A season-long topic at 90 s a lap reaches this after two
/// days of running; the oldest laps go first, and the index says so.
pub(crate) const MAX_LAPS_PER_CAR: usize = 2_000;
/// Points kept of the lap in progress, to time its sectors. A 90 s lap at 60 Hz is 5,400;
/// past the bound every other point is dropped, which halves the resolution, not the lap.
const MAX_TRACE: usize = 16_384;
/// Below this speed (km/h) a car counts as standing still.
const STANDING_KPH: f64 = 1.0;
/// Standing still this long (ms) within a lap makes it a pit lap.
const PIT_STOP_MS: f64 = 2_000.0;
/// Sectors per lap: equal thirds of the lap's length.
pub(crate) const SECTORS: usize = 3;

/// One reading, as timing needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// Milliseconds since the epoch.
    pub ts: f64,
    pub lap: u32,
    /// Metres into the lap.
    pub dist: f64,
    pub speed_kph: f64,
    pub partition: i32,
    pub offset: i64,
}

/// A lap from one crossing of the line to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Lap {
    pub lap: u32,
    /// When the car crossed the line to begin the lap, interpolated (ms since the epoch).
    pub start_ts: f64,
    pub end_ts: f64,
    pub time_ms: f64,
    pub sectors_ms: Vec<f64>,
    /// The car's first record on the lap.
    pub partition: i32,
    pub offset: i64,
    /// The car's last record before the lap (the sample before the line).
    #[serde(skip)]
    pub before_offset: i64,
    /// The lap's length, metres.
    #[serde(skip)]
    pub length_m: f64,
    /// The car stood still in the lap: a pit stop.
    pub pit: bool,
}

/// The lap in progress, as shown: how far its sectors have got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Current {
    pub lap: u32,
    /// None when the lap began before the car's first record.
    pub start_ts: Option<f64>,
    pub sectors_ms: Vec<f64>,
}

/// The lap in progress.
#[derive(Debug, Clone)]
struct Open {
    lap: u32,
    /// The crossing that began it; None when the car's records begin inside the lap.
    start_ts: Option<f64>,
    /// When the lap's first record came, the start of an untimed lap.
    first_ts: f64,
    partition: i32,
    offset: i64,
    before_offset: i64,
    /// (metres into the lap, ms since the epoch), from the crossing on.
    trace: Vec<(f64, f64)>,
    standing_since: Option<f64>,
    pit: bool,
}

impl Open {
    fn new(p: &Point, start_ts: Option<f64>, before_offset: i64) -> Self {
        let mut trace = Vec::with_capacity(1024);
        if let Some(start) = start_ts {
            trace.push((0.0, start));
        }
        trace.push((p.dist, p.ts));
        let standing_since = (p.speed_kph < STANDING_KPH).then_some(p.ts);
        Self {
            lap: p.lap,
            start_ts,
            first_ts: p.ts,
            partition: p.partition,
            offset: p.offset,
            before_offset,
            trace,
            standing_since,
            pit: false,
        }
    }

    fn push(&mut self, p: &Point) {
        if self.trace.len() >= MAX_TRACE {
            let mut i = 0;
            self.trace.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        self.trace.push((p.dist, p.ts));
        if p.speed_kph < STANDING_KPH {
            let since = *self.standing_since.get_or_insert(p.ts);
            self.pit |= p.ts - since >= PIT_STOP_MS;
        } else {
            self.standing_since = None;
        }
    }
}

/// Every lap of one car, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct CarTiming {
    last: Option<Point>,
    open: Option<Open>,
    laps: VecDeque<Lap>,
    /// Laps ever completed, including those the bound dropped.
    completed: u64,
    /// The last lap that began before its records did: (lap, its first record's time).
    untimed: Option<(u32, f64)>,
    /// Samples refused because they went back in time.
    pub out_of_order: u64,
}

impl CarTiming {
    /// Takes the next sample; returns the lap it completed, if any.
    pub(crate) fn feed(&mut self, p: Point) -> Option<&Lap> {
        let Some(last) = self.last else {
            self.last = Some(p);
            self.untimed = Some((p.lap, p.ts));
            self.open = Some(Open::new(&p, None, -1));
            return None;
        };
        if p.ts < last.ts {
            self.out_of_order += 1;
            return None;
        }
        self.last = Some(p);
        if p.lap == last.lap {
            if let Some(open) = &mut self.open {
                open.push(&p);
            }
            return None;
        }
        if p.lap != last.lap + 1 {
            // Laps missing from the records, or a new session: nothing here can be timed.
            self.untimed = Some((p.lap, p.ts));
            self.open = Some(Open::new(&p, None, last.offset));
            return None;
        }
        let (cross, before) = crossing(&last, &p);
        let finished = self.open.replace(Open::new(&p, Some(cross), last.offset));
        let open = finished?;
        let start = open.start_ts?;
        let length = last.dist + before;
        let lap = Lap {
            lap: open.lap,
            start_ts: micros(start),
            end_ts: micros(cross),
            time_ms: micros(cross - start),
            sectors_ms: sectors(&open.trace, length, cross).into_iter().map(micros).collect(),
            partition: open.partition,
            offset: open.offset,
            before_offset: open.before_offset,
            length_m: length,
            pit: open.pit,
        };
        if self.laps.len() >= MAX_LAPS_PER_CAR {
            self.laps.pop_front();
        }
        self.laps.push_back(lap);
        self.completed += 1;
        self.laps.back()
    }

    pub(crate) fn laps(&self) -> &VecDeque<Lap> {
        &self.laps
    }

    pub(crate) fn completed(&self) -> u64 {
        self.completed
    }

    /// True once the bound has dropped a lap.
    pub(crate) fn truncated(&self) -> bool {
        self.completed > self.laps.len() as u64
    }

    /// The lap in progress, its sectors timed against `length_m` (the last lap's length:
    /// this one's is not known until it ends).
    pub(crate) fn current(&self, length_m: Option<f64>) -> Option<Current> {
        let open = self.open.as_ref()?;
        let sectors_ms = match (open.start_ts, length_m) {
            (Some(start), Some(length)) => passed_sectors(&open.trace, length, start),
            _ => Vec::new(),
        };
        Some(Current { lap: open.lap, start_ts: open.start_ts, sectors_ms })
    }

    /// When `lap` began: its crossing, or the first record of a lap that began before the
    /// car's records did. None when no record of it is held.
    pub(crate) fn lap_start(&self, lap: u32) -> Option<f64> {
        if let Some(l) = self.laps.iter().find(|l| l.lap == lap) {
            return Some(l.start_ts);
        }
        if let Some(open) = self.open.as_ref().filter(|o| o.lap == lap) {
            return Some(open.start_ts.unwrap_or(open.first_ts));
        }
        self.untimed.filter(|&(l, _)| l == lap).map(|(_, ts)| ts)
    }

    /// The record span of `lap`: from the sample before its line to the first sample of
    /// the next lap (or the last record taken, for the lap in progress), both included.
    pub(crate) fn lap_span(&self, lap: u32) -> Option<(i32, i64, i64)> {
        let l = self.laps.iter().position(|l| l.lap == lap)?;
        let this = &self.laps[l];
        let until = match self.laps.get(l + 1).filter(|n| n.lap == lap + 1) {
            Some(next) => next.offset,
            None => match &self.open {
                Some(open) if open.lap == lap + 1 => open.offset,
                _ => self.last?.offset,
            },
        };
        Some((this.partition, this.before_offset.max(0).min(this.offset), until))
    }
}

/// `ms` to the microsecond: interpolation is no finer, and `90000.000000001` would be
/// shown to people.
fn micros(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// When the car crossed the line between `a` (end of a lap) and `b` (start of the next),
/// and the metres it still had to go from `a`. The distance covered between them comes
/// from their mean speed; of it, `b.dist` lies past the line. The crossing is always a
/// microsecond or more after `a` (which belongs to the lap before) when `b` is later.
pub(crate) fn crossing(a: &Point, b: &Point) -> (f64, f64) {
    let dt = b.ts - a.ts;
    let covered = (a.speed_kph + b.speed_kph) / 2.0 / 3.6 * dt / 1000.0;
    let before = (covered - b.dist).max(0.0);
    let span = before + b.dist.max(0.0);
    let f = if span > 0.0 { before / span } else { 0.0 };
    ((a.ts + f * dt).max(a.ts + 0.001f64.min(dt)), before)
}

/// The time at `d` metres into the lap, interpolated along `trace`; None before its
/// first point or past its last.
fn time_at(trace: &[(f64, f64)], d: f64) -> Option<f64> {
    let i = trace.iter().position(|&(dist, _)| dist >= d)?;
    if i == 0 {
        return (trace[0].0 == d).then_some(trace[0].1);
    }
    let ((d0, t0), (d1, t1)) = (trace[i - 1], trace[i]);
    let f = if d1 > d0 { (d - d0) / (d1 - d0) } else { 1.0 };
    Some(t0 + f * (t1 - t0))
}

/// The sectors a completed lap of `length` metres took, ending at `end_ts`.
fn sectors(trace: &[(f64, f64)], length: f64, end_ts: f64) -> Vec<f64> {
    let mut splits = passed_sectors(trace, length, trace.first().map_or(end_ts, |p| p.1));
    if splits.len() == SECTORS - 1 {
        let done: f64 = splits.iter().sum();
        let start = trace.first().map_or(end_ts, |p| p.1);
        splits.push(end_ts - start - done);
    }
    splits
}

/// The times of the sectors already behind the car, boundaries at thirds of `length`.
fn passed_sectors(trace: &[(f64, f64)], length: f64, start_ts: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(SECTORS);
    let mut prev = start_ts;
    for k in 1..SECTORS {
        let Some(t) = time_at(trace, length * k as f64 / SECTORS as f64) else { break };
        out.push(t - prev);
        prev = t;
    }
    out
}

#[cfg(test)]
mod tests {
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
        points.extend(
            steady(resume + 100.0, 2, 505.0, 30.0).into_iter().map(|p| Point { offset: p.offset + 100_000, ..p }),
        );
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
}
