//! Where the lap index stands in each partition of a topic: the next offset it has not
//! indexed. Two sources feed it, and this bookkeeping is what lets each record be indexed
//! once, none skipped: the index's own reader (which reads the retention from the earliest
//! offset, in order) and the live feed (the batches the group member and the follower
//! have decoded anyway). A record is applied only at or past the partition's next offset,
//! and a live batch only when it continues from there; one that does not is dropped and
//! the partition is marked behind, so the reader reads the gap itself.

use std::collections::{BTreeSet, HashMap};

/// The next offset to index per partition, and the partitions whose live feed had a gap.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    next: HashMap<i32, i64>,
    behind: BTreeSet<i32>,
    /// Partitions the live path has delivered a batch of: the reader may leave them to it.
    fed: BTreeSet<i32>,
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
    pub(crate) fn feed(&mut self, partition: i32, after: Option<i64>, first: i64, last: i64) -> Option<i64> {
        let next = self.next.get_mut(&partition)?;
        self.fed.insert(partition);
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

    /// The partitions the live path has delivered a batch of.
    pub(crate) fn fed(&self) -> &BTreeSet<i32> {
        &self.fed
    }

    /// The partitions whose live feed has had a gap since the last call.
    pub(crate) fn take_behind(&mut self) -> BTreeSet<i32> {
        std::mem::take(&mut self.behind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_indexes_the_backlog_until_the_feed_takes_over_and_nothing_twice() {
        let mut c = Cursors::default();
        c.begin(0, 10);
        // The group starts at the live edge (100) while the reader is at 10: a gap.
        assert_eq!(c.feed(0, None, 100, 149), None);
        assert_eq!(c.take_behind(), BTreeSet::from([0]));
        assert!(c.take_behind().is_empty(), "taken once");
        assert_eq!(c.fed(), &BTreeSet::from([0]));
        // The reader reads 10..=149, skipping offset 50 (a transaction marker).
        let read: Vec<i64> = (10..150).filter(|o| *o != 50).filter(|o| c.read(0, *o)).collect();
        assert_eq!(read.len(), 139);
        // The next live batch continues from the previous one's end: it takes over.
        assert_eq!(c.feed(0, Some(150), 150, 199), Some(150));
        // The reader's prefetched records are old now: not indexed again.
        assert!(!c.read(0, 150) && !c.read(0, 199));
        assert!(c.read(0, 200));
        // A batch the reader overtook in part applies from the cursor on.
        assert_eq!(c.feed(0, Some(200), 200, 260), Some(201));
        assert_eq!(c.next(0), Some(261));
    }

    #[test]
    fn a_live_batch_after_a_marker_continues_but_one_after_a_gap_does_not() {
        let mut c = Cursors::default();
        c.begin(3, 0);
        assert_eq!(c.feed(3, None, 0, 9), Some(0));
        // A marker at 10: the stream's next batch begins at 11 and says the stream stood at 10.
        assert_eq!(c.feed(3, Some(10), 11, 20), Some(10));
        // The stream stood at 30, beyond the cursor (21): records 21..30 are not here.
        assert_eq!(c.feed(3, Some(30), 30, 40), None);
        assert_eq!(c.take_behind(), BTreeSet::from([3]));
        assert_eq!(c.next(3), Some(21));
        // All of it already indexed: nothing, and no gap.
        assert_eq!(c.feed(3, Some(0), 0, 9), None);
        assert!(c.take_behind().is_empty());
    }

    #[test]
    fn a_partition_not_begun_takes_no_live_batch() {
        let mut c = Cursors::default();
        assert_eq!(c.feed(1, Some(0), 0, 9), None);
        assert!(c.take_behind().is_empty());
        assert_eq!(c.next(1), None);
        assert!(c.fed().is_empty());
    }
}
