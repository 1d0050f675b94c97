//! What the server knows about Kafka and about its own traffic: the shared counters that
//! `/metrics`, `/api/*` and the once-a-second `stats` message read. The Kafka side writes
//! here; nothing here knows who reads it.

use std::{
    collections::{BTreeMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

mod rows;

use rows::Traffic;
use serde::Serialize;

use crate::{
    protocol::{GroupInfo, KafkaHealth, Snapshot, Totals},
    schema::SchemaRegistry,
    sync::lock,
    telemetry::{MalformedNote, TopicPartition},
};

/// One partition as the broker describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PartitionInfo {
    pub partition: i32,
    pub low: i64,
    pub high: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TopicInfo {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
}

/// Cheap to clone; every clone sees the same counters.
#[derive(Clone)]
pub(crate) struct Status {
    inner: Arc<Inner>,
}

struct Inner {
    // std mutexes: every critical section is a few map operations and never awaits.
    kafka: Mutex<KafkaHealth>,
    /// Whether the cluster watcher has looked at the cluster yet, whatever it found.
    looked: tokio::sync::watch::Sender<bool>,
    /// The schema registry's client, asked for its health when the status is read.
    registry: Mutex<Option<SchemaRegistry>>,
    topics: Mutex<Arc<Vec<TopicInfo>>>,
    group: Mutex<GroupInfo>,
    traffic: Mutex<BTreeMap<TopicPartition, Traffic>>,
    records_per_sec: Mutex<f64>,
    frames_sent: AtomicU64,
    records_dropped: AtomicU64,
    clients: AtomicU64,
    replays_running: AtomicU64,
    exports_running: AtomicU64,
    export_records: AtomicU64,
    annotations_written: AtomicU64,
    annotations_refused: AtomicU64,
    annotations_evicted: AtomicU64,
}

impl Status {
    pub(crate) fn new(group_id: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                kafka: Mutex::new(KafkaHealth {
                    reachable: false,
                    error: Some("not checked yet".into()),
                    schema_registry: None,
                }),
                looked: tokio::sync::watch::Sender::new(false),
                registry: Mutex::new(None),
                topics: Mutex::new(Arc::new(Vec::new())),
                group: Mutex::new(GroupInfo { id: group_id.to_owned(), ..GroupInfo::default() }),
                traffic: Mutex::new(BTreeMap::new()),
                records_per_sec: Mutex::new(0.0),
                frames_sent: AtomicU64::new(0),
                records_dropped: AtomicU64::new(0),
                clients: AtomicU64::new(0),
                replays_running: AtomicU64::new(0),
                exports_running: AtomicU64::new(0),
                export_records: AtomicU64::new(0),
                annotations_written: AtomicU64::new(0),
                annotations_refused: AtomicU64::new(0),
                annotations_evicted: AtomicU64::new(0),
            }),
        }
    }

    /// Whether the broker answered the last look at the cluster, or what it said instead.
    pub(crate) fn set_kafka(&self, answered: Result<(), String>) {
        *lock(&self.inner.kafka) =
            KafkaHealth { reachable: answered.is_ok(), error: answered.err(), schema_registry: None };
        self.inner.looked.send_replace(true);
    }

    /// Waits, at most `within`, for the cluster watcher's first look, and says whether it
    /// came: until then the topic list is empty because nobody has looked, not because
    /// the cluster has no topics.
    pub(crate) async fn first_look(&self, within: Duration) -> bool {
        let mut looked = self.inner.looked.subscribe();
        matches!(tokio::time::timeout(within, looked.wait_for(|l| *l)).await, Ok(Ok(_)))
    }

    /// The schema registry whose health the Kafka panel shows.
    pub(crate) fn set_schema_registry(&self, registry: SchemaRegistry) {
        *lock(&self.inner.registry) = Some(registry);
    }

    pub(crate) fn kafka(&self) -> KafkaHealth {
        let registry = lock(&self.inner.registry).as_ref().map(SchemaRegistry::health);
        KafkaHealth { schema_registry: registry, ..lock(&self.inner.kafka).clone() }
    }

    pub(crate) fn set_topics(&self, topics: Vec<TopicInfo>) {
        *lock(&self.inner.topics) = Arc::new(topics);
    }

    /// Replaces the list with what `look` makes of the list as it is now (under the lock,
    /// so a look at the whole list that ended meanwhile is what it keeps from).
    pub(crate) fn update_topics(&self, look: impl FnOnce(&[TopicInfo]) -> Vec<TopicInfo>) {
        let mut topics = lock(&self.inner.topics);
        *topics = Arc::new(look(&topics));
    }

    /// The topics whose offsets and lag the status shows: the group's, and any it has
    /// counted records of.
    pub(crate) fn topics_read(&self) -> HashSet<String> {
        let mut read: HashSet<String> = lock(&self.inner.group).topics.iter().cloned().collect();
        read.extend(lock(&self.inner.traffic).keys().map(|tp| tp.topic.clone()));
        read
    }

    /// Adds or replaces one topic of the list, which stays sorted by name.
    pub(crate) fn merge_topic(&self, topic: TopicInfo) {
        self.merge_topics([topic]);
    }

    /// Adds or replaces these topics of the list, which stays sorted by name; the others
    /// stay as they were.
    pub(crate) fn merge_topics(&self, looked: impl IntoIterator<Item = TopicInfo>) {
        let mut topics = lock(&self.inner.topics);
        let mut list = topics.as_ref().clone();
        for topic in looked {
            match list.binary_search_by(|t| t.name.cmp(&topic.name)) {
                Ok(i) => list[i] = topic,
                Err(i) => list.insert(i, topic),
            }
        }
        *topics = Arc::new(list);
    }

    pub(crate) fn topics(&self) -> Arc<Vec<TopicInfo>> {
        lock(&self.inner.topics).clone()
    }

    /// The topics read now. The counts of a topic that left go with it, so rows stay
    /// bounded by the topics read at once.
    pub(crate) fn set_group_topics(&self, topics: Vec<String>) {
        lock(&self.inner.traffic).retain(|tp, _| topics.contains(&tp.topic));
        lock(&self.inner.group).topics = topics;
    }

    pub(crate) fn set_assignment(&self, mut assignment: Vec<TopicPartition>) {
        assignment.sort();
        lock(&self.inner.group).assignment = assignment;
    }

    /// The partitions the follower reads.
    pub(crate) fn set_followed(&self, mut followed: Vec<TopicPartition>) {
        followed.sort();
        lock(&self.inner.group).followed = followed;
    }

    /// Counts a consumer the watchdog replaced, and keeps why.
    pub(crate) fn record_consumer_restart(&self, reason: String) {
        let mut group = lock(&self.inner.group);
        group.consumer_restarts += 1;
        group.last_restart = Some(reason);
    }

    /// Counts `records` decoded records of a partition, the last at `last_offset`.
    pub(crate) fn record_consumed(&self, tp: &TopicPartition, records: u64, last_offset: i64) {
        let mut traffic = lock(&self.inner.traffic);
        let t = traffic.entry(tp.clone()).or_default();
        t.consumed += records;
        t.read_through(last_offset);
    }

    /// Records the group's position in a partition: the next offset it will read.
    pub(crate) fn record_position(&self, tp: &TopicPartition, next_offset: i64) {
        lock(&self.inner.traffic).entry(tp.clone()).or_default().position = Some(next_offset);
    }

    /// Counts one record that broke the contract, and keeps why.
    pub(crate) fn record_malformed(&self, tp: &TopicPartition, offset: i64, reason: String) {
        let mut traffic = lock(&self.inner.traffic);
        let t = traffic.entry(tp.clone()).or_default();
        t.malformed += 1;
        t.read_through(offset);
        t.last_malformed = Some(MalformedNote { offset, reason });
    }

    pub(crate) fn set_records_per_sec(&self, rate: f64) {
        *lock(&self.inner.records_per_sec) = rate;
    }

    pub(crate) fn add_frames_sent(&self, n: u64) {
        self.inner.frames_sent.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn add_records_dropped(&self, n: u64) {
        self.inner.records_dropped.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a note written (`Ok`) or a request to write one refused, for any reason.
    pub(crate) fn count_annotation(&self, written: bool) {
        let counter = if written { &self.inner.annotations_written } else { &self.inner.annotations_refused };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a note the server stopped keeping because its topic had too many.
    pub(crate) fn count_annotation_evicted(&self) {
        self.inner.annotations_evicted.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a viewer for as long as the returned guard lives.
    pub(crate) fn client_guard(&self) -> CountGuard {
        CountGuard::new(self.clone(), |i| &i.clients)
    }

    /// Counts a running replay for as long as the returned guard lives.
    pub(crate) fn replay_guard(&self) -> CountGuard {
        CountGuard::new(self.clone(), |i| &i.replays_running)
    }

    /// Counts a running export for as long as the returned guard lives: the guard lives
    /// as long as its reader, so the gauge says when a disconnected download stopped reading.
    pub(crate) fn export_guard(&self) -> CountGuard {
        CountGuard::new(self.clone(), |i| &i.exports_running)
    }

    /// Rows exports have written, since the server started.
    pub(crate) fn add_export_records(&self, n: u64) {
        self.inner.export_records.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn total_consumed(&self) -> u64 {
        lock(&self.inner.traffic).values().map(|t| t.consumed + t.malformed).sum()
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let group = lock(&self.inner.group).clone();
        let partitions = rows::partition_rows(&self.topics(), &group, &lock(&self.inner.traffic));
        let totals = Totals {
            consumed: partitions.iter().map(|p| p.consumed).sum(),
            malformed: partitions.iter().map(|p| p.malformed).sum(),
            clients: self.inner.clients.load(Ordering::Relaxed),
            records_per_sec: *lock(&self.inner.records_per_sec),
            frames_sent: self.inner.frames_sent.load(Ordering::Relaxed),
            records_dropped: self.inner.records_dropped.load(Ordering::Relaxed),
            replays_running: self.inner.replays_running.load(Ordering::Relaxed),
            exports_running: self.inner.exports_running.load(Ordering::Relaxed),
            export_records: self.inner.export_records.load(Ordering::Relaxed),
            annotations_written: self.inner.annotations_written.load(Ordering::Relaxed),
            annotations_refused: self.inner.annotations_refused.load(Ordering::Relaxed),
            annotations_evicted: self.inner.annotations_evicted.load(Ordering::Relaxed),
        };
        Snapshot { kafka: self.kafka(), group, partitions, totals }
    }
}

/// Increments a gauge on creation and decrements it on drop, so the count cannot leak
/// on an early return or a panic.
pub(crate) struct CountGuard {
    status: Status,
    gauge: fn(&Inner) -> &AtomicU64,
}

impl CountGuard {
    fn new(status: Status, gauge: fn(&Inner) -> &AtomicU64) -> Self {
        gauge(&status.inner).fetch_add(1, Ordering::Relaxed);
        Self { status, gauge }
    }
}

impl Drop for CountGuard {
    fn drop(&mut self) {
        (self.gauge)(&self.status.inner).fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A member of group `g` reading topic `t`, assigned every partition given as
    /// `(partition, low, high)`.
    pub(crate) fn assigned_status(partitions: &[(i32, i64, i64)]) -> Status {
        let status = Status::new("g");
        status.set_group_topics(vec!["t".into()]);
        let partitions = partitions.iter().map(|&(partition, low, high)| PartitionInfo { partition, low, high });
        status.set_topics(vec![TopicInfo { name: "t".into(), partitions: partitions.collect() }]);
        let tps = status.topics()[0].partitions.iter().map(|p| TopicPartition::new("t", p.partition)).collect();
        status.set_assignment(tps);
        status
    }

    #[test]
    fn lag_is_what_the_group_has_not_consumed_yet() {
        let status = assigned_status(&[(0, 0, 100), (1, 10, 50)]);
        status.record_consumed(&TopicPartition::new("t", 0), 90, 89);
        let snap = status.snapshot();
        assert_eq!(snap.partitions.len(), 2);
        assert_eq!((snap.partitions[0].lag, snap.partitions[0].last_offset), (Some(10), Some(89)));
        assert_eq!(snap.partitions[1].lag, None, "no position yet: no lag, rather than the whole partition");
        status.record_position(&TopicPartition::new("t", 1), 50);
        assert_eq!(status.snapshot().partitions[1].lag, Some(0), "started at the end: nothing to read");
    }

    #[test]
    fn one_row_agrees_with_itself_between_two_looks_at_the_watermarks() {
        // The watcher saw high 2,700; the group has since read up to offset 2,789, and its
        // position was last copied at 2,690.
        let status = assigned_status(&[(0, 0, 2_700)]);
        let tp = TopicPartition::new("t", 0);
        status.record_position(&tp, 2_690);
        status.record_consumed(&tp, 100, 2_789);
        let row = &status.snapshot().partitions[0];
        assert_eq!((row.high, row.last_offset, row.lag), (Some(2_790), Some(2_789), Some(0)));
    }

    #[test]
    fn a_stale_high_watermark_never_trails_what_was_consumed() {
        let status = assigned_status(&[(0, 0, 50)]);
        status.record_consumed(&TopicPartition::new("t", 0), 61, 60);
        let row = &status.snapshot().partitions[0];
        assert_eq!((row.high, row.lag), (Some(61), Some(0)));
    }

    #[test]
    fn lag_follows_the_position_past_transaction_markers() {
        let status = assigned_status(&[(0, 0, 4)]);
        // Offsets 0 and 1: an aborted record and its marker; 2: a record; 3: a commit marker.
        status.record_consumed(&TopicPartition::new("t", 0), 1, 2);
        assert_eq!(status.snapshot().partitions[0].lag, Some(1), "without a position, the marker looks unread");
        status.record_position(&TopicPartition::new("t", 0), 4);
        assert_eq!(status.snapshot().partitions[0].lag, Some(0));
    }

    #[test]
    fn malformed_records_are_counted_with_the_last_reason() {
        let status = Status::new("g");
        let tp = TopicPartition::new("t", 2);
        status.record_malformed(&tp, 5, "first".into());
        status.record_malformed(&tp, 9, "second".into());
        let snap = status.snapshot();
        let row = &snap.partitions[0];
        assert_eq!(row.malformed, 2);
        assert_eq!(row.last_malformed.as_ref().map(|m| (m.offset, m.reason.as_str())), Some((9, "second")));
        assert_eq!(row.lag, None, "not assigned to this member");
        assert_eq!(snap.totals.malformed, 2);
    }

    #[test]
    fn client_gauge_follows_guards() {
        let status = Status::new("g");
        let a = status.client_guard();
        let b = status.client_guard();
        assert_eq!(status.snapshot().totals.clients, 2);
        drop(a);
        drop(b);
        assert_eq!(status.snapshot().totals.clients, 0);
    }
}
