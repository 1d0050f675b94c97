//! The fan-out hub: who watches what, the recent history of every partition, and one
//! bounded outbox per viewer. A batch is encoded once and its bytes are shared by every
//! viewer that wants it; a slow viewer only ever loses its own oldest live batches.

mod history;
mod outbox;
mod replay;

use history::{Batch, Histories};
pub(crate) use outbox::{Closed, Drained, Item, Outbox};
pub(crate) use replay::ReplayFeed;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use bytes::Bytes;

use crate::{
    protocol::{self, Selection},
    telemetry::{Record, TopicPartition},
};

/// Backfilled records are kept in batches of this many, the size of a busy live batch.
const BACKFILL_BATCH_RECORDS: usize = 1_000;

/// Cheap to clone; every clone is the same hub.
#[derive(Clone)]
pub(crate) struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    // A std mutex: publishing holds it for a few pushes per viewer and never awaits, and
    // holding it across history and viewers makes subscribe see no gap and no duplicate.
    state: Mutex<State>,
    client_queue_bytes: usize,
    next_id: AtomicU64,
}

struct State {
    clients: HashMap<u64, Slot>,
    history: Histories,
}

struct Slot {
    selection: Selection,
    /// False while the viewer is fed by its own replay reader instead of the group.
    live: bool,
    outbox: Arc<Outbox>,
}

/// A short name for a partition, for outboxes to tell batches of one partition apart.
fn partition_key(tp: &TopicPartition) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(tp)
}

/// Encodes consecutive records of one partition, once.
fn encode(tp: &TopicPartition, records: &[Record]) -> Option<Batch> {
    let (first, last) = (records.first()?, records.last()?);
    Some(Batch {
        first_offset: first.offset,
        last_offset: last.offset,
        max_ts: records.iter().filter_map(|r| r.sample.ts).max().unwrap_or(0),
        bytes: protocol::encode_batch(&tp.topic, tp.partition, records),
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Hub {
    pub(crate) fn new(history_secs: u64, client_queue_bytes: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    clients: HashMap::new(),
                    history: Histories::new(i64::try_from(history_secs.saturating_mul(1000)).unwrap_or(i64::MAX)),
                }),
                client_queue_bytes,
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// Encodes a batch of one partition once, keeps it as history and queues it for every
    /// live viewer whose selection holds the partition.
    pub(crate) fn publish(&self, tp: &TopicPartition, records: &[Record]) {
        // Only the group's task publishes, so reading the backfill mark before taking the
        // lock again cannot race with another publish; a backfill merging in between only
        // ever sets the mark on an empty history, which this batch then follows.
        let skip_below = lock(&self.inner.state).history.skip_below(tp);
        let records = match skip_below {
            Some(below) => &records[records.partition_point(|r| r.offset < below)..],
            None => records,
        };
        let Some(batch) = encode(tp, records) else { return };
        let (bytes, n, key) = (batch.bytes.clone(), records.len() as u64, partition_key(tp));
        let mut state = lock(&self.inner.state);
        if state.history.enabled() {
            state.history.append(tp, batch);
        }
        for slot in state.clients.values() {
            if slot.live && slot.selection.matches(&tp.topic, tp.partition) {
                slot.outbox.push_live(bytes.clone(), n, key);
            }
        }
    }

    /// Adds records read from Kafka to the history, older than anything the group has
    /// delivered for the partition; records the history already covers are left out.
    /// When the group has delivered nothing for the partition yet, live viewers get them
    /// at once; otherwise they are older than what viewers hold, and viewers see them when
    /// they next choose what to watch. Returns how many were kept.
    pub(crate) fn backfill(&self, tp: &TopicPartition, records: &[Record]) -> usize {
        let key = partition_key(tp);
        let cutoff = lock(&self.inner.state).history.first_offset(tp).unwrap_or(i64::MAX);
        let older = &records[..records.partition_point(|r| r.offset < cutoff)];
        // Encoding happens outside the lock, in chunks the size of live batches.
        let batches: Vec<Batch> = older.chunks(BACKFILL_BATCH_RECORDS).filter_map(|c| encode(tp, c)).collect();
        let mut state = lock(&self.inner.state);
        // The group may have delivered more in the meantime.
        let cutoff = state.history.first_offset(tp).unwrap_or(i64::MAX);
        let batches: Vec<Batch> = batches.into_iter().filter(|b| b.last_offset < cutoff).collect();
        let kept = batches.iter().map(|b| b.last_offset - b.first_offset + 1).sum::<i64>();
        if !state.history.enabled() || batches.is_empty() {
            return 0;
        }
        if cutoff == i64::MAX {
            for slot in state.clients.values().filter(|s| s.live && s.selection.matches(&tp.topic, tp.partition)) {
                for b in &batches {
                    slot.outbox.push_live(b.bytes.clone(), (b.last_offset - b.first_offset + 1).unsigned_abs(), key);
                }
            }
        }
        state.history.prepend(tp, batches);
        usize::try_from(kept).unwrap_or(0)
    }

    /// Registers a viewer with an empty selection.
    pub(crate) fn connect(&self) -> ClientHandle {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let outbox = Arc::new(Outbox::new(self.inner.client_queue_bytes));
        let slot = Slot { selection: Selection::default(), live: true, outbox: outbox.clone() };
        lock(&self.inner.state).clients.insert(id, slot);
        ClientHandle { id, outbox, hub: self.clone() }
    }

    /// Queues a message for every viewer, replacing any not yet sent: only the newest
    /// stats matter.
    pub(crate) fn broadcast_stats(&self, bytes: Bytes) {
        for slot in lock(&self.inner.state).clients.values() {
            slot.outbox.set_stats(bytes.clone());
        }
    }

    /// Queues `bytes` as a control message for every viewer whose selection has `topic`.
    pub(crate) fn broadcast_to_topic(&self, topic: &str, bytes: Bytes) {
        for slot in lock(&self.inner.state).clients.values() {
            if slot.selection.topics().any(|t| t == topic) {
                slot.outbox.push_control(bytes.clone());
            }
        }
    }

    #[cfg(test)]
    fn client_count(&self) -> usize {
        lock(&self.inner.state).clients.len()
    }
}

/// One viewer's registration; dropping it unregisters the viewer.
pub(crate) struct ClientHandle {
    id: u64,
    outbox: Arc<Outbox>,
    hub: Hub,
}

impl ClientHandle {
    pub(crate) fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    /// Replaces the selection and switches the viewer to the group's live stream. The
    /// history of the selection is queued first, under the same lock as the switch, so
    /// the viewer sees neither a gap nor a record twice between history and live.
    pub(crate) fn watch_live(&self, selection: Selection) {
        let mut state = lock(&self.hub.inner.state);
        self.outbox.restart(state.history.matching(&selection));
        if let Some(slot) = state.clients.get_mut(&self.id) {
            slot.selection = selection;
            slot.live = true;
        }
    }

    /// Stops group data for this viewer and returns the feed its own replay reader feeds
    /// it through from now on. A feed taken earlier is shut out from here on.
    pub(crate) fn watch_replay(&self) -> ReplayFeed {
        let mut state = lock(&self.hub.inner.state);
        let epoch = self.outbox.restart(Vec::new());
        if let Some(slot) = state.clients.get_mut(&self.id) {
            slot.live = false;
        }
        ReplayFeed::new(self.outbox.clone(), epoch)
    }
}

impl Drop for ClientHandle {
    fn drop(&mut self) {
        lock(&self.hub.inner.state).clients.remove(&self.id);
        self.outbox.close();
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

    /// Offsets of the history batches queued for a viewer.
    fn history_offsets(d: &Drained) -> Vec<i64> {
        d.items
            .iter()
            .flat_map(|i| match i {
                Item::History(b) => offsets(b),
                _ => vec![],
            })
            .collect()
    }

    #[test]
    fn a_viewer_gets_only_the_partitions_it_chose() {
        let hub = Hub::new(60, 1 << 20);
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
        let hub = Hub::new(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        hub.publish(&tp, &[record(0, 1_000)]);
        hub.publish(&tp, &[record(1, 30_000)]);
        hub.publish(&tp, &[record(2, 62_000)]); // pushes offset 0 out of the 60 s window
        let viewer = hub.connect();
        viewer.watch_live(select("t", None));
        hub.publish(&tp, &[record(3, 63_000)]);
        let d = viewer.outbox().take();
        assert_eq!(history_offsets(&d), vec![1, 2]);
        assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn a_stalled_viewer_drops_its_oldest_live_batches_and_others_lose_nothing() {
        let hub = Hub::new(0, 64 * 1024);
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
        let hub = Hub::new(0, 1 << 20);
        let viewer = hub.connect();
        hub.broadcast_stats(Bytes::from_static(b"1"));
        hub.broadcast_stats(Bytes::from_static(b"2"));
        assert_eq!(viewer.outbox().take().stats, Some(Bytes::from_static(b"2")));
    }

    #[test]
    fn a_disconnected_viewer_is_forgotten() {
        let hub = Hub::new(0, 1 << 20);
        let viewer = hub.connect();
        let outbox = viewer.outbox().clone();
        assert_eq!(hub.client_count(), 1);
        drop(viewer);
        assert_eq!(hub.client_count(), 0);
        assert!(outbox.take().closed);
    }

    #[test]
    fn a_backfill_and_the_live_stream_never_repeat_a_record() {
        let hub = Hub::new(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        let early = hub.connect();
        early.watch_live(select("t", None));
        // The backfill read offsets 0..5 while the group, assigned earlier, sits at 3.
        assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 5);
        hub.publish(&tp, &(3..8).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>());
        let live: Vec<i64> = early.outbox().take().live.iter().flat_map(offsets).collect();
        assert_eq!(live, (0..8).collect::<Vec<_>>(), "a viewer already watching gets the backfill, then live");

        let late = hub.connect();
        late.watch_live(select("t", None));
        assert_eq!(history_offsets(&late.outbox().take()), (0..8).collect::<Vec<_>>());
        // A second backfill of the same range adds nothing.
        assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 0);
    }
}
