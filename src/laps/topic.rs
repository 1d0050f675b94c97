//! One topic's lap index: each car's timing fed record by record, the track's length
//! as the median of recent laps, and the answers the index gives about the topic (its
//! table, a car's laps, why a lap cannot be found). [`LapIndex`](super::LapIndex) keeps
//! one per topic behind its lock.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{
    CarLaps, IndexInfo, LapTable, MAX_CARS_PER_TOPIC, Missing, Track, cursor,
    timing::{CarTiming, Lap, MAX_LAPS_PER_CAR, Point, SECTORS},
};
use crate::telemetry::Record;

/// Lap lengths the track's length is the median of.
const LENGTHS: usize = 64;

/// One topic's index: its cars' laps, how far reading has come, and what the next
/// update owes the viewers.
#[derive(Default)]
pub(super) struct TopicLaps {
    pub(super) cars: BTreeMap<String, CarEntry>,
    pub(super) live: bool,
    pub(super) read: u64,
    pub(super) total: u64,
    pub(super) refused_cars: u64,
    pub(super) lengths: VecDeque<f64>,
    /// Cars with laps or a lap in progress not yet sent in an update.
    pub(super) changed: BTreeSet<String>,
    /// What the next update must carry besides changed cars.
    pub(super) progress_changed: bool,
    pub(super) announce_full: bool,
    /// Where the index stands in each partition: what the reader and the feed agree on.
    pub(super) cursors: cursor::Cursors,
    /// Records the index's own reader decoded (the live feed's are not counted).
    pub(super) records_read: u64,
}

/// One car's laps, and how many of them the viewers have been sent.
#[derive(Default)]
pub(super) struct CarEntry {
    pub(super) driver: Option<String>,
    pub(super) timing: CarTiming,
    /// Laps already sent in updates.
    pub(super) sent: u64,
}

impl TopicLaps {
    /// Takes one record of `partition` into its car's timing, if it has what laps need.
    pub(super) fn feed(&mut self, partition: i32, r: &Record) {
        let s = &r.sample;
        let (Some(ts), Some(lap), Some(dist)) = (s.ts, s.lap, s.lap_distance_m) else { return };
        if !self.cars.contains_key(&s.car) {
            if self.cars.len() >= MAX_CARS_PER_TOPIC {
                self.refused_cars += 1;
                return;
            }
            self.cars.insert(s.car.clone(), CarEntry::default());
        }
        let Some(entry) = self.cars.get_mut(&s.car) else { return };
        if entry.driver.is_none() {
            entry.driver.clone_from(&s.driver);
        }
        let point = Point { ts: ts as f64, lap, dist, speed_kph: s.speed_kph, partition, offset: r.offset };
        if let Some(done) = entry.timing.feed(point) {
            if self.lengths.len() >= LENGTHS {
                self.lengths.pop_front();
            }
            self.lengths.push_back(done.length_m);
        }
        if self.live && !self.changed.contains(&s.car) {
            self.changed.insert(s.car.clone());
        }
    }

    fn track_length(&self) -> Option<f64> {
        let mut lengths: Vec<f64> = self.lengths.iter().copied().collect();
        lengths.sort_by(f64::total_cmp);
        lengths.get(lengths.len() / 2).copied()
    }

    pub(super) fn car_laps(&self, id: &str, e: &CarEntry, laps: Vec<Lap>) -> CarLaps {
        let length = e.timing.laps().back().map(|l| l.length_m).or_else(|| self.track_length());
        CarLaps { car: id.to_owned(), driver: e.driver.clone(), laps, current: e.timing.current(length) }
    }

    pub(super) fn table(&self, topic: &str, full: bool, cars: Vec<CarLaps>) -> LapTable {
        let mut bounds = Vec::new();
        if self.refused_cars > 0 {
            bounds.push(format!("only the first {MAX_CARS_PER_TOPIC} cars are indexed"));
        }
        if self.cars.values().any(|e| e.timing.truncated()) {
            bounds.push(format!("only the last {MAX_LAPS_PER_CAR} laps of a car are kept"));
        }
        let track = self.track_length().map(|length_m| Track {
            length_m,
            sectors_m: (1..SECTORS).map(|k| length_m * k as f64 / SECTORS as f64).collect(),
        });
        LapTable {
            topic: topic.to_owned(),
            full,
            index: IndexInfo {
                state: if self.live { "live" } else { "reading" },
                read: self.read,
                total: self.total,
                records_read: self.records_read,
                bound: (!bounds.is_empty()).then(|| bounds.join("; ")),
            },
            track,
            cars,
        }
    }

    pub(super) fn timing(&self, topic: &str, car: &str) -> Result<&CarTiming, Missing> {
        match self.cars.get(car) {
            Some(e) => Ok(&e.timing),
            None if !self.live => Err(self.reading(topic)),
            None => Err(Missing::Car(car.to_owned())),
        }
    }

    fn reading(&self, topic: &str) -> Missing {
        let percent = (self.read * 100).checked_div(self.total).unwrap_or(0);
        Missing::Reading { topic: topic.to_owned(), percent }
    }

    pub(super) fn no_lap(&self, topic: &str, car: &str, lap: u32, timing: &CarTiming) -> Missing {
        let first = timing.laps().front().map(|l| l.lap.saturating_sub(1));
        let last = timing.current(None).map(|c| c.lap);
        match (first, last) {
            _ if !self.live => self.reading(topic),
            (Some(first), Some(last)) => Missing::Lap { car: car.to_owned(), lap, first: first.max(1), last },
            (None, Some(last)) => Missing::Lap { car: car.to_owned(), lap, first: last, last },
            _ => Missing::Car(car.to_owned()),
        }
    }
}
