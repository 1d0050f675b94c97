//! The overview's buckets: the span cut into whole-millisecond buckets, and for each car
//! of each topic, per bucket, its record count and the minimum and maximum of every
//! channel asked for, with the first record of each lap. Bounded in cars and laps; what
//! is left out is counted.

use std::collections::{HashMap, HashSet};

use super::{CarOverview, Channels, LapStart, MAX_LAPS_PER_CAR, MAX_OVERVIEW_CARS, MinMax, OverviewSummary};
use crate::telemetry::Sample;

/// Distinct cars past [`MAX_OVERVIEW_CARS`] that are counted in `cars_left_out`; beyond
/// this many (telemetry whose car ids are noise) the count stops growing.
const MAX_LEFT_OUT_COUNTED: u64 = 100_000;

/// `bucket_ms` and the number of buckets for a span: `bucket_ms` = max(1, ⌈span /
/// asked⌉), then as many buckets as it takes to cover the span, which may be fewer than
/// asked. An empty span has none.
pub(crate) fn bucketing(from_ts: i64, to_ts: i64, asked: u32) -> (i64, usize) {
    let Ok(span @ 1..) = u64::try_from(to_ts.saturating_sub(from_ts)) else { return (1, 0) };
    let bucket_ms = span.div_ceil(u64::from(asked.max(1))).max(1);
    let n = span.div_ceil(bucket_ms);
    (i64::try_from(bucket_ms).unwrap_or(i64::MAX), usize::try_from(n).unwrap_or(usize::MAX))
}

/// The span cut into buckets, and every car's.
pub(super) struct Buckets {
    from_ts: i64,
    to_ts: i64,
    bucket_ms: i64,
    n: usize,
    /// Channels per bucket.
    k: usize,
    cars: Vec<Car>,
    /// Per topic, each car's place in `cars` ([`LEFT_OUT`] for a car left out). Few
    /// topics, so a list.
    index: Vec<(String, HashMap<String, usize>)>,
    left_out: u64,
}

/// The place in [`Buckets::index`] of a car that is not summarised.
const LEFT_OUT: usize = usize::MAX;

impl Buckets {
    pub(super) fn new(from_ts: i64, to_ts: i64, asked: u32, k: usize) -> Self {
        let (bucket_ms, n) = bucketing(from_ts, to_ts, asked);
        Self { from_ts, to_ts, bucket_ms, n, k, cars: Vec::new(), index: Vec::new(), left_out: 0 }
    }

    /// The bucket a record of time `ts` falls in, if in the span.
    pub(super) fn bucket(&self, ts: Option<i64>) -> Option<usize> {
        let ts = ts.filter(|ts| (self.from_ts..self.to_ts).contains(ts))?;
        // In range, so neither difference nor index can overflow.
        Some(((ts - self.from_ts) / self.bucket_ms) as usize)
    }

    pub(super) fn add(&mut self, topic: &str, partition: i32, offset: i64, sample: &Sample, values: &[f64]) {
        let (Some(bucket), Some(ts)) = (self.bucket(sample.ts), sample.ts) else { return };
        let Some(car) = self.car(topic, partition, &sample.car) else { return };
        car.add(bucket, ts, offset, sample, values);
    }

    /// The car's summary, made on its first record unless [`MAX_OVERVIEW_CARS`] are made.
    fn car(&mut self, topic: &str, partition: i32, id: &str) -> Option<&mut Car> {
        let t = match self.index.iter().position(|(t, _)| t == topic) {
            Some(t) => t,
            None => {
                self.index.push((topic.to_owned(), HashMap::new()));
                self.index.len() - 1
            }
        };
        if let Some(&i) = self.index[t].1.get(id) {
            return self.cars.get_mut(i);
        }
        if self.cars.len() >= MAX_OVERVIEW_CARS {
            if self.left_out < MAX_LEFT_OUT_COUNTED {
                self.left_out += 1;
                self.index[t].1.insert(id.to_owned(), LEFT_OUT);
            }
            return None;
        }
        self.index[t].1.insert(id.to_owned(), self.cars.len());
        self.cars.push(Car::new(topic, partition, id, self.n, self.k));
        self.cars.last_mut()
    }

    /// The summary of what was added, each car's channels named by `names` in the
    /// order they were kept.
    pub(super) fn finish(self, names: &[String], malformed: u64) -> OverviewSummary {
        let mut cars: Vec<CarOverview> = self.cars.into_iter().map(|c| c.finish(names)).collect();
        cars.sort_by(|a, b| (&a.topic, &a.car).cmp(&(&b.topic, &b.car)));
        OverviewSummary {
            from_ts: self.from_ts,
            to_ts: self.to_ts,
            bucket_ms: self.bucket_ms,
            buckets: self.n,
            malformed,
            cars_left_out: self.left_out,
            cars,
        }
    }
}

struct Car {
    car: String,
    driver: Option<String>,
    topic: String,
    partition: i32,
    /// The car's records in each bucket.
    count: Vec<u32>,
    /// Each bucket's extremes of each channel (±∞ until a value comes), bucket by bucket
    /// rather than channel by channel: a record touches one place.
    min: Vec<f64>,
    max: Vec<f64>,
    laps: Vec<LapStart>,
    laps_seen: HashSet<u32>,
    last_lap: Option<u32>,
    laps_left_out: u64,
}

impl Car {
    fn new(topic: &str, partition: i32, id: &str, n: usize, k: usize) -> Self {
        Self {
            car: id.to_owned(),
            driver: None,
            topic: topic.to_owned(),
            partition,
            count: vec![0; n],
            min: vec![f64::INFINITY; n * k],
            max: vec![f64::NEG_INFINITY; n * k],
            laps: Vec::new(),
            laps_seen: HashSet::new(),
            last_lap: None,
            laps_left_out: 0,
        }
    }

    fn add(&mut self, bucket: usize, ts: i64, offset: i64, s: &Sample, values: &[f64]) {
        let Some(count) = self.count.get_mut(bucket) else { return };
        *count = count.saturating_add(1);
        let at = bucket * values.len();
        let (Some(min), Some(max)) = (self.min.get_mut(at..at + values.len()), self.max.get_mut(at..at + values.len()))
        else {
            return;
        };
        // An absent channel is NaN, which no comparison lets in.
        for ((&v, lo), hi) in values.iter().zip(min).zip(max) {
            if v < *lo {
                *lo = v;
            }
            if v > *hi {
                *hi = v;
            }
        }
        if self.driver.is_none() {
            self.driver.clone_from(&s.driver);
        }
        if let Some(lap) = s.lap
            && self.last_lap != Some(lap)
        {
            self.last_lap = Some(lap);
            self.lap_started(lap, ts, offset);
        }
    }

    /// Notes the first record of a lap not seen before, while there is room.
    fn lap_started(&mut self, lap: u32, ts: i64, offset: i64) {
        if self.laps_seen.contains(&lap) {
            return;
        }
        if self.laps.len() >= MAX_LAPS_PER_CAR {
            self.laps_left_out += 1;
            return;
        }
        self.laps_seen.insert(lap);
        self.laps.push(LapStart { lap, ts, offset });
    }

    /// The car's overview, its channels named by `names` in the order they were kept.
    fn finish(self, names: &[String]) -> CarOverview {
        let k = names.len();
        let finite = |v: &f64| Some(*v).filter(|v| v.is_finite());
        let channel = |i: usize| MinMax {
            min: self.min.iter().skip(i).step_by(k).map(finite).collect(),
            max: self.max.iter().skip(i).step_by(k).map(finite).collect(),
        };
        let channels = Channels(names.iter().enumerate().map(|(i, name)| (name.clone(), channel(i))).collect());
        CarOverview {
            count: self.count,
            car: self.car,
            driver: self.driver,
            topic: self.topic,
            partition: self.partition,
            laps: self.laps,
            laps_left_out: self.laps_left_out,
            channels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_whole_milliseconds_and_may_be_fewer_than_asked() {
        assert_eq!(bucketing(0, 1000, 3), (334, 3));
        assert_eq!(bucketing(0, 1000, 1000), (1, 1000));
        assert_eq!(bucketing(0, 1001, 1000), (2, 501), "ceil(1001 / 1000) = 2 ms, and 501 of them cover it");
        assert_eq!(bucketing(0, 10, 4000), (1, 10), "never under 1 ms");
        assert_eq!(bucketing(5, 5, 10), (1, 0), "an empty span has no buckets");
        assert_eq!(bucketing(9, 5, 10), (1, 0));
        assert_eq!(bucketing(i64::MIN, i64::MAX, 4000).1, 4000, "no overflow");
    }
}
