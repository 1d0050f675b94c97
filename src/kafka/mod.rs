//! Everything that talks to Kafka: the consumer-group member that feeds the hub
//! ([`live`]), the per-viewer replay readers ([`replay`]), the one-off reader that fills
//! a topic's recent history ([`backfill`]) and the cluster watcher ([`admin`]), all set
//! up by [`client`]. This side knows the hub's input and the status counters, never the web.

pub(crate) mod admin;
pub(crate) mod backfill;
pub(crate) mod client;
pub(crate) mod decode;
pub(crate) mod laps;
pub(crate) mod live;
pub(crate) mod overview;
pub(crate) mod produce;
pub(crate) mod range;
pub(crate) mod read;
mod readers;
pub(crate) mod replay;
pub(crate) mod task;
pub(crate) mod watchdog;

use std::{collections::BTreeMap, time::Duration};

use rdkafka::message::{BorrowedMessage, Message};

use crate::{
    mapping::Decoder,
    telemetry::{Malformed, Record, TopicPartition},
};
use client::redact_kafka_error;
pub(crate) use readers::{ReaderSetup, Readers};

/// How long a batch may wait for more records before it goes to the viewers. Short
/// enough to be invisible on a chart, and to add little to the frame pacing (at 20,000
/// records/s, 20 ms here cost 8 ms of median latency); long enough to batch a busy
/// partition. Each viewer's frame rate bounds the frames, whatever this is.
pub(crate) const BATCH_LINGER: Duration = Duration::from_millis(5);
/// A batch is flushed at this many records even before its linger ends.
pub(crate) const BATCH_MAX_RECORDS: usize = 1_000;
/// Timeout of one metadata or watermark request.
pub(crate) const METADATA_TIMEOUT: Duration = Duration::from_secs(3);

/// What went wrong talking to Kafka. The message carries librdkafka's own words (no
/// separate source), since it is shown as it is: in the page, `/healthz` and logs; and so
/// a refused secret property never shows its value, in `Debug` either.
#[derive(thiserror::Error)]
pub enum KafkaError {
    #[error("cannot create a Kafka client: {}", redact_kafka_error(.0))]
    Create(rdkafka::error::KafkaError),
    #[error("cannot read Kafka metadata: {0}")]
    Metadata(rdkafka::error::KafkaError),
    #[error("topic `{0}` does not exist")]
    UnknownTopic(String),
    #[error("cannot assign partitions: {0}")]
    Assign(rdkafka::error::KafkaError),
    #[error("a blocking Kafka call failed")]
    Join(#[from] tokio::task::JoinError),
}

impl std::fmt::Debug for KafkaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KafkaError({self})")
    }
}

/// Decodes a record straight from librdkafka's buffer, without copying the payload, by
/// its topic's mapping if it has one. A mapped record may hold several cars: each is a
/// [`Record`] of the same offset.
pub(crate) fn decode_record(decoder: &Decoder, m: &BorrowedMessage<'_>) -> Result<decode::Records, Malformed> {
    decode::Raw::of(m).decode(decoder).map(IntoIterator::into_iter)
}

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
        Record { offset, sample }
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
