//! One replay reader per replaying viewer: a player for what Kafka retains. It assigns the
//! viewer's partitions where the replay starts (`from`) on a consumer of its own (no
//! group, no commits, so neither the group nor any other viewer notices), merges them in
//! time order ([`merge`]), paces them by their `ts` at the chosen speed ([`clock`]),
//! pauses, steps and changes speed on request, waits when the viewer is slow, and reports
//! progress. Once it has delivered everything Kafka holds it streams new records as they
//! come: the replay has reached the live edge.

mod clock;
mod merge;
mod start;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use futures_util::FutureExt;
use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer, StreamConsumer, stream_consumer::StreamPartitionQueue},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tokio::{sync::watch, time::Instant};
use tracing::{debug, info};

use super::{
    KafkaError, ReaderSetup, admin,
    client::{ReaderContext, now_ms},
    decode::{Raw, decode_all},
    decode_record,
    task::{Hold, ReaderTask, Slot},
};
use crate::{
    config::KafkaArgs,
    hub::{Closed, ReplayFeed},
    laps::LapIndex,
    mapping::Decoder,
    playback::{ReplayFrom, ReplayProgress, ReplayState, Speed},
    selection::Selection,
    status::Status,
    telemetry::{Malformed, MalformedNote, Record, TopicPartition},
};
use clock::Clock;
use merge::{Head, MAX_SPEED_SLICE_MS, Merge, SLICE_MS};
use start::StartError;

/// How often progress is reported while a replay runs.
pub(crate) const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// Records a replay holds read ahead of its playhead, over all its partitions (about
/// 20 MB), besides what librdkafka has prefetched.
const READ_AHEAD: usize = 50_000;
/// Slices released per turn of the reader's loop, so a long backlog at `max` still
/// lets it hear a pause.
const SLICES_PER_TURN: usize = 64;
/// Records taken from librdkafka per turn without a turn of the loop.
const TAKE_PER_TURN: usize = 1_000;

/// What a replay plays: from where, how fast, whether it starts paused, and the client's
/// id for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Playback {
    pub from: ReplayFrom,
    pub speed: Speed,
    pub paused: bool,
    /// Race time before the start delivered at once.
    pub preroll_ms: u32,
    pub id: Option<u64>,
}

/// What the viewer asks of a running replay; `stepped_ms` adds up forward steps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Controls {
    paused: bool,
    speed: Speed,
    stepped_ms: i64,
}

/// The playhead before it is known.
const UNKNOWN: i64 = i64::MIN;

/// A running replay; dropping it stops the reader and frees its slot.
pub(crate) struct Replay {
    controls: watch::Sender<Controls>,
    position: Arc<AtomicI64>,
    task: ReaderTask,
    id: Option<u64>,
    preroll_ms: u32,
}

impl Replay {
    /// Starts `playback` of `selection` into `feed`. `slot` is one of the server's bounded
    /// reader slots, held for as long as the replay lives.
    pub(in crate::kafka) fn start(
        setup: ReaderSetup,
        selection: Selection,
        playback: Playback,
        feed: ReplayFeed,
        status: &Status,
        slot: Slot,
    ) -> Self {
        let ReaderSetup { kafka, decoder, laps } = setup;
        let first = Controls { paused: playback.paused, speed: playback.speed, stepped_ms: 0 };
        let (controls, controls_rx) = watch::channel(first);
        let position = Arc::new(AtomicI64::new(UNKNOWN));
        let gauge = status.replay_guard();
        let (id, preroll_ms) = (playback.id, playback.preroll_ms);
        let shown = position.clone();
        let task = ReaderTask::spawn(Some(slot), Hold::WhileAlive, move |stop| async move {
            let _gauge = gauge;
            let mut reader = Reader::new(feed, &playback, shown, decoder, laps);
            match reader.run(kafka, selection, playback.from, playback.preroll_ms, controls_rx, stop).await {
                Ok(()) => {}
                Err(ReplayError::Closed(_)) => debug!("replay viewer left"),
                Err(e) => {
                    info!(error = %e, "replay failed");
                    reader.failed(e.to_string());
                }
            }
        });
        Self { controls, position, task, id, preroll_ms }
    }

    pub(crate) fn set_paused(&self, paused: bool) {
        self.controls.send_modify(|c| c.paused = paused);
    }

    pub(crate) fn paused(&self) -> bool {
        self.controls.borrow().paused
    }

    pub(crate) fn set_speed(&self, speed: Speed) {
        self.controls.send_modify(|c| c.speed = speed);
    }

    pub(crate) fn speed(&self) -> Speed {
        self.controls.borrow().speed
    }

    /// Plays `ms` of race time at once, and pauses.
    pub(crate) fn step(&self, ms: i64) {
        self.controls.send_modify(|c| {
            c.paused = true;
            c.stepped_ms += ms;
        });
    }

    /// The playhead, once known.
    pub(crate) fn position(&self) -> Option<i64> {
        Some(self.position.load(Ordering::Relaxed)).filter(|&p| p != UNKNOWN)
    }

    pub(crate) fn id(&self) -> Option<u64> {
        self.id
    }

    pub(crate) fn preroll_ms(&self) -> u32 {
        self.preroll_ms
    }

    /// Stops the reader and hands back its slot, for the replay that replaces it.
    pub(crate) fn into_slot(self) -> Option<Slot> {
        self.task.into_slot()
    }
}

#[derive(Debug, thiserror::Error)]
enum ReplayError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Closed(#[from] Closed),
}

impl From<StartError> for ReplayError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Kafka(e) => ReplayError::Kafka(e),
            StartError::NotFound(m) => ReplayError::NotFound(m),
        }
    }
}

struct Reader {
    feed: ReplayFeed,
    progress: ReplayProgress,
    clock: Clock,
    /// The controls last acted on.
    seen: Controls,
    /// Caught up with the live edge: records go out as they come, unpaced.
    live: bool,
    /// The playhead, for the viewer's session (steps back start from it).
    shown: Arc<AtomicI64>,
    /// Where the playhead starts, when `from` names a time: records before it (the
    /// preroll) go out at once.
    anchor: Option<i64>,
    /// Steps asked for before the clock had a time to step from.
    early_steps_ms: i64,
    decoder: Decoder,
    /// Where each car's laps begin, for a replay from a lap.
    laps: LapIndex,
}

impl Reader {
    fn new(feed: ReplayFeed, playback: &Playback, shown: Arc<AtomicI64>, decoder: Decoder, laps: LapIndex) -> Self {
        let mut progress =
            ReplayProgress::new(if playback.paused { ReplayState::Paused } else { ReplayState::Running });
        progress.id = playback.id;
        progress.speed = playback.speed;
        let seen = Controls { paused: playback.paused, speed: playback.speed, stepped_ms: 0 };
        Self {
            feed,
            progress,
            clock: Clock::new(playback.speed, playback.paused, Instant::now()),
            seen,
            live: false,
            shown,
            anchor: None,
            early_steps_ms: 0,
            decoder,
            laps,
        }
    }

    /// Takes the partitions to replay and where each starts.
    fn begin(&mut self, lanes: &[start::Lane]) -> Merge {
        self.progress.partitions = lanes.iter().map(|l| l.progress.clone()).collect();
        self.progress.total = lanes.iter().map(|l| (l.progress.end - l.progress.start).max(0) as u64).sum();
        let starts =
            lanes.iter().map(|l| (TopicPartition::new(&l.progress.topic, l.progress.partition), l.skip_before));
        Merge::new(starts.collect(), READ_AHEAD)
    }

    async fn run(
        &mut self,
        kafka: KafkaArgs,
        selection: Selection,
        from: ReplayFrom,
        preroll_ms: u32,
        mut controls: watch::Receiver<Controls>,
        stop: Arc<AtomicBool>,
    ) -> Result<(), ReplayError> {
        self.report();
        let start = {
            let (kafka, stop, decoder, laps) = (kafka.clone(), stop.clone(), self.decoder.clone(), self.laps.clone());
            let names: Vec<String> = selection.topics().map(str::to_owned).collect();
            tokio::task::spawn_blocking(move || -> Result<start::Start, StartError> {
                let c: BaseConsumer<ReaderContext> = super::client::reader(&kafka, "trackside-replay")?;
                let topics = names.iter().map(|t| admin::describe_topic(&c, t)).collect::<Result<Vec<_>, _>>()?;
                let plan = start::plan(&topics, &selection);
                let sources = start::Sources { kafka: &kafka, decoder: &decoder, laps: &laps };
                start::resolve(sources, &c, plan, &from, i64::from(preroll_ms), &stop)
            })
            .await
            .map_err(KafkaError::from)??
        };
        self.anchor = start.playhead;
        let mut merge = self.begin(&start.lanes);

        // Each partition is read from a queue of its own, so a lane that is full simply
        // takes no more while the others are read; librdkafka bounds what it prefetches
        // per partition queue, here to share 32 MiB among the partitions.
        let per_partition_kb = (32 * 1024 / merge.lanes().len().max(1)).clamp(1024, 16 * 1024).to_string();
        let consumer: StreamConsumer<ReaderContext> = super::client::reader_config_with(
            &kafka,
            "trackside-replay",
            &[("queued.max.messages.kbytes", &per_partition_kb)],
        )
        .create_with_context(ReaderContext)
        .map_err(KafkaError::Create)?;
        let consumer = Arc::new(consumer);
        let mut tpl = TopicPartitionList::new();
        for l in &self.progress.partitions {
            tpl.add_partition_offset(&l.topic, l.partition, Offset::Offset(l.start)).map_err(KafkaError::Assign)?;
        }
        consumer.assign(&tpl).map_err(KafkaError::Assign)?;
        let queues: Vec<Option<StreamPartitionQueue<ReaderContext>>> =
            merge.lanes().iter().map(|l| consumer.split_partition_queue(&l.tp.topic, l.tp.partition)).collect();
        info!(partitions = self.progress.partitions.len(), records = self.progress.total, "replay started");
        self.report();

        let mut report = tokio::time::interval(PROGRESS_INTERVAL);
        loop {
            let asked = *controls.borrow_and_update();
            self.apply(asked);
            // What has arrived first, so what goes out and the state see it.
            let took = self.drain(&consumer, &queues, &mut merge);
            let more = self.release(&mut merge).await?;
            self.update_state(&merge);
            if took || more {
                // A turn with work keeps its worker busy: the viewer's send task, woken by
                // what this turn queued, waits in the worker's own slot (other workers
                // cannot take it) until this task yields. Without this, a slow (debug)
                // build held a viewer's frames, stats included, for seconds.
                tokio::task::yield_now().await;
            }
            let wake = if more || took { Some(Instant::now()) } else { self.wake(&merge) };
            let wanting: Vec<usize> = (0..queues.len()).filter(|&i| queues[i].is_some() && merge.wants(i)).collect();
            tokio::select! {
                biased;
                changed = controls.changed() => if changed.is_err() { return Ok(()) },
                _ = report.tick() => self.report(),
                (i, msg) = next_record(&queues, &wanting) => self.take(&consumer, &mut merge, Some(i), msg),
                // Events, and records fetched before a partition's queue was split off.
                msg = consumer.recv() => self.take(&consumer, &mut merge, None, msg),
                () = sleep_until(wake), if wake.is_some() => {}
            }
        }
    }

    /// Takes what the partition queues of lanes with room already hold, without a turn
    /// of the loop per record, and decodes it on every core. Returns whether it took
    /// anything.
    fn drain<'q>(
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
            while took < TAKE_PER_TURN && room > 0 {
                let Some(msg) = queue.recv().now_or_never() else { break };
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
    fn decode_pending(&mut self, merge: &mut Merge, pending: &mut Vec<(usize, BorrowedMessage<'_>)>) {
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

    /// Acts on what the viewer asked since the last turn.
    fn apply(&mut self, asked: Controls) {
        let now = Instant::now();
        if asked.speed != self.seen.speed {
            self.clock.set_speed(asked.speed, now);
            self.progress.speed = asked.speed;
        }
        if asked.paused != self.seen.paused {
            if asked.paused && self.live {
                // Paused at the live edge: the playhead is the newest record delivered.
                self.live = false;
                self.clock.move_to_newest(now);
            }
            self.clock.set_paused(asked.paused, now);
        }
        let step = asked.stepped_ms - self.seen.stepped_ms;
        if step != 0 {
            if self.clock.started() {
                self.clock.advance(step, now);
            } else {
                self.early_steps_ms += step;
            }
        }
        self.seen = asked;
    }

    /// Sends what is due. Returns whether more is due at once (the turn's share ran out).
    async fn release(&mut self, merge: &mut Merge) -> Result<bool, Closed> {
        if self.live {
            let groups = merge.release_all();
            self.send(groups).await?;
            return Ok(false);
        }
        let now = Instant::now();
        if !self.clock.started() {
            // At the named time, or at the first record when that comes later (a time in
            // a gap, or before the recording).
            match merge.head() {
                Head::Ready(ts) => {
                    self.clock.start(self.anchor.map_or(ts, |a| a.max(ts)), now);
                    self.clock.advance(std::mem::take(&mut self.early_steps_ms), now);
                }
                _ => return Ok(false),
            }
        }
        let due = self.clock.due(now);
        for _ in 0..SLICES_PER_TURN {
            let slice = if self.progress.speed == Speed::Max { MAX_SPEED_SLICE_MS } else { SLICE_MS };
            let Some(groups) = merge.release(due, slice) else {
                // Waiting for a partition's records: the playhead waits with it. (Not at the
                // live edge, where records come as they are produced.)
                if merge.head() == Head::Waiting
                    && !merge.reached_every_end()
                    && let Some(last) = self.clock.newest()
                {
                    self.clock.hold(last, now);
                }
                return Ok(false);
            };
            self.send(groups).await?;
        }
        Ok(true)
    }

    async fn send(&mut self, groups: Vec<(TopicPartition, Vec<Record>)>) -> Result<(), Closed> {
        for (tp, records) in &groups {
            if let Some(last) = records.last() {
                self.advance(&tp.topic, tp.partition, last.offset + 1);
            }
            if let Some(ts) = records.iter().filter_map(|r| r.sample.ts).max() {
                self.clock.released(ts);
            }
        }
        self.feed.send(&groups).await
    }

    /// When the next record falls due, when the clock paces it.
    fn wake(&self, merge: &Merge) -> Option<Instant> {
        match merge.head() {
            Head::Ready(ts) if !self.live => self.clock.wake_at(ts),
            _ => None,
        }
    }

    /// Works out the state from the controls and the lanes, and reports a change.
    fn update_state(&mut self, merge: &Merge) {
        if !self.live && !self.clock.paused() && merge.caught_up() {
            self.live = true;
            info!(records = self.progress.delivered, "replay caught up; streaming on");
        }
        let state = match (self.clock.paused(), self.live) {
            (true, _) => ReplayState::Paused,
            (false, true) => ReplayState::CaughtUp,
            (false, false) => ReplayState::Running,
        };
        let position = self.clock.position(Instant::now());
        self.shown.store(position.unwrap_or(UNKNOWN), Ordering::Relaxed);
        if state != self.progress.state {
            self.progress.state = state;
            self.report();
        }
    }

    /// Takes one message, from lane `lane`'s queue or (`None`) the consumer's own: a record
    /// into its lane, or the end of a partition.
    fn take(
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
    fn record(
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
    fn advance(&mut self, topic: &str, partition: i32, next: i64) {
        let Some(p) = self.progress.partitions.iter_mut().find(|p| p.partition == partition && p.topic == topic) else {
            return;
        };
        if next > p.offset {
            self.progress.delivered += (next.min(p.end) - p.offset.min(p.end)).max(0) as u64;
            p.offset = next;
        }
    }

    fn report(&mut self) {
        let position = self.clock.position(Instant::now());
        let p = &mut self.progress;
        p.progress = if p.total == 0 { 1.0 } else { (p.delivered as f64 / p.total as f64).min(1.0) };
        if p.state == ReplayState::CaughtUp {
            p.progress = 1.0;
        }
        p.position_ts = position;
        p.behind_ms = position.map(|ts| if p.state == ReplayState::CaughtUp { 0 } else { (now_ms() - ts).max(0) });
        // A viewer that moved on no longer wants to hear about this replay.
        let _ = self.feed.report(&self.progress);
    }

    fn failed(&mut self, error: String) {
        self.progress.state = ReplayState::Failed;
        self.progress.error = Some(error);
        self.report();
    }
}

/// The next message of any of the `wanting` lanes' partition queues; never, with none.
async fn next_record<'q>(
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

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::Value;

    use super::*;
    use crate::{
        hub::{ClientHandle, Hub, Item},
        playback::PartitionProgress,
        telemetry::Sample,
    };

    const T0: i64 = 1_764_028_800_000;

    fn at(offset: i64, ts: i64) -> Result<Option<Record>, Malformed> {
        let mut sample = Sample::minimal("7", ts);
        sample.ts = Some(ts);
        Ok(Some(Record { offset, sample }))
    }

    fn lane(partition: i32, start: i64, end: i64) -> start::Lane {
        start::Lane {
            progress: PartitionProgress { topic: "t".into(), partition, start, offset: start, end },
            skip_before: None,
        }
    }

    /// A viewer of a fresh hub replaying `lanes` at `speed`, its reader and the lanes'
    /// merge.
    fn replaying(lanes: &[start::Lane], speed: Speed) -> (ClientHandle, Reader, Merge) {
        let viewer = Hub::new(0, 1 << 20).json_viewer();
        let playback = Playback { from: ReplayFrom::Earliest, speed, paused: false, preroll_ms: 0, id: Some(9) };
        let mut reader = Reader::new(
            viewer.watch_replay(),
            &playback,
            Arc::new(AtomicI64::new(UNKNOWN)),
            Decoder::default(),
            LapIndex::default(),
        );
        let merge = reader.begin(lanes);
        (viewer, reader, merge)
    }

    fn json(bytes: &Bytes) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    /// What the viewer was sent, in order: `p<partition> [offsets]` for a batch, the
    /// state and progress for a report.
    fn sent(viewer: &ClientHandle) -> Vec<String> {
        viewer
            .outbox()
            .take()
            .items
            .iter()
            .flat_map(|item| match item {
                // One queued item holds the batches of one release, comma-separated.
                Item::Replay(b) => {
                    let all: Value = serde_json::from_str(&format!("[{}]", String::from_utf8_lossy(b))).unwrap();
                    let batches = all.as_array().unwrap().iter().map(|v| {
                        let offsets: Vec<i64> =
                            v["records"].as_array().unwrap().iter().map(|r| r["offset"].as_i64().unwrap()).collect();
                        format!("p{} {offsets:?}", v["partition"])
                    });
                    batches.collect::<Vec<_>>()
                }
                Item::Control(b) => {
                    let v = json(b);
                    vec![format!(
                        "{} {}/{} {}",
                        v["state"].as_str().unwrap(),
                        v["delivered"],
                        v["total"],
                        v["progress"]
                    )]
                }
                Item::History(_) => vec!["history".into()],
            })
            .collect()
    }

    /// The offsets delivered, in order, whatever their partition.
    fn delivered(viewer: &ClientHandle) -> Vec<i64> {
        sent(viewer)
            .iter()
            .filter_map(|s| s.split_once(" [").filter(|(p, _)| p.starts_with('p')))
            .flat_map(|(_, rest)| {
                rest.trim_end_matches(']').split(", ").filter(|s| !s.is_empty()).map(|o| o.parse::<i64>().unwrap())
            })
            .collect::<Vec<_>>()
    }

    #[tokio::test]
    async fn at_max_every_record_is_delivered_in_time_order_across_partitions_and_the_end_is_caught_up() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3), lane(1, 10, 12)], Speed::Max);
        reader.report();
        // Partition 0 is read all at once; partition 1 lags behind it. (Records are more
        // than a slice of race apart: within one, they go out grouped by partition.)
        for (o, ts) in [(0, T0), (1, T0 + 200), (2, T0 + 400)] {
            reader.record(&mut merge, 0, o, at(o, ts));
        }
        merge.reached_end(0);
        reader.release(&mut merge).await.unwrap();
        assert_eq!(sent(&viewer), ["running 0/5 0.0"], "nothing until partition 1 says what comes first");

        reader.record(&mut merge, 1, 10, at(10, T0 + 100));
        reader.record(&mut merge, 1, 11, at(11, T0 + 300));
        merge.reached_end(1);
        reader.release(&mut merge).await.unwrap();
        reader.release(&mut merge).await.unwrap();
        assert_eq!(delivered(&viewer), [0, 10, 1, 11, 2]);
        reader.update_state(&merge);
        assert_eq!(sent(&viewer), ["caught_up 5/5 1.0"]);
        assert_eq!(reader.progress.position_ts, Some(T0 + 400));
    }

    #[tokio::test(start_paused = true)]
    async fn at_2x_five_seconds_of_wall_time_deliver_ten_seconds_of_race() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 200)], Speed::Factor(2.0));
        for o in 0..200 {
            reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
        }
        merge.reached_end(0);
        reader.release(&mut merge).await.unwrap();
        tokio::time::advance(Duration::from_secs(5)).await;
        while reader.release(&mut merge).await.unwrap() {}
        let got = delivered(&viewer);
        assert_eq!(got.last(), Some(&99), "records before T0 + 10 s, and not one more");
        assert_eq!(reader.clock.position(Instant::now()), Some(T0 + 10_000));
        assert_eq!(
            reader.wake(&merge),
            Some(Instant::now() + Duration::from_micros(500)),
            "the next record is at the playhead: due as soon as it moves on"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_paused_replay_delivers_nothing_and_resumes_from_the_same_place() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 100)], Speed::Factor(1.0));
        for o in 0..100 {
            reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
        }
        merge.reached_end(0);
        reader.release(&mut merge).await.unwrap();
        tokio::time::advance(Duration::from_millis(1_000)).await;
        reader.release(&mut merge).await.unwrap();
        reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 0 });
        let before = delivered(&viewer);
        assert_eq!(before.last(), Some(&9), "the records of the first second");

        tokio::time::advance(Duration::from_secs(2)).await;
        reader.release(&mut merge).await.unwrap();
        assert!(delivered(&viewer).is_empty(), "nothing while paused");
        assert_eq!(reader.wake(&merge), None, "and nothing to wake for");

        reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 300 });
        reader.release(&mut merge).await.unwrap();
        assert_eq!(delivered(&viewer), [10, 11, 12], "a step of 300 ms plays three records");

        reader.apply(Controls { paused: false, speed: Speed::Factor(1.0), stepped_ms: 300 });
        tokio::time::advance(Duration::from_millis(200)).await;
        reader.release(&mut merge).await.unwrap();
        assert_eq!(delivered(&viewer), [13, 14], "resumed where it stopped");
    }

    #[tokio::test(start_paused = true)]
    async fn a_step_asked_for_before_the_first_record_is_read_plays_once_the_clock_starts() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 100)], Speed::Factor(1.0));
        reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 500 });
        for o in 0..100 {
            reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
        }
        merge.reached_end(0);
        reader.release(&mut merge).await.unwrap();
        assert_eq!(delivered(&viewer), [0, 1, 2, 3, 4], "half a second of race");
    }

    #[tokio::test]
    async fn a_malformed_record_is_counted_with_its_reason_and_skipped_but_the_replay_moves_past_it() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3)], Speed::Max);
        reader.record(&mut merge, 0, 0, at(0, T0));
        let broken = crate::telemetry::decode(Some(b"{oops"), None, 0).map(|sample| Some(Record { offset: 1, sample }));
        reader.record(&mut merge, 0, 1, broken);
        reader.record(&mut merge, 0, 2, at(2, T0 + 1));
        merge.reached_end(0);
        reader.release(&mut merge).await.unwrap();

        assert_eq!(delivered(&viewer), [0, 2]);
        assert_eq!(reader.progress.malformed, 1);
        let note = reader.progress.last_malformed.as_ref().unwrap();
        assert_eq!(note.offset, 1);
        assert!(note.reason.starts_with("not JSON"), "{}", note.reason);
    }

    #[tokio::test]
    async fn a_reader_whose_viewer_went_back_to_live_is_shut_out() {
        let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3)], Speed::Max);
        viewer.watch_live(Selection::default());
        reader.record(&mut merge, 0, 0, at(0, T0));
        merge.reached_end(0);

        assert!(reader.release(&mut merge).await.is_err(), "the reader learns it should stop");
        reader.report();
        assert!(sent(&viewer).is_empty(), "nothing of the old replay reached the viewer");
    }
}
