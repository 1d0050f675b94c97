//! The consumer-group member: it reads the topics the server is asked for, decodes every
//! record and hands batches to the hub. Rebalances and commits are logged, and the
//! group's assignment is kept in the status for the page.

use std::{
    collections::{BTreeSet, HashMap},
    future::Future,
    time::{Duration, Instant},
};

use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer},
    error::KafkaResult,
    message::Message,
};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use super::{
    BATCH_LINGER, Batcher, KafkaError,
    watchdog::{PartitionLook, Stuck, Watchdog},
};
use crate::{
    config::KafkaArgs,
    hub::Hub,
    status::{Status, TopicPartition},
};

/// How often the group's positions are copied into the status for lag, and looked at
/// by the watchdog.
const POSITION_INTERVAL: Duration = Duration::from_secs(1);

/// How often a backfill that found Kafka unreachable tries again, and for how long.
const BACKFILL_RETRY: Duration = Duration::from_secs(2);
const BACKFILL_PATIENCE: Duration = Duration::from_secs(600);

/// How long leaving the group may take at shutdown: the final commit and the LeaveGroup
/// request. With the broker gone they would wait for minutes; this keeps a SIGTERM's
/// exit within 5 s.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Most topics the group will read at once. Each topic costs fetches and history, and
/// viewers can add topics, so the set is bounded.
pub const MAX_TOPICS: usize = 64;

/// Lets viewers add topics to what the group reads.
#[derive(Clone)]
pub struct Topics {
    tx: watch::Sender<BTreeSet<String>>,
}

/// Why a topic could not be added.
#[derive(Debug, thiserror::Error)]
#[error("the server already reads {MAX_TOPICS} topics, the most it will")]
pub struct TooManyTopics;

impl Topics {
    pub fn new(initial: &[String]) -> (Self, watch::Receiver<BTreeSet<String>>) {
        let set = initial.iter().filter(|t| !t.is_empty()).cloned().collect();
        let (tx, rx) = watch::channel(set);
        (Self { tx }, rx)
    }

    /// Makes sure the group reads `topics`.
    pub fn ensure<'a>(&self, topics: impl IntoIterator<Item = &'a str>) -> Result<(), TooManyTopics> {
        let mut result = Ok(());
        self.tx.send_if_modified(|set| {
            let mut changed = false;
            for t in topics {
                if set.contains(t) {
                    continue;
                }
                if set.len() >= MAX_TOPICS {
                    result = Err(TooManyTopics);
                    break;
                }
                set.insert(t.to_owned());
                changed = true;
            }
            changed
        });
        result
    }

    pub fn current(&self) -> BTreeSet<String> {
        self.tx.borrow().clone()
    }
}

/// Logs what the group does and keeps the assignment visible.
struct GroupContext {
    status: Status,
    errors: std::sync::Mutex<ErrorThrottle>,
}

impl ClientContext for GroupContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.errors.lock().unwrap_or_else(|p| p.into_inner()).warn(&error, reason);
    }
}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                info!(partitions = %describe(tpl), "group rebalance: assigning")
            }
            Rebalance::Revoke(tpl) => {
                info!(partitions = %describe(tpl), "group rebalance: revoking")
            }
            Rebalance::Error(e) => warn!(error = %e, "group rebalance failed"),
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, _rebalance: &Rebalance<'_>) {
        let assignment = consumer.assignment().map(|tpl| to_list(&tpl)).unwrap_or_default();
        info!(partitions = assignment.len(), "group assignment now");
        self.status.set_assignment(assignment);
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => debug!(offsets = %describe(offsets), "offsets committed"),
            Err(e) => warn!(error = %e, "offset commit failed"),
        }
    }
}

fn to_list(tpl: &TopicPartitionList) -> Vec<TopicPartition> {
    tpl.elements().iter().map(|e| TopicPartition::new(e.topic(), e.partition())).collect()
}

fn describe(tpl: &TopicPartitionList) -> String {
    let elements = tpl.elements();
    let mut by_topic: HashMap<&str, Vec<i32>> = HashMap::new();
    for e in &elements {
        by_topic.entry(e.topic()).or_default().push(e.partition());
    }
    let mut parts: Vec<String> = by_topic.into_iter().map(|(t, ps)| format!("{t}{ps:?}")).collect();
    parts.sort();
    parts.join(" ")
}

/// Options of the group member.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub kafka: KafkaArgs,
    pub group_id: String,
    /// How much history to backfill when the group starts reading a topic; zero for none.
    pub history: Duration,
    /// A consumer that makes no progress this long while records wait for it is replaced;
    /// zero for never. See [`super::watchdog`].
    pub stuck_after: Duration,
}

/// A configured group member, not yet consuming.
pub struct GroupMember {
    consumer: StreamConsumer<GroupContext>,
    config: LiveConfig,
}

/// Creates the group member. Fails only on a configuration librdkafka refuses (a bad
/// `-X` property, say); an unreachable broker is not an error, it is waited for.
pub fn connect(config: &LiveConfig, status: &Status) -> Result<GroupMember, KafkaError> {
    Ok(GroupMember { consumer: create(config, status)?, config: config.clone() })
}

fn create(config: &LiveConfig, status: &Status) -> Result<StreamConsumer<GroupContext>, KafkaError> {
    super::consumer_config(
        &config.kafka,
        &[
            ("group.id", &config.group_id),
            ("client.id", "trackside-live"),
            ("enable.auto.commit", "true"),
            ("auto.commit.interval.ms", "1000"),
            // A new group starts at the live edge; the page's replay covers the past.
            ("auto.offset.reset", "latest"),
            // The broker's least. A member lost with its broker is given up on this soon
            // after the broker is back, and a stopped server's partitions move this soon.
            ("session.timeout.ms", "6000"),
            ("heartbeat.interval.ms", "1000"),
            // Notice new topics and partitions in seconds, not the default five minutes.
            ("topic.metadata.refresh.interval.ms", "5000"),
        ],
    )
    .create_with_context(GroupContext { status: status.clone(), errors: Default::default() })
    .map_err(KafkaError::Create)
}

impl GroupMember {
    /// Consumes until `shutdown`, then commits and leaves the group.
    pub async fn run(self, hub: Hub, topics: watch::Receiver<BTreeSet<String>>, shutdown: impl Future<Output = ()>) {
        consume(self.consumer, &self.config, hub, topics, shutdown).await;
    }
}

async fn consume(
    mut consumer: StreamConsumer<GroupContext>,
    config: &LiveConfig,
    hub: Hub,
    mut topics: watch::Receiver<BTreeSet<String>>,
    shutdown: impl Future<Output = ()>,
) {
    let status = hub.status().clone();
    let mut subscribed = BTreeSet::new();
    let mut batcher = Batcher::default();
    let mut flush = tokio::time::interval(BATCH_LINGER);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut errors = ErrorThrottle::default();
    let mut positions = tokio::time::interval(POSITION_INTERVAL);
    let mut watchdog = Watchdog::new(config.stuck_after);
    // Backfills waiting to try again stop with the group.
    let (stop_backfills, backfills_stopped) = watch::channel(false);
    // Consumers created so far: the first is 0.
    let mut generation = 0u64;
    tokio::pin!(shutdown);
    // Mark the initial set as new so the first loop turn subscribes.
    topics.mark_changed();

    loop {
        tokio::select! {
            () = &mut shutdown => break,
            changed = topics.changed() => {
                if changed.is_err() {
                    break;
                }
                let wanted = topics.borrow_and_update().clone();
                if wanted != subscribed {
                    for topic in wanted.difference(&subscribed) {
                        backfill(config, topic, &hub, backfills_stopped.clone());
                    }
                    subscribe(&consumer, &wanted);
                    status.set_group_topics(wanted.iter().cloned().collect());
                    subscribed = wanted;
                }
            }
            msg = consumer.recv() => match msg {
                Ok(m) => {
                    if let Err(reason) = batcher.push_message(&m) {
                        let (topic, partition, offset) = (m.topic(), m.partition(), m.offset());
                        debug!(topic, partition, offset, %reason, "malformed record skipped");
                        status.record_malformed(&TopicPartition::new(topic, partition), offset, reason.to_string());
                    }
                    if batcher.is_full() {
                        publish(&hub, &mut batcher);
                    }
                }
                Err(e) => {
                    errors.warn(&e, "");
                    // An error is often a broker that is gone; don't spin on it.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = flush.tick() => publish(&hub, &mut batcher),
            _ = positions.tick() => {
                #[cfg(feature = "failpoints")]
                if generation == 0 && stalled_by_test(&config.group_id) {
                    // What a stuck librdkafka consumer looks like: assigned, but fetching nothing.
                    if let Ok(assignment) = consumer.assignment() {
                        let _ = consumer.pause(&assignment);
                    }
                }
                let looks = record_positions(&consumer, &status);
                if let Some(stuck) = watchdog.look(Instant::now(), status.kafka().reachable, &looks) {
                    publish(&hub, &mut batcher);
                    if replace(&mut consumer, config, &status, &subscribed, &stuck, generation).await {
                        watchdog.reset();
                        generation += 1;
                    }
                }
            }
        }
    }

    stop_backfills.send_replace(true);
    publish(&hub, &mut batcher);
    leave(consumer).await;
}

/// Replaces a stuck group consumer with a new one reading the same topics. The old member
/// commits what it delivered and leaves first, so the new one starts where it stopped: no
/// gap, and no repeat if the commit gets through. Returns whether it was replaced.
async fn replace(
    consumer: &mut StreamConsumer<GroupContext>,
    config: &LiveConfig,
    status: &Status,
    topics: &BTreeSet<String>,
    stuck: &Stuck,
    generation: u64,
) -> bool {
    warn!(reason = %stuck, generation, "the group consumer is stuck; replacing it");
    let fresh = match create(config, status) {
        Ok(fresh) => fresh,
        Err(e) => {
            warn!(error = %e, "cannot create a new group consumer; keeping the stuck one");
            return false;
        }
    };
    leave(std::mem::replace(consumer, fresh)).await;
    subscribe(consumer, topics);
    status.record_consumer_restart(stuck.to_string());
    true
}

/// Fills the history of a topic the group starts reading, in the background. With Kafka
/// unreachable (a server started before its broker), it tries again every
/// [`BACKFILL_RETRY`] for up to [`BACKFILL_PATIENCE`]; the history merges a late
/// backfill with what the group has delivered since, so nothing repeats.
fn backfill(config: &LiveConfig, topic: &str, hub: &Hub, mut stopped: watch::Receiver<bool>) {
    if config.history.is_zero() {
        return;
    }
    let (kafka, topic, history, hub) = (config.kafka.clone(), topic.to_owned(), config.history, hub.clone());
    tokio::spawn(async move {
        let started = Instant::now();
        loop {
            let (kafka, t, hub) = (kafka.clone(), topic.clone(), hub.clone());
            // librdkafka blocks: each attempt runs on a blocking thread.
            let attempt = tokio::task::spawn_blocking(move || super::backfill::run(&kafka, &t, history, &hub)).await;
            match attempt.map_err(KafkaError::Join).and_then(|r| r) {
                Ok(_) => return,
                // A topic that does not exist yet fills as records arrive.
                Err(e @ KafkaError::UnknownTopic(_)) => return debug!(topic, error = %e, "no history backfilled"),
                Err(e) if started.elapsed() >= BACKFILL_PATIENCE => {
                    return warn!(topic, error = %e, "no history backfilled; it fills as records arrive");
                }
                Err(e) => debug!(topic, error = %e, "history backfill failed; trying again"),
            }
            tokio::select! {
                () = tokio::time::sleep(BACKFILL_RETRY) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    });
}

/// Keeps the group's position per partition in the status, for lag that moves past
/// transaction markers, and returns what the watchdog looks at: each assigned partition's
/// position and high watermark. A local call: librdkafka knows its positions without
/// asking, and the watermarks come from the cluster watcher.
fn record_positions(consumer: &StreamConsumer<GroupContext>, status: &Status) -> Vec<PartitionLook> {
    let Ok(positions) = consumer.position() else { return Vec::new() };
    let topics = status.topics();
    let high = |topic: &str, partition: i32| {
        let t = topics.iter().find(|t| t.name == topic)?;
        t.partitions.iter().find(|p| p.partition == partition).map(|p| p.high).filter(|h| *h >= 0)
    };
    positions
        .elements()
        .iter()
        .map(|e| {
            let tp = TopicPartition::new(e.topic(), e.partition());
            let position = match e.offset() {
                Offset::Offset(next) => Some(next),
                _ => None,
            };
            if let Some(next) = position {
                status.record_position(&tp, next);
            }
            PartitionLook { high: high(e.topic(), e.partition()), tp, position }
        })
        .collect()
}

/// Whether a test has asked this group's first consumer to stall (the `failpoints`
/// feature; see `tests/integration/watchdog.rs`).
#[cfg(feature = "failpoints")]
fn stalled_by_test(group: &str) -> bool {
    fail::fail_point!("group-consumer-stall", |arg| arg.as_deref() == Some(group));
    false
}

fn subscribe(consumer: &StreamConsumer<GroupContext>, topics: &BTreeSet<String>) {
    let list: Vec<&str> = topics.iter().map(String::as_str).collect();
    if list.is_empty() {
        consumer.unsubscribe();
        return;
    }
    match consumer.subscribe(&list) {
        Ok(()) => info!(topics = ?list, "group subscription"),
        Err(e) => warn!(error = %e, topics = ?list, "cannot subscribe"),
    }
}

fn publish(hub: &Hub, batcher: &mut Batcher) {
    if batcher.is_empty() {
        return;
    }
    for (tp, records) in batcher.drain() {
        if let Some(last) = records.last() {
            hub.status().record_consumed(&tp, records.len() as u64, last.offset);
        }
        hub.publish(&tp, &records);
    }
}

/// Commits what was consumed and leaves the group, off the async threads since
/// librdkafka blocks while it does.
async fn leave(consumer: StreamConsumer<GroupContext>) {
    let left = tokio::task::spawn_blocking(move || {
        if let Err(e) = consumer.commit_consumer_state(CommitMode::Sync) {
            // Nothing consumed yet is the usual reason; not worth a warning.
            debug!(error = %e, "final commit skipped");
        }
        consumer.unsubscribe();
        drop(consumer);
    });
    match tokio::time::timeout(LEAVE_TIMEOUT, left).await {
        Ok(_) => info!("left the consumer group"),
        Err(_) => warn!(timeout = ?LEAVE_TIMEOUT, "leaving the consumer group took too long; going on without it"),
    }
}

/// Logs each distinct consumer error at most once per interval: a broker outage would
/// otherwise print the same line hundreds of times a second.
#[derive(Default)]
struct ErrorThrottle {
    last: HashMap<String, Instant>,
}

impl ErrorThrottle {
    const INTERVAL: Duration = Duration::from_secs(10);

    fn warn(&mut self, error: &rdkafka::error::KafkaError, reason: &str) {
        let text = if reason.is_empty() { error.to_string() } else { format!("{error}: {reason}") };
        let now = Instant::now();
        if self.last.get(&text).is_some_and(|t| now.duration_since(*t) < Self::INTERVAL) {
            return;
        }
        if self.last.len() > 64 {
            self.last.clear();
        }
        warn!(error = %text, "kafka consumer error");
        self.last.insert(text, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_grow_on_demand_up_to_the_bound() {
        let (topics, rx) = Topics::new(&["telemetry".to_owned()]);
        topics.ensure(["a", "telemetry"]).unwrap();
        assert_eq!(rx.borrow().iter().map(String::as_str).collect::<Vec<_>>(), vec!["a", "telemetry"]);
        let many: Vec<String> = (0..MAX_TOPICS).map(|i| format!("t{i}")).collect();
        assert!(topics.ensure(many.iter().map(String::as_str)).is_err());
        assert_eq!(topics.current().len(), MAX_TOPICS);
    }
}
