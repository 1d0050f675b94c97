//! The task a viewer-driven reader runs as: replays, overviews and range look-ups all
//! share it. It owns the tokio task, the stop flag its blocking reads watch (aborting a
//! task does not stop a thread of `spawn_blocking`), and the reader slot it holds;
//! dropping it stops the reader and frees the slot.

use std::{
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use tokio::{sync::OwnedSemaphorePermit, task::JoinHandle};

use crate::sync::lock;

/// One of the server's bounded reader slots: each reader runs a Kafka consumer of its
/// own, so only so many run at once.
pub(crate) type Slot = OwnedSemaphorePermit;

/// How long a reader keeps its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// For as long as the reader lives: a replay streams on at the live edge.
    WhileAlive,
    /// Until the reader has answered: a finished overview never keeps others waiting.
    UntilDone,
}

/// A running reader; dropping it stops the reader and frees its slot.
pub(crate) struct ReaderTask {
    task: JoinHandle<()>,
    stop: Arc<AtomicBool>,
    slot: Arc<Mutex<Option<Slot>>>,
}

impl ReaderTask {
    /// Spawns `run`, handing it the stop flag, holding `slot` as `hold` says.
    pub(crate) fn spawn<F>(slot: Option<Slot>, hold: Hold, run: impl FnOnce(Arc<AtomicBool>) -> F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let slot = Arc::new(Mutex::new(slot));
        let (reading, held) = (run(stop.clone()), slot.clone());
        let task = tokio::spawn(async move {
            reading.await;
            if hold == Hold::UntilDone {
                drop(lock(&held).take());
            }
        });
        Self { task, stop, slot }
    }

    /// Stops the reader and hands back its slot, for the reader that replaces it; none
    /// when it had none, or had finished and freed it.
    pub(crate) fn into_slot(self) -> Option<Slot> {
        self.stop();
        lock(&self.slot).take()
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.abort();
    }
}

impl Drop for ReaderTask {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::{Semaphore, oneshot};

    use super::*;

    #[tokio::test]
    async fn a_reader_that_answered_frees_its_slot_only_when_it_holds_it_until_done() {
        let slots = Arc::new(Semaphore::new(2));
        let (done_a, answered_a) = oneshot::channel();
        let a = ReaderTask::spawn(slots.clone().try_acquire_owned().ok(), Hold::UntilDone, |_| async move {
            let _ = done_a.send(());
        });
        let (done_b, answered_b) = oneshot::channel();
        let b = ReaderTask::spawn(slots.clone().try_acquire_owned().ok(), Hold::WhileAlive, |_| async move {
            let _ = done_b.send(());
        });
        answered_a.await.unwrap();
        answered_b.await.unwrap();
        let freed = tokio::time::timeout(Duration::from_secs(5), slots.clone().acquire_owned()).await;
        assert!(freed.is_ok(), "the overview-like reader gave its slot back once it answered");
        assert_eq!(slots.available_permits(), 0, "the replay-like reader still holds its own");
        assert!(a.into_slot().is_none());
        assert!(b.into_slot().is_some(), "and hands it to the reader that replaces it");
    }

    #[tokio::test]
    async fn dropping_a_reader_stops_it_and_frees_its_slot() {
        let slots = Arc::new(Semaphore::new(1));
        let (seen_tx, seen_rx) = oneshot::channel();
        let reader = ReaderTask::spawn(slots.clone().try_acquire_owned().ok(), Hold::WhileAlive, |stop| async move {
            let _ = seen_tx.send(stop);
            std::future::pending::<()>().await;
        });
        let stop = seen_rx.await.unwrap();
        assert!(!stop.load(Ordering::Relaxed));
        drop(reader);
        assert!(stop.load(Ordering::Relaxed), "a blocking read watching the flag stops too");
        let freed = tokio::time::timeout(Duration::from_secs(5), slots.acquire_owned()).await;
        assert!(freed.is_ok(), "the slot is free for another viewer");
    }
}
