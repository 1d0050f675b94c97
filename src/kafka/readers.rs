//! The one door for reads a viewer asks for: replays, overviews, `range` look-ups and a
//! lap's samples all start here. [`Readers`] knows how to reach Kafka and decode its
//! records, and owns the bounded reader slots; the web layer hands it requests and keeps
//! the handles it gets back, whose drop stops the reader.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use super::{
    KafkaError,
    lookup::{
        export::{ExportSink, ExportSpans, read_merged},
        lap::{LapRead, lap_samples},
        overview::{Overview, plan},
        range,
    },
    replay::{Playback, Replay},
    shared::read::{Ended, Span},
    task::{Hold, ReaderTask, Slot},
};
use crate::{
    config::KafkaArgs,
    hub::{Answers, ReplayFeed},
    laps::{LapIndex, LapSpan},
    mapping::Decoder,
    overview::OverviewRequest,
    selection::{Selection, TopicSelection},
    status::Status,
};

/// An export that has not read its span by then ends, failed: a release build exports
/// a million records in seconds, so this is a client that stopped reading, or a broker
/// that stopped answering.
const EXPORT_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// What every viewer-driven reader is made from: how to reach Kafka, how its records
/// decode (by a topic's mapping, or the contract), and where each car's laps begin.
#[derive(Clone)]
pub(crate) struct ReaderSetup {
    pub kafka: KafkaArgs,
    pub decoder: Decoder,
    pub laps: LapIndex,
}

/// Starts every viewer-driven Kafka read. Cheap to clone; every clone shares the slots.
#[derive(Clone)]
pub(crate) struct Readers {
    setup: ReaderSetup,
    status: Status,
    /// Replays and overviews each run a Kafka consumer of their own, so only so many
    /// run at once; the bound is `--max-replays`.
    slots: Arc<Semaphore>,
}

impl Readers {
    pub(crate) fn new(setup: ReaderSetup, status: Status, max_readers: usize) -> Self {
        Self { setup, status, slots: Arc::new(Semaphore::new(max_readers)) }
    }

    /// A slot for a new reader: the one `replacing` held (the reader it replaces, already
    /// stopped), else a free one; none when every slot is taken.
    pub(crate) fn slot(&self, replacing: Option<Slot>) -> Option<Slot> {
        replacing.or_else(|| self.slots.clone().try_acquire_owned().ok())
    }

    /// Plays `playback` of `selection` into `feed`, holding `slot` while it lives.
    pub(crate) fn replay(&self, selection: Selection, playback: Playback, feed: ReplayFeed, slot: Slot) -> Replay {
        Replay::start(self.setup.clone(), selection, playback, feed, &self.status, slot)
    }

    /// Summarises `request` over `selection`, answering through `answers`; `slot` is
    /// freed once it has answered.
    pub(crate) fn overview(
        &self,
        selection: Selection,
        request: OverviewRequest,
        answers: Answers,
        slot: Slot,
    ) -> Overview {
        Overview::start(self.setup.clone(), selection, request, answers, slot)
    }

    /// Looks up what Kafka retains of `selection` and answers through `answers`. Short,
    /// so it takes no slot; dropping the handle abandons it.
    pub(crate) fn range(&self, selection: Selection, answers: Answers) -> ReaderTask {
        let kafka = self.setup.kafka.clone();
        ReaderTask::spawn(None, Hold::UntilDone, move |_| async move {
            answers.range(range::retained(&kafka, &selection).await.map_err(|e| e.to_string()));
        })
    }

    /// The samples of `car` over `span` of `topic`: one timed lap, with the sample either
    /// side of it; or where the partition starts now, when retention deleted the lap.
    pub(crate) async fn lap_samples(&self, topic: String, car: String, span: LapSpan) -> Result<LapRead, KafkaError> {
        let (kafka, decoder) = (self.setup.kafka.clone(), self.setup.decoder.clone());
        tokio::task::spawn_blocking(move || lap_samples(&kafka, &decoder, &topic, &car, &span)).await?
    }

    /// Each partition's span of `topic` from the first record at or after `from_ts` to
    /// the last before `until_ts` (Kafka timestamps; from the low to the high watermark
    /// without them).
    pub(crate) async fn export_spans(
        &self,
        topic: String,
        from_ts: Option<i64>,
        until_ts: Option<i64>,
    ) -> Result<Vec<Span>, KafkaError> {
        let kafka = self.setup.kafka.clone();
        let selection = Selection::new(vec![TopicSelection { topic: topic.clone(), partitions: None }])
            .map_err(|_| KafkaError::UnknownTopic(topic))?;
        tokio::task::spawn_blocking(move || plan(&kafka, &selection, from_ts, until_ts)).await?
    }

    /// Reads `what` into `sink` in time order, holding at most about `budget` records,
    /// then hands the sink and how the read ended to `done`. Holds `slot` until done;
    /// dropping the handle stops the read. Counted in `exports_running` for as long as
    /// the read itself runs.
    pub(crate) fn export<S: ExportSink + Send + 'static>(
        &self,
        what: ExportSpans,
        budget: usize,
        slot: Slot,
        sink: S,
        done: impl FnOnce(S, Result<Ended, KafkaError>) + Send + 'static,
    ) -> ReaderTask {
        let (kafka, decoder, status) = (self.setup.kafka.clone(), self.setup.decoder.clone(), self.status.clone());
        ReaderTask::spawn(Some(slot), Hold::UntilDone, move |stop| async move {
            let running = status.export_guard();
            let reading = tokio::task::spawn_blocking(move || {
                let _running = running;
                let mut sink = sink;
                let deadline = Instant::now() + EXPORT_DEADLINE;
                let ended = read_merged(&kafka, &decoder, &what, budget, deadline, &stop, &mut sink);
                done(sink, ended);
            });
            let _ = reading.await;
        })
    }
}
