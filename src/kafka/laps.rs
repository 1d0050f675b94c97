//! The lap index's readers: one per topic the group reads, and one per topic asked for on
//! demand (`laps::on_demand`, a reference lap from another session). Each reads what Kafka retains
//! of its topic from the earliest offset, then follows the live edge, feeding
//! [`LapIndex`]. Its own reader, not the group's: the index covers the whole retained
//! session whatever the group has committed, and replicas each index everything.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tokio::sync::watch;
use tracing::{debug, info};

use super::{
    KafkaError, admin,
    shared::{
        client::{self, ReaderContext},
        decode::{DECODE_BATCH, Raw, decode_all},
        per_topic,
    },
};
use crate::{config::KafkaArgs, laps::LapIndex, mapping::Decoder, telemetry::Record};

/// How often progress is published while reading, and records handed over at the latest.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Records handed to the index under one lock.
const FEED_BATCH: usize = 512;
/// Wait before trying again after Kafka failed (the topic may not exist yet).
const RETRY: Duration = Duration::from_secs(2);
/// Prefetch per partition of an index reader, in KiB (librdkafka bounds it per partition,
/// from 64 MiB by default): one reader runs for every topic the group reads, and at its
/// start it reads the whole retention, decoding slower than librdkafka fetches. At 16 MiB
/// a partition, a topic of six held the server at about 95 MB at its start, against 45 to
/// 55 MB now. Above `max.partition.fetch.bytes` (1 MiB), so a fetch always fits.
const PREFETCH_KBYTES: &str = "2048";

/// Keeps one index reader per topic in `topics` (the group's) or `on_demand` until
/// `shutdown`; a topic that leaves both sets stops its reader and drops its laps.
pub(crate) async fn follow(
    kafka: KafkaArgs,
    decoder: Decoder,
    index: LapIndex,
    topics: watch::Receiver<BTreeSet<String>>,
    on_demand: watch::Receiver<BTreeSet<String>>,
    shutdown: impl Future<Output = ()>,
) {
    let start = |topic: &str, stop: Arc<AtomicBool>| {
        let (kafka, decoder, index, topic) = (kafka.clone(), decoder.clone(), index.clone(), topic.to_owned());
        tokio::task::spawn_blocking(move || {
            per_topic::until_stopped(
                &stop,
                RETRY,
                || read_topic(&kafka, &decoder, &index, &topic, &stop),
                |e| debug!(topic, error = %e, "lap index: cannot read the topic yet"),
            );
        });
    };
    per_topic::each_topic(vec![topics, on_demand], shutdown, start, |topic| index.remove(topic)).await;
}

fn read_topic(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    index: &LapIndex,
    topic: &str,
    stop: &AtomicBool,
) -> Result<(), KafkaError> {
    let config =
        client::reader_config_with(kafka, "trackside-laps", &[("queued.max.messages.kbytes", PREFETCH_KBYTES)]);
    let consumer: BaseConsumer<ReaderContext> =
        config.create_with_context(ReaderContext).map_err(KafkaError::Create)?;
    let info = admin::describe_topic(&consumer, topic)?;
    let mut assign = TopicPartitionList::new();
    // Offsets still to read before the index has everything retained at the start.
    let mut ends: HashMap<i32, i64> = HashMap::new();
    let mut total = 0u64;
    for p in &info.partitions {
        assign.add_partition_offset(topic, p.partition, Offset::Offset(p.low)).map_err(KafkaError::Assign)?;
        if p.high > p.low {
            ends.insert(p.partition, p.high);
            total += u64::try_from(p.high - p.low).unwrap_or(0);
        }
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;
    index.start(topic, total);
    let started = Instant::now();
    let (mut read, mut live) = (0u64, false);
    let mut pending: (i32, Vec<Record>) = (-1, Vec::with_capacity(FEED_BATCH));
    let mut next_progress = Instant::now() + PROGRESS_EVERY;
    let mut batch: Vec<BorrowedMessage<'_>> = Vec::with_capacity(DECODE_BATCH);
    while !stop.load(Ordering::Relaxed) {
        // Waits for a record, then takes what librdkafka already holds, to decode it side
        // by side.
        let mut wait = Duration::from_millis(100);
        let mut idle = true;
        // The end of a partition, taken once the records before it are counted.
        let mut ended = None;
        while batch.len() < DECODE_BATCH && ended.is_none() {
            match consumer.poll(wait) {
                Some(Ok(m)) => batch.push(m),
                Some(Err(RdKafkaError::PartitionEOF(p))) => ended = Some(p),
                Some(Err(e)) => debug!(topic, error = %e, "lap index reader"),
                None => break,
            }
            idle = false;
            wait = Duration::ZERO;
        }
        let raws: Vec<Raw<'_>> = batch.iter().map(Raw::of).collect();
        for (m, decoded) in batch.iter().zip(decode_all(decoder, &raws)) {
            let p = m.partition();
            if let Some(&end) = ends.get(&p) {
                read += u64::from(m.offset() < end);
                if m.offset() + 1 >= end {
                    ends.remove(&p);
                }
            }
            if pending.0 != p || pending.1.len() >= FEED_BATCH {
                index.feed(topic, pending.0, &std::mem::take(&mut pending.1));
                pending.0 = p;
            }
            // A record that breaks the contract is the group's to count and show.
            if let Ok(records) = decoded {
                pending.1.extend(records);
            }
        }
        drop(raws);
        batch.clear();
        if let Some(p) = ended {
            ends.remove(&p);
        }
        if idle || Instant::now() >= next_progress {
            index.feed(topic, pending.0, &std::mem::take(&mut pending.1));
            if !live && ends.is_empty() {
                live = true;
                info!(
                    topic,
                    records = read,
                    secs = started.elapsed().as_secs_f64(),
                    "lap index: retained records read"
                );
            }
            index.progress(topic, read, live);
            next_progress = Instant::now() + PROGRESS_EVERY;
        }
    }
    Ok(())
}
