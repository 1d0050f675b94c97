//! Notices a group consumer that has stopped making progress. After a broker restart,
//! librdkafka can keep a consumer connected and assigned yet fetching nothing (a known
//! failure of librdkafka and rdkafka); the only cure is a new consumer. The watchdog
//! decides when: Kafka answers, records wait in an assigned partition, and the
//! consumer's position has not moved for a while.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crate::telemetry::TopicPartition;

/// One assigned partition as the watchdog sees it on each look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartitionLook {
    pub tp: TopicPartition,
    /// The consumer's next offset, if it has one yet.
    pub position: Option<i64>,
    /// The partition's high watermark, as the cluster watcher last saw it.
    pub high: Option<i64>,
}

/// Why the consumer is taken to be stuck; logged and shown in the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no progress for {secs} s while {behind} partition(s) had records waiting (first: {first} at offset {position} of {high})"
)]
pub(crate) struct Stuck {
    pub secs: u64,
    pub behind: usize,
    pub first: String,
    pub position: i64,
    pub high: i64,
}

/// Tracks progress between looks.
#[derive(Debug)]
pub(crate) struct Watchdog {
    after: Duration,
    positions: HashMap<TopicPartition, Option<i64>>,
    highs_at_stall: HashMap<TopicPartition, Option<i64>>,
    stalled_since: Option<Instant>,
}

impl Watchdog {
    /// A watchdog that calls a consumer stuck after `after` without progress; zero
    /// turns it off.
    pub(crate) fn new(after: Duration) -> Self {
        Self { after, positions: HashMap::new(), highs_at_stall: HashMap::new(), stalled_since: None }
    }

    /// Forgets everything, as for a consumer just created.
    pub(crate) fn reset(&mut self) {
        self.positions.clear();
        self.highs_at_stall.clear();
        self.stalled_since = None;
    }

    /// One look at the assigned partitions. Returns why the consumer is stuck once it has
    /// been for `after`; the caller then replaces it (and should [`reset`](Self::reset)).
    pub(crate) fn look(&mut self, now: Instant, kafka_reachable: bool, partitions: &[PartitionLook]) -> Option<Stuck> {
        let positions: HashMap<TopicPartition, Option<i64>> =
            partitions.iter().map(|p| (p.tp.clone(), p.position)).collect();
        let moved = positions != self.positions;
        self.positions = positions;
        // A consumer that moved, has nothing assigned, or cannot reach Kafka is not stuck:
        // during an outage there is nothing to fetch, and the clock starts again after it.
        if self.after.is_zero() || moved || partitions.is_empty() || !kafka_reachable {
            self.stalled_since = None;
            return None;
        }
        let since = *self.stalled_since.get_or_insert_with(|| {
            self.highs_at_stall = partitions.iter().map(|p| (p.tp.clone(), p.high)).collect();
            now
        });
        // Waiting records: behind a known position, or, with no position yet, records
        // written since the stall began.
        let behind: Vec<&PartitionLook> = partitions
            .iter()
            .filter(|p| match (p.position, p.high) {
                (Some(position), Some(high)) => high > position,
                (None, Some(high)) => self.highs_at_stall.get(&p.tp).copied().flatten().is_some_and(|h| high > h),
                (_, None) => false,
            })
            .collect();
        let stalled = now.saturating_duration_since(since);
        let first = behind.first()?;
        if stalled < self.after {
            return None;
        }
        Some(Stuck {
            secs: stalled.as_secs(),
            behind: behind.len(),
            first: format!("{}[{}]", first.tp.topic, first.tp.partition),
            position: first.position.unwrap_or(-1),
            high: first.high.unwrap_or(-1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AFTER: Duration = Duration::from_secs(10);

    fn look(position: Option<i64>, high: Option<i64>) -> Vec<PartitionLook> {
        vec![PartitionLook { tp: TopicPartition::new("laps", 0), position, high }]
    }

    /// Looks once a second from `t0` for `secs` seconds with the same state; returns the
    /// first verdict of stuck, and at which second.
    fn watch(dog: &mut Watchdog, t0: Instant, secs: u64, reachable: bool, parts: &[PartitionLook]) -> Option<u64> {
        (0..=secs).find(|s| dog.look(t0 + Duration::from_secs(*s), reachable, parts).is_some())
    }

    #[test]
    fn a_consumer_that_stops_short_of_waiting_records_is_stuck_after_the_timeout() {
        let mut dog = Watchdog::new(AFTER);
        let t0 = Instant::now();
        // The first look only learns the positions; the clock starts at the second.
        assert_eq!(watch(&mut dog, t0, 30, true, &look(Some(100), Some(250))), Some(11));
        let stuck = dog.look(t0 + Duration::from_secs(31), true, &look(Some(100), Some(250))).unwrap();
        assert_eq!((stuck.first.as_str(), stuck.position, stuck.high, stuck.behind), ("laps[0]", 100, 250, 1));
        assert!(stuck.to_string().contains("no progress for 30 s"), "{stuck}");
    }

    #[test]
    fn progress_restarts_the_clock() {
        let mut dog = Watchdog::new(AFTER);
        let t0 = Instant::now();
        assert_eq!(watch(&mut dog, t0, 8, true, &look(Some(100), Some(250))), None);
        // It moves: a busy partition is always a little behind, and that is fine.
        assert_eq!(dog.look(t0 + Duration::from_secs(9), true, &look(Some(101), Some(260))), None);
        assert_eq!(watch(&mut dog, t0 + Duration::from_secs(10), 9, true, &look(Some(101), Some(260))), None);
    }

    #[test]
    fn caught_up_idle_unassigned_or_cut_off_is_not_stuck() {
        let t0 = Instant::now();
        // Caught up on a quiet topic.
        assert_eq!(watch(&mut Watchdog::new(AFTER), t0, 60, true, &look(Some(250), Some(250))), None);
        // No partitions (another member has them all, or a rebalance is under way).
        assert_eq!(watch(&mut Watchdog::new(AFTER), t0, 60, true, &[]), None);
        // Kafka down: nothing can be fetched, so nothing is expected.
        assert_eq!(watch(&mut Watchdog::new(AFTER), t0, 60, false, &look(Some(100), Some(250))), None);
        // No watermark known yet.
        assert_eq!(watch(&mut Watchdog::new(AFTER), t0, 60, true, &look(Some(100), None)), None);
        // Turned off.
        assert_eq!(watch(&mut Watchdog::new(Duration::ZERO), t0, 60, true, &look(Some(100), Some(250))), None);
    }

    #[test]
    fn the_clock_starts_when_kafka_is_back() {
        let mut dog = Watchdog::new(AFTER);
        let t0 = Instant::now();
        assert_eq!(watch(&mut dog, t0, 30, false, &look(Some(100), Some(250))), None);
        let back = t0 + Duration::from_secs(31);
        assert_eq!(watch(&mut dog, back, 30, true, &look(Some(100), Some(250))), Some(10));
    }

    #[test]
    fn without_a_position_records_written_during_the_stall_count() {
        let t0 = Instant::now();
        // Assigned but never fetched, and nothing new written: an idle topic, not stuck.
        assert_eq!(watch(&mut Watchdog::new(AFTER), t0, 30, true, &look(None, Some(250))), None);
        // The same, while records keep arriving.
        let mut dog = Watchdog::new(AFTER);
        for s in 0..=10 {
            assert_eq!(dog.look(t0 + Duration::from_secs(s), true, &look(None, Some(250 + s as i64))), None);
        }
        assert!(dog.look(t0 + Duration::from_secs(11), true, &look(None, Some(261))).is_some());
    }
}
