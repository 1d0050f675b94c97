//! The index's two sources. Its own reader (`kafka::laps`) reads what Kafka retains from the
//! earliest offset; the live path hands over the batches the group member and the follower
//! decoded for the hub, so a live record is decoded once. [`Cursors`](super::cursor::Cursors)
//! decides, per partition, which of them a record is taken from.

use std::collections::{BTreeSet, HashMap};

use super::LapIndex;
use crate::{sync::lock, telemetry::Record};

impl LapIndex {
    /// Indexing of `topic` begins at these `(partition, earliest offset)`.
    pub(crate) fn begin(&self, topic: &str, partitions: &[(i32, i64)]) {
        if let Some(t) = lock(&self.topics).get_mut(topic) {
            for &(partition, low) in partitions {
                t.cursors.begin(partition, low);
            }
        }
    }

    /// The next offset to index of each partition of `topic` begun so far: the reader
    /// decodes nothing before it.
    pub(crate) fn next_offsets(&self, topic: &str) -> HashMap<i32, i64> {
        let topics = lock(&self.topics);
        let Some(t) = topics.get(topic) else { return HashMap::new() };
        t.cursors.all().clone()
    }

    /// Records each topic's own reader decoded, by topic.
    pub(crate) fn records_read(&self) -> Vec<(String, u64)> {
        let mut read: Vec<(String, u64)> =
            lock(&self.topics).iter().map(|(topic, t)| (topic.clone(), t.records_read)).collect();
        read.sort();
        read
    }

    /// The partitions of `topic` the live path has delivered a batch of.
    pub(crate) fn fed_partitions(&self, topic: &str) -> BTreeSet<i32> {
        lock(&self.topics).get(topic).map(|t| t.cursors.fed().clone()).unwrap_or_default()
    }

    /// The partitions of `topic` whose live feed had a gap since the last call: the
    /// reader reads them again from their next offset.
    pub(crate) fn take_behind(&self, topic: &str) -> BTreeSet<i32> {
        lock(&self.topics).get_mut(topic).map(|t| t.cursors.take_behind()).unwrap_or_default()
    }

    /// Takes the reader's records of one partition, in offset order: those not indexed
    /// yet. `decoded` Kafka records were decoded for them.
    pub(crate) fn read(&self, topic: &str, partition: i32, records: &[Record], decoded: u64) {
        let mut topics = lock(&self.topics);
        let Some(t) = topics.get_mut(topic) else { return };
        t.records_read += decoded;
        // One Kafka record may decode into several: the cursor moves once per offset.
        let mut taken: Option<(i64, bool)> = None;
        for r in records {
            let take = match taken {
                Some((offset, take)) if offset == r.offset => take,
                _ => t.cursors.read(partition, r.offset),
            };
            taken = Some((r.offset, take));
            if take {
                t.feed(partition, r);
            }
        }
    }

    /// Takes a live batch of one partition, in offset order. `after` is where the live
    /// stream of the partition stood before it (none before its first batch): that stream
    /// has no gap, so a batch continuing from the index's next offset is taken whole, from
    /// there on. One that leaves a gap is left to the reader.
    pub(crate) fn fed(&self, topic: &str, partition: i32, after: Option<i64>, records: &[Record]) {
        let (Some(first), Some(last)) = (records.first(), records.last()) else { return };
        let mut topics = lock(&self.topics);
        let Some(t) = topics.get_mut(topic) else { return };
        let Some(from) = t.cursors.feed(partition, after, first.offset, last.offset) else { return };
        for r in &records[records.partition_point(|r| r.offset < from)..] {
            t.feed(partition, r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Sample;

    fn at(offset: i64, lap: u32, dist: f64) -> Record {
        let mut s = Sample::minimal("7", 1_000 + offset);
        (s.lap, s.lap_distance_m) = (Some(lap), Some(dist));
        Record::new(offset, s)
    }

    #[test]
    fn records_from_the_reader_and_the_feed_are_indexed_once_each() {
        let index = LapIndex::default();
        index.start("t", 4);
        index.begin("t", &[(0, 0)]);
        let recs: Vec<Record> = (0..8).map(|o| at(o, 1 + (o / 4) as u32, (o % 4) as f64 * 100.0)).collect();
        // The live stream begins at 4 while the reader is at 0: left to the reader.
        index.fed("t", 0, None, &recs[4..6]);
        assert_eq!(index.take_behind("t"), BTreeSet::from([0]));
        index.read("t", 0, &recs[0..5], 5);
        assert_eq!(index.next_offsets("t"), HashMap::from([(0, 5)]));
        // The stream's next batch continues from 6: the feed takes over at 5.
        index.fed("t", 0, Some(6), &recs[6..8]);
        assert_eq!(index.next_offsets("t"), HashMap::from([(0, 5)]), "a gap at 5 is not skipped");
        index.fed("t", 0, Some(4), &recs[4..8]);
        assert_eq!(index.next_offsets("t"), HashMap::from([(0, 8)]));
        // The reader's late copy of 7 is not indexed twice.
        index.read("t", 0, &recs[7..8], 0);
        let table = index.table("t", None).unwrap();
        assert_eq!(table.index.records_read, 5);
        assert_eq!(table.cars[0].current.as_ref().map(|c| c.lap), Some(2), "{table:?}");
    }
}
