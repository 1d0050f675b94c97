//! The consumer-group member: it reads the topics the server is asked for, decodes every
//! record and hands batches to the hub. Rebalances and commits are logged, and the
//! group's assignment is kept in the status for the page. Beside it, the follower
//! ([`follow`]) reads the partitions the group gave other members, so every replica
//! shows every partition.
//!
//! Here: the member's configuration, its consumer's creation, subscribing and leaving.
//! Its loop is [`consume`]; what both loops do with a record read is [`feed`].

mod backfill;
mod batch;
mod consume;
mod context;
mod feed;
mod follow;
mod handled;
mod held;
mod start;
mod topics;
pub(crate) mod watchdog;

pub(crate) use topics::{Topics, Watching};

use std::{collections::BTreeSet, future::Future, sync::Arc, time::Duration};

use context::{GroupContext, Owned, Subscribed};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::KafkaError;
use crate::{config::KafkaArgs, hub::Hub, laps::LapIndex, mapping::Decoder, status::Status};

/// How often the group's positions are copied into the status for lag, and looked at
/// by the watchdog.
const POSITION_INTERVAL: Duration = Duration::from_secs(1);

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
        consume::run(consumer, &config, &shared, topics, shutdown).await;
        stop.cancel();
        let _ = following.await;
    }
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
