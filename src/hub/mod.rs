//! The fan-out hub: who watches what, the recent history of every partition, and one
//! bounded outbox per viewer. A batch is encoded once and its bytes are shared by every
//! viewer that wants it; a slow viewer only ever loses its own oldest live batches.

mod answers;
mod history;
mod outbox;
mod replay;

pub(crate) use answers::Answers;
use history::{Batch, Histories};
pub(crate) use outbox::{Closed, Drained, Item, Outbox};
pub(crate) use replay::ReplayFeed;

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use bytes::Bytes;

use crate::{
    protocol::{DataFormat, Encoded},
    selection::Selection,
    sync::lock,
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
    /// The topics Kafka is read for; see [`Hub::read_topics`].
    reading: BTreeSet<String>,
    /// Per partition of those topics, the offset after the newest record delivered.
    next: HashMap<TopicPartition, i64>,
}

struct Slot {
    selection: Selection,
    /// The form this viewer reads `data` in.
    format: DataFormat,
    /// False while the viewer is fed by its own replay reader instead of the group.
    live: bool,
    outbox: Arc<Outbox>,
}

/// A short name for a partition, for outboxes to tell batches of one partition apart.
fn partition_key(tp: &TopicPartition) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(tp)
}

/// Encodes consecutive records of one partition, once in each form.
fn encode(tp: &TopicPartition, records: &[Record]) -> Option<Batch> {
    let (first, last) = (records.first()?, records.last()?);
    Some(Batch {
        first_offset: first.offset,
        last_offset: last.offset,
        max_ts: records.iter().filter_map(|r| r.sample.ts).max().unwrap_or(0),
        bytes: Encoded::new(&tp.topic, tp.partition, records),
    })
}

impl Hub {
    pub(crate) fn new(history_secs: u64, client_queue_bytes: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    clients: HashMap::new(),
                    history: Histories::new(i64::try_from(history_secs.saturating_mul(1000)).unwrap_or(i64::MAX)),
                    reading: BTreeSet::new(),
                    next: HashMap::new(),
                }),
                client_queue_bytes,
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// Sets the topics Kafka is read for (at most the server's bound on topics watched at
    /// once). The history and offsets of a topic that leaves are dropped, and records of a
    /// topic not in the set are refused, so a reader that has not yet stopped reading a
    /// topic that left cannot bring it back. Set before any reader reads a new topic.
    pub(crate) fn read_topics(&self, topics: &BTreeSet<String>) {
        let mut state = lock(&self.inner.state);
        let gone: Vec<String> = state.reading.difference(topics).cloned().collect();
        for topic in &gone {
            state.history.forget(topic);
            state.next.retain(|tp, _| tp.topic != *topic);
        }
        state.reading = topics.clone();
    }

    /// The offset after the newest record of `tp` this hub has: where a reader that takes
    /// the partition over starts, so there is no gap. `None` before any.
    pub(crate) fn next_offset(&self, tp: &TopicPartition) -> Option<i64> {
        lock(&self.inner.state).next.get(tp).copied()
    }

    /// Encodes a batch of one partition once, keeps it as history and queues it for every
    /// live viewer whose selection holds the partition. Records this hub already has (two
    /// readers overlap for a moment while a partition changes hands between the group and
    /// the follower) are left out, so every viewer gets each offset once. Returns how many
    /// records were new.
    pub(crate) fn publish(&self, tp: &TopicPartition, records: &[Record]) -> usize {
        let next = {
            let state = lock(&self.inner.state);
            if !state.reading.contains(&tp.topic) {
                return 0;
            }
            state.next.get(tp).copied()
        };
        let fresh = |next: Option<i64>| match next {
            Some(next) => &records[records.partition_point(|r| r.offset < next)..],
            None => records,
        };
        // Encoding happens outside the lock.
        let mut records = fresh(next);
        let Some(mut batch) = encode(tp, records) else { return 0 };
        let mut state = lock(&self.inner.state);
        if !state.reading.contains(&tp.topic) {
            return 0;
        }
        let now = state.next.get(tp).copied();
        if now != next {
            // The other reader delivered some of these meanwhile: rare, so encoded again here.
            records = fresh(now);
            let Some(again) = encode(tp, records) else { return 0 };
            batch = again;
        }
        state.next.insert(tp.clone(), batch.last_offset + 1);
        let (bytes, n, key) = (batch.bytes.clone(), records.len() as u64, partition_key(tp));
        if state.history.enabled() {
            state.history.append(tp, batch);
        }
        for slot in state.clients.values() {
            if slot.live && slot.selection.matches(&tp.topic, tp.partition) {
                slot.outbox.push_live(bytes.get(slot.format).clone(), n, key);
            }
        }
        records.len()
    }

    /// Adds records read from Kafka to the history, older than anything the group has
    /// delivered for the partition; records the history already covers are left out.
    /// When nothing has been delivered for the partition yet, live viewers get them at
    /// once; otherwise they are older than what viewers hold, and viewers see them when
    /// they next choose what to watch. Returns how many were kept.
    pub(crate) fn backfill(&self, tp: &TopicPartition, records: &[Record]) -> usize {
        let key = partition_key(tp);
        let cutoff = |state: &State| state.history.first_offset(tp).or(state.next.get(tp).copied()).unwrap_or(i64::MAX);
        let first_cutoff = cutoff(&lock(&self.inner.state));
        let older = &records[..records.partition_point(|r| r.offset < first_cutoff)];
        // Encoding happens outside the lock, in chunks the size of live batches.
        let batches: Vec<Batch> = older.chunks(BACKFILL_BATCH_RECORDS).filter_map(|c| encode(tp, c)).collect();
        let mut state = lock(&self.inner.state);
        // The group may have delivered more in the meantime.
        let cutoff = cutoff(&state);
        let batches: Vec<Batch> = batches.into_iter().filter(|b| b.last_offset < cutoff).collect();
        let kept = batches.iter().map(|b| b.last_offset - b.first_offset + 1).sum::<i64>();
        if !state.history.enabled() || batches.is_empty() || !state.reading.contains(&tp.topic) {
            return 0;
        }
        if !state.next.contains_key(tp) {
            for slot in state.clients.values().filter(|s| s.live && s.selection.matches(&tp.topic, tp.partition)) {
                for b in &batches {
                    let n = (b.last_offset - b.first_offset + 1).unsigned_abs();
                    slot.outbox.push_live(b.bytes.get(slot.format).clone(), n, key);
                }
            }
            if let Some(last) = batches.last() {
                state.next.insert(tp.clone(), last.last_offset + 1);
            }
        }
        state.history.prepend(tp, batches);
        usize::try_from(kept).unwrap_or(0)
    }

    /// Registers a viewer with an empty selection, reading `data` in `format`.
    pub(crate) fn connect(&self, format: DataFormat) -> ClientHandle {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let outbox = Arc::new(Outbox::new(self.inner.client_queue_bytes));
        let slot = Slot { selection: Selection::default(), format, live: true, outbox: outbox.clone() };
        lock(&self.inner.state).clients.insert(id, slot);
        ClientHandle { id, outbox, format, hub: self.clone() }
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

    /// A viewer reading `data` as JSON, for tests of what readers send.
    #[cfg(test)]
    pub(crate) fn json_viewer(&self) -> ClientHandle {
        self.connect(DataFormat::Json)
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
    format: DataFormat,
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
        let history = state.history.matching(&selection).iter().map(|b| b.get(self.format).clone()).collect();
        self.outbox.restart(history);
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
        ReplayFeed::new(self.outbox.clone(), epoch, self.format)
    }

    /// Where this viewer's one-off reads (`range`, `overview`) answer.
    pub(crate) fn answers(&self) -> Answers {
        Answers::new(self.outbox.clone())
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
    use crate::{protocol, selection::TopicSelection, telemetry::Sample};

    /// A hub that reads topics `t` and `u`.
    fn reading_t_and_u(history_secs: u64, client_queue_bytes: usize) -> Hub {
        let hub = Hub::new(history_secs, client_queue_bytes);
        hub.read_topics(&["t", "u"].map(String::from).into());
        hub
    }

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
        let hub = reading_t_and_u(60, 1 << 20);
        let viewer = hub.connect(DataFormat::Json);
        viewer.watch_live(select("t", Some(vec![1])));
        hub.publish(&TopicPartition::new("t", 0), &[record(1, 10)]);
        hub.publish(&TopicPartition::new("t", 1), &[record(2, 10)]);
        hub.publish(&TopicPartition::new("u", 1), &[record(3, 10)]);
        let d = viewer.outbox().take();
        assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn a_new_viewer_gets_the_recent_history_first_then_live_without_overlap() {
        let hub = reading_t_and_u(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        hub.publish(&tp, &[record(0, 1_000)]);
        hub.publish(&tp, &[record(1, 30_000)]);
        hub.publish(&tp, &[record(2, 62_000)]); // pushes offset 0 out of the 60 s window
        let viewer = hub.connect(DataFormat::Json);
        viewer.watch_live(select("t", None));
        hub.publish(&tp, &[record(3, 63_000)]);
        let d = viewer.outbox().take();
        assert_eq!(history_offsets(&d), vec![1, 2]);
        assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn a_stalled_viewer_drops_its_oldest_live_batches_and_others_lose_nothing() {
        let hub = reading_t_and_u(0, 64 * 1024);
        let stalled = hub.connect(DataFormat::Json);
        let healthy = hub.connect(DataFormat::Json);
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
    fn each_viewer_gets_history_and_live_data_in_the_form_it_chose() {
        let hub = reading_t_and_u(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        hub.publish(&tp, &[record(0, 1_000)]);
        let (json, columnar) = (hub.connect(DataFormat::Json), hub.connect(DataFormat::Columnar));
        json.watch_live(select("t", None));
        columnar.watch_live(select("t", None));
        hub.publish(&tp, &[record(1, 2_000)]);
        let (j, c) = (json.outbox().take(), columnar.outbox().take());
        assert_eq!(history_offsets(&j), vec![0]);
        assert_eq!(j.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![1]);
        let columnar_offsets = |b: &Bytes| -> Vec<i64> {
            let frame = crate::protocol::columnar::decode_frame(
                &DataFormat::Columnar.frame(protocol::Mode::Live, 0, std::slice::from_ref(b)).into_binary(),
            )
            .unwrap();
            frame.batches.iter().flat_map(|b| b.records.iter().map(|r| r.offset)).collect()
        };
        let history: Vec<i64> = c
            .items
            .iter()
            .flat_map(|i| match i {
                Item::History(b) => columnar_offsets(b),
                _ => vec![],
            })
            .collect();
        assert_eq!(history, vec![0]);
        assert_eq!(c.live.iter().flat_map(columnar_offsets).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn stats_are_coalesced_to_the_newest() {
        let hub = reading_t_and_u(0, 1 << 20);
        let viewer = hub.connect(DataFormat::Json);
        hub.broadcast_stats(Bytes::from_static(b"1"));
        hub.broadcast_stats(Bytes::from_static(b"2"));
        assert_eq!(viewer.outbox().take().stats, Some(Bytes::from_static(b"2")));
    }

    #[test]
    fn a_disconnected_viewer_is_forgotten() {
        let hub = reading_t_and_u(0, 1 << 20);
        let viewer = hub.connect(DataFormat::Json);
        let outbox = viewer.outbox().clone();
        assert_eq!(hub.client_count(), 1);
        drop(viewer);
        assert_eq!(hub.client_count(), 0);
        assert!(outbox.take().closed);
    }

    #[test]
    fn a_backfill_and_the_live_stream_never_repeat_a_record() {
        let hub = reading_t_and_u(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        let early = hub.connect(DataFormat::Json);
        early.watch_live(select("t", None));
        // The backfill read offsets 0..5 while the group, assigned earlier, sits at 3.
        assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 5);
        hub.publish(&tp, &(3..8).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>());
        let live: Vec<i64> = early.outbox().take().live.iter().flat_map(offsets).collect();
        assert_eq!(live, (0..8).collect::<Vec<_>>(), "a viewer already watching gets the backfill, then live");

        let late = hub.connect(DataFormat::Json);
        late.watch_live(select("t", None));
        assert_eq!(history_offsets(&late.outbox().take()), (0..8).collect::<Vec<_>>());
        // A second backfill of the same range adds nothing.
        assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 0);
    }

    #[test]
    fn records_two_readers_both_deliver_reach_viewers_once_and_count_once() {
        let hub = reading_t_and_u(60, 1 << 20);
        let tp = TopicPartition::new("t", 0);
        let viewer = hub.connect(DataFormat::Json);
        viewer.watch_live(select("t", None));
        // The group delivered 0..5, then the follower, taking over at 5, and the group's
        // last batch overlap.
        assert_eq!(hub.publish(&tp, &(0..5).map(|o| record(o, o)).collect::<Vec<_>>()), 5);
        assert_eq!(hub.next_offset(&tp), Some(5));
        assert_eq!(hub.publish(&tp, &(5..9).map(|o| record(o, o)).collect::<Vec<_>>()), 4);
        assert_eq!(hub.publish(&tp, &(3..7).map(|o| record(o, o)).collect::<Vec<_>>()), 0);
        assert_eq!(hub.publish(&tp, &(8..11).map(|o| record(o, o)).collect::<Vec<_>>()), 2);
        let live: Vec<i64> = viewer.outbox().take().live.iter().flat_map(offsets).collect();
        assert_eq!(live, (0..11).collect::<Vec<_>>());
    }

    #[test]
    fn a_topic_no_longer_read_loses_its_history_and_its_late_records_are_refused() {
        let hub = reading_t_and_u(60, 1 << 20);
        let (t0, u0) = (TopicPartition::new("t", 0), TopicPartition::new("u", 0));
        hub.publish(&t0, &[record(7, 1_000)]);
        hub.publish(&u0, &[record(3, 1_000)]);
        hub.read_topics(&["u".to_owned()].into());
        assert_eq!(hub.next_offset(&t0), None);
        assert_eq!(hub.publish(&t0, &[record(8, 1_001)]), 0, "a reader still finishing the topic");
        assert_eq!(hub.backfill(&t0, &[record(1, 900)]), 0);
        let viewer = hub.connect(DataFormat::Json);
        viewer.watch_live(select("t", None));
        assert!(history_offsets(&viewer.outbox().take()).is_empty());
        // Read again, it starts afresh.
        hub.read_topics(&["t", "u"].map(String::from).into());
        assert_eq!(hub.publish(&t0, &[record(2, 2_000)]), 1);
        assert_eq!(hub.next_offset(&u0), Some(4), "the topic that stayed keeps its place");
    }
}
