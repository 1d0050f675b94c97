//! The replay reader's loop: it plans where each partition starts, assigns them on a
//! consumer of its own, and each turn acts on the viewer's controls, takes what Kafka has
//! sent ([`intake`]), releases what the clock says is due into the viewer's feed, and
//! reports progress.

mod intake;
#[cfg(test)]
mod tests;

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicI64, Ordering},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer, StreamConsumer, stream_consumer::StreamPartitionQueue},
};
use tokio::{sync::watch, time::Instant};
use tracing::info;

use super::{
    Controls, PROGRESS_INTERVAL, Playback, READ_AHEAD, ReplayError, SLICES_PER_TURN, UNKNOWN,
    clock::Clock,
    merge::{Head, MAX_SPEED_SLICE_MS, Merge, SLICE_MS},
    start::{self, StartError},
};
use crate::{
    config::KafkaArgs,
    hub::{Closed, ReplayFeed},
    kafka::{
        KafkaError, admin,
        shared::client::{self, ReaderContext, now_ms},
    },
    laps::LapIndex,
    mapping::Decoder,
    playback::{ReplayFrom, ReplayProgress, ReplayState, Speed},
    selection::Selection,
    telemetry::{Record, TopicPartition},
};
use intake::next_record;

/// One replay's reader: what it has read, where its playhead is, and what it has told
/// the viewer.
pub(super) struct Reader {
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
    pub(super) fn new(
        feed: ReplayFeed,
        playback: &Playback,
        shown: Arc<AtomicI64>,
        decoder: Decoder,
        laps: LapIndex,
    ) -> Self {
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

    pub(super) async fn run(
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
                let c: BaseConsumer<ReaderContext> = client::reader(&kafka, "trackside-replay")?;
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
        // per partition queue, here to share 16 MiB among the partitions.
        let per_partition_kb = client::prefetch_per_partition_kb(merge.lanes().len());
        let consumer: StreamConsumer<ReaderContext> = client::reader_config_with(
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

    pub(super) fn failed(&mut self, error: String) {
        self.progress.state = ReplayState::Failed;
        self.progress.error = Some(error);
        self.report();
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
