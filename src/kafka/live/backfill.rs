//! Fills the hub's history with what precedes the group's start in a partition: when the
//! group resumes at a committed offset inside the history window, the records of the
//! window before it. It reads them on a consumer of its own that joins no group, and
//! hands them to the hub, which keeps them older than anything the group delivers. A
//! backfill that finds Kafka unreachable tries again in the background ([`start_due`]).

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use rdkafka::consumer::{Consumer, StreamConsumer};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::{LiveConfig, context::GroupContext};
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

/// How often a backfill that found Kafka unreachable tries again, and for how long.
const RETRY: Duration = Duration::from_secs(2);
const PATIENCE: Duration = Duration::from_secs(600);

/// Starts the backfills the last rebalances asked for.
pub(super) fn start_due(
    consumer: &StreamConsumer<GroupContext>,
    config: &LiveConfig,
    hub: &Hub,
    stopped: &CancellationToken,
) {
    let ranges = consumer.context().take_backfills();
    if !ranges.is_empty() {
        spawn(config, ranges, hub, stopped.clone());
    }
}

/// Fills the history that precedes where the group resumed, in the background. With
/// Kafka unreachable it tries again every [`RETRY`] for up to [`PATIENCE`]; the history
/// merges a late backfill with what the group has delivered since, so nothing repeats.
fn spawn(config: &LiveConfig, ranges: Vec<BackfillRange>, hub: &Hub, stopped: CancellationToken) {
    // On a thread of its own, it may wait for a record's schema.
    let (kafka, decoder, hub) = (config.kafka.clone(), config.decoder.patient(), hub.clone());
    tokio::spawn(async move {
        let started = Instant::now();
        loop {
            let (kafka, decoder, r, hub) = (kafka.clone(), decoder.clone(), ranges.clone(), hub.clone());
            // librdkafka blocks: each attempt runs on a blocking thread.
            let attempt = tokio::task::spawn_blocking(move || run(&kafka, &decoder, &r, &hub)).await;
            match attempt.map_err(KafkaError::Join).and_then(|r| r) {
                Ok(_) => return,
                Err(e) if started.elapsed() >= PATIENCE => {
                    return warn!(error = %e, "no history backfilled; it fills as records arrive");
                }
                Err(e) => debug!(error = %e, "history backfill failed; trying again"),
            }
            tokio::select! {
                () = tokio::time::sleep(RETRY) => {}
                () = stopped.cancelled() => return,
            }
        }
    });
}

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
