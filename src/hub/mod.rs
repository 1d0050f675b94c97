//! The fan-out hub: who watches what, the recent history of every partition, and one
//! bounded outbox per viewer. A batch is encoded once in each form a viewer reads (and in
//! no other) and its bytes are shared by every viewer of that form; a slow viewer only
//! ever loses its own oldest live batches.
//! Readers a viewer started answer it through feeds the hub owns and encodes for:
//! [`ReplayFeed`] for a replay, [`Answers`] for a `range` or an `overview`.

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

/// Consecutive records of one partition as a batch, encoded in `forms` now (outside the
/// hub's lock) and in any other form on first need.
fn encode(tp: &TopicPartition, records: &[Record], forms: &[DataFormat]) -> Option<Batch> {
    let (first, last) = (records.first()?, records.last()?);
    let max_ts = records.iter().filter_map(|r| r.sample.ts).max().unwrap_or(0);
    let bytes = Encoded::new(&tp.topic, tp.partition, records);
    for &f in forms {
        bytes.get(f);
    }
    Some(Batch::new(first.offset, last.offset, max_ts, bytes))
}

impl State {
    /// The forms the live viewers of a partition read: what a batch of it is encoded in
    /// before it is published.
    fn live_forms(&self, tp: &TopicPartition) -> Vec<DataFormat> {
        let mut forms = Vec::with_capacity(2);
        for slot in self.clients.values().filter(|s| s.live && s.selection.matches(&tp.topic, tp.partition)) {
            if !forms.contains(&slot.format) {
                forms.push(slot.format);
                if forms.len() == 2 {
                    break;
                }
            }
        }
        forms
    }
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
        let (next, forms) = {
            let state = lock(&self.inner.state);
            if !state.reading.contains(&tp.topic) {
                return 0;
            }
            (state.next.get(tp).copied(), state.live_forms(tp))
        };
        let fresh = |next: Option<i64>| match next {
            Some(next) => &records[records.partition_point(|r| r.offset < next)..],
            None => records,
        };
        // Encoding happens outside the lock, in the forms live viewers read: a viewer of
        // another form who joins meanwhile has its form encoded under the lock, once.
        let mut records = fresh(next);
        let Some(mut batch) = encode(tp, records, &forms) else { return 0 };
        let mut state = lock(&self.inner.state);
        if !state.reading.contains(&tp.topic) {
            return 0;
        }
        let now = state.next.get(tp).copied();
        if now != next {
            // The other reader delivered some of these meanwhile: rare, so encoded again here.
            records = fresh(now);
            let Some(again) = encode(tp, records, &forms) else { return 0 };
            batch = again;
        }
        state.next.insert(tp.clone(), batch.last_offset + 1);
        let (n, key) = (records.len() as u64, partition_key(tp));
        for slot in state.clients.values() {
            if slot.live && slot.selection.matches(&tp.topic, tp.partition) {
                slot.outbox.push_live(batch.bytes.get(slot.format).clone(), n, key);
            }
        }
        // After the viewers, so that the history counts every form they had encoded.
        if state.history.enabled() {
            state.history.append(tp, batch);
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
        let (first_cutoff, forms) = {
            let state = lock(&self.inner.state);
            let forms = if state.next.contains_key(tp) { Vec::new() } else { state.live_forms(tp) };
            (cutoff(&state), forms)
        };
        let older = &records[..records.partition_point(|r| r.offset < first_cutoff)];
        // Encoding happens outside the lock, in chunks the size of live batches, in the
        // forms of the live viewers that will get them at once; the rest on first need.
        let batches: Vec<Batch> = older.chunks(BACKFILL_BATCH_RECORDS).filter_map(|c| encode(tp, c, &forms)).collect();
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

    /// Tells every viewer of `topic` a note's new state.
    pub(crate) fn announce_annotation(&self, topic: &str, note: &crate::annotations::Note) {
        self.broadcast_to_topic(topic, crate::protocol::ServerMessage::Annotation { topic, note }.encode());
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
        // A form no viewer has read the history in yet is encoded first, outside the lock
        // (once: later viewers share it); what arrives meanwhile is encoded under it.
        let held = lock(&self.hub.inner.state).history.matching(&selection);
        for b in &held {
            b.get(self.format);
        }
        drop(held);
        let mut state = lock(&self.hub.inner.state);
        let history = state.history.forms(&selection, self.format);
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
mod bench;
#[cfg(test)]
mod tests;
