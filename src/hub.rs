//! The fan-out hub: who watches what, the recent history of every partition, and one
//! bounded outbox per viewer. A batch is encoded once and its bytes are shared by every
//! viewer that wants it; a slow viewer only ever loses its own oldest live batches.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use bytes::Bytes;
use tokio::sync::Notify;

use crate::{
    protocol::{self, Record, Selection},
    status::{Status, TopicPartition},
};

/// History kept per partition is also bounded in bytes, whatever its time span: at the
/// demo's rate a minute is about 1.5 MB per partition, so this only bites on a flood.
pub const HISTORY_MAX_BYTES_PER_PARTITION: usize = 16 << 20;
/// History kept across all partitions. The group may read up to 64 topics; this keeps
/// their history within a fixed budget by trimming the largest partitions first.
pub const HISTORY_MAX_BYTES_TOTAL: usize = 256 << 20;
/// Control messages waiting for one viewer. They are small and rare (acks, errors,
/// replay progress at 4 Hz); past this the oldest go, which only a stalled viewer sees.
const MAX_PENDING_CONTROL: usize = 256;

/// Cheap to clone; every clone is the same hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    // A std mutex: publishing holds it for a few pushes per viewer and never awaits, and
    // holding it across history and viewers makes subscribe see no gap and no duplicate.
    state: Mutex<State>,
    history_window_ms: i64,
    client_queue_bytes: usize,
    next_id: AtomicU64,
    status: Status,
}

#[derive(Default)]
struct State {
    clients: HashMap<u64, Slot>,
    history: HashMap<TopicPartition, History>,
    /// Sum of every partition's history bytes.
    history_bytes: usize,
}

impl State {
    fn remember(&mut self, tp: &TopicPartition, max_ts: i64, bytes: Bytes, window_ms: i64) {
        let h = self.history.entry(tp.clone()).or_default();
        let before = h.bytes;
        h.push(max_ts, bytes, window_ms);
        self.history_bytes = self.history_bytes + h.bytes - before;
        while self.history_bytes > HISTORY_MAX_BYTES_TOTAL {
            let Some(largest) = self.history.values_mut().max_by_key(|h| h.bytes) else { break };
            let Some((_, b)) = largest.batches.pop_front() else { break };
            largest.bytes -= b.len();
            self.history_bytes -= b.len();
        }
    }
}

struct Slot {
    selection: Selection,
    /// False while the viewer is fed by its own replay reader instead of the group.
    live: bool,
    outbox: Arc<Outbox>,
}

#[derive(Default)]
struct History {
    batches: VecDeque<(i64, Bytes)>,
    bytes: usize,
    newest: i64,
}

impl History {
    fn push(&mut self, max_ts: i64, bytes: Bytes, window_ms: i64) {
        self.bytes += bytes.len();
        self.batches.push_back((max_ts, bytes));
        self.newest = self.newest.max(max_ts);
        let newest = self.newest;
        while let Some((ts, b)) = self.batches.front() {
            if *ts >= newest - window_ms && self.bytes <= HISTORY_MAX_BYTES_PER_PARTITION {
                break;
            }
            self.bytes -= b.len();
            self.batches.pop_front();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Hub {
    pub fn new(status: Status, history_secs: u64, client_queue_bytes: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                history_window_ms: i64::try_from(history_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
                client_queue_bytes,
                next_id: AtomicU64::new(1),
                status,
            }),
        }
    }

    pub fn status(&self) -> &Status {
        &self.inner.status
    }

    /// Encodes a batch of one partition once, keeps it as history and queues it for every
    /// live viewer whose selection holds the partition.
    pub fn publish(&self, tp: &TopicPartition, records: &[Record]) {
        if records.is_empty() {
            return;
        }
        let bytes = protocol::encode_batch(&tp.topic, tp.partition, records);
        let max_ts = records.iter().filter_map(|r| r.sample.ts).max().unwrap_or(0);
        let n = records.len() as u64;
        let mut state = lock(&self.inner.state);
        if self.inner.history_window_ms > 0 {
            state.remember(tp, max_ts, bytes.clone(), self.inner.history_window_ms);
        }
        for slot in state.clients.values() {
            if slot.live && slot.selection.matches(&tp.topic, tp.partition) {
                slot.outbox.push_live(bytes.clone(), n);
            }
        }
    }

    /// Registers a viewer with an empty selection.
    pub fn connect(&self) -> ClientHandle {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let outbox = Arc::new(Outbox::new(self.inner.client_queue_bytes));
        let slot = Slot { selection: Selection::default(), live: true, outbox: outbox.clone() };
        lock(&self.inner.state).clients.insert(id, slot);
        ClientHandle { id, outbox, hub: self.clone(), _gauge: self.inner.status.client_guard() }
    }

    /// Queues a message for every viewer, replacing any not yet sent: only the newest
    /// stats matter.
    pub fn broadcast_stats(&self, bytes: Bytes) {
        for slot in lock(&self.inner.state).clients.values() {
            slot.outbox.set_stats(bytes.clone());
        }
    }

    pub fn client_count(&self) -> usize {
        lock(&self.inner.state).clients.len()
    }
}

/// One viewer's registration; dropping it unregisters the viewer.
pub struct ClientHandle {
    id: u64,
    outbox: Arc<Outbox>,
    hub: Hub,
    _gauge: crate::status::CountGuard,
}

impl ClientHandle {
    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    /// Replaces the selection and switches the viewer to the group's live stream. The
    /// history of the selection is queued first, under the same lock as the switch, so
    /// the viewer sees neither a gap nor a record twice between history and live.
    pub fn watch_live(&self, selection: Selection) {
        let mut state = lock(&self.hub.inner.state);
        let mut history: Vec<&Bytes> = Vec::new();
        for (tp, h) in &state.history {
            if selection.matches(&tp.topic, tp.partition) {
                history.extend(h.batches.iter().map(|(_, b)| b));
            }
        }
        let history: Vec<Bytes> = history.into_iter().cloned().collect();
        self.outbox.restart(history);
        if let Some(slot) = state.clients.get_mut(&self.id) {
            slot.selection = selection;
            slot.live = true;
        }
    }

    /// Stops group data for this viewer, whose own replay reader feeds it from now on.
    pub fn watch_replay(&self) {
        let mut state = lock(&self.hub.inner.state);
        self.outbox.restart(Vec::new());
        if let Some(slot) = state.clients.get_mut(&self.id) {
            slot.live = false;
        }
    }
}

impl Drop for ClientHandle {
    fn drop(&mut self) {
        lock(&self.hub.inner.state).clients.remove(&self.id);
        self.outbox.close();
    }
}

/// Something queued for a viewer, in the order it must be sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A message other than data: acks, errors, replay progress.
    Control(Bytes),
    /// An encoded batch from the history, sent as live data.
    History(Bytes),
    /// An encoded batch from this viewer's replay reader.
    Replay(Bytes),
}

/// Everything taken from an outbox in one go, ready to become frames.
#[derive(Debug, Default)]
pub struct Drained {
    pub items: Vec<Item>,
    pub live: Vec<Bytes>,
    pub stats: Option<Bytes>,
    /// Live records dropped since the previous drain because the viewer fell behind.
    pub dropped: u64,
    pub closed: bool,
}

/// One viewer's queue. Live batches are bounded in bytes and the oldest are dropped when
/// the viewer falls behind, since a race engineer wants the newest values; replay batches
/// are bounded in bytes too but make the replay reader wait, since a replay promises
/// every record.
pub struct Outbox {
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
    live: VecDeque<(Bytes, u64)>,
    live_bytes: usize,
    stats: Option<Bytes>,
    dropped: u64,
    closed: bool,
}

/// The viewer has gone; a replay reader feeding it should stop.
#[derive(Debug, thiserror::Error)]
#[error("the viewer has disconnected")]
pub struct Closed;

impl Outbox {
    pub fn new(cap: usize) -> Self {
        Self { state: Mutex::new(OutboxState::default()), ready: Notify::new(), space: Notify::new(), cap }
    }

    fn push_live(&self, bytes: Bytes, records: u64) {
        let mut s = lock(&self.state);
        if s.closed {
            return;
        }
        s.live_bytes += bytes.len();
        s.live.push_back((bytes, records));
        while s.live_bytes > self.cap {
            let Some((old, n)) = s.live.pop_front() else {
                break;
            };
            s.live_bytes -= old.len();
            s.dropped += n;
        }
        drop(s);
        self.ready.notify_one();
    }

    pub fn push_control(&self, bytes: Bytes) {
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

    fn set_stats(&self, bytes: Bytes) {
        let mut s = lock(&self.state);
        if s.closed {
            return;
        }
        s.stats = Some(bytes);
        drop(s);
        self.ready.notify_one();
    }

    /// The current epoch; a replay reader takes it when it starts and passes it back.
    pub fn epoch(&self) -> u64 {
        lock(&self.state).epoch
    }

    /// Queues a message of the replay started at `epoch`, unless the viewer moved on.
    pub fn push_replay_control(&self, epoch: u64, bytes: Bytes) -> Result<(), Closed> {
        if lock(&self.state).epoch != epoch {
            return Err(Closed);
        }
        self.push_control(bytes);
        Ok(())
    }

    /// Queues a replay batch, waiting while the viewer has a full queue of them. Fails
    /// once the viewer has gone or moved on from the replay started at `epoch`.
    pub async fn push_replay(&self, epoch: u64, bytes: Bytes) -> Result<(), Closed> {
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
    fn restart(&self, history: Vec<Bytes>) {
        let mut s = lock(&self.state);
        s.epoch += 1;
        s.ordered.retain(|i| matches!(i, Item::Control(_)));
        s.replay_bytes = 0;
        s.live.clear();
        s.live_bytes = 0;
        s.ordered.extend(history.into_iter().map(Item::History));
        drop(s);
        self.space.notify_one();
        self.ready.notify_one();
    }

    /// Waits until something is queued or the outbox is closed.
    pub async fn ready(&self) {
        self.ready.notified().await;
    }

    pub fn take(&self) -> Drained {
        let mut s = lock(&self.state);
        let freed_replay = s.replay_bytes > 0;
        let drained = Drained {
            items: s.ordered.drain(..).collect(),
            live: s.live.drain(..).map(|(b, _)| b).collect(),
            stats: s.stats.take(),
            dropped: std::mem::take(&mut s.dropped),
            closed: s.closed,
        };
        s.control = 0;
        s.replay_bytes = 0;
        s.live_bytes = 0;
        drop(s);
        if freed_replay {
            self.space.notify_one();
        }
        drained
    }

    pub fn close(&self) {
        lock(&self.state).closed = true;
        self.ready.notify_one();
        self.space.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{protocol::TopicSelection, telemetry::Sample};

    fn record(offset: i64, ts: i64) -> Record {
        let sample = Sample::minimal("1", ts);
        Record { offset, sample }
    }

    fn select(topic: &str, partitions: Option<Vec<i32>>) -> Selection {
        Selection::new(vec![TopicSelection { topic: topic.into(), partitions }]).unwrap()
    }

    fn offsets(bytes: &Bytes) -> Vec<i64> {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v["records"].as_array().unwrap().iter().map(|r| r["offset"].as_i64().unwrap()).collect()
    }

    #[test]
    fn a_viewer_gets_only_the_partitions_it_chose() {
        let hub = Hub::new(Status::new("g"), 60, 1 << 20);
        let viewer = hub.connect();
        viewer.watch_live(select("t", Some(vec![1])));
        hub.publish(&TopicPartition::new("t", 0), &[record(1, 10)]);
        hub.publish(&TopicPartition::new("t", 1), &[record(2, 10)]);
        hub.publish(&TopicPartition::new("u", 1), &[record(3, 10)]);
        let d = viewer.outbox().take();
        assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn a_new_viewer_gets_the_recent_history_first_then_live_without_overlap() {
        let hub = Hub::new(Status::new("g"), 60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        hub.publish(&tp, &[record(0, 1_000)]);
        hub.publish(&tp, &[record(1, 30_000)]);
        hub.publish(&tp, &[record(2, 62_000)]); // pushes offset 0 out of the 60 s window
        let viewer = hub.connect();
        viewer.watch_live(select("t", None));
        hub.publish(&tp, &[record(3, 63_000)]);
        let d = viewer.outbox().take();
        let history: Vec<i64> = d
            .items
            .iter()
            .flat_map(|i| match i {
                Item::History(b) => offsets(b),
                _ => vec![],
            })
            .collect();
        assert_eq!(history, vec![1, 2]);
        assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn a_stalled_viewer_drops_its_oldest_live_batches_and_others_lose_nothing() {
        let hub = Hub::new(Status::new("g"), 0, 64 * 1024);
        let stalled = hub.connect();
        let healthy = hub.connect();
        stalled.watch_live(select("t", None));
        healthy.watch_live(select("t", None));
        let tp = TopicPartition::new("t", 0);
        for i in 0..2_000 {
            hub.publish(&tp, &[record(i, i)]);
            if i % 100 == 99 {
                let d = healthy.outbox().take();
                assert_eq!(d.dropped, 0);
                assert_eq!(d.live.len(), 100);
            }
        }
        let d = stalled.outbox().take();
        let kept = d.live.iter().flat_map(offsets).collect::<Vec<_>>();
        assert!(d.live.iter().map(Bytes::len).sum::<usize>() <= 64 * 1024, "queue stays within its bound");
        assert_eq!(kept.last(), Some(&1_999), "the newest batch is kept");
        assert_eq!(d.dropped + kept.len() as u64, 2_000, "every record is either kept or counted as dropped");
    }

    #[test]
    fn stats_are_coalesced_to_the_newest() {
        let hub = Hub::new(Status::new("g"), 0, 1 << 20);
        let viewer = hub.connect();
        hub.broadcast_stats(Bytes::from_static(b"1"));
        hub.broadcast_stats(Bytes::from_static(b"2"));
        assert_eq!(viewer.outbox().take().stats, Some(Bytes::from_static(b"2")));
    }

    #[test]
    fn a_disconnected_viewer_is_forgotten() {
        let hub = Hub::new(Status::new("g"), 0, 1 << 20);
        let viewer = hub.connect();
        let outbox = viewer.outbox().clone();
        assert_eq!(hub.client_count(), 1);
        drop(viewer);
        assert_eq!(hub.client_count(), 0);
        assert!(outbox.take().closed);
    }

    #[tokio::test]
    async fn replay_batches_wait_for_room_instead_of_being_dropped() {
        let outbox = Arc::new(Outbox::new(10));
        let epoch = outbox.epoch();
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
        outbox.close();
        assert!(outbox.push_replay(outbox.epoch(), Bytes::from_static(b"x")).await.is_err());
    }
}
