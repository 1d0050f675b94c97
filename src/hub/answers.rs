//! Where a viewer's one-off reads answer: the `range` look-up and the `overview` reader
//! hand their results here, and the hub encodes them into the viewer's outbox as control
//! messages. So Kafka's readers know what they found, never the wire.

use std::sync::Arc;

use super::Outbox;
use crate::{
    overview::Finished,
    playback::RetainedRange,
    protocol::{OverviewMessage, OverviewState, RequestError, ServerMessage},
};

/// Cheap to clone; a clone answers the same viewer.
#[derive(Clone)]
pub(crate) struct Answers {
    outbox: Arc<Outbox>,
}

impl Answers {
    pub(super) fn new(outbox: Arc<Outbox>) -> Self {
        Self { outbox }
    }

    /// Answers a `range` request: what Kafka retains, or why it could not say.
    pub(crate) fn range(&self, answer: Result<RetainedRange, String>) {
        let bytes = match answer {
            Ok(range) => ServerMessage::Range(&range).encode(),
            Err(e) => {
                let error = RequestError::Kafka(e);
                ServerMessage::Error { request: Some("range"), error: error.code(), message: error.to_string() }
                    .encode()
            }
        };
        self.outbox.push_control(bytes);
    }

    /// How far the overview `id` has got: a fraction of its span, and records read.
    pub(crate) fn overview_running(&self, id: Option<u64>, progress: f64, records: u64) {
        self.overview(id, OverviewState::Running, progress, records, None);
    }

    /// Why the overview `id` failed, and how far it had got.
    pub(crate) fn overview_failed(&self, id: Option<u64>, progress: f64, records: u64, error: String) {
        self.overview(id, OverviewState::Failed, progress, records, Some(error));
    }

    /// The summary that answers the overview `id`. It can be megabytes of JSON: call it
    /// off the runtime's threads.
    pub(crate) fn overview_done(&self, id: Option<u64>, finished: Finished) {
        self.outbox.push_control(ServerMessage::Overview(&OverviewMessage::done(id, finished)).encode());
    }

    fn overview(&self, id: Option<u64>, state: OverviewState, progress: f64, records: u64, error: Option<String>) {
        let msg = OverviewMessage { id, state, progress, records, summary: None, error };
        self.outbox.push_control(ServerMessage::Overview(&msg).encode());
    }
}
