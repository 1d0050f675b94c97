//! The overview's arithmetic, pure: records in, the `done` message's summary out. It
//! counts every record read and picks the cars and channels asked for; each car of each
//! topic keeps, per time bucket ([`super::buckets`]), its record count and the minimum
//! and maximum of every channel asked for, so a one-sample spike survives any zoom.

use std::collections::HashSet;

use super::{Finished, buckets::Buckets, wanted::Wanted};
use crate::{channels::dictionary, telemetry::Sample};

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
        let summary = self.buckets.finish(self.channels.names(), self.malformed);
        Finished { records: self.records, summary }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::{LapStart, MAX_LAPS_PER_CAR, MAX_OVERVIEW_CARS, OverviewSummary};

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
