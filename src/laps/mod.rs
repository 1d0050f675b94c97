//! The lap index: every car's laps in what Kafka retains of each topic the group reads
//! (and of those asked for on demand: `on_demand`), kept up to date as records arrive.
//! The timing tower, `/api/laps` and seek-to-lap read it. A reader in `kafka::laps` feeds it
//! what the live path has not delivered, and the live path the rest (`sources`). One
//! topic's index is a `topic::TopicLaps`; what the index answers is in `table`.

mod cursor;
pub(crate) mod on_demand;
mod sources;
mod table;
pub(crate) mod timing;
mod topic;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

pub(crate) use table::{CarLaps, IndexInfo, LapSpan, LapTable, Missing, Track};
use topic::TopicLaps;

use crate::sync::lock;

/// Cars indexed per topic. A grid is 20 to 40 cars; more is a topic keyed by something
/// else, and the index stops growing rather than the server.
pub(crate) const MAX_CARS_PER_TOPIC: usize = 256;

/// Cheap to clone; every clone is the same index.
#[derive(Clone, Default)]
pub(crate) struct LapIndex {
    // A std mutex: it is held for a batch of arithmetic, never across an await.
    topics: Arc<Mutex<HashMap<String, TopicLaps>>>,
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
    pub(crate) fn feed<'a>(
        &self,
        topic: &str,
        partition: i32,
        records: impl IntoIterator<Item = &'a crate::telemetry::Record>,
    ) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::{Record, Sample, Tires};

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
