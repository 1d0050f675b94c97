//! The consumer-group member: it reads the topics the server is asked for, decodes every
//! record and hands batches to the hub. Rebalances and commits are logged, and the
//! group's assignment is kept in the status for the page. Beside it, the follower
//! ([`follow`]) reads the partitions the group gave other members, so every replica
//! shows every partition.

mod backfill;
mod batch;
mod context;
mod follow;
mod handled;
mod held;
mod start;
mod topics;
pub(crate) mod watchdog;

pub(crate) use context::BackfillRange;
pub(crate) use topics::{Topics, Watching};

use std::{
    collections::BTreeSet,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use context::{ErrorThrottle, GroupContext, Owned, Subscribed};
use rdkafka::{
    Offset,
    consumer::{CommitMode, Consumer, StreamConsumer},
    message::Message,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::KafkaError;
use crate::{
    config::KafkaArgs,
    hub::Hub,
    laps::LapIndex,
    mapping::Decoder,
    status::Status,
    sync::lock,
    telemetry::{Malformed, TopicPartition},
    tick,
};
use batch::{BATCH_LINGER, Batcher};
use watchdog::{PartitionLook, Stuck, Watchdog};

/// How often the group's positions are copied into the status for lag, and looked at
/// by the watchdog.
const POSITION_INTERVAL: Duration = Duration::from_secs(1);

/// How often a backfill that found Kafka unreachable tries again, and for how long.
const BACKFILL_RETRY: Duration = Duration::from_secs(2);
const BACKFILL_PATIENCE: Duration = Duration::from_secs(600);

/// Consumer errors taken in a row, with no record between them, before the group pauses.
const ERROR_RUN_PAUSE_AFTER: u32 = 1_000;

/// How long leaving the group may take at shutdown: the final commit and the LeaveGroup
/// request. With the broker gone they would wait for minutes; this keeps a SIGTERM's
/// exit within 5 s.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Options of the group member.
#[derive(Debug, Clone)]
pub(crate) struct LiveConfig {
    pub kafka: KafkaArgs,
    /// How records become samples: by a topic's mapping, or the contract.
    pub decoder: Decoder,
    pub group_id: String,
    /// How much history the group reads when it starts reading a partition; zero for none.
    pub history: Duration,
    /// A consumer that makes no progress this long while records wait for it is replaced;
    /// zero for never. See [`watchdog`].
    pub stuck_after: Duration,
}

/// A configured group member and its follower, not yet consuming.
pub(crate) struct GroupMember {
    consumer: StreamConsumer<GroupContext>,
    follower: Arc<follow::FollowConsumer>,
    config: LiveConfig,
    shared: Shared,
}

/// What the group's consumers (the first, and any the watchdog makes) share.
#[derive(Clone)]
struct Shared {
    /// Where the member keeps its assignment, positions and counts for the page.
    status: Status,
    hub: Hub,
    /// Fed every batch the hub is, so a live record is decoded once.
    laps: LapIndex,
    /// The group's assignment, for the follower.
    owned: Arc<Owned>,
    subscribed: Subscribed,
}

/// Creates the group member and its follower. Fails only on a configuration librdkafka
/// refuses (a bad `-X` property, say); an unreachable broker is not an error, it is
/// waited for.
pub(crate) fn connect(
    config: &LiveConfig,
    status: &Status,
    hub: &Hub,
    laps: &LapIndex,
) -> Result<GroupMember, KafkaError> {
    let shared = Shared {
        status: status.clone(),
        hub: hub.clone(),
        laps: laps.clone(),
        owned: Arc::new(watch::Sender::new(None)),
        subscribed: Subscribed::default(),
    };
    Ok(GroupMember {
        consumer: create(config, &shared)?,
        follower: follow::create(&config.kafka)?,
        config: config.clone(),
        shared,
    })
}

fn create(config: &LiveConfig, shared: &Shared) -> Result<StreamConsumer<GroupContext>, KafkaError> {
    let cfg = super::shared::client::consumer_config(
        &config.kafka,
        &[
            ("group.id", &config.group_id),
            ("client.id", "trackside-live"),
            ("enable.auto.commit", "true"),
            ("auto.commit.interval.ms", "1000"),
            // Offsets are stored once the hub has the records (`handled`), never for a
            // record held for its schema.
            ("enable.auto.offset.store", "false"),
            // Only when no start could be looked up (see `start`): a new group starts at
            // the live edge, and the page's replay covers the past.
            ("auto.offset.reset", "latest"),
            // The broker's least. A member lost with its broker is given up on this soon
            // after the broker is back, and a stopped server's partitions move this soon.
            ("session.timeout.ms", "6000"),
            ("heartbeat.interval.ms", "1000"),
            // Notice new topics and partitions in seconds, not the default five minutes.
            ("topic.metadata.refresh.interval.ms", "5000"),
        ],
    );
    let reset = start::Reset::from_property(cfg.get("auto.offset.reset"));
    let context = GroupContext::new(
        shared.status.clone(),
        shared.hub.clone(),
        (shared.owned.clone(), shared.subscribed.clone()),
        config.history,
        reset,
    );
    cfg.create_with_context(context).map_err(KafkaError::Create)
}

impl GroupMember {
    /// Consumes and follows the `topics` until `shutdown`, then commits and leaves the
    /// group.
    pub(crate) async fn run(self, topics: watch::Receiver<BTreeSet<String>>, shutdown: impl Future<Output = ()>) {
        let Self { consumer, follower, config, shared } = self;
        let follow = follow::Follow {
            consumer: follower,
            history: config.history,
            hub: shared.hub.clone(),
            status: shared.status.clone(),
            laps: shared.laps.clone(),
            decoder: config.decoder.clone(),
            topics: topics.clone(),
            owned: shared.owned.subscribe(),
        };
        let stop = CancellationToken::new();
        let following = tokio::spawn(follow::run(follow, stop.clone().cancelled_owned()));
        consume(consumer, &config, &shared, topics, shutdown).await;
        stop.cancel();
        let _ = following.await;
    }
}

async fn consume(
    mut consumer: StreamConsumer<GroupContext>,
    config: &LiveConfig,
    shared: &Shared,
    mut topics: watch::Receiver<BTreeSet<String>>,
    shutdown: impl Future<Output = ()>,
) {
    let (status, hub) = (&shared.status, &shared.hub);
    let mut subscribed = BTreeSet::new();
    let mut batcher = Batcher::default();
    let mut flush = tick::ticker(BATCH_LINGER);
    let mut errors = ErrorThrottle::default();
    let mut error_run = 0u32;
    let mut positions = tokio::time::interval(POSITION_INTERVAL);
    let mut watchdog = Watchdog::new(config.stuck_after);
    let mut held = held::Held::default();
    let mut handled = handled::Handled::default();
    // Backfills waiting to try again stop with the group.
    let backfills_stopped = CancellationToken::new();
    // Consumers created so far: the first is 0.
    let mut generation = 0u64;
    tokio::pin!(shutdown);
    // Mark the initial set as new so the first loop turn subscribes.
    topics.mark_changed();

    loop {
        tokio::select! {
            // In this order, so that a backlog of records (always ready) never holds up
            // the rest; and so that a batch goes once librdkafka has nothing more queued.
            biased;
            () = &mut shutdown => break,
            changed = topics.changed() => {
                if changed.is_err() {
                    break;
                }
                let wanted = topics.borrow_and_update().clone();
                if wanted != subscribed {
                    // Before subscribing: the assignment that follows covers these.
                    *lock(&shared.subscribed) = wanted.clone();
                    subscribe(&consumer, &wanted);
                    status.set_group_topics(wanted.iter().cloned().collect());
                    subscribed = wanted;
                }
            }
            _ = positions.tick() => {
                #[cfg(feature = "failpoints")]
                if generation == 0 && stalled_by_test(&config.group_id) {
                    // What a stuck librdkafka consumer looks like: assigned, but fetching nothing.
                    if let Ok(assignment) = consumer.assignment() {
                        let _ = consumer.pause(&assignment);
                    }
                }
                // A rebalance with no record after it is noticed here.
                start_backfills(&consumer, config, hub, &backfills_stopped);
                let looks = record_positions(&consumer, status);
                if let Some(stuck) = watchdog.look(Instant::now(), status.kafka().reachable, &looks) {
                    publish(hub, status, &shared.laps, &mut batcher);
                    handled.store(&consumer);
                    if replace(&mut consumer, config, shared, &subscribed, &stuck, generation).await {
                        watchdog.reset();
                        generation += 1;
                    }
                }
            }
            _ = flush.tick() => {
                publish(hub, status, &shared.laps, &mut batcher);
                handled.store(&consumer);
                held.resume_due(&consumer);
            }
            msg = consumer.recv() => match msg {
                Ok(m) => {
                    error_run = 0;
                    let (topic, partition, offset) = (m.topic(), m.partition(), m.offset());
                    if held.drops(topic, partition) {
                        continue;
                    }
                    match batcher.push_message(&config.decoder, &m) {
                        Ok(()) => {
                            held.read(topic, partition, offset);
                            handled.note(topic, partition, offset);
                        }
                        Err(reason) => {
                            let tp = TopicPartition::new(topic, partition);
                            let wait = matches!(reason, Malformed::SchemaUnavailable(_));
                            if !(wait && held.hold(&consumer, &tp, offset)) {
                                debug!(topic, partition, offset, %reason, "malformed record skipped");
                                status.record_malformed(&tp, offset, reason.to_string());
                                handled.note(topic, partition, offset);
                            }
                        }
                    }
                    if batcher.is_full() {
                        publish(hub, status, &shared.laps, &mut batcher);
                        handled.store(&consumer);
                    }
                    start_backfills(&consumer, config, hub, &backfills_stopped);
                }
                Err(e) => {
                    errors.warn(&e, "");
                    // Each error is an event librdkafka queued once, at the pace it retries
                    // a lost broker, so they are taken at once: a pause per error left a
                    // broker outage's backlog of them in front of the next rebalance for
                    // many seconds. Only an unbroken run of them, which librdkafka never
                    // queues, earns a pause.
                    error_run += 1;
                    if error_run.is_multiple_of(ERROR_RUN_PAUSE_AFTER) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            },
            // Nothing more is queued: what was read goes to the viewers now rather than
            // after a linger, which at 20,000 records/s added 2.5 ms to the median and 5
            // to the worst (docs/performance.md, "Live latency").
            () = std::future::ready(()), if !batcher.is_empty() => {
                publish(hub, status, &shared.laps, &mut batcher);
                handled.store(&consumer);
            }
        }
    }

    backfills_stopped.cancel();
    publish(hub, status, &shared.laps, &mut batcher);
    handled.store(&consumer);
    leave(consumer).await;
}

/// Replaces a stuck group consumer with a new one reading the same topics. The old member
/// commits what it delivered and leaves first, so the new one starts where it stopped: no
/// gap, and no repeat if the commit gets through. Returns whether it was replaced.
async fn replace(
    consumer: &mut StreamConsumer<GroupContext>,
    config: &LiveConfig,
    shared: &Shared,
    topics: &BTreeSet<String>,
    stuck: &Stuck,
    generation: u64,
) -> bool {
    warn!(reason = %stuck, generation, "the group consumer is stuck; replacing it");
    let fresh = match create(config, shared) {
        Ok(fresh) => fresh,
        Err(e) => {
            warn!(error = %e, "cannot create a new group consumer; keeping the stuck one");
            return false;
        }
    };
    leave(std::mem::replace(consumer, fresh)).await;
    subscribe(consumer, topics);
    shared.status.record_consumer_restart(stuck.to_string());
    true
}

/// Starts the backfills the last rebalances asked for.
fn start_backfills(
    consumer: &StreamConsumer<GroupContext>,
    config: &LiveConfig,
    hub: &Hub,
    stopped: &CancellationToken,
) {
    let ranges = consumer.context().take_backfills();
    if !ranges.is_empty() {
        backfill(config, ranges, hub, stopped.clone());
    }
}

/// Fills the history that precedes where the group resumed, in the background. With
/// Kafka unreachable it tries again every [`BACKFILL_RETRY`] for up to
/// [`BACKFILL_PATIENCE`]; the history merges a late backfill with what the group has
/// delivered since, so nothing repeats.
fn backfill(config: &LiveConfig, ranges: Vec<BackfillRange>, hub: &Hub, stopped: CancellationToken) {
    // On a thread of its own, it may wait for a record's schema.
    let (kafka, decoder, hub) = (config.kafka.clone(), config.decoder.patient(), hub.clone());
    tokio::spawn(async move {
        let started = Instant::now();
        loop {
            let (kafka, decoder, r, hub) = (kafka.clone(), decoder.clone(), ranges.clone(), hub.clone());
            // librdkafka blocks: each attempt runs on a blocking thread.
            let attempt = tokio::task::spawn_blocking(move || backfill::run(&kafka, &decoder, &r, &hub)).await;
            match attempt.map_err(KafkaError::Join).and_then(|r| r) {
                Ok(_) => return,
                Err(e) if started.elapsed() >= BACKFILL_PATIENCE => {
                    return warn!(error = %e, "no history backfilled; it fills as records arrive");
                }
                Err(e) => debug!(error = %e, "history backfill failed; trying again"),
            }
            tokio::select! {
                () = tokio::time::sleep(BACKFILL_RETRY) => {}
                () = stopped.cancelled() => return,
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

/// Hands the decoded batches to the hub and to the lap index, which are not decoded again.
fn publish(hub: &Hub, status: &Status, laps: &LapIndex, batcher: &mut Batcher) {
    if batcher.is_empty() {
        return;
    }
    for (tp, records) in batcher.drain() {
        crate::stages::record_group(records.iter().filter_map(|r| r.sample.ts));
        // The hub's records of a partition have no gap (see `start`), so where they end
        // is where this batch continues from, whichever reader delivered them.
        laps.fed(&tp.topic, tp.partition, hub.next_offset(&tp), &records);
        // Only what was new to the hub counts: see `Hub::publish`.
        let kept = hub.publish(&tp, &records);
        if let Some(last) = records.last().filter(|_| kept > 0) {
            status.record_consumed(&tp, kept as u64, last.offset);
        }
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
