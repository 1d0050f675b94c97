//! The group consumer's librdkafka context: it decides where each assigned partition
//! starts (see [`super::start`]), logs rebalances, commits and errors, and keeps the
//! assignment and the group's positions in the status for the page.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    config::RDKafkaLogLevel,
    consumer::{BaseConsumer, Consumer, ConsumerContext, RebalanceProtocol},
    error::KafkaResult,
    types::RDKafkaRespErr,
};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use super::start::{self, Reset, Start};
use crate::kafka::shared::client;
use crate::{hub::Hub, status::Status, sync::lock, telemetry::TopicPartition};

/// For the follower: the topics the group's last assignment covered, and the partitions it
/// gave this member; `None` until the first rebalance has said. A topic just subscribed
/// is covered once the group has assigned it, so the follower never starts a partition
/// the group is about to take from its commit.
pub(super) type Owned = watch::Sender<Option<(BTreeSet<String>, BTreeSet<TopicPartition>)>>;

/// The topics the group member subscribed to last.
pub(super) type Subscribed = Arc<Mutex<BTreeSet<String>>>;

/// Records of a partition to read into history.
pub(crate) use crate::kafka::shared::read::Span as BackfillRange;

pub(super) struct GroupContext {
    status: Status,
    /// Asked where its records of a newly assigned partition end.
    hub: Hub,
    owned: Arc<Owned>,
    subscribed: Subscribed,
    history: Duration,
    reset: Reset,
    errors: Mutex<ErrorThrottle>,
    /// History to backfill, found during a rebalance, for the group's task to start:
    /// librdkafka calls the rebalance from inside a poll, where nothing may be spawned.
    /// At most one range per assigned partition between two takes.
    backfills: Mutex<Vec<BackfillRange>>,
}

impl GroupContext {
    pub(super) fn new(
        status: Status,
        hub: Hub,
        (owned, subscribed): (Arc<Owned>, Subscribed),
        history: Duration,
        reset: Reset,
    ) -> Self {
        Self {
            status,
            hub,
            owned,
            subscribed,
            history,
            reset,
            errors: Default::default(),
            backfills: Default::default(),
        }
    }

    /// The history ranges the last rebalances found, once.
    pub(super) fn take_backfills(&self) -> Vec<BackfillRange> {
        std::mem::take(&mut *lock(&self.backfills))
    }

    /// Sets every newly assigned partition's start in `tpl`, records the group's
    /// positions, and notes what history to backfill.
    fn place(&self, consumer: &BaseConsumer<Self>, tpl: &mut TopicPartitionList) {
        let found = start::find(consumer, tpl, self.history);
        let mut backfills = Vec::new();
        for (tp, found) in found {
            let found = start::Found { held: self.hub.next_offset(&tp), ..found };
            let start = start::decide(found, self.reset);
            debug!(topic = %tp.topic, partition = tp.partition, ?start, "group start");
            if let Start::At(at) = start
                && let Err(e) = tpl.set_partition_offset(&tp.topic, tp.partition, Offset::Offset(at))
            {
                warn!(topic = %tp.topic, partition = tp.partition, error = %e, "cannot set where to start");
                continue;
            }
            if let Start::Committed { at, backfill_from: Some(from) } = start {
                backfills.push(BackfillRange { tp: tp.clone(), from, until: at });
            }
            if let Some(position) = start.position() {
                self.status.record_position(&tp, position);
            }
        }
        lock(&self.backfills).extend(backfills);
    }
}

impl ClientContext for GroupContext {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        client::log(level, facility, message);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        lock(&self.errors).warn(&error, reason);
    }
}

impl ConsumerContext for GroupContext {
    /// Does what rdkafka's default does, with the starts set first. The look-ups block
    /// the poll that called this once per rebalance: for a few milliseconds, and at most
    /// a few seconds when Kafka is slow to answer.
    fn rebalance(&self, consumer: &BaseConsumer<Self>, err: RDKafkaRespErr, tpl: &mut TopicPartitionList) {
        let cooperative = matches!(consumer.rebalance_protocol(), RebalanceProtocol::Cooperative);
        let assigning = err == RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
        let result = match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                info!(partitions = %describe(tpl), "group rebalance: assigning");
                self.place(consumer, tpl);
                if cooperative { consumer.incremental_assign(tpl) } else { consumer.assign(tpl) }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                info!(partitions = %describe(tpl), "group rebalance: revoking");
                if cooperative { consumer.incremental_unassign(tpl) } else { consumer.unassign() }
            }
            other => {
                warn!(error = ?other, "group rebalance failed");
                consumer.unassign()
            }
        };
        if let Err(e) = result {
            warn!(error = %e, "cannot apply the group's rebalance");
        }
        let assignment = consumer.assignment().map(|tpl| to_list(&tpl)).unwrap_or_default();
        info!(partitions = assignment.len(), "group assignment now");
        let covered = if assigning {
            lock(&self.subscribed).clone()
        } else {
            self.owned.borrow().as_ref().map(|(topics, _)| topics.clone()).unwrap_or_default()
        };
        self.owned.send_replace(Some((covered, assignment.iter().cloned().collect())));
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

/// Logs each distinct consumer error at most once per interval: a broker outage would
/// otherwise print the same line hundreds of times a second.
#[derive(Default)]
pub(super) struct ErrorThrottle {
    last: HashMap<String, Instant>,
}

impl ErrorThrottle {
    const INTERVAL: Duration = Duration::from_secs(10);

    pub(super) fn warn(&mut self, error: &rdkafka::error::KafkaError, reason: &str) {
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
