//! The group member's loop: it follows the topics asked for, reads and batches records
//! ([`super::feed`]), keeps the group's positions in the status, starts the backfills
//! rebalances ask for, and replaces a consumer the [`watchdog`](super::watchdog) finds
//! stuck. At shutdown it hands over its last batch and leaves the group.

use std::{
    collections::BTreeSet,
    future::Future,
    time::{Duration, Instant},
};

use rdkafka::{
    Offset,
    consumer::{Consumer, StreamConsumer},
    message::Message,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::{
    LiveConfig, POSITION_INTERVAL, Shared, backfill,
    batch::{BATCH_LINGER, Batcher},
    context::{ErrorThrottle, GroupContext},
    create,
    feed::{Taken, publish, take},
    handled::Handled,
    held::Held,
    leave, subscribe,
    watchdog::{PartitionLook, Stuck, Watchdog},
};
use crate::{status::Status, sync::lock, telemetry::TopicPartition, tick};

/// Consumer errors taken in a row, with no record between them, before the group pauses.
const ERROR_RUN_PAUSE_AFTER: u32 = 1_000;

/// Consumes the `topics` until `shutdown` or until the topics' sender is gone, then
/// commits and leaves the group.
pub(super) async fn run(
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
    let mut held = Held::default();
    let mut handled = Handled::default();
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
                backfill::start_due(&consumer, config, hub, &backfills_stopped);
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
                    match take(&m, &config.decoder, &mut batcher, &mut held, &consumer, status) {
                        Taken::Dropped => continue,
                        Taken::Handled => handled.note(m.topic(), m.partition(), m.offset()),
                        Taken::Held => {}
                    }
                    if batcher.is_full() {
                        publish(hub, status, &shared.laps, &mut batcher);
                        handled.store(&consumer);
                    }
                    backfill::start_due(&consumer, config, hub, &backfills_stopped);
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
