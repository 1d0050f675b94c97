//! The lap index's readers: one per topic the group reads, and one per topic asked for on
//! demand (`laps::on_demand`, a reference lap from another session). Each reads what Kafka
//! retains of its topic from the earliest offset, feeding [`LapIndex`]. Its own reader, not
//! the group's: the index covers the whole retained session whatever the group has
//! committed, and replicas each index everything. Once the live path's feed (the records
//! the group member and the follower decoded for the hub) overtakes it in a partition, the
//! reader pauses that partition and decodes nothing more of it, unless the feed leaves a
//! gap; a topic on demand has no feed, and its reader follows the live edge itself.

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
    let mut reading = Reading::default();
    for p in &info.partitions {
        assign.add_partition_offset(topic, p.partition, Offset::Offset(p.low)).map_err(KafkaError::Assign)?;
        reading.lows.push((p.partition, p.low));
        if p.high > p.low {
            reading.ends.insert(p.partition, (p.low, p.high));
        }
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;
    index.start(topic, reading.count_total());
    index.begin(topic, &reading.lows);
    let started = Instant::now();
    let mut live = false;
    let mut next_progress = Instant::now() + PROGRESS_EVERY;
    let mut batch: Vec<BorrowedMessage<'_>> = Vec::with_capacity(DECODE_BATCH);
    while !stop.load(Ordering::Relaxed) {
        // Waits for a record, then takes what librdkafka already holds, to decode it side
        // by side.
        let mut wait = Duration::from_millis(100);
        let mut idle = true;
        while batch.len() < DECODE_BATCH {
            match consumer.poll(wait) {
                Some(Ok(m)) => {
                    reading.at_end.remove(&m.partition());
                    batch.push(m);
                }
                Some(Err(RdKafkaError::PartitionEOF(p))) => {
                    reading.ended.insert(p);
                    reading.at_end.insert(p);
                }
                Some(Err(e)) => debug!(topic, error = %e, "lap index reader"),
                None => break,
            }
            idle = false;
            wait = Duration::ZERO;
        }
        // Only what the index does not have yet is decoded: a partition the live feed
        // has overtaken is paused while the feed goes on.
        let next = index.next_offsets(topic);
        batch.retain(|m| {
            let fed = next.get(&m.partition()).is_some_and(|n| m.offset() < *n);
            if fed {
                reading.pause(&consumer, topic, m.partition());
            }
            !fed
        });
        let raws: Vec<Raw<'_>> = batch.iter().map(Raw::of).collect();
        let mut pending: (i32, Vec<Record>, u64) = (-1, Vec::with_capacity(FEED_BATCH), 0);
        for (m, decoded) in batch.iter().zip(decode_all(decoder, &raws)) {
            let p = m.partition();
            if pending.0 != p || pending.1.len() >= FEED_BATCH {
                index.read(topic, pending.0, &std::mem::take(&mut pending.1), std::mem::take(&mut pending.2));
                pending.0 = p;
            }
            pending.2 += 1;
            // A record that breaks the contract is the group's to count and show.
            if let Ok(records) = decoded {
                pending.1.extend(records);
            }
        }
        index.read(topic, pending.0, &pending.1, pending.2);
        drop(raws);
        batch.clear();
        if idle || Instant::now() >= next_progress {
            reading.resume_behind(&consumer, topic, index);
            reading.leave_to_feed(&consumer, topic, index);
            let read = reading.progress(&index.next_offsets(topic));
            if !live && reading.ends.is_empty() {
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

/// What one index reader knows of its topic's partitions.
#[derive(Default)]
struct Reading {
    /// Each partition's earliest offset when reading began.
    lows: Vec<(i32, i64)>,
    /// The partitions not indexed up to their high watermark at the start yet: `(low, high)`.
    ends: HashMap<i32, (i64, i64)>,
    /// Partitions whose end the reader has reached since the last progress.
    ended: BTreeSet<i32>,
    /// Partitions read up to their end, with no record since.
    at_end: BTreeSet<i32>,
    /// Partitions paused while the live feed indexes them.
    paused: BTreeSet<i32>,
    /// Records retained when reading began.
    total: u64,
}

impl Reading {
    fn count_total(&mut self) -> u64 {
        self.total = self.ends.values().map(|(low, high)| u64::try_from(high - low).unwrap_or(0)).sum();
        self.total
    }

    fn pause(&mut self, consumer: &BaseConsumer<ReaderContext>, topic: &str, partition: i32) {
        if self.paused.insert(partition) {
            debug!(topic, partition, "lap index: the live feed took over the partition");
            if let Err(e) = consumer.pause(&one(topic, partition)) {
                debug!(topic, partition, error = %e, "lap index: cannot pause");
            }
        }
    }

    /// Pauses the partitions read to their end that the live path feeds: from here on
    /// their records come decoded from it (or, after a gap in it, from this reader again).
    fn leave_to_feed(&mut self, consumer: &BaseConsumer<ReaderContext>, topic: &str, index: &LapIndex) {
        if self.at_end.is_empty() {
            return;
        }
        let fed: Vec<i32> = index.fed_partitions(topic).intersection(&self.at_end).copied().collect();
        for p in fed {
            self.at_end.remove(&p);
            self.pause(consumer, topic, p);
        }
    }

    /// Reads again, from the index's next offset, the paused partitions whose feed had a gap.
    fn resume_behind(&mut self, consumer: &BaseConsumer<ReaderContext>, topic: &str, index: &LapIndex) {
        let behind = index.take_behind(topic);
        if behind.is_empty() {
            return;
        }
        let next = index.next_offsets(topic);
        for p in behind.into_iter().filter(|p| self.paused.remove(p)) {
            debug!(topic, partition = p, "lap index: the live feed had a gap; reading the partition again");
            // Without the seek, the reader would take up where it paused, before the
            // feed's records, and skip them undecoded: the seek only saves that read.
            if let Some(&at) = next.get(&p)
                && let Err(e) = consumer.seek(topic, p, Offset::Offset(at), Duration::ZERO)
            {
                debug!(topic, partition = p, error = %e, "lap index: cannot seek");
            }
            if let Err(e) = consumer.resume(&one(topic, p)) {
                debug!(topic, partition = p, error = %e, "lap index: cannot resume");
            }
        }
    }

    /// Records indexed of those retained at the start; partitions indexed up to their
    /// end (by the reader or the feed) are done.
    fn progress(&mut self, next: &HashMap<i32, i64>) -> u64 {
        let ended = std::mem::take(&mut self.ended);
        self.ends.retain(|p, (_, high)| !ended.contains(p) && next.get(p).is_none_or(|n| n < high));
        let left: u64 = self
            .ends
            .iter()
            .map(|(p, (low, high))| u64::try_from(high - next.get(p).copied().unwrap_or(*low).max(*low)).unwrap_or(0))
            .sum();
        self.total.saturating_sub(left)
    }
}

fn one(topic: &str, partition: i32) -> TopicPartitionList {
    let mut list = TopicPartitionList::new();
    list.add_partition(topic, partition);
    list
}
