//! One replay reader per replaying viewer: a player for what Kafka retains. It assigns the
//! viewer's partitions where the replay starts (`from`) on a consumer of its own (no
//! group, no commits, so neither the group nor any other viewer notices), merges them in
//! time order ([`merge`]), paces them by their `ts` at the chosen speed ([`clock`]),
//! pauses, steps and changes speed on request, waits when the viewer is slow, and reports
//! progress. Once it has delivered everything Kafka holds it streams new records as they
//! come: the replay has reached the live edge. Where each partition starts is [`start`]'s;
//! the loop that does the rest is [`reader`]'s; [`Replay`] is the viewer's handle on it.

mod clock;
pub(in crate::kafka) mod merge;
mod reader;
mod start;

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use tokio::sync::watch;
use tracing::{debug, info};

use super::{
    KafkaError, ReaderSetup,
    task::{Hold, ReaderTask, Slot},
};
use crate::{
    hub::{Closed, ReplayFeed},
    playback::{ReplayFrom, Speed},
    selection::Selection,
    status::Status,
};
use reader::Reader;
use start::StartError;

/// How often progress is reported while a replay runs.
pub(crate) const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// Records a replay holds read ahead of its playhead, over all its partitions (about
/// 600 bytes each with the simulator's channels: some 12 MB), besides what librdkafka has
/// prefetched. Still 50 s of a 20-car race at 20 Hz, far more than merging the partitions
/// in time needs (50,000, with a deeper prefetch, held 50 to 80 MB more at no less CPU).
const READ_AHEAD: usize = 20_000;
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
