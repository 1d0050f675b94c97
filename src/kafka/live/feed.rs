//! How what the group member and the follower read reaches the viewers, the same for
//! both: a record read is batched, held back for its schema, or counted as malformed
//! ([`take`]); a batch goes to the hub and to the lap index, decoded once for both
//! ([`publish`]).

use rdkafka::{
    consumer::{Consumer, ConsumerContext},
    message::{BorrowedMessage, Message},
};
use tracing::debug;

use super::{batch::Batcher, held::Held};
use crate::{
    hub::Hub,
    laps::LapIndex,
    mapping::Decoder,
    status::Status,
    telemetry::{Malformed, TopicPartition},
};

/// What became of a record read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taken {
    /// Its partition is held: it is read again once the partition is resumed.
    Dropped,
    /// In the batch, or counted as malformed: done with, and its offset may be committed.
    Handled,
    /// Held for its schema: its partition is put back to it.
    Held,
}

/// Decodes a record into the batch; one that breaks the contract is counted as malformed,
/// unless its schema is only unavailable for now and its partition can be held at it.
pub(super) fn take<C: ConsumerContext, K: Consumer<C>>(
    m: &BorrowedMessage<'_>,
    decoder: &Decoder,
    batcher: &mut Batcher,
    held: &mut Held,
    consumer: &K,
    status: &Status,
) -> Taken {
    let (topic, partition, offset) = (m.topic(), m.partition(), m.offset());
    if held.drops(topic, partition) {
        return Taken::Dropped;
    }
    match batcher.push_message(decoder, m) {
        Ok(()) => {
            held.read(topic, partition, offset);
            Taken::Handled
        }
        Err(reason) => {
            let tp = TopicPartition::new(topic, partition);
            let wait = matches!(reason, Malformed::SchemaUnavailable(_));
            if wait && held.hold(consumer, &tp, offset) {
                return Taken::Held;
            }
            debug!(topic, partition, offset, %reason, "malformed record skipped");
            status.record_malformed(&tp, offset, reason.to_string());
            Taken::Handled
        }
    }
}

/// Hands the decoded batches to the hub and to the lap index, which are not decoded again.
pub(super) fn publish(hub: &Hub, status: &Status, laps: &LapIndex, batcher: &mut Batcher) {
    if batcher.is_empty() {
        return;
    }
    for (tp, records) in batcher.drain() {
        crate::stages::record_group(records.iter().filter_map(|r| r.sample.ts));
        // The hub's records of a partition have no gap (see `start`), so where they end
        // is where this batch continues from, whichever reader delivered them.
        laps.fed(&tp.topic, tp.partition, hub.next_offset(&tp), &records);
        // Only what was new to the hub counts: see `Hub::publish`.
        let kept = hub.publish(&tp, &records);
        if let Some(last) = records.last().filter(|_| kept > 0) {
            status.record_consumed(&tp, kept as u64, last.offset);
        }
    }
}
