//! One overview reader per viewer that asks: it reads a span of the viewer's selection
//! on a consumer of its own and answers with the minimum and maximum of each channel per
//! time bucket, per car. A newer request replaces it; dropping it stops the reader.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    message::Message,
};
use tracing::{debug, info};

use crate::{
    config::KafkaArgs,
    hub::Answers,
    kafka::{
        KafkaError, METADATA_TIMEOUT, ReaderSetup, admin,
        shared::{
            client::{self, ReaderContext},
            decode::{DECODE_BATCH, Raw, decode_all},
            decode_record,
            read::{Ended, Span, read_spans, read_spans_batched},
        },
        task::{Hold, ReaderTask, Slot},
    },
    mapping::Decoder,
    overview::{Finished, OverviewRequest},
    selection::Selection,
    telemetry::TopicPartition,
    tick,
};

/// The client id (and never-joined group id) of overview readers.
const CLIENT_ID: &str = "trackside-overview";
/// Records read at the head of each partition for the time of its first, when the
/// request gives no `from_ts`: transaction markers and malformed records may come first.
const PROBE: i64 = 16;
/// How often a running overview reports its progress.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// An overview that has not read its span by then fails, saying so, and frees its slot
/// for others: a release build reads a million records in about a second, so this is a
/// span far larger than a chart needs, or a broker that has stopped answering.
const DEADLINE: Duration = Duration::from_secs(180);

/// A running overview; dropping it stops the reader and frees its slot.
pub(crate) struct Overview(ReaderTask);

/// What the blocking reader and the task that reports on it share.
#[derive(Default)]
struct Progress {
    /// Set when the overview is dropped or replaced; the reader stops at its next record.
    stop: Arc<AtomicBool>,
    /// Offsets passed, and offsets to pass.
    passed: AtomicU64,
    total: AtomicU64,
    records: AtomicU64,
}

impl Progress {
    fn fraction(&self) -> f64 {
        let (passed, total) = (self.passed.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        if total == 0 { 0.0 } else { (passed as f64 / total as f64).min(1.0) }
    }

    fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

#[derive(Debug, thiserror::Error)]
enum OverviewError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error("the span was not read within {} s; ask for a shorter one", DEADLINE.as_secs())]
    Deadline,
    /// The overview was dropped or replaced: nobody waits for an answer.
    #[error("stopped")]
    Stopped,
}

impl Overview {
    /// Starts reading `request` over `selection`; it answers through `answers`. `slot` is
    /// held until it has answered.
    pub(in crate::kafka) fn start(
        setup: ReaderSetup,
        selection: Selection,
        request: OverviewRequest,
        answers: Answers,
        slot: Slot,
    ) -> Self {
        Self(ReaderTask::spawn(Some(slot), Hold::UntilDone, move |stop| {
            let progress = Arc::new(Progress { stop, ..Progress::default() });
            run(setup, selection, request, answers, progress)
        }))
    }

    /// Stops the reader and hands back its slot, for the overview that replaces it; none
    /// when it had finished and freed it.
    pub(crate) fn into_slot(self) -> Option<Slot> {
        self.0.into_slot()
    }
}

/// Reads and summarises on a blocking thread, reporting progress meanwhile, then sends
/// the answer.
async fn run(
    setup: ReaderSetup,
    selection: Selection,
    request: OverviewRequest,
    answers: Answers,
    progress: Arc<Progress>,
) {
    let id = request.id;
    let shared = progress.clone();
    let reading =
        tokio::task::spawn_blocking(move || summarise(&setup.kafka, &setup.decoder, &selection, &request, &shared));
    tokio::pin!(reading);
    let mut tick = tick::ticker(PROGRESS_INTERVAL);
    let answer = loop {
        tokio::select! {
            answer = &mut reading => break answer,
            _ = tick.tick() => answers.overview_running(id, progress.fraction(), progress.records()),
        }
    };
    let error = match answer {
        // Encoding a summary can take a while: not on the runtime's threads.
        Ok(Ok(done)) => {
            let started = Instant::now();
            let _ = tokio::task::spawn_blocking(move || answers.overview_done(id, done)).await;
            // With the reading's own figures (`overview read`), where the time went.
            return debug!(encoded = ?started.elapsed(), "overview done");
        }
        Ok(Err(OverviewError::Stopped)) => return debug!("overview stopped"),
        Ok(Err(e)) => e.to_string(),
        Err(e) => KafkaError::Join(e).to_string(),
    };
    info!(%error, "overview failed");
    answers.overview_failed(id, progress.fraction(), progress.records(), error);
}

/// Plans the spans and reads them into the summary. Blocking.
fn summarise(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    selection: &Selection,
    request: &OverviewRequest,
    progress: &Progress,
) -> Result<Finished, OverviewError> {
    // The v1 fields alone unless the request names another channel: the default
    // overview costs what it cost before records had other channels.
    let v1_only;
    let decoder = if request.needs_other_channels() {
        decoder
    } else {
        v1_only = decoder.v1_only();
        &v1_only
    };
    let to_ts = request.to_ts.unwrap_or_else(client::now_ms);
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let spans = plan(kafka, selection, request.from_ts, request.to_ts)?;
    let from_ts = match request.from_ts {
        Some(ts) => ts,
        // Nothing to read: an empty span.
        None => first_ts(kafka, decoder, &spans, deadline, progress)?.unwrap_or(to_ts),
    };
    let planned = started.elapsed();
    let total: i64 = spans.iter().map(|s| s.until - s.from).sum();
    progress.total.store(u64::try_from(total).unwrap_or(0), Ordering::Relaxed);
    let mut summary = request.summary(from_ts, to_ts);
    let mut next: HashMap<TopicPartition, i64> = spans.iter().map(|s| (s.tp.clone(), s.from)).collect();
    let mut passed = 0u64;
    let stop = Some(&*progress.stop);
    let ended = read_spans_batched(kafka, CLIENT_ID, &spans, deadline, stop, DECODE_BATCH, |batch| {
        if progress.stopped() {
            return false;
        }
        let raws: Vec<Raw<'_>> = batch.iter().map(|(_, m)| Raw::of(m)).collect();
        for ((tp, m), decoded) in batch.iter().zip(decode_all(decoder, &raws)) {
            // Offsets, not records: compaction and transaction markers leave gaps.
            if let Some(n) = next.get_mut(tp) {
                passed += u64::try_from(m.offset() + 1 - *n).unwrap_or(0);
                *n = m.offset() + 1;
            }
            match decoded {
                Ok(records) => records
                    .into_iter()
                    .for_each(|r| summary.add(&tp.topic, tp.partition, r.offset, &r.sample, &r.channels)),
                Err(_) => summary.add_malformed(),
            }
        }
        progress.passed.store(passed, Ordering::Relaxed);
        progress.records.store(summary.records(), Ordering::Relaxed);
        true
    })?;
    let read = started.elapsed();
    match ended {
        Ended::Complete => {
            // Where the time went, for whoever makes it faster.
            debug!(?planned, ?read, "overview read");
            Ok(summary.finish())
        }
        Ended::Deadline => Err(OverviewError::Deadline),
        Ended::Stopped => Err(OverviewError::Stopped),
    }
}

/// The earliest `ts` of the first records of the spans, where the span starts when the
/// request does not say. Blocking.
fn first_ts(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    spans: &[Span],
    deadline: Instant,
    progress: &Progress,
) -> Result<Option<i64>, OverviewError> {
    let heads: Vec<Span> =
        spans.iter().map(|s| Span { tp: s.tp.clone(), from: s.from, until: s.until.min(s.from + PROBE) }).collect();
    let wanted = heads.iter().filter(|s| s.from < s.until).count();
    let mut first: HashMap<TopicPartition, i64> = HashMap::new();
    let ended = read_spans(kafka, CLIENT_ID, &heads, deadline, Some(&*progress.stop), |tp, m| {
        if !first.contains_key(tp)
            && let Some(ts) = decode_record(decoder, m).ok().and_then(|mut r| r.next()).and_then(|r| r.sample.ts)
        {
            first.insert(tp.clone(), ts);
        }
        first.len() < wanted && !progress.stopped()
    })?;
    match ended {
        _ if progress.stopped() => Err(OverviewError::Stopped),
        Ended::Deadline => Err(OverviewError::Deadline),
        Ended::Complete | Ended::Stopped => Ok(first.into_values().min()),
    }
}

/// The span of each chosen partition: from the first record at or after `from_ts` (the
/// low watermark without one) up to the first at or after `to_ts` (the high watermark
/// now, without one or when there is none). Blocking. Exports plan their spans here too.
pub(crate) fn plan(
    kafka: &KafkaArgs,
    selection: &Selection,
    from_ts: Option<i64>,
    to_ts: Option<i64>,
) -> Result<Vec<Span>, KafkaError> {
    let consumer: BaseConsumer<ReaderContext> = client::reader(kafka, CLIENT_ID)?;
    let topics = selection.topics().map(|t| admin::describe_topic(&consumer, t)).collect::<Result<Vec<_>, _>>()?;
    let mut chosen: Vec<(TopicPartition, i64, i64)> = admin::chosen(&topics, selection)
        .map(|(topic, p)| (TopicPartition::new(topic, p.partition), p.low.max(0), p.high.max(0)))
        .collect();
    chosen.sort();
    let starts = from_ts.map(|ts| offsets_at(&consumer, &chosen, ts)).transpose()?;
    let ends = to_ts.map(|ts| offsets_at(&consumer, &chosen, ts)).transpose()?;
    Ok(chosen
        .into_iter()
        .map(|(tp, low, high)| {
            let at = |found: &Option<HashMap<TopicPartition, i64>>, or: i64| {
                found.as_ref().map_or(or, |f| f.get(&tp).copied().unwrap_or(high)).clamp(low, high)
            };
            let from = at(&starts, low);
            let until = at(&ends, high).max(from);
            Span { tp, from, until }
        })
        .collect())
}

/// Kafka's offsets-for-times: each partition's first offset whose record timestamp is
/// at or after `ts`; a partition with none is left out. Unlike [`admin::offsets`], a
/// failed look-up is an error rather than an empty answer, which would read nothing.
fn offsets_at(
    consumer: &BaseConsumer<ReaderContext>,
    chosen: &[(TopicPartition, i64, i64)],
    ts: i64,
) -> Result<HashMap<TopicPartition, i64>, KafkaError> {
    let mut tpl = TopicPartitionList::with_capacity(chosen.len());
    for (tp, _, _) in chosen {
        tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(ts)).map_err(KafkaError::Assign)?;
    }
    let answer = consumer.offsets_for_times(tpl, METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    let mut found = HashMap::new();
    for e in answer.elements() {
        e.error().map_err(KafkaError::Metadata)?;
        if let Offset::Offset(o) = e.offset() {
            found.insert(TopicPartition::new(e.topic(), e.partition()), o);
        }
    }
    Ok(found)
}
