//! What the group member may commit: per partition, the offset after the last record it
//! has handled, that is handed to the hub or counted as malformed. librdkafka's automatic
//! offset store would mark every record as done the moment it is received, including the
//! records after one held for its schema ([`super::held`]), which are dropped to be read
//! again: a commit then, and a restart, would skip them. So the group member stores
//! offsets itself, after the hub has the records, and librdkafka's automatic commit
//! commits only those.

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{Consumer, ConsumerContext},
};
use tracing::debug;

use crate::telemetry::TopicPartition;

/// Per partition, the newest offset handled since the last [`Handled::store`].
#[derive(Default)]
pub(super) struct Handled(Vec<(TopicPartition, i64)>);

impl Handled {
    /// Notes that the record at `offset` is handled: in the batch for the hub, or counted.
    pub(super) fn note(&mut self, topic: &str, partition: i32, offset: i64) {
        // A linear search: a group member reads few partitions, and most often the last one.
        match self.0.iter_mut().rev().find(|(tp, _)| tp.partition == partition && tp.topic == topic) {
            Some((_, newest)) => *newest = (*newest).max(offset),
            None => self.0.push((TopicPartition::new(topic, partition), offset)),
        }
    }

    /// The offsets to store, each the one after the partition's newest handled record,
    /// as Kafka commits them.
    fn list(&self) -> TopicPartitionList {
        let mut list = TopicPartitionList::new();
        for (tp, newest) in &self.0 {
            // Cannot fail: the offset is a plain one.
            let _ = list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(newest + 1));
        }
        list
    }

    /// Stores what was handled, for the next commit; call it once the hub has the
    /// records. A partition revoked meanwhile is refused by librdkafka, which is right:
    /// its new owner reads those records again.
    pub(super) fn store<C: ConsumerContext, K: Consumer<C>>(&mut self, consumer: &K) {
        if self.0.is_empty() {
            return;
        }
        if let Err(e) = consumer.store_offsets(&self.list()) {
            debug!(error = %e, "offsets not stored");
        }
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(h: &Handled) -> Vec<(String, i32, Offset)> {
        h.list().elements().iter().map(|e| (e.topic().to_owned(), e.partition(), e.offset())).collect()
    }

    #[test]
    fn each_partition_stores_the_offset_after_its_newest_handled_record() {
        let mut h = Handled::default();
        for (t, p, o) in [("a", 0, 4), ("a", 1, 9), ("a", 0, 5), ("b", 0, 2), ("a", 0, 3)] {
            h.note(t, p, o);
        }
        assert_eq!(
            offsets(&h),
            vec![
                ("a".into(), 0, Offset::Offset(6)),
                ("a".into(), 1, Offset::Offset(10)),
                ("b".into(), 0, Offset::Offset(3))
            ]
        );
    }

    #[test]
    fn nothing_handled_stores_nothing() {
        assert!(offsets(&Handled::default()).is_empty());
    }
}
