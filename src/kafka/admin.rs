//! Watches the cluster: whether the broker answers, which topics exist, and every
//! partition's low and high watermarks. The page's pickers, offsets and lag come from
//! here; `/healthz` says what the last look found.

use std::{future::Future, sync::Arc, time::Duration};

use rdkafka::{
    consumer::{BaseConsumer, Consumer, ConsumerContext},
    metadata::Metadata,
};
use tracing::{info, warn};

use super::{KafkaError, METADATA_TIMEOUT};
use crate::{
    config::KafkaArgs,
    status::{KafkaHealth, PartitionInfo, Status, TopicInfo},
};

/// How often the cluster is looked at.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Most partitions whose watermarks are read per look; past this the rest show without
/// offsets rather than make each look take seconds.
pub const MAX_WATERMARK_PARTITIONS: usize = 2_000;

/// A client for metadata only: it joins no group and reads no records.
pub fn metadata_client(kafka: &KafkaArgs, client_id: &str) -> Result<BaseConsumer, KafkaError> {
    kafka.client_config(&[("client.id", client_id)]).create().map_err(KafkaError::Create)
}

/// Reads topics and watermarks. Blocking: call it from `spawn_blocking`.
pub fn describe_cluster<X: ConsumerContext>(client: &impl Consumer<X>) -> Result<Vec<TopicInfo>, KafkaError> {
    let metadata = client.fetch_metadata(None, METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    Ok(topics_with_watermarks(client, &metadata))
}

fn topics_with_watermarks<X: ConsumerContext>(client: &impl Consumer<X>, metadata: &Metadata) -> Vec<TopicInfo> {
    let mut budget = MAX_WATERMARK_PARTITIONS;
    let mut topics: Vec<TopicInfo> = metadata
        .topics()
        .iter()
        .filter(|t| !t.name().starts_with("__") && t.error().is_none())
        .map(|t| {
            let mut partitions: Vec<PartitionInfo> = t
                .partitions()
                .iter()
                .map(|p| {
                    let (low, high) = if budget > 0 {
                        budget -= 1;
                        client.fetch_watermarks(t.name(), p.id(), METADATA_TIMEOUT).unwrap_or((-1, -1))
                    } else {
                        (-1, -1)
                    };
                    PartitionInfo { partition: p.id(), low, high }
                })
                .collect();
            partitions.sort_by_key(|p| p.partition);
            TopicInfo { name: t.name().to_owned(), partitions }
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    topics
}

/// The partitions of one topic, with watermarks. Blocking: call it from `spawn_blocking`.
pub fn describe_topic<X: ConsumerContext>(client: &impl Consumer<X>, topic: &str) -> Result<TopicInfo, KafkaError> {
    let metadata = client.fetch_metadata(Some(topic), METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    topics_with_watermarks(client, &metadata)
        .into_iter()
        .find(|t| t.name == topic && !t.partitions.is_empty())
        .ok_or_else(|| KafkaError::UnknownTopic(topic.to_owned()))
}

/// Looks at the cluster every [`POLL_INTERVAL`] until `shutdown`, keeping the status
/// current and logging each change of reachability once.
pub async fn watch(client: BaseConsumer, brokers: String, status: Status, shutdown: impl Future<Output = ()>) {
    let client = Arc::new(client);
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let mut was_reachable: Option<bool> = None;
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        let c = client.clone();
        let looked = match tokio::task::spawn_blocking(move || describe_cluster(c.as_ref())).await {
            Ok(looked) => looked,
            Err(e) => Err(KafkaError::Join(e)),
        };
        match looked {
            Ok(topics) => {
                if was_reachable != Some(true) {
                    info!(%brokers, topics = topics.len(), "kafka reachable");
                }
                was_reachable = Some(true);
                status.set_topics(topics);
                status.set_kafka(KafkaHealth { reachable: true, error: None });
            }
            Err(e) => {
                if was_reachable != Some(false) {
                    warn!(%brokers, error = %e, "kafka unavailable; retrying every {POLL_INTERVAL:?}");
                }
                was_reachable = Some(false);
                status.set_kafka(KafkaHealth { reachable: false, error: Some(e.to_string()) });
            }
        }
    }
}
