//! The follower: every replica also reads, on a consumer of its own that joins no group
//! and commits nothing, each partition of the read topics that the group gave another
//! member. So any number of replicas with the same settings each show every partition
//! live, while the group stays real: its commits and lag are for what it owns.
//!
//! The follower's partitions are the complement of the group's assignment, reworked on
//! every rebalance. It starts a partition where the hub's records of it end (so there is
//! no gap and no repeat when a partition changes hands), or for one the hub has nothing
//! of, at the history window, like the group (see [`super::start`]). It waits for the
//! group's first rebalance, so a lone server starts as it always has.

use std::{
    collections::{BTreeSet, HashMap},
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    config::RDKafkaLogLevel,
    consumer::{Consumer, ConsumerContext, StreamConsumer},
    types::RDKafkaErrorCode,
};
use tokio::{sync::watch, task::JoinHandle};
use tracing::{debug, info, warn};

use super::{
    LEAVE_TIMEOUT, POSITION_INTERVAL,
    batch::{BATCH_LINGER, Batcher},
    context::ErrorThrottle,
    feed::{Taken, publish, take},
    start::{self, Found, Reset, Start},
};
use crate::{
    config::KafkaArgs,
    hub::Hub,
    kafka::{KafkaError, shared::client},
    laps::LapIndex,
    mapping::Decoder,
    status::{Status, TopicInfo},
    sync::lock,
    telemetry::TopicPartition,
    tick,
};

/// The partitions this replica should follow: every partition of the read `topics` the
/// cluster has, but those the group gave this member.
pub(super) fn complement(
    topics: &BTreeSet<String>,
    cluster: &[TopicInfo],
    owned: &BTreeSet<TopicPartition>,
) -> BTreeSet<TopicPartition> {
    cluster
        .iter()
        .filter(|t| topics.contains(&t.name))
        .flat_map(|t| t.partitions.iter().map(|p| TopicPartition::new(&t.name, p.partition)))
        .filter(|tp| !owned.contains(tp))
        .collect()
}

/// The follower's librdkafka context: logs as the group's does, errors throttled, and no
/// word about reaching the end of a partition, which a follower does after every fetch.
#[derive(Default)]
pub(super) struct FollowContext {
    errors: Mutex<ErrorThrottle>,
}

impl FollowContext {
    fn warn(&self, error: &rdkafka::error::KafkaError, reason: &str) {
        if error.rdkafka_error_code() != Some(RDKafkaErrorCode::PartitionEOF) {
            lock(&self.errors).warn(error, reason);
        }
    }
}

impl ClientContext for FollowContext {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        client::log(level, facility, message);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.warn(&error, reason);
    }
}

impl ConsumerContext for FollowContext {}

pub(super) type FollowConsumer = StreamConsumer<FollowContext>;

/// The topics the group's last assignment covered, and what it gave this member.
type Owned = (BTreeSet<String>, BTreeSet<TopicPartition>);

/// Creates the follower's consumer: assigned by hand, never in a group.
pub(super) fn create(kafka: &KafkaArgs) -> Result<Arc<FollowConsumer>, KafkaError> {
    let own = [("enable.partition.eof", "false"), ("auto.offset.reset", "latest")];
    let cfg = client::reader_config_with(kafka, "trackside-follower", &own);
    cfg.create_with_context(FollowContext::default()).map(Arc::new).map_err(KafkaError::Create)
}

/// What the follower needs from the rest of the server.
pub(super) struct Follow {
    pub(super) consumer: Arc<FollowConsumer>,
    pub(super) history: Duration,
    pub(super) hub: Hub,
    pub(super) status: Status,
    /// Fed what the follower decodes, as the hub is.
    pub(super) laps: LapIndex,
    /// How records decode (a topic's mapping, or the contract).
    pub(super) decoder: Decoder,
    pub(super) topics: watch::Receiver<BTreeSet<String>>,
    pub(super) owned: watch::Receiver<Option<(BTreeSet<String>, BTreeSet<TopicPartition>)>>,
}

/// Follows until `shutdown`, then closes its consumer.
pub(super) async fn run(follow: Follow, shutdown: impl Future<Output = ()>) {
    let Follow { consumer, history, hub, status, laps, decoder, mut topics, mut owned } = follow;
    let mut state =
        Following { consumer: consumer.clone(), history, hub, status, laps, reading: BTreeSet::new(), looking: None };
    let mut batcher = Batcher::default();
    let mut held = super::held::Held::default();
    let mut flush = tick::ticker(BATCH_LINGER);
    // New partitions of a read topic show in the cluster's metadata, not in a channel.
    let mut tick = tick::ticker(POSITION_INTERVAL);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            // In this order, so that a backlog of records (always ready) never holds up
            // the rest; and so that a batch goes once librdkafka has nothing more queued.
            biased;
            () = &mut shutdown => break,
            changed = topics.changed() => if changed.is_err() { break },
            changed = owned.changed() => if changed.is_err() { break },
            _ = tick.tick() => state.record_positions(),
            found = async {
                match state.looking.as_mut() {
                    Some(looking) => looking.await,
                    None => std::future::pending().await,
                }
            }, if state.looking.is_some() => {
                state.looking = None;
                match found {
                    Ok(found) => {
                        let (topics, owned) = (topics.borrow().clone(), owned.borrow().clone());
                        state.take(found, &topics, owned.as_ref()).await;
                    }
                    Err(e) => debug!(error = %e, "the follower's look-up failed; trying again"),
                }
                // What is still missing is looked up at the next tick, so a Kafka that
                // answers nothing is not asked in a tight loop.
                continue;
            }
            _ = flush.tick() => {
                publish(&state.hub, &state.status, &state.laps, &mut batcher);
                held.resume_due(consumer.as_ref());
                continue;
            }
            msg = consumer.recv() => match msg {
                Ok(m) => {
                    // The follower commits nothing: what was handled needs no note.
                    if take(&m, &decoder, &mut batcher, &mut held, consumer.as_ref(), &state.status) == Taken::Dropped {
                        continue;
                    }
                    if batcher.is_full() {
                        publish(&state.hub, &state.status, &state.laps, &mut batcher);
                    }
                    continue;
                }
                Err(e) => {
                    consumer.context().warn(&e, "");
                    continue;
                }
            },
            // Nothing more is queued: the batch goes now, as the group member's does.
            () = std::future::ready(()), if !batcher.is_empty() => {
                publish(&state.hub, &state.status, &state.laps, &mut batcher);
                continue;
            }
        }
        // Something that may change what to follow happened.
        let (topics, owned) = (topics.borrow().clone(), owned.borrow().clone());
        state.reconcile(&topics, owned.as_ref()).await;
    }
    publish(&state.hub, &state.status, &state.laps, &mut batcher);
    if let Some(looking) = state.looking.take() {
        looking.abort();
    }
    drop(state);
    // Closing a consumer with the broker gone can block; bounded like leaving the group.
    let closed = tokio::task::spawn_blocking(move || drop(consumer));
    if tokio::time::timeout(LEAVE_TIMEOUT, closed).await.is_err() {
        warn!(timeout = ?LEAVE_TIMEOUT, "closing the follower took too long; going on without it");
    }
}

struct Following {
    consumer: Arc<FollowConsumer>,
    history: Duration,
    hub: Hub,
    status: Status,
    laps: LapIndex,
    /// The partitions assigned to the follower now.
    reading: BTreeSet<TopicPartition>,
    /// Start offsets being looked up for partitions to take; one look-up at a time.
    looking: Option<JoinHandle<HashMap<TopicPartition, Found>>>,
}

impl Following {
    /// Drops what the group now owns or what is no longer read, and looks up where to
    /// start what it should take. Nothing before the group's first rebalance.
    async fn reconcile(&mut self, topics: &BTreeSet<String>, owned: Option<&Owned>) {
        let Some((covered, owned)) = owned else { return };
        let wanted = complement(&topics.intersection(covered).cloned().collect(), &self.status.topics(), owned);
        let gone: Vec<TopicPartition> = self.reading.difference(&wanted).cloned().collect();
        if !gone.is_empty() {
            let tpl = list(gone.iter().map(|tp| (tp, Offset::Invalid)));
            match off_thread(&self.consumer, move |c| c.incremental_unassign(&tpl)).await {
                Some(Ok(())) => debug!(partitions = ?gone, "follower lets go"),
                Some(Err(e)) => warn!(error = %e, "the follower cannot let partitions go"),
                None => warn!("the follower's consumer did not answer; letting the partitions go anyway"),
            }
            for tp in &gone {
                self.reading.remove(tp);
            }
            self.status.set_followed(self.reading.iter().cloned().collect());
        }
        let new: Vec<TopicPartition> = wanted.difference(&self.reading).cloned().collect();
        if !new.is_empty() && self.looking.is_none() {
            let (consumer, history) = (self.consumer.clone(), self.history);
            self.looking =
                Some(tokio::task::spawn_blocking(move || start::find_window(consumer.as_ref(), &new, history)));
        }
    }

    /// Assigns the looked-up partitions that are still to be followed, each where the
    /// hub's records end or at the history window. One whose start is unknown (Kafka did
    /// not answer) is left for the next look.
    async fn take(&mut self, found: HashMap<TopicPartition, Found>, topics: &BTreeSet<String>, owned: Option<&Owned>) {
        let Some((covered, owned)) = owned else { return };
        let wanted = complement(&topics.intersection(covered).cloned().collect(), &self.status.topics(), owned);
        let mut starts = Vec::new();
        for (tp, found) in found {
            if !wanted.contains(&tp) || self.reading.contains(&tp) {
                continue;
            }
            // Asked now, not before the look-up: the group may have read on meanwhile.
            let found = Found { held: self.hub.next_offset(&tp), committed: None, ..found };
            if let Start::At(at) = start::decide(found, Reset::Window) {
                starts.push((tp, at));
            }
        }
        if starts.is_empty() {
            return;
        }
        let tpl = list(starts.iter().map(|(tp, at)| (tp, Offset::Offset(*at))));
        match off_thread(&self.consumer, move |c| c.incremental_assign(&tpl)).await {
            Some(Ok(())) => {}
            Some(Err(e)) => return warn!(error = %e, "the follower cannot take partitions"),
            None => return warn!("the follower's consumer did not answer; trying again later"),
        }
        for (tp, at) in &starts {
            self.status.record_position(tp, *at);
            self.reading.insert(tp.clone());
        }
        info!(partitions = %describe(starts.iter().map(|(tp, _)| tp)), "follower takes");
        self.status.set_followed(self.reading.iter().cloned().collect());
    }

    /// Keeps the follower's positions in the status, for its lag.
    fn record_positions(&self) {
        let Ok(positions) = self.consumer.position() else { return };
        for e in positions.elements() {
            let tp = TopicPartition::new(e.topic(), e.partition());
            if let (Offset::Offset(next), true) = (e.offset(), self.reading.contains(&tp)) {
                self.status.record_position(&tp, next);
            }
        }
    }
}

/// How long an assignment change may take. librdkafka waits for its own thread without
/// a limit; this keeps the server's async threads out of it.
const ASSIGN_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs a blocking call on the consumer off the async threads, within [`ASSIGN_TIMEOUT`].
async fn off_thread<T: Send + 'static>(
    consumer: &Arc<FollowConsumer>,
    call: impl FnOnce(&FollowConsumer) -> T + Send + 'static,
) -> Option<T> {
    let consumer = consumer.clone();
    let task = tokio::task::spawn_blocking(move || call(&consumer));
    tokio::time::timeout(ASSIGN_TIMEOUT, task).await.ok()?.ok()
}

fn list<'a>(partitions: impl Iterator<Item = (&'a TopicPartition, Offset)>) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for (tp, offset) in partitions {
        // Only fails for an invalid offset, and none is given.
        let _ = tpl.add_partition_offset(&tp.topic, tp.partition, offset);
    }
    tpl
}

/// "t[0, 2] u[1]".
fn describe<'a>(partitions: impl Iterator<Item = &'a TopicPartition>) -> String {
    let mut by_topic: std::collections::BTreeMap<&str, Vec<i32>> = Default::default();
    for tp in partitions {
        by_topic.entry(&tp.topic).or_default().push(tp.partition);
    }
    by_topic
        .into_iter()
        .map(|(t, mut ps)| {
            ps.sort_unstable();
            format!("{t}{ps:?}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
