//! Fills the hub's history with what precedes the group's start in a partition: when the
//! group resumes at a committed offset inside the history window, the records of the
//! window before it. It reads them on a consumer of its own that joins no group, and
//! hands them to the hub, which keeps them older than anything the group delivers.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    error::KafkaError as RdKafkaError,
    message::Message,
};
use tracing::{debug, info};

use super::{KafkaError, decode_record, live::BackfillRange};
use crate::{
    config::KafkaArgs,
    hub::Hub,
    telemetry::{Record, TopicPartition},
};

/// Most records read per partition; the newest are kept. History is bounded in bytes
/// anyway; this bounds what the backfill itself holds on a flooded partition.
pub(crate) const MAX_RECORDS_PER_PARTITION: usize = 100_000;
/// A backfill gives up after this long and keeps what it has read.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// Reads every range into the history. Blocking: run it with `spawn_blocking`. Returns
/// how many records the history gained.
pub(crate) fn run(kafka: &KafkaArgs, ranges: &[BackfillRange], hub: &Hub) -> Result<usize, KafkaError> {
    let consumer: BaseConsumer =
        super::client::reader_config(kafka, "trackside-backfill").create().map_err(KafkaError::Create)?;
    let mut ends: HashMap<TopicPartition, i64> = HashMap::new();
    let mut assign = TopicPartitionList::new();
    for r in ranges.iter().filter(|r| r.from < r.until) {
        assign.add_partition_offset(&r.tp.topic, r.tp.partition, Offset::Offset(r.from)).map_err(KafkaError::Assign)?;
        ends.insert(r.tp.clone(), r.until);
    }
    if ends.is_empty() {
        return Ok(0);
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;

    let mut read: HashMap<TopicPartition, VecDeque<Record>> = HashMap::new();
    let deadline = Instant::now() + DEADLINE;
    while !ends.is_empty() && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let tp = TopicPartition::new(m.topic(), m.partition());
                let Some(&end) = ends.get(&tp) else { continue };
                let offset = m.offset();
                // The group counts malformed records; here they are only skipped.
                if offset < end
                    && let Ok(record) = decode_record(&m)
                {
                    let kept = read.entry(tp.clone()).or_default();
                    if kept.len() == MAX_RECORDS_PER_PARTITION {
                        kept.pop_front();
                    }
                    kept.push_back(record);
                }
                if offset + 1 >= end {
                    ends.remove(&tp);
                }
            }
            // The end of a partition's log (transaction markers and compaction can leave
            // the last offsets without a record). The event names only the partition
            // number, so every range of that number is looked at.
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
            Some(Err(e)) => debug!(error = %e, "backfill consumer error"),
            None => {}
        }
    }
    let mut gained = 0;
    for (tp, mut records) in read {
        gained += hub.backfill(&tp, records.make_contiguous());
    }
    info!(partitions = ranges.len(), records = gained, "history backfilled");
    Ok(gained)
}
