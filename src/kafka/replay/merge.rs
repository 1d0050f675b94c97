//! Merges the partitions of a replay into one stream in time order. Each partition has a
//! lane of records read but not yet released; a record is released once nothing earlier
//! can still arrive from another lane (every lane has read past it, or reached the end of
//! its log). A full lane takes no more until its records go out; librdkafka holds what it
//! has prefetched of that partition, bounded per partition. Releases come in slices of [`SLICE_MS`] of race time, each grouped by
//! partition, so batches stay whole and no record trails another by more than a slice.

use std::collections::VecDeque;

use crate::telemetry::{Record, TopicPartition};

/// Race time one release covers at most.
pub(in crate::kafka) const SLICE_MS: i64 = 50;
/// The slice at `max`, where nothing is paced: larger slices make larger batches (a batch
/// costs a header, a string table and its channels' names whatever its size). A slice
/// takes the records up to 100 ms after its first one, that one included, so a record
/// still trails none by more than 100 ms of race, and a source sampling on a 50 ms clock
/// (the simulator's 20 Hz) puts three samples of each car in a batch, not two: 10 records
/// a batch rather than 6.7 for 20 cars over 6 partitions, 6% fewer bytes a record with 50
/// channels. Longer slices would let one partition's records run further ahead of
/// another's than the 100 ms the protocol promises.
pub(super) const MAX_SPEED_SLICE_MS: i64 = 101;

pub(in crate::kafka) struct Lane {
    pub tp: TopicPartition,
    queue: VecDeque<Record>,
    /// The reader reached the end of the log since the last record it read here.
    at_end: bool,
    /// The reader reached the end of the log at least once.
    ended_once: bool,
    /// Records before this race time are skipped until the first one at or after it.
    skip_before: Option<i64>,
}

pub(in crate::kafka) struct Merge {
    lanes: Vec<Lane>,
    /// Records a lane holds before it takes no more.
    cap: usize,
}

/// What the lanes hold, for the reader to decide what to wait for.
#[derive(Debug, PartialEq, Eq)]
pub(in crate::kafka) enum Head {
    /// The earliest record that may be released next, and its race time.
    Ready(i64),
    /// A lane is still reading and may yet hold something earlier.
    Waiting,
    /// Nothing is held and every lane is at the end of its log.
    Empty,
}

impl Merge {
    /// Lanes for `partitions`, each with the race time before which it skips records;
    /// together they hold about `budget` records.
    pub(in crate::kafka) fn new(partitions: Vec<(TopicPartition, Option<i64>)>, budget: usize) -> Self {
        let cap = (budget / partitions.len().max(1)).max(64);
        let lanes = partitions
            .into_iter()
            .map(|(tp, skip_before)| Lane { tp, queue: VecDeque::new(), at_end: false, ended_once: false, skip_before })
            .collect();
        Self { lanes, cap }
    }

    pub(super) fn lane_of(&self, topic: &str, partition: i32) -> Option<usize> {
        self.lanes.iter().position(|l| l.tp.partition == partition && l.tp.topic == topic)
    }

    pub(super) fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// Takes a record read from lane `i`. Returns false when it was skipped as before the
    /// replay's start time.
    pub(in crate::kafka) fn push(&mut self, i: usize, record: Record) -> bool {
        let lane = &mut self.lanes[i];
        lane.at_end = false;
        let ts = ts(&record);
        if let Some(before) = lane.skip_before {
            if ts < before {
                return false;
            }
            lane.skip_before = None;
        }
        lane.queue.push_back(record);
        true
    }

    /// Lane `i`'s reader reached the end of its log.
    pub(in crate::kafka) fn reached_end(&mut self, i: usize) {
        self.lanes[i].at_end = true;
        self.lanes[i].ended_once = true;
    }

    /// Every lane has been read to the end of its log and everything read was released:
    /// the replay stands at the live edge.
    pub(super) fn caught_up(&self) -> bool {
        self.lanes.iter().all(|l| l.ended_once && l.queue.is_empty())
    }

    /// Every lane has been read to the end of its log at least once: the replay is at the
    /// live edge, or releasing the last of what it read.
    pub(super) fn reached_every_end(&self) -> bool {
        self.lanes.iter().all(|l| l.ended_once)
    }

    /// Whether lane `i` has room for more records.
    pub(super) fn wants(&self, i: usize) -> bool {
        self.room(i) > 0
    }

    /// How many more records lane `i` takes before it is full.
    pub(in crate::kafka) fn room(&self, i: usize) -> usize {
        self.cap.saturating_sub(self.lanes[i].queue.len())
    }

    /// Records held in every lane: what the merge costs in memory now.
    pub(in crate::kafka) fn held(&self) -> usize {
        self.lanes.iter().map(|l| l.queue.len()).sum()
    }

    pub(in crate::kafka) fn is_empty(&self) -> bool {
        self.lanes.iter().all(|l| l.queue.is_empty())
    }

    /// The race time up to which every lane has read: a lane still reading knows its
    /// records up to its newest one; a lane at the end of its log knows them all.
    fn horizon(&self) -> Option<i64> {
        let mut h = i64::MAX;
        for l in self.lanes.iter().filter(|l| !l.at_end) {
            let tail = l.queue.back()?;
            h = h.min(ts(tail));
        }
        Some(h)
    }

    pub(super) fn head(&self) -> Head {
        let earliest = self.lanes.iter().filter_map(|l| l.queue.front()).map(ts).min();
        match (earliest, self.horizon()) {
            (None, _) if self.lanes.iter().all(|l| l.at_end) => Head::Empty,
            (Some(e), Some(h)) if e < h || self.all_full() => Head::Ready(e),
            _ => Head::Waiting,
        }
    }

    /// Every lane still reading is full: its newest record may be released too, or a
    /// lane whose records all share one time would stall the replay.
    fn all_full(&self) -> bool {
        self.lanes.iter().filter(|l| !l.at_end).all(|l| l.queue.len() >= self.cap)
    }

    /// Releases the records before `due` that nothing earlier can still precede, at most
    /// one slice of `slice_ms` of race time; in offset order within each partition. `None`
    /// when nothing is releasable.
    pub(in crate::kafka) fn release(&mut self, due: i64, slice_ms: i64) -> Option<Vec<(TopicPartition, Vec<Record>)>> {
        let Head::Ready(start) = self.head() else { return None };
        if start >= due {
            return None;
        }
        let inclusive = self.all_full();
        let horizon = self.horizon().unwrap_or(i64::MIN);
        let end = start.saturating_add(slice_ms).min(due);
        let end = if inclusive { end } else { end.min(horizon) };
        let mut out = Vec::new();
        for lane in &mut self.lanes {
            let n = lane.queue.iter().take_while(|r| ts(r) < end || (inclusive && ts(r) <= start)).count();
            if n > 0 {
                out.push((lane.tp.clone(), lane.queue.drain(..n).collect()));
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Releases everything held, in lane order: once the replay stands at the live edge
    /// records go out as they come.
    pub(super) fn release_all(&mut self) -> Vec<(TopicPartition, Vec<Record>)> {
        self.lanes
            .iter_mut()
            .filter(|l| !l.queue.is_empty())
            .map(|l| (l.tp.clone(), l.queue.drain(..).collect()))
            .collect()
    }
}

fn ts(r: &Record) -> i64 {
    r.sample.ts.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Sample;

    fn rec(offset: i64, ts: i64) -> Record {
        let mut sample = Sample::minimal("7", offset);
        sample.ts = Some(ts);
        Record::new(offset, sample)
    }

    fn lanes(n: i32) -> Merge {
        Merge::new((0..n).map(|p| (TopicPartition::new("t", p), None)).collect(), 1_000)
    }

    /// `(partition, [ts...])` per group released.
    fn shape(out: Option<Vec<(TopicPartition, Vec<Record>)>>) -> Vec<(i32, Vec<i64>)> {
        out.unwrap_or_default()
            .into_iter()
            .map(|(tp, rs)| (tp.partition, rs.iter().map(|r| r.sample.ts.unwrap()).collect()))
            .collect()
    }

    #[test]
    fn nothing_is_released_while_a_lane_may_still_hold_something_earlier() {
        let mut m = lanes(2);
        m.push(0, rec(0, 100));
        m.push(0, rec(1, 200));
        assert_eq!(m.head(), Head::Waiting, "lane 1 has read nothing yet");
        assert_eq!(m.release(i64::MAX, SLICE_MS), None);
        m.push(1, rec(0, 150));
        assert_eq!(shape(m.release(i64::MAX, SLICE_MS)), [(0, vec![100])], "only what precedes lane 1's newest record");
    }

    #[test]
    fn records_come_out_in_time_order_across_partitions_in_slices() {
        let mut m = lanes(2);
        for (i, t) in [(0, 0), (0, 30), (0, 60), (0, 90)] {
            m.push(0, rec(i, t));
        }
        for (i, t) in [(0, 10), (1, 40), (2, 70)] {
            m.push(1, rec(i, t));
        }
        m.reached_end(1);
        assert_eq!(shape(m.release(i64::MAX, SLICE_MS)), [(0, vec![0, 30]), (1, vec![10, 40])]);
        assert_eq!(shape(m.release(i64::MAX, SLICE_MS)), [(0, vec![60]), (1, vec![70])], "lane 0's newest waits");
        m.reached_end(0);
        assert_eq!(shape(m.release(i64::MAX, SLICE_MS)), [(0, vec![90])]);
        assert_eq!(m.head(), Head::Empty);
        assert!(m.caught_up());
    }

    #[test]
    fn at_max_a_slice_takes_records_up_to_100_ms_after_its_first_that_one_included() {
        let mut m = lanes(2);
        for (i, t) in [(0, 0), (1, 50), (2, 100), (3, 101)] {
            m.push(0, rec(i, t));
            m.push(1, rec(i, t));
        }
        m.reached_end(0);
        m.reached_end(1);
        let first = shape(m.release(i64::MAX, MAX_SPEED_SLICE_MS));
        assert_eq!(first, [(0, vec![0, 50, 100]), (1, vec![0, 50, 100])], "three 20 Hz samples a partition");
        assert_eq!(shape(m.release(i64::MAX, MAX_SPEED_SLICE_MS)), [(0, vec![101]), (1, vec![101])]);
    }

    #[test]
    fn only_what_is_due_goes_out() {
        let mut m = lanes(1);
        m.push(0, rec(0, 100));
        m.push(0, rec(1, 120));
        m.reached_end(0);
        assert_eq!(m.release(100, SLICE_MS), None, "a record at the playhead is not yet due");
        assert_eq!(shape(m.release(101, SLICE_MS)), [(0, vec![100])]);
        assert!(!m.caught_up());
    }

    #[test]
    fn a_lane_skips_records_before_the_start_time_then_keeps_everything() {
        let mut m = Merge::new(vec![(TopicPartition::new("t", 0), Some(1_000))], 1_000);
        assert!(!m.push(0, rec(0, 990)));
        assert!(m.push(0, rec(1, 1_000)));
        assert!(m.push(0, rec(2, 995)), "after the first record at the start time, nothing is skipped");
    }

    #[test]
    fn a_full_lane_takes_no_more_until_records_are_released() {
        let mut m = Merge::new(vec![(TopicPartition::new("t", 0), None), (TopicPartition::new("t", 1), None)], 128);
        for i in 0..64 {
            m.push(0, rec(i, i));
        }
        assert!(!m.wants(0) && m.wants(1));
        m.reached_end(1);
        m.release(10, SLICE_MS);
        assert!(m.wants(0));
    }

    #[test]
    fn full_lanes_whose_records_share_one_time_do_not_stall() {
        let mut m = Merge::new(vec![(TopicPartition::new("t", 0), None)], 64);
        for i in 0..64 {
            m.push(0, rec(i, 5));
        }
        assert_eq!(shape(m.release(i64::MAX, SLICE_MS)).first().map(|(_, ts)| ts.len()), Some(64));
    }
}
