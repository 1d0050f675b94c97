//! The reader of an export (`/api/export`): the spans of one topic's partitions on a
//! consumer of its own, merged into one stream in time order and handed to an
//! [`ExportSink`] record by record. Each partition is read from a queue of its own into a
//! lane of the replay's [`Merge`], bounded in records: a partition far ahead of the others
//! waits in librdkafka's prefetch (bounded per partition) rather than in memory here.
//!
//! The order: each partition's records in offset order, merged across partitions by `ts`,
//! the earliest first, equal times in partition order. A partition whose `ts` goes back
//! keeps its offset order (a record is never moved before its partition's earlier ones).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer, base_consumer::PartitionQueue},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};

use crate::{
    config::KafkaArgs,
    kafka::{
        KafkaError,
        replay::merge::{Merge, SLICE_MS},
        shared::{
            client::{self, ReaderContext},
            decode::{DECODE_BATCH, Raw, decode_all},
            read::{Ended, Span},
        },
    },
    mapping::Decoder,
    telemetry::{Record, TopicPartition},
};

/// The client id (and never-joined group id) of export readers.
const CLIENT_ID: &str = "trackside-export";
/// How long the reader waits for a partition's next record before looking at its stop
/// flag again.
const WAIT: Duration = Duration::from_millis(100);

/// What an export reader hands its records to, in the order they are to be written.
pub(crate) trait ExportSink {
    /// Takes the next record of `partition`; false when the export should stop.
    fn take(&mut self, partition: i32, record: Record) -> bool;
    /// A record of the span that broke the contract.
    fn malformed(&mut self);
    /// The reader holds `n` records it has not handed over yet.
    fn holding(&mut self, n: usize);
}

/// What to read: spans of one topic's partitions, and the cars kept (all when empty).
#[derive(Debug, Clone)]
pub(crate) struct ExportSpans {
    pub spans: Vec<Span>,
    pub cars: Vec<String>,
}

/// A lane: the span it reads, and whether it has read all of it. Its partition's queue
/// is apart, since the records taken from it borrow it while the lane is updated.
struct Lane {
    span: Span,
    done: bool,
}

/// Reads `what` into `sink` in time order, holding about `budget` records at most, until
/// every span is read, `deadline` passes, `stop` is set or the sink says stop. Blocking.
pub(crate) fn read_merged(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    what: &ExportSpans,
    budget: usize,
    deadline: Instant,
    stop: &AtomicBool,
    sink: &mut impl ExportSink,
) -> Result<Ended, KafkaError> {
    let spans: Vec<Span> = what.spans.iter().filter(|s| s.from < s.until).cloned().collect();
    if spans.is_empty() {
        return Ok(Ended::Complete);
    }
    // librdkafka's prefetch is bounded per partition queue: the replay's 16 MiB shared.
    let prefetch = client::prefetch_per_partition_kb(spans.len());
    let consumer: BaseConsumer<ReaderContext> =
        client::reader_config_with(kafka, CLIENT_ID, &[("queued.max.messages.kbytes", &prefetch)])
            .create_with_context(ReaderContext)
            .map_err(KafkaError::Create)?;
    let consumer = Arc::new(consumer);
    let mut assign = TopicPartitionList::new();
    for s in &spans {
        assign.add_partition_offset(&s.tp.topic, s.tp.partition, Offset::Offset(s.from)).map_err(KafkaError::Assign)?;
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;
    let mut lanes = Vec::with_capacity(spans.len());
    let mut queues: Vec<PartitionQueue<ReaderContext>> = Vec::with_capacity(spans.len());
    for span in spans {
        let queue = consumer
            .split_partition_queue(&span.tp.topic, span.tp.partition)
            .ok_or_else(|| KafkaError::UnknownTopic(span.tp.topic.clone()))?;
        queues.push(queue);
        lanes.push(Lane { span, done: false });
    }
    let mut merge = Merge::new(lanes.iter().map(|l| (l.span.tp.clone(), None)).collect(), budget);
    let mut reading = Reading { decoder, cars: &what.cars, merge: &mut merge, sink };
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(Ended::Stopped);
        }
        if Instant::now() >= deadline {
            return Ok(Ended::Deadline);
        }
        // Records fetched before the partitions' queues were split off come here.
        // So may the end of a partition: the event names only its number, and one topic
        // is read, so the number is the lane's.
        while let Some(m) = consumer.poll(Duration::ZERO) {
            let partition = match &m {
                Ok(m) => Some(m.partition()),
                Err(RdKafkaError::PartitionEOF(p)) => Some(*p),
                Err(_) => None,
            };
            if let Some(i) = partition.and_then(|p| lanes.iter().position(|l| l.span.tp.partition == p)) {
                reading.take(&mut lanes, i, vec![m]);
            }
        }
        let mut took = false;
        for i in 0..lanes.len() {
            let room = reading.merge.room(i).min(DECODE_BATCH);
            if lanes[i].done || room == 0 {
                continue;
            }
            let mut batch = Vec::new();
            while batch.len() < room {
                match queues[i].poll(Duration::ZERO) {
                    Some(m) => batch.push(m),
                    None => break,
                }
            }
            took |= !batch.is_empty();
            reading.take(&mut lanes, i, batch);
        }
        if !reading.release() {
            return Ok(Ended::Stopped);
        }
        if lanes.iter().all(|l| l.done) && reading.merge.is_empty() {
            return Ok(Ended::Complete);
        }
        if !took {
            // Waits on a lane that can take more: the merge waits for it.
            let waiting = (0..lanes.len()).find(|&i| !lanes[i].done && reading.merge.room(i) > 0);
            if let Some(i) = waiting
                && let Some(m) = queues[i].poll(WAIT)
            {
                reading.take(&mut lanes, i, vec![m]);
            }
        }
    }
}

struct Reading<'a, S> {
    decoder: &'a Decoder,
    cars: &'a [String],
    merge: &'a mut Merge,
    sink: &'a mut S,
}

impl<S: ExportSink> Reading<'_, S> {
    /// Decodes what lane `i`'s queue gave, side by side, into its lane, and marks the lane
    /// done at the end of its span (or of the log, which compaction and transaction
    /// markers can leave short of it).
    fn take(&mut self, lanes: &mut [Lane], i: usize, messages: Vec<Result<BorrowedMessage<'_>, RdKafkaError>>) {
        let mut records = Vec::with_capacity(messages.len());
        for m in messages {
            match m {
                Ok(m) if m.offset() < lanes[i].span.until => records.push(m),
                Ok(_) => lanes[i].done = true,
                Err(RdKafkaError::PartitionEOF(_)) => lanes[i].done = true,
                Err(e) => tracing::debug!(error = %e, "export reader error"),
            }
        }
        if records.last().is_some_and(|m| m.offset() + 1 >= lanes[i].span.until) {
            lanes[i].done = true;
        }
        let raws: Vec<Raw<'_>> = records.iter().map(Raw::of).collect();
        for decoded in decode_all(self.decoder, &raws) {
            match decoded {
                Ok(d) => {
                    for r in d.into_iter().filter(|r| self.cars.is_empty() || self.cars.contains(&r.sample.car)) {
                        self.merge.push(i, r);
                    }
                }
                Err(_) => self.sink.malformed(),
            }
        }
        if lanes[i].done {
            self.merge.reached_end(i);
        }
        self.sink.holding(self.merge.held());
    }

    /// Hands the sink what nothing earlier can still precede, one slice at a time, each
    /// slice's partitions merged by time. False when the sink says stop.
    fn release(&mut self) -> bool {
        while let Some(groups) = self.merge.release(i64::MAX, SLICE_MS) {
            let mut groups: Vec<(TopicPartition, std::vec::IntoIter<Record>, Option<Record>)> = groups
                .into_iter()
                .map(|(tp, records)| {
                    let mut it = records.into_iter();
                    let head = it.next();
                    (tp, it, head)
                })
                .collect();
            self.sink.holding(self.merge.held());
            loop {
                // Strictly earlier wins, so equal times go in partition (lane) order.
                let mut next: Option<usize> = None;
                for (g, (_, _, head)) in groups.iter().enumerate() {
                    let Some(r) = head else { continue };
                    if next.is_none_or(|n| groups[n].2.as_ref().is_some_and(|h| ts(r) < ts(h))) {
                        next = Some(g);
                    }
                }
                let Some(g) = next else { break };
                let (tp, rest, head) = &mut groups[g];
                let Some(record) = std::mem::replace(head, rest.next()) else { break };
                if !self.sink.take(tp.partition, record) {
                    return false;
                }
            }
        }
        true
    }
}

fn ts(r: &Record) -> i64 {
    r.sample.ts.unwrap_or_default()
}
