//! One overview reader per viewer that asks: it reads a span of the viewer's selection
//! on a consumer of its own and answers with the minimum and maximum of each channel per
//! time bucket, per car. A newer request replaces it; dropping it stops the reader.

use std::sync::Arc;

use tokio::{sync::OwnedSemaphorePermit, task::JoinHandle};

use crate::{
    config::KafkaArgs,
    hub::Outbox,
    protocol::{OverviewMessage, OverviewRequest, OverviewState, Selection, ServerMessage},
};

/// A running overview; dropping it stops the reader and frees its slot.
pub(crate) struct Overview {
    task: JoinHandle<()>,
    slot: Option<OwnedSemaphorePermit>,
}

impl Overview {
    /// Starts reading `request` over `selection`; answers go to `outbox`. `slot` is one of
    /// the server's bounded reader slots, held for as long as the overview lives.
    pub(crate) fn start(
        _kafka: KafkaArgs,
        _selection: Selection,
        request: OverviewRequest,
        outbox: Arc<Outbox>,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        let task = tokio::spawn(async move {
            let msg = OverviewMessage {
                id: request.id,
                state: OverviewState::Failed,
                progress: 0.0,
                error: Some("overviews are not built yet".into()),
            };
            outbox.push_control(ServerMessage::Overview(&msg).encode());
        });
        Self { task, slot: Some(slot) }
    }

    /// Stops the reader and hands back its slot, for the overview that replaces it.
    pub(crate) fn into_slot(mut self) -> OwnedSemaphorePermit {
        self.task.abort();
        self.slot.take().expect("an overview holds its slot until dropped")
    }
}

impl Drop for Overview {
    fn drop(&mut self) {
        self.task.abort();
    }
}
