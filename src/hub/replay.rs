//! A replaying viewer's feed: where its own replay reader hands records and progress. The
//! hub encodes them, and the viewer's outbox makes the reader wait while the viewer is
//! behind. The feed is bound to the replay it was made for: once the viewer moves on (to
//! live, or to a new replay), it refuses everything, so a stopped reader cannot slip in.
//! It carries the channels the viewer chose for the replay, and encodes only those.

use std::sync::Arc;

use super::{Closed, Outbox};
use crate::{
    channels::choice::Choice,
    playback::ReplayProgress,
    protocol::{DataFormat, ServerMessage},
    telemetry::{Record, TopicPartition},
};

pub(crate) struct ReplayFeed {
    outbox: Arc<Outbox>,
    epoch: u64,
    format: DataFormat,
    /// The channels the viewer chose; every channel when none.
    choice: Option<Choice>,
}

impl ReplayFeed {
    pub(super) fn new(outbox: Arc<Outbox>, epoch: u64, format: DataFormat) -> Self {
        Self { outbox, epoch, format, choice: None }
    }

    /// The feed, sending only the channels of `choice` (every channel when none).
    pub(crate) fn choosing(self, choice: Option<Choice>) -> Self {
        Self { choice, ..self }
    }

    /// Queues consecutive records of one partition, waiting while the viewer has a full
    /// queue of replay data: a replay promises every record, so nothing is dropped. Only
    /// the form this viewer reads is encoded, and the batches of several partitions are
    /// queued as one item.
    pub(crate) async fn send(&mut self, groups: &[(TopicPartition, Vec<Record>)]) -> Result<(), Closed> {
        if groups.is_empty() {
            return Ok(());
        }
        if let Some(choice) = self.choice.as_mut().filter(|c| c.has_others()) {
            // A replay's records share their topic's dictionary: one look per batch.
            let mut last = None;
            for dict in groups.iter().flat_map(|(_, records)| records).filter_map(|r| r.channels.dictionary()) {
                if !last.is_some_and(|l| std::ptr::eq(l, dict)) {
                    choice.resolve(dict);
                    last = Some(dict);
                }
            }
        }
        let bytes = self.format.encode_groups(groups, self.choice.as_ref());
        self.outbox.push_replay(self.epoch, bytes).await
    }

    /// Queues a progress report, in order with the records sent before it.
    pub(crate) fn report(&self, progress: &ReplayProgress) -> Result<(), Closed> {
        self.outbox.push_replay_control(self.epoch, ServerMessage::Replay(progress).encode())
    }
}
