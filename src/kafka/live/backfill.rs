//! Fills the hub's history with what precedes the group's start in a partition: when the
//! group resumes at a committed offset inside the history window, the records of the
//! window before it. It reads them on a consumer of its own that joins no group, and
//! hands them to the hub, which keeps them older than anything the group delivers.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use tracing::info;

use crate::kafka::{
    KafkaError,
    shared::{
        decode_record,
        read::{Span as BackfillRange, read_spans},
    },
};
use crate::{
    config::KafkaArgs,
    hub::Hub,
    mapping::Decoder,
    telemetry::{Record, TopicPartition},
};

/// Most records read per partition; the newest are kept. History is bounded in bytes
/// anyway; this bounds what the backfill itself holds on a flooded partition.
pub(crate) const MAX_RECORDS_PER_PARTITION: usize = 100_000;
/// A backfill gives up after this long and keeps what it has read.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// Reads every range into the history. Blocking: run it with `spawn_blocking`. Returns
/// how many records the history gained.
pub(crate) fn run(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    ranges: &[BackfillRange],
    hub: &Hub,
) -> Result<usize, KafkaError> {
    let mut read: HashMap<TopicPartition, VecDeque<Record>> = HashMap::new();
    read_spans(kafka, "trackside-backfill", ranges, Instant::now() + DEADLINE, None, |tp, m| {
        // The group counts malformed records; here they are only skipped.
        for record in decode_record(decoder, m).into_iter().flatten() {
            let kept = read.entry(tp.clone()).or_default();
            if kept.len() == MAX_RECORDS_PER_PARTITION {
                kept.pop_front();
            }
            kept.push_back(record);
        }
        true
    })?;
    let mut gained = 0;
    for (tp, mut records) in read {
        gained += hub.backfill(&tp, records.make_contiguous());
    }
    info!(partitions = ranges.len(), records = gained, "history backfilled");
    Ok(gained)
}
