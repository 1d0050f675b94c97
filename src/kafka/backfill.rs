//! Fills the hub's history of a topic when the group starts reading it, so a viewer who
//! opens the page right after the server started still sees the last minute at once. It
//! reads, on a consumer of its own that joins no group, each partition from the offset
//! of `now - history` up to the end it finds, and hands the records to the hub.

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

use super::{KafkaError, METADATA_TIMEOUT, admin, decode_record, now_ms};
use crate::{config::KafkaArgs, hub::Hub, protocol::Record, status::TopicPartition};

/// Most records read per partition; the newest are kept. History is bounded in bytes
/// anyway; this bounds what the backfill itself holds on a flooded partition.
pub const MAX_RECORDS_PER_PARTITION: usize = 100_000;
/// A backfill gives up after this long and keeps what it has read.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Backfills `topic` with the last `history` of records. Blocking: run it with
/// `spawn_blocking`. Returns how many records the history gained.
pub fn run(kafka: &KafkaArgs, topic: &str, history: Duration, hub: &Hub) -> Result<usize, KafkaError> {
    let consumer: BaseConsumer =
        super::reader_config(kafka, "trackside-backfill").create().map_err(KafkaError::Create)?;
    let info = admin::describe_topic(&consumer, topic)?;
    let since = now_ms() - i64::try_from(history.as_millis()).unwrap_or(i64::MAX);
    let mut wanted = TopicPartitionList::new();
    for p in info.partitions.iter().filter(|p| p.high > p.low) {
        wanted.add_partition_offset(topic, p.partition, Offset::Offset(since)).map_err(KafkaError::Assign)?;
    }
    // The first offset at or after `since`, per partition; none where nothing is as new.
    let starts = consumer.offsets_for_times(wanted, METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    let mut ends: HashMap<i32, i64> = HashMap::new();
    let mut assign = TopicPartitionList::new();
    for e in starts.elements() {
        let end = info.partitions.iter().find(|p| p.partition == e.partition()).map_or(-1, |p| p.high);
        if let Offset::Offset(start) = e.offset()
            && start < end
        {
            assign.add_partition_offset(topic, e.partition(), Offset::Offset(start)).map_err(KafkaError::Assign)?;
            ends.insert(e.partition(), end);
        }
    }
    if ends.is_empty() {
        return Ok(0);
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;

    let mut read: HashMap<i32, VecDeque<Record>> = HashMap::new();
    let deadline = Instant::now() + DEADLINE;
    while !ends.is_empty() && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let (partition, offset) = (m.partition(), m.offset());
                let Some(&end) = ends.get(&partition) else { continue };
                // The group counts malformed records; here they are only skipped.
                if offset < end
                    && let Ok(record) = decode_record(&m)
                {
                    let kept = read.entry(partition).or_default();
                    if kept.len() == MAX_RECORDS_PER_PARTITION {
                        kept.pop_front();
                    }
                    kept.push_back(record);
                }
                if offset + 1 >= end {
                    ends.remove(&partition);
                }
            }
            Some(Err(RdKafkaError::PartitionEOF(partition))) => {
                ends.remove(&partition);
            }
            Some(Err(e)) => debug!(error = %e, "backfill consumer error"),
            None => {}
        }
    }
    let mut gained = 0;
    for (partition, mut records) in read {
        gained += hub.backfill(&TopicPartition::new(topic, partition), records.make_contiguous());
    }
    info!(topic, records = gained, "history backfilled");
    Ok(gained)
}
