//! The overview's arithmetic, pure: records in, the `done` message's summary out. Each
//! car of each topic keeps, per time bucket, its record count and the minimum and
//! maximum of every channel asked for, so a one-sample spike survives any zoom.

use std::collections::{HashMap, HashSet};

use super::{
    CarOverview, Channels, Finished, LapStart, MAX_LAPS_PER_CAR, MAX_OVERVIEW_CARS, MinMax, OverviewSummary,
    wanted::Wanted,
};
use crate::{channels::dictionary, telemetry::Sample};

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

/// Summarises records one at a time; [`Summary::finish`] makes the `done` message.
pub(crate) struct Summary {
    wanted: Option<HashSet<String>>,
    channels: Wanted,
    /// One record's values of the channels, reused from record to record.
    values: Vec<f64>,
    records: u64,
    malformed: u64,
    buckets: Buckets,
}

impl Summary {
    /// A summary of `[from_ts, to_ts)` in `asked` buckets, of the `cars` named (every car
    /// when `None`), of the `channels` named.
    pub(crate) fn new(from_ts: i64, to_ts: i64, asked: u32, cars: Option<&[String]>, channels: &[String]) -> Self {
        let wanted = cars.map(|c| c.iter().cloned().collect());
        let channels = Wanted::new(channels);
        let k = channels.len();
        Self {
            wanted,
            channels,
            values: vec![f64::NAN; k],
            records: 0,
            malformed: 0,
            buckets: Buckets::new(from_ts, to_ts, asked, k),
        }
    }

    /// Records read so far, malformed ones and ones outside the span included.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Adds the record at `offset` of a partition, with its other channels. Records are
    /// placed by their `ts`.
    pub(crate) fn add(
        &mut self,
        topic: &str,
        partition: i32,
        offset: i64,
        sample: &Sample,
        channels: &dictionary::Channels,
    ) {
        self.records += 1;
        if self.wanted.as_ref().is_none_or(|w| w.contains(&sample.car)) && self.buckets.bucket(sample.ts).is_some() {
            self.channels.values(sample, channels, &mut self.values);
            self.buckets.add(topic, partition, offset, sample, &self.values);
        }
    }

    /// Counts a record that broke the contract.
    pub(crate) fn add_malformed(&mut self) {
        self.records += 1;
        self.malformed += 1;
    }

    /// What the records read make: the `done` message's summary.
    pub(crate) fn finish(self) -> Finished {
        let b = self.buckets;
        let names = self.channels.names();
        let mut cars: Vec<CarOverview> = b.cars.into_iter().map(|c| c.finish(names)).collect();
        cars.sort_by(|a, b| (&a.topic, &a.car).cmp(&(&b.topic, &b.car)));
        let summary = OverviewSummary {
            from_ts: b.from_ts,
            to_ts: b.to_ts,
            bucket_ms: b.bucket_ms,
            buckets: b.n,
            malformed: self.malformed,
            cars_left_out: b.left_out,
            cars,
        };
        Finished { records: self.records, summary }
    }
}

/// The span cut into buckets, and every car's.
struct Buckets {
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
    fn new(from_ts: i64, to_ts: i64, asked: u32, k: usize) -> Self {
        let (bucket_ms, n) = bucketing(from_ts, to_ts, asked);
        Self { from_ts, to_ts, bucket_ms, n, k, cars: Vec::new(), index: Vec::new(), left_out: 0 }
    }

    /// The bucket a record of time `ts` falls in, if in the span.
    fn bucket(&self, ts: Option<i64>) -> Option<usize> {
        let ts = ts.filter(|ts| (self.from_ts..self.to_ts).contains(ts))?;
        // In range, so neither difference nor index can overflow.
        Some(((ts - self.from_ts) / self.bucket_ms) as usize)
    }

    fn add(&mut self, topic: &str, partition: i32, offset: i64, sample: &Sample, values: &[f64]) {
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

    fn defaults() -> Vec<String> {
        super::super::DEFAULT_CHANNELS.map(String::from).to_vec()
    }

    fn none() -> dictionary::Channels {
        dictionary::Channels::default()
    }

    fn sample(car: &str, ts: i64, rpm: f64) -> Sample {
        Sample { rpm, ..Sample::minimal(car, ts) }
    }

    fn summary_of(done: &Finished) -> &OverviewSummary {
        &done.summary
    }

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

    #[test]
    fn a_one_sample_spike_survives_in_its_buckets_max() {
        let mut s = Summary::new(0, 10_000, 10, None, &defaults());
        for ts in 0..10_000 {
            let rpm = if ts == 4_321 { 25_000.0 } else { 9_000.0 + (ts % 7) as f64 * 100.0 };
            s.add("t", 0, ts, &sample("7", ts, rpm), &none());
        }
        let msg = s.finish();
        let sum = summary_of(&msg);
        assert_eq!((sum.bucket_ms, sum.buckets), (1_000, 10));
        let rpm = &sum.cars[0].channels.get("rpm").unwrap();
        assert_eq!(rpm.max[4], Some(25_000.0));
        assert!(rpm.max.iter().enumerate().all(|(i, m)| i == 4 || m.unwrap() < 13_000.0), "{:?}", rpm.max);
        assert_eq!(rpm.min[4], Some(9_000.0), "the spike leaves the minimum alone");
        assert_eq!(sum.cars[0].count, vec![1_000; 10]);
        assert_eq!(msg.records, 10_000);
    }

    #[test]
    fn a_bucket_without_records_is_a_gap_and_a_missing_channel_is_null() {
        let mut s = Summary::new(0, 30, 3, None, &defaults());
        s.add("t", 0, 0, &sample("1", 1, 8_000.0), &none());
        s.add("t", 0, 1, &Sample { throttle: Some(0.5), ..sample("1", 5, 9_000.0) }, &none());
        s.add("t", 0, 2, &sample("1", 25, 7_000.0), &none());
        let msg = s.finish();
        let car = &summary_of(&msg).cars[0];
        assert_eq!(car.count, vec![2, 0, 1]);
        assert_eq!(car.channels.get("rpm").unwrap().min, vec![Some(8_000.0), None, Some(7_000.0)]);
        assert_eq!(car.channels.get("rpm").unwrap().max, vec![Some(9_000.0), None, Some(7_000.0)]);
        assert_eq!(car.channels.get("throttle").unwrap().max, vec![Some(0.5), None, None], "no throttle in bucket 2");
        assert_eq!(car.channels.get("tire_temp_c.rr").unwrap().min[0], Some(4.0));
    }

    #[test]
    fn records_outside_the_span_are_read_but_not_summarised() {
        let mut s = Summary::new(100, 200, 10, None, &defaults());
        for ts in [99, 100, 199, 200, 5_000] {
            s.add("t", 0, ts, &sample("1", ts, 1.0), &none());
        }
        let msg = s.finish();
        assert_eq!(msg.records, 5);
        let car = &summary_of(&msg).cars[0];
        assert_eq!(car.count.iter().sum::<u32>(), 2, "only 100 and 199 are in [100, 200)");
        assert_eq!((car.count[0], car.count[9]), (1, 1));
    }

    #[test]
    fn malformed_records_are_counted() {
        let mut s = Summary::new(0, 10, 1, None, &defaults());
        s.add_malformed();
        s.add("t", 0, 1, &sample("1", 1, 1.0), &none());
        let msg = s.finish();
        assert_eq!((msg.records, summary_of(&msg).malformed), (2, 1));
    }

    #[test]
    fn each_car_of_each_topic_is_summarised_once_up_to_the_bound_and_the_rest_counted() {
        let mut s = Summary::new(0, 10, 1, None, &defaults());
        for i in 0..MAX_OVERVIEW_CARS + 5 {
            for topic in ["a", "b"] {
                let car = format!("{i:03}");
                s.add(topic, 1, 0, &Sample { driver: Some(format!("D{i}")), ..sample(&car, 1, 1.0) }, &none());
                s.add(topic, 2, 1, &sample(&car, 2, 1.0), &none());
            }
        }
        let msg = s.finish();
        let sum = summary_of(&msg);
        assert_eq!(sum.cars.len(), MAX_OVERVIEW_CARS);
        assert_eq!(sum.cars_left_out, 2 * (MAX_OVERVIEW_CARS as u64 + 5) - MAX_OVERVIEW_CARS as u64);
        let first = &sum.cars[0];
        assert_eq!((first.topic.as_str(), first.car.as_str()), ("a", "000"), "sorted by topic, then car");
        assert_eq!((first.partition, first.count[0], first.driver.as_deref()), (1, 2, Some("D0")));
        assert!(sum.cars.iter().any(|c| (c.topic.as_str(), c.car.as_str()) == ("b", "000")), "a car per topic");
    }

    #[test]
    fn only_the_cars_asked_for_are_summarised_and_the_others_are_not_left_out() {
        let asked = vec!["7".to_owned()];
        let mut s = Summary::new(0, 10, 1, Some(&asked), &defaults());
        for car in ["1", "7", "9"] {
            s.add("t", 0, 0, &sample(car, 1, 1.0), &none());
        }
        let msg = s.finish();
        let sum = summary_of(&msg);
        assert_eq!(sum.cars.iter().map(|c| c.car.as_str()).collect::<Vec<_>>(), ["7"]);
        assert_eq!((sum.cars_left_out, msg.records), (0, 3));
    }

    #[test]
    fn laps_list_the_first_record_of_each_up_to_the_bound() {
        let mut s = Summary::new(0, 1_000_000, 1, None, &defaults());
        let mut offset = 0;
        for lap in 1..=(MAX_LAPS_PER_CAR as u32 + 3) {
            for _ in 0..2 {
                let ts = offset * 10;
                s.add("t", 0, offset, &Sample { lap: Some(lap), ..sample("1", ts, 1.0) }, &none());
                offset += 1;
            }
        }
        // Back to a lap already listed: not a new start.
        s.add("t", 0, offset, &Sample { lap: Some(1), ..sample("1", offset * 10, 1.0) }, &none());
        let msg = s.finish();
        let car = &summary_of(&msg).cars[0];
        assert_eq!(car.laps.len(), MAX_LAPS_PER_CAR);
        assert_eq!(car.laps[1], LapStart { lap: 2, ts: 20, offset: 2 });
        assert_eq!(car.laps_left_out, 3);
    }

    #[test]
    fn an_empty_span_has_no_buckets_and_no_cars() {
        let mut s = Summary::new(1_000, 1_000, 9, None, &defaults());
        s.add("t", 0, 0, &sample("1", 1_000, 1.0), &none());
        let msg = s.finish();
        let sum = summary_of(&msg);
        assert_eq!((sum.from_ts, sum.to_ts, sum.buckets, sum.cars.len(), msg.records), (1_000, 1_000, 0, 0, 1));
    }
}
