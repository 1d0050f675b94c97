//! The lap index: every car's laps in what Kafka retains of each topic the group reads
//! (and of those asked for on demand: `on_demand`), kept up to date as records arrive.
//! The timing tower, `/api/laps` and seek-to-lap read it. A reader in `kafka::laps` feeds it
//! what the live path has not delivered, and the live path the rest (`sources`).

mod cursor;
pub(crate) mod on_demand;
mod sources;
pub(crate) mod timing;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use serde::Serialize;

use crate::{sync::lock, telemetry::Record};
use timing::{CarTiming, Current, Lap, MAX_LAPS_PER_CAR, Point, SECTORS};

/// Cars indexed per topic. A grid is 20 to 40 cars; more is a topic keyed by something
/// else, and the index stops growing rather than the server.
pub(crate) const MAX_CARS_PER_TOPIC: usize = 256;
/// Lap lengths the track's length is the median of.
const LENGTHS: usize = 64;

/// Cheap to clone; every clone is the same index.
#[derive(Clone, Default)]
pub(crate) struct LapIndex {
    // A std mutex: it is held for a batch of arithmetic, never across an await.
    topics: Arc<Mutex<HashMap<String, TopicLaps>>>,
}

#[derive(Default)]
struct TopicLaps {
    cars: BTreeMap<String, CarEntry>,
    live: bool,
    read: u64,
    total: u64,
    refused_cars: u64,
    lengths: VecDeque<f64>,
    /// Cars with laps or a lap in progress not yet sent in an update.
    changed: BTreeSet<String>,
    /// What the next update must carry besides changed cars.
    progress_changed: bool,
    announce_full: bool,
    /// Where the index stands in each partition: what the reader and the feed agree on.
    cursors: cursor::Cursors,
    /// Records the index's own reader decoded (the live feed's are not counted).
    records_read: u64,
}

#[derive(Default)]
struct CarEntry {
    driver: Option<String>,
    timing: CarTiming,
    /// Laps already sent in updates.
    sent: u64,
}

/// What the index holds of a topic, as sent in a `laps` message and by `/api/laps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LapTable {
    pub topic: String,
    /// True when `cars` is everything, false for an update holding only what changed.
    pub full: bool,
    pub index: IndexInfo,
    pub track: Option<Track>,
    pub cars: Vec<CarLaps>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IndexInfo {
    /// `reading` while what Kafka retains is read, then `live`.
    pub state: &'static str,
    /// Records read of the `total` retained when the reading began.
    pub read: u64,
    pub total: u64,
    /// Records the index's own reader decoded: the retention it read at the start, and
    /// any gap in the live feed. It stays flat while the group member feeds the index.
    pub records_read: u64,
    /// Set when a bound has been hit: what is missing.
    pub bound: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Track {
    /// The median length of recent laps.
    pub length_m: f64,
    /// Where the sectors meet.
    pub sectors_m: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CarLaps {
    pub car: String,
    pub driver: Option<String>,
    pub laps: Vec<Lap>,
    pub current: Option<Current>,
}

/// Why a lap could not be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum Missing {
    #[error("laps of `{0}` are not indexed: watch the topic first")]
    Topic(String),
    #[error("the laps of `{topic}` are still being read ({percent}% of what Kafka holds)")]
    Reading { topic: String, percent: u64 },
    #[error("car `{0}` has no records with laps in what Kafka holds")]
    Car(String),
    #[error("car `{car}` has no lap {lap} in what Kafka holds (its laps there are {first} to {last})")]
    Lap { car: String, lap: u32, first: u32, last: u32 },
}

/// A lap's records: a span of one partition, both ends included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LapSpan {
    pub lap: Lap,
    pub partition: i32,
    pub from: i64,
    pub until: i64,
}

impl LapIndex {
    /// Begins (or begins again) indexing `topic`: `total` records are retained.
    pub(crate) fn start(&self, topic: &str, total: u64) {
        let table = TopicLaps { total, progress_changed: true, ..TopicLaps::default() };
        lock(&self.topics).insert(topic.to_owned(), table);
    }

    pub(crate) fn remove(&self, topic: &str) {
        lock(&self.topics).remove(topic);
    }

    /// Records read so far of what was retained; `live` once all of it has been.
    pub(crate) fn progress(&self, topic: &str, read: u64, live: bool) {
        if let Some(t) = lock(&self.topics).get_mut(topic) {
            t.read = read.min(t.total);
            t.progress_changed = true;
            if live && !t.live {
                t.live = true;
                t.read = t.total;
                t.announce_full = true;
            }
        }
    }

    /// Takes records of one partition of `topic`, in offset order, whatever was indexed.
    #[cfg(test)]
    pub(crate) fn feed<'a>(&self, topic: &str, partition: i32, records: impl IntoIterator<Item = &'a Record>) {
        let mut topics = lock(&self.topics);
        let Some(t) = topics.get_mut(topic) else { return };
        for r in records {
            t.feed(partition, r);
        }
    }

    /// Everything held of `topic` (of one car, when `car` is given).
    pub(crate) fn table(&self, topic: &str, car: Option<&str>) -> Option<LapTable> {
        let topics = lock(&self.topics);
        let t = topics.get(topic)?;
        let cars = t
            .cars
            .iter()
            .filter(|(id, _)| car.is_none_or(|c| c == id.as_str()))
            .map(|(id, e)| t.car_laps(id, e, e.timing.laps().iter().cloned().collect()))
            .collect();
        Some(t.table(topic, true, cars))
    }

    /// What changed since the last call, one table per topic: progress while reading,
    /// everything once reading is done, then each car's new laps and lap in progress.
    pub(crate) fn updates(&self) -> Vec<LapTable> {
        let mut topics = lock(&self.topics);
        let mut out = Vec::new();
        for (topic, t) in topics.iter_mut() {
            if !t.live {
                if std::mem::take(&mut t.progress_changed) {
                    out.push(t.table(topic, false, Vec::new()));
                }
                continue;
            }
            let full = std::mem::take(&mut t.announce_full);
            let changed = std::mem::take(&mut t.changed);
            t.progress_changed = false;
            if !full && changed.is_empty() {
                continue;
            }
            let mut cars = Vec::new();
            for (id, e) in t.cars.iter_mut() {
                let new = e.timing.completed() - e.sent;
                e.sent = e.timing.completed();
                if !full && !changed.contains(id) {
                    continue;
                }
                let laps = e.timing.laps();
                let take = if full { laps.len() } else { usize::try_from(new).unwrap_or(usize::MAX).min(laps.len()) };
                cars.push((id.clone(), laps.iter().skip(laps.len() - take).cloned().collect::<Vec<_>>()));
            }
            let cars = cars.into_iter().map(|(id, laps)| t.car_laps(&id, &t.cars[&id], laps)).collect();
            out.push(t.table(topic, full, cars));
        }
        out
    }

    /// When `car` began `lap`, in ms since the epoch.
    pub(crate) fn lap_start(&self, topic: &str, car: &str, lap: u32) -> Result<f64, Missing> {
        let topics = lock(&self.topics);
        let t = topics.get(topic).ok_or_else(|| Missing::Topic(topic.to_owned()))?;
        let timing = t.timing(topic, car)?;
        timing.lap_start(lap).ok_or_else(|| t.no_lap(topic, car, lap, timing))
    }

    /// Where `car`'s records of the timed lap `lap` are.
    pub(crate) fn lap_span(&self, topic: &str, car: &str, lap: u32) -> Result<LapSpan, Missing> {
        let topics = lock(&self.topics);
        let t = topics.get(topic).ok_or_else(|| Missing::Topic(topic.to_owned()))?;
        let timing = t.timing(topic, car)?;
        let found = timing.laps().iter().find(|l| l.lap == lap).zip(timing.lap_span(lap));
        let (l, (partition, from, until)) = found.ok_or_else(|| t.no_lap(topic, car, lap, timing))?;
        Ok(LapSpan { lap: l.clone(), partition, from, until })
    }
}

impl TopicLaps {
    fn feed(&mut self, partition: i32, r: &Record) {
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

    fn car_laps(&self, id: &str, e: &CarEntry, laps: Vec<Lap>) -> CarLaps {
        let length = e.timing.laps().back().map(|l| l.length_m).or_else(|| self.track_length());
        CarLaps { car: id.to_owned(), driver: e.driver.clone(), laps, current: e.timing.current(length) }
    }

    fn table(&self, topic: &str, full: bool, cars: Vec<CarLaps>) -> LapTable {
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

    fn timing(&self, topic: &str, car: &str) -> Result<&CarTiming, Missing> {
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

    fn no_lap(&self, topic: &str, car: &str, lap: u32, timing: &CarTiming) -> Missing {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::{Sample, Tires};

    /// Car `car` at 180 km/h round a 1,000 m track, one record every 100 ms for `secs`.
    fn records(car: &str, from_offset: i64, secs: u32) -> Vec<Record> {
        (0..=secs * 10)
            .map(|i| {
                let total = 900.0 + 5.0 * f64::from(i);
                Record::new(
                    from_offset + i64::from(i),
                    Sample {
                        car: car.to_owned(),
                        ts: Some(1_000_000 + i64::from(i) * 100),
                        speed_kph: 180.0,
                        rpm: 9_000.0,
                        tire_temp_c: Some(Tires { fl: 90.0, fr: 90.0, rl: 90.0, rr: 90.0 }),
                        lap: Some(1 + (total / 1000.0) as u32),
                        gear: None,
                        throttle: None,
                        brake: None,
                        driver: Some(format!("Driver {car}")),
                        x: None,
                        y: None,
                        lap_distance_m: Some(total % 1000.0),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn reading_sends_progress_then_everything_then_only_what_is_new() {
        let index = LapIndex::default();
        index.start("t", 1_000);
        index.feed("t", 0, &records("7", 0, 45));
        index.progress("t", 451, false);
        let first = index.updates();
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].index.state, first[0].index.read, first[0].cars.len()), ("reading", 451, 0));
        assert!(index.updates().is_empty(), "nothing changed");

        index.progress("t", 1_000, true);
        let all = index.updates();
        assert!(all[0].full);
        assert_eq!(all[0].cars[0].laps.iter().map(|l| l.lap).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(all[0].cars[0].driver.as_deref(), Some("Driver 7"));
        let track = all[0].track.as_ref().unwrap();
        assert!((track.length_m - 1000.0).abs() < 1e-6);

        // Two more laps of records arrive live: the update holds those only.
        let later: Vec<Record> = records("7", 0, 85).into_iter().skip(451).collect();
        index.feed("t", 0, &later);
        let update = index.updates();
        assert!(!update[0].full);
        assert_eq!(update[0].cars[0].laps.iter().map(|l| l.lap).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(update[0].cars[0].current.as_ref().map(|c| c.lap), Some(6));
        assert_eq!(index.table("t", None).unwrap().cars[0].laps.len(), 4);
    }

    #[test]
    fn lap_look_ups_say_what_is_missing() {
        let index = LapIndex::default();
        assert_eq!(index.lap_start("t", "7", 2), Err(Missing::Topic("t".into())));
        index.start("t", 10);
        index.feed("t", 0, &records("7", 0, 45));
        assert!(matches!(index.lap_start("t", "9", 2), Err(Missing::Reading { .. })));
        index.progress("t", 10, true);
        assert_eq!(index.lap_start("t", "7", 3), Ok(1_000_000.0 + 22_000.0));
        assert_eq!(index.lap_start("t", "9", 2), Err(Missing::Car("9".into())));
        let err = index.lap_start("t", "7", 9).unwrap_err();
        assert_eq!(err.to_string(), "car `7` has no lap 9 in what Kafka holds (its laps there are 1 to 4)");
        let span = index.lap_span("t", "7", 2).unwrap();
        assert_eq!((span.partition, span.from, span.until), (0, 19, 220));
    }

    #[test]
    fn the_index_stops_growing_at_its_car_bound_and_says_so() {
        let index = LapIndex::default();
        index.start("t", 0);
        for car in 0..=MAX_CARS_PER_TOPIC {
            index.feed("t", 0, &records(&car.to_string(), 0, 1));
        }
        let table = index.table("t", None).unwrap();
        assert_eq!(table.cars.len(), MAX_CARS_PER_TOPIC);
        assert_eq!(table.index.bound.as_deref(), Some("only the first 256 cars are indexed"));
    }
}
