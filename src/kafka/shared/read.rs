//! Reading bounded spans of offsets on a consumer of its own (no group, no commits): the
//! history backfill, the retained range's first and last records, and overviews.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tracing::debug;

use super::client::ReaderContext;
use crate::kafka::KafkaError;
use crate::{config::KafkaArgs, telemetry::TopicPartition};

/// Records of a partition to read: `from` up to, not including, `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub tp: TopicPartition,
    pub from: i64,
    pub until: i64,
}

/// How a reading of spans ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// Every span was read to its end.
    Complete,
    /// The deadline came first.
    Deadline,
    /// `each` asked to stop.
    Stopped,
}

/// Reads every non-empty span, calling `each` for each record inside one, in offset order
/// per partition, until all are read, `deadline` passes, `each` returns `false` or `stop`
/// is set (looked at even while no record comes). Blocking: run it with `spawn_blocking`.
pub(crate) fn read_spans(
    kafka: &KafkaArgs,
    client_id: &str,
    spans: &[Span],
    deadline: Instant,
    stop: Option<&AtomicBool>,
    mut each: impl FnMut(&TopicPartition, &BorrowedMessage<'_>) -> bool,
) -> Result<Ended, KafkaError> {
    read_spans_batched(kafka, client_id, spans, deadline, stop, 1, |batch| batch.iter().all(|(tp, m)| each(tp, m)))
}

/// As [`read_spans`], handing `each` up to `batch` records at a time (what librdkafka
/// already holds, without waiting for more), for a reader that decodes them side by side.
pub(crate) fn read_spans_batched(
    kafka: &KafkaArgs,
    client_id: &str,
    spans: &[Span],
    deadline: Instant,
    stop: Option<&AtomicBool>,
    batch: usize,
    mut each: impl FnMut(&[(TopicPartition, BorrowedMessage<'_>)]) -> bool,
) -> Result<Ended, KafkaError> {
    let consumer: BaseConsumer<ReaderContext> = super::client::reader(kafka, client_id)?;
    let mut ends: HashMap<TopicPartition, i64> = HashMap::new();
    let mut assign = TopicPartitionList::new();
    for s in spans.iter().filter(|s| s.from < s.until) {
        assign.add_partition_offset(&s.tp.topic, s.tp.partition, Offset::Offset(s.from)).map_err(KafkaError::Assign)?;
        ends.insert(s.tp.clone(), s.until);
    }
    if ends.is_empty() {
        return Ok(Ended::Complete);
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;
    let mut pending: Vec<(TopicPartition, BorrowedMessage<'_>)> = Vec::with_capacity(batch);
    while !ends.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Ended::Deadline);
        }
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(Ended::Stopped);
        }
        // Waits for the first record, then takes what is already there.
        let mut wait = left.min(Duration::from_millis(200));
        while pending.len() < batch && !ends.is_empty() {
            match consumer.poll(wait) {
                Some(Ok(m)) => {
                    let tp = TopicPartition::new(m.topic(), m.partition());
                    let Some(&end) = ends.get(&tp) else { continue };
                    if m.offset() + 1 >= end {
                        ends.remove(&tp);
                    }
                    if m.offset() < end {
                        pending.push((tp, m));
                    }
                }
                // The end of a partition's log (transaction markers and compaction can leave
                // the last offsets without a record). The event names only the partition
                // number, so every span of that number is looked at.
                Some(Err(RdKafkaError::PartitionEOF(partition))) => {
                    let positions = consumer.position().map_err(KafkaError::Assign)?;
                    for e in positions.elements().iter().filter(|e| e.partition() == partition) {
                        let tp = TopicPartition::new(e.topic(), partition);
                        if let (Offset::Offset(next), Some(&end)) = (e.offset(), ends.get(&tp))
                            && next >= end
                        {
                            ends.remove(&tp);
                        }
                    }
                }
                Some(Err(e)) => debug!(client_id, error = %e, "reader error"),
                None => break,
            }
            wait = Duration::ZERO;
        }
        if !pending.is_empty() {
            let go_on = each(&pending);
            pending.clear();
            if !go_on {
                return Ok(Ended::Stopped);
            }
        }
    }
    Ok(Ended::Complete)
}
