//! What the replay reader takes from Kafka: records from each lane's partition queue
//! (decoded side by side) or the consumer's own, into their lanes of the merge, and the
//! end of each partition.

use futures_util::{FutureExt, StreamExt};
use rdkafka::{
    Offset,
    consumer::{Consumer, StreamConsumer, stream_consumer::StreamPartitionQueue},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tracing::debug;

use super::{
    super::{TAKE_PER_TURN, merge::Merge},
    Reader,
};
use crate::{
    kafka::shared::{
        client::ReaderContext,
        decode::{Raw, decode_all},
        decode_record,
    },
    telemetry::{Malformed, MalformedNote, Record},
};

impl Reader {
    /// Takes what the partition queues of lanes with room already hold, without a turn
    /// of the loop per record, and decodes it on every core. Returns whether it took
    /// anything.
    pub(super) fn drain<'q>(
        &mut self,
        consumer: &StreamConsumer<ReaderContext>,
        queues: &'q [Option<StreamPartitionQueue<ReaderContext>>],
        merge: &mut Merge,
    ) -> bool {
        let mut pending: Vec<(usize, BorrowedMessage<'q>)> = Vec::new();
        let mut took = 0;
        for (i, queue) in queues.iter().enumerate() {
            let Some(queue) = queue else { continue };
            let mut room = merge.room(i);
            // One stream for the turn: each `recv` makes and drops a stream of its own,
            // locking the queue's wakers twice a message (1.5% of a replay's CPU).
            let mut stream = queue.stream();
            while took < TAKE_PER_TURN && room > 0 {
                let Some(Some(msg)) = stream.next().now_or_never() else { break };
                took += 1;
                match msg {
                    Ok(m) => {
                        pending.push((i, m));
                        room -= 1;
                    }
                    // The end of the partition, after its records taken so far.
                    Err(e) => {
                        self.decode_pending(merge, &mut pending);
                        self.take(consumer, merge, Some(i), Err(e));
                    }
                }
            }
        }
        self.decode_pending(merge, &mut pending);
        took > 0
    }

    /// Decodes records taken from lanes' queues, side by side, into their lanes.
    pub(super) fn decode_pending(&mut self, merge: &mut Merge, pending: &mut Vec<(usize, BorrowedMessage<'_>)>) {
        if pending.is_empty() {
            return;
        }
        let raws: Vec<Raw<'_>> = pending.iter().map(|(_, m)| Raw::of(m)).collect();
        let decoded = decode_all(&self.decoder, &raws);
        drop(raws);
        for ((i, m), d) in pending.drain(..).zip(decoded) {
            self.record(merge, i, m.offset(), d);
        }
    }

    /// Takes one message, from lane `lane`'s queue or (`None`) the consumer's own: a record
    /// into its lane, or the end of a partition.
    pub(super) fn take(
        &mut self,
        consumer: &StreamConsumer<ReaderContext>,
        merge: &mut Merge,
        lane: Option<usize>,
        msg: Result<BorrowedMessage<'_>, RdKafkaError>,
    ) {
        match msg {
            Ok(m) => {
                let Some(i) = lane.or_else(|| merge.lane_of(m.topic(), m.partition())) else { return };
                self.record(merge, i, m.offset(), decode_record(&self.decoder, &m));
            }
            Err(RdKafkaError::PartitionEOF(partition)) => {
                // From a partition's own queue the lane is known; from the consumer's, the
                // event names only a partition number, and every lane of that number is
                // taken as ended (with several topics so numbered, one may be a fetch early).
                let lanes: Vec<usize> = match lane {
                    Some(i) => vec![i],
                    None => (0..merge.lanes().len()).filter(|&i| merge.lanes()[i].tp.partition == partition).collect(),
                };
                for &i in &lanes {
                    merge.reached_end(i);
                }
                // Transaction markers and compaction leave offsets that carry no record, so
                // the last record may sit below the high watermark: at the end of the log,
                // the reader's position says how far it is.
                if merge.is_empty()
                    && let Ok(position) = consumer.position()
                {
                    for e in position.elements().iter().filter(|e| e.partition() == partition) {
                        if let Offset::Offset(next) = e.offset() {
                            self.advance(e.topic(), partition, next);
                        }
                    }
                }
            }
            Err(e) => debug!(error = %e, "replay consumer error"),
        }
    }

    /// Takes one record read at `offset` into lane `i`, or counts it as malformed.
    /// Takes the records one Kafka record decoded into (several, when a mapping finds an
    /// array of cars), or why it is malformed.
    pub(super) fn record(
        &mut self,
        merge: &mut Merge,
        i: usize,
        offset: i64,
        decoded: Result<impl IntoIterator<Item = Record>, Malformed>,
    ) {
        match decoded {
            Ok(records) => {
                let mut kept = false;
                for record in records {
                    kept |= merge.push(i, record);
                }
                if !kept {
                    // Before the replay's start time: passed over.
                    let tp = &merge.lanes()[i].tp;
                    self.advance(&tp.topic, tp.partition, offset + 1);
                }
            }
            Err(reason) => {
                self.progress.malformed += 1;
                self.progress.last_malformed = Some(MalformedNote { offset, reason: reason.to_string() });
            }
        }
    }

    /// Records that the reader's next offset in a partition is `next`.
    pub(super) fn advance(&mut self, topic: &str, partition: i32, next: i64) {
        let Some(p) = self.progress.partitions.iter_mut().find(|p| p.partition == partition && p.topic == topic) else {
            return;
        };
        if next > p.offset {
            self.progress.delivered += (next.min(p.end) - p.offset.min(p.end)).max(0) as u64;
            p.offset = next;
        }
    }
}

/// The next message of any of the `wanting` lanes' partition queues; never, with none.
pub(super) async fn next_record<'q>(
    queues: &'q [Option<StreamPartitionQueue<ReaderContext>>],
    wanting: &[usize],
) -> (usize, Result<BorrowedMessage<'q>, RdKafkaError>) {
    let waits: Vec<_> = wanting
        .iter()
        .filter_map(|&i| queues[i].as_ref().map(|q| Box::pin(async move { (i, q.recv().await) })))
        .collect();
    if waits.is_empty() {
        return std::future::pending().await;
    }
    futures_util::future::select_all(waits).await.0
}
