//! Where the lap index stands in each partition of a topic: the next offset it has not
//! indexed. Two sources feed it, and this bookkeeping is what lets each record be indexed
//! once, none skipped: the index's own reader (which reads the retention from the earliest
//! offset, in order) and the live feed (the batches the group member and the follower
//! have decoded anyway). A record is applied only at or past the partition's next offset,
//! and a live batch only when it continues from there; one that does not is dropped and
//! the partition is marked behind, so the reader reads the gap itself. A feed that falls
//! silent (the group stopped reading the topic, which an on-demand reader still follows)
//! counts as behind too, so the reader takes the partition back.

use std::{
    collections::{BTreeSet, HashMap},
    time::{Duration, Instant},
};

/// A partition whose live feed delivered nothing for this long is read by the reader
/// again: the feed may have stopped for good. A quiet topic costs one seek and a read to
/// its end per partition each time; the feed takes it back with its next batch.
pub(crate) const FEED_SILENT: Duration = Duration::from_secs(5);

/// The next offset to index per partition, and the partitions whose live feed had a gap.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    next: HashMap<i32, i64>,
    behind: BTreeSet<i32>,
    /// Partitions the live path has delivered a batch of, and when it last did: the
    /// reader may leave them to it.
    fed: HashMap<i32, Instant>,
}

impl Cursors {
    /// Indexing of `partition` begins at `low`, its earliest retained offset.
    pub(crate) fn begin(&mut self, partition: i32, low: i64) {
        self.next.insert(partition, low);
    }

    #[cfg(test)]
    fn next(&self, partition: i32) -> Option<i64> {
        self.next.get(&partition).copied()
    }

    /// Every partition's next offset.
    pub(crate) fn all(&self) -> &HashMap<i32, i64> {
        &self.next
    }

    /// Whether the reader's record at `offset` is still to be indexed; the cursor moves
    /// past it if so. The reader reads in order from where it was put, so a record past
    /// the cursor means nothing lies between (a transaction marker, a compacted record).
    pub(crate) fn read(&mut self, partition: i32, offset: i64) -> bool {
        let next = self.next.entry(partition).or_insert(offset);
        if offset < *next {
            return false;
        }
        *next = offset + 1;
        true
    }

    /// Where to begin applying a live batch of `partition` whose records run from `first`
    /// to `last`. `after` is where the live stream stood before this batch (its previous
    /// batch's end, none for its first): the stream has no gap, so from there on the
    /// batch holds everything. None when nothing of it is new, or when there is a gap
    /// between the cursor and the batch, which marks the partition behind.
    pub(crate) fn feed(
        &mut self,
        partition: i32,
        after: Option<i64>,
        (first, last): (i64, i64),
        now: Instant,
    ) -> Option<i64> {
        let next = self.next.get_mut(&partition)?;
        self.fed.insert(partition, now);
        if last < *next {
            return None;
        }
        let continues = first <= *next || after.is_some_and(|a| a <= *next);
        if !continues {
            self.behind.insert(partition);
            return None;
        }
        let from = *next;
        *next = last + 1;
        Some(from)
    }

    /// The partitions the live path is delivering batches of.
    pub(crate) fn fed(&self) -> BTreeSet<i32> {
        self.fed.keys().copied().collect()
    }

    /// The partitions whose live feed has had a gap since the last call, or has been
    /// silent for [`FEED_SILENT`] at `now` (no longer counted as fed until it delivers again).
    pub(crate) fn take_behind(&mut self, now: Instant) -> BTreeSet<i32> {
        let mut behind = std::mem::take(&mut self.behind);
        self.fed.retain(|p, last| {
            let silent = now.saturating_duration_since(*last) >= FEED_SILENT;
            if silent {
                behind.insert(*p);
            }
            !silent
        });
        behind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_indexes_the_backlog_until_the_feed_takes_over_and_nothing_twice() {
        let mut c = Cursors::default();
        let now = Instant::now();
        c.begin(0, 10);
        // The group starts at the live edge (100) while the reader is at 10: a gap.
        assert_eq!(c.feed(0, None, (100, 149), now), None);
        assert_eq!(c.take_behind(now), BTreeSet::from([0]));
        assert!(c.take_behind(now).is_empty(), "taken once");
        assert_eq!(c.fed(), BTreeSet::from([0]));
        // The reader reads 10..=149, skipping offset 50 (a transaction marker).
        let read: Vec<i64> = (10..150).filter(|o| *o != 50).filter(|o| c.read(0, *o)).collect();
        assert_eq!(read.len(), 139);
        // The next live batch continues from the previous one's end: it takes over.
        assert_eq!(c.feed(0, Some(150), (150, 199), now), Some(150));
        // The reader's prefetched records are old now: not indexed again.
        assert!(!c.read(0, 150) && !c.read(0, 199));
        assert!(c.read(0, 200));
        // A batch the reader overtook in part applies from the cursor on.
        assert_eq!(c.feed(0, Some(200), (200, 260), now), Some(201));
        assert_eq!(c.next(0), Some(261));
    }

    #[test]
    fn a_live_batch_after_a_marker_continues_but_one_after_a_gap_does_not() {
        let mut c = Cursors::default();
        let now = Instant::now();
        c.begin(3, 0);
        assert_eq!(c.feed(3, None, (0, 9), now), Some(0));
        // A marker at 10: the stream's next batch begins at 11 and says the stream stood at 10.
        assert_eq!(c.feed(3, Some(10), (11, 20), now), Some(10));
        // The stream stood at 30, beyond the cursor (21): records 21..30 are not here.
        assert_eq!(c.feed(3, Some(30), (30, 40), now), None);
        assert_eq!(c.take_behind(now), BTreeSet::from([3]));
        assert_eq!(c.next(3), Some(21));
        // All of it already indexed: nothing, and no gap.
        assert_eq!(c.feed(3, Some(0), (0, 9), now), None);
        assert!(c.take_behind(now).is_empty());
    }

    #[test]
    fn a_partition_not_begun_takes_no_live_batch() {
        let mut c = Cursors::default();
        let now = Instant::now();
        assert_eq!(c.feed(1, Some(0), (0, 9), now), None);
        assert!(c.take_behind(now).is_empty());
        assert_eq!(c.next(1), None);
        assert!(c.fed().is_empty());
    }

    #[test]
    fn a_feed_that_falls_silent_gives_its_partition_back_to_the_reader() {
        let mut c = Cursors::default();
        let now = Instant::now();
        c.begin(0, 0);
        c.begin(1, 0);
        assert_eq!(c.feed(0, None, (0, 9), now), Some(0));
        assert_eq!(c.feed(1, None, (0, 9), now), Some(0));
        // Partition 1 goes on; partition 0's feed stops (its topic left the group).
        let later = now + FEED_SILENT - Duration::from_millis(1);
        assert_eq!(c.feed(1, Some(10), (10, 19), later), Some(10));
        assert!(c.take_behind(later).is_empty(), "not silent yet");
        let silent = now + FEED_SILENT;
        assert_eq!(c.take_behind(silent), BTreeSet::from([0]));
        assert_eq!(c.fed(), BTreeSet::from([1]), "the reader is not to pause it again");
        assert!(c.take_behind(silent).is_empty(), "taken once");
        // The reader reads on; when the feed comes back it takes over again.
        assert!(c.read(0, 10));
        assert_eq!(c.feed(0, Some(11), (11, 20), silent), Some(11));
        assert_eq!(c.fed(), BTreeSet::from([0, 1]));
    }
}
