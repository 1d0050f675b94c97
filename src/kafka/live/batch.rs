//! The group member's and the follower's batches: decoded records wait here, grouped by
//! partition in offset order, until the batch is full or has lingered long enough.

use std::{collections::BTreeMap, time::Duration};

use rdkafka::message::{BorrowedMessage, Message};

use crate::{
    kafka::shared::decode_record,
    mapping::Decoder,
    telemetry::{Malformed, Record, TopicPartition},
};

/// How long a batch may wait for more records while librdkafka keeps handing them over (a
/// backlog): a batch otherwise goes as soon as nothing more is queued. Short enough to
/// add little to the frame pacing (at 20,000 records/s, a linger of 20 ms cost 8 ms of
/// median latency); long enough to batch a busy partition. Each viewer's frame rate
/// bounds the frames, whatever this is.
pub(crate) const BATCH_LINGER: Duration = Duration::from_millis(5);
/// A batch is flushed at this many records even before its linger ends.
pub(crate) const BATCH_MAX_RECORDS: usize = 1_000;
/// Decoded records waiting to be flushed, grouped by partition in offset order.
#[derive(Default)]
pub(crate) struct Batcher {
    pending: BTreeMap<TopicPartition, Vec<Record>>,
    len: usize,
}

impl Batcher {
    /// Decodes a record and keeps it; a record that breaks the contract is refused with
    /// the reason.
    pub(crate) fn push_message(&mut self, decoder: &Decoder, m: &BorrowedMessage<'_>) -> Result<(), Malformed> {
        for record in decode_record(decoder, m)? {
            self.push(m.topic(), m.partition(), record);
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, topic: &str, partition: i32, record: Record) {
        // Looking up by a borrowed key first avoids allocating a topic String per record.
        match self.pending.iter_mut().find(|(tp, _)| tp.partition == partition && tp.topic == topic) {
            Some((_, records)) => records.push(record),
            None => {
                self.pending.insert(TopicPartition::new(topic, partition), vec![record]);
            }
        }
        self.len += 1;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len >= BATCH_MAX_RECORDS
    }

    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (TopicPartition, Vec<Record>)> + use<> {
        self.len = 0;
        std::mem::take(&mut self.pending).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Sample;

    fn rec(offset: i64) -> Record {
        let sample = Sample::minimal("1", 0);
        Record::new(offset, sample)
    }

    #[test]
    fn the_batcher_keeps_offset_order_within_each_partition() {
        let mut b = Batcher::default();
        for (p, o) in [(0, 1), (1, 7), (0, 2), (1, 8), (0, 3)] {
            b.push("t", p, rec(o));
        }
        assert_eq!(b.len(), 5);
        let drained: Vec<(i32, Vec<i64>)> =
            b.drain().map(|(tp, rs)| (tp.partition, rs.iter().map(|r| r.offset).collect())).collect();
        assert_eq!(drained, vec![(0, vec![1, 2, 3]), (1, vec![7, 8])]);
        assert!(b.is_empty());
    }
}
