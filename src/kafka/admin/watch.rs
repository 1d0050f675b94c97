//! The cluster watcher's loop: a look every [`POLL_INTERVAL`], and at once when librdkafka
//! says the brokers are gone. Each look lists the topics (one metadata request, which also
//! says whether Kafka answers) and asks the watermarks of only the topics the group reads
//! and the ones new since the last look, so its cost does not grow with idle topics.

use std::{future::Future, sync::atomic::Ordering, time::Duration};

use rdkafka::{ClientContext, consumer::Consumer};
use tracing::{info, warn};

use super::{
    Cluster, MetadataClient, POLL_INTERVAL,
    look::{Asked, keep_watermarks, topics_with_watermarks},
};
use crate::{
    kafka::{KafkaError, METADATA_TIMEOUT},
    status::Status,
    tick,
};

/// How often the watcher's client is asked for librdkafka's events (its error callback).
const EVENTS_INTERVAL: Duration = Duration::from_millis(250);
/// Timeout of the look taken at once when librdkafka says the brokers are gone: short,
/// because a broker that is there answers in milliseconds.
const ALARM_TIMEOUT: Duration = Duration::from_secs(1);

/// Looks at the cluster every [`POLL_INTERVAL`] until `shutdown`, keeping the status
/// current and logging each change of reachability once. When librdkafka says every
/// broker is down (or the login was refused), it looks again at once with a short
/// timeout, so the page hears within a couple of seconds, and hears why.
pub(crate) async fn watch(cluster: Cluster, brokers: String, shutdown: impl Future<Output = ()>) {
    let Cluster { client, status, .. } = cluster;
    let mut events = tick::ticker(EVENTS_INTERVAL);
    let mut tick = tick::ticker(POLL_INTERVAL);
    tokio::pin!(shutdown);
    let mut was_reachable: Option<bool> = None;
    loop {
        let timeout = tokio::select! {
            () = &mut shutdown => return,
            _ = events.tick() => {
                if !drain_events(&client) {
                    continue;
                }
                ALARM_TIMEOUT
            }
            _ = tick.tick() => METADATA_TIMEOUT,
        };
        let (c, s) = (client.clone(), status.clone());
        let looked = match tokio::task::spawn_blocking(move || look(c.as_ref(), &s, timeout)).await {
            Ok(looked) => looked,
            Err(e) => Err(KafkaError::Join(e)),
        };
        // What the error callback said is more use than a timed-out request's words, and
        // out of date once a look succeeds.
        let said = client.context().take();
        match looked {
            Ok(topics) => {
                if was_reachable != Some(true) {
                    info!(%brokers, topics, "kafka reachable");
                }
                was_reachable = Some(true);
                status.set_kafka(Ok(()));
            }
            Err(e) => {
                let error = said.unwrap_or_else(|| e.to_string());
                if was_reachable != Some(false) {
                    warn!(%brokers, %error, "kafka unavailable; retrying every {POLL_INTERVAL:?}");
                }
                was_reachable = Some(false);
                status.set_kafka(Err(error));
            }
        }
    }
}

/// Lists the topics within `timeout` and asks the watermarks of those the status says are
/// read, and of new ones; puts what it found in the status and says how many topics there
/// are. Blocking: call it from `spawn_blocking`.
fn look(client: &MetadataClient, status: &Status, timeout: Duration) -> Result<usize, KafkaError> {
    let metadata = client.fetch_metadata(None, timeout).map_err(KafkaError::Metadata)?;
    let (wanted, known) = (status.topics_read(), status.topics());
    let asked = Asked::Some { wanted: &wanted, known: &known };
    let looked = topics_with_watermarks(client, &metadata, &asked);
    let count = looked.len();
    status.update_topics(|now| keep_watermarks(looked, &asked, now));
    Ok(count)
}

/// Serves the client's pending events (it reads no records, so there are only events),
/// and says whether any of them was an alarm. Never blocks.
fn drain_events(client: &MetadataClient) -> bool {
    // Bounded, in case librdkafka produces events as fast as they are taken.
    for _ in 0..1024 {
        match client.poll(Duration::ZERO) {
            None => break,
            // Some errors come back from the poll rather than through the callback.
            Some(Err(e)) => {
                let said = e.to_string();
                client.context().error(e, &said);
            }
            Some(Ok(_)) => {}
        }
    }
    client.context().alarmed.swap(false, Ordering::Relaxed)
}
