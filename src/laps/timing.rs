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
    // A car without speed (contract v2) covers NaN, which `max` turns into 0: it crosses
    // at its first record past the line.
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
mod tests;
