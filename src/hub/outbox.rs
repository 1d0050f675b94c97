//! One viewer's bounded queue of what is still to be sent to it.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::Instant,
};

use crate::{
    stages::{self, Stage},
    sync::lock,
};
use bytes::Bytes;
use tokio::sync::Notify;

/// Control messages waiting for one viewer. They are small and rare (acks, errors,
/// replay progress at 4 Hz); past this the oldest go, which only a stalled viewer sees.
const MAX_PENDING_CONTROL: usize = 256;

/// Something queued for a viewer, in the order it must be sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A message other than data: acks, errors, replay progress.
    Control(Bytes),
    /// An encoded batch from the history, sent as live data.
    History(Bytes),
    /// An encoded batch from this viewer's replay reader.
    Replay(Bytes),
}

/// Everything taken from an outbox in one go, ready to become frames.
#[derive(Debug, Default)]
pub(crate) struct Drained {
    pub items: Vec<Item>,
    pub live: Vec<Bytes>,
    pub stats: Option<Bytes>,
    /// Live records dropped since the previous drain because the viewer fell behind.
    pub dropped: u64,
    pub closed: bool,
}

/// One viewer's queue. Live batches are bounded in bytes. When a viewer falls behind, the
/// queue coalesces to the latest values: it drops the oldest batch of a partition that
/// has a newer batch queued (every car keeps its newest values), and only then the oldest
/// of all; drops are counted and reported. Replay batches are bounded in bytes too but
/// make the replay reader wait, since a replay promises every record. A viewer that
/// stops reading altogether is disconnected by its session (`--stall-timeout-secs`).
pub(crate) struct Outbox {
    state: Mutex<OutboxState>,
    ready: Notify,
    space: Notify,
    cap: usize,
}

#[derive(Default)]
struct OutboxState {
    /// Bumped on every restart, so a replay reader that was stopped cannot slip a late
    /// batch in after the viewer moved on.
    epoch: u64,
    ordered: VecDeque<Item>,
    control: usize,
    replay_bytes: usize,
    live: VecDeque<LiveBatch>,
    /// Queued live batches per partition key, to find superseded ones quickly.
    live_per_key: HashMap<u64, usize>,
    live_bytes: usize,
    stats: Option<Bytes>,
    dropped: u64,
    closed: bool,
}

struct LiveBatch {
    bytes: Bytes,
    records: u64,
    /// Which partition the batch is of (a hash; equal for equal partitions).
    key: u64,
    /// When it was queued, while stage times are taken ([`stages`]).
    queued: Option<Instant>,
}

/// The viewer has gone; a replay reader feeding it should stop.
#[derive(Debug, thiserror::Error)]
#[error("the viewer has disconnected")]
pub(crate) struct Closed;

impl Outbox {
    pub(crate) fn new(cap: usize) -> Self {
        Self { state: Mutex::new(OutboxState::default()), ready: Notify::new(), space: Notify::new(), cap }
    }

    /// Queues a live batch of the partition `key` stands for.
    pub(super) fn push_live(&self, bytes: Bytes, records: u64, key: u64) {
        let mut s = lock(&self.state);
        if s.closed {
            return;
        }
        s.live_bytes += bytes.len();
        *s.live_per_key.entry(key).or_default() += 1;
        s.live.push_back(LiveBatch { bytes, records, key, queued: stages::enabled().then(Instant::now) });
        while s.live_bytes > self.cap {
            // The oldest batch whose partition has a newer one queued, else the oldest.
            let superseded = s.live.iter().position(|b| s.live_per_key.get(&b.key).is_some_and(|&n| n > 1));
            let Some(old) = s.live.remove(superseded.unwrap_or(0)) else { break };
            s.live_bytes -= old.bytes.len();
            s.dropped += old.records;
            if let Some(n) = s.live_per_key.get_mut(&old.key) {
                *n -= 1;
                if *n == 0 {
                    s.live_per_key.remove(&old.key);
                }
            }
        }
        drop(s);
        self.ready.notify_one();
    }

    pub(crate) fn push_control(&self, bytes: Bytes) {
        let mut s = lock(&self.state);
        if s.closed {
            return;
        }
        if s.control >= MAX_PENDING_CONTROL
            && let Some(pos) = s.ordered.iter().position(|i| matches!(i, Item::Control(_)))
        {
            s.ordered.remove(pos);
            s.control -= 1;
        }
        s.ordered.push_back(Item::Control(bytes));
        s.control += 1;
        drop(s);
        self.ready.notify_one();
    }

    pub(super) fn set_stats(&self, bytes: Bytes) {
        let mut s = lock(&self.state);
        if s.closed {
            return;
        }
        s.stats = Some(bytes);
        drop(s);
        self.ready.notify_one();
    }

    /// Queues a message of the replay started at `epoch`, unless the viewer moved on.
    pub(super) fn push_replay_control(&self, epoch: u64, bytes: Bytes) -> Result<(), Closed> {
        if lock(&self.state).epoch != epoch {
            return Err(Closed);
        }
        self.push_control(bytes);
        Ok(())
    }

    /// Queues a replay batch, waiting while the viewer has a full queue of them. Fails
    /// once the viewer has gone or moved on from the replay started at `epoch`.
    pub(super) async fn push_replay(&self, epoch: u64, bytes: Bytes) -> Result<(), Closed> {
        loop {
            {
                let mut s = lock(&self.state);
                if s.closed || s.epoch != epoch {
                    return Err(Closed);
                }
                if s.replay_bytes == 0 || s.replay_bytes + bytes.len() <= self.cap {
                    s.replay_bytes += bytes.len();
                    s.ordered.push_back(Item::Replay(bytes));
                    drop(s);
                    self.ready.notify_one();
                    return Ok(());
                }
            }
            // notify_one keeps a permit, so a drain between the check and this await
            // still wakes us.
            self.space.notified().await;
        }
    }

    /// Drops every queued data item and queues `history` instead; control messages stay.
    /// Returns the new epoch: only a replay started now may feed the viewer.
    pub(super) fn restart(&self, history: Vec<Bytes>) -> u64 {
        let mut s = lock(&self.state);
        s.epoch += 1;
        let epoch = s.epoch;
        s.ordered.retain(|i| matches!(i, Item::Control(_)));
        s.replay_bytes = 0;
        s.live.clear();
        s.live_per_key.clear();
        s.live_bytes = 0;
        s.ordered.extend(history.into_iter().map(Item::History));
        drop(s);
        self.space.notify_one();
        self.ready.notify_one();
        epoch
    }

    /// Waits until something is queued or the outbox is closed.
    pub(crate) async fn ready(&self) {
        self.ready.notified().await;
    }

    pub(crate) fn take(&self) -> Drained {
        let mut s = lock(&self.state);
        let freed_replay = s.replay_bytes > 0;
        let drained = Drained {
            items: s.ordered.drain(..).collect(),
            live: s
                .live
                .drain(..)
                .map(|b| {
                    if let Some(queued) = b.queued {
                        stages::record(Stage::Outbox, queued.elapsed(), b.records);
                    }
                    b.bytes
                })
                .collect(),
            stats: s.stats.take(),
            dropped: std::mem::take(&mut s.dropped),
            closed: s.closed,
        };
        s.control = 0;
        s.replay_bytes = 0;
        s.live_bytes = 0;
        s.live_per_key.clear();
        drop(s);
        if freed_replay {
            self.space.notify_one();
        }
        drained
    }

    pub(crate) fn close(&self) {
        lock(&self.state).closed = true;
        self.ready.notify_one();
        self.space.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn replay_batches_wait_for_room_instead_of_being_dropped() {
        let outbox = Arc::new(Outbox::new(10));
        let epoch = outbox.restart(Vec::new());
        outbox.push_replay(epoch, Bytes::from_static(b"12345678")).await.unwrap();
        let pusher = {
            let outbox = outbox.clone();
            tokio::spawn(async move { outbox.push_replay(epoch, Bytes::from_static(b"abcdefgh")).await })
        };
        tokio::task::yield_now().await;
        assert!(!pusher.is_finished(), "the second batch waits: the queue is full");
        assert_eq!(outbox.take().items, vec![Item::Replay(Bytes::from_static(b"12345678"))]);
        pusher.await.unwrap().unwrap();
        assert_eq!(outbox.take().items, vec![Item::Replay(Bytes::from_static(b"abcdefgh"))]);
        outbox.restart(Vec::new());
        assert!(outbox.push_replay(epoch, Bytes::from_static(b"late")).await.is_err(), "a stopped replay is shut out");
        assert!(outbox.take().items.is_empty());
        let epoch = outbox.restart(Vec::new());
        outbox.close();
        assert!(outbox.push_replay(epoch, Bytes::from_static(b"x")).await.is_err());
    }

    #[test]
    fn a_viewer_that_falls_behind_keeps_the_newest_batch_of_every_partition() {
        let outbox = Outbox::new(40);
        let batch = |tag: &'static str| Bytes::from_static(tag.as_bytes());
        outbox.push_live(batch("p1-old...."), 1, 1); // 10 bytes each
        outbox.push_live(batch("p2-only..."), 1, 2);
        outbox.push_live(batch("p1-mid...."), 1, 1);
        outbox.push_live(batch("p1-new...."), 1, 1);
        outbox.push_live(batch("p3-only..."), 1, 3); // 50 bytes: one must go
        outbox.push_live(batch("p1-newest."), 1, 1); // and another
        let d = outbox.take();
        let kept: Vec<&[u8]> = d.live.iter().map(|b| &b[..]).collect();
        assert_eq!(kept, vec![&b"p2-only..."[..], b"p1-new....", b"p3-only...", b"p1-newest."]);
        assert_eq!(d.dropped, 2, "the two oldest batches of partition 1 went");
    }
}
