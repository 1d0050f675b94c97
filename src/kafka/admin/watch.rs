//! The cluster watcher's loop: a look every [`POLL_INTERVAL`], and at once when librdkafka
//! says the brokers are gone. A look asks only about the topics read: their metadata (one
//! request per topic, which also says whether Kafka answers) and their watermarks, so its
//! cost does not grow with idle topics. The whole list (every topic's metadata, and the
//! watermarks of the new ones) is fetched every [`LIST_INTERVAL`] and whenever someone
//! reads it (`Cluster::refresh_list`): on a broker of 1,900 topics, listing them all every
//! 2 s cost an idle server most of its CPU.

use std::{
    future::Future,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

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
/// How often the watcher lists every topic, so that one created or deleted shows in the
/// status (and in the page's picker, which also asks for the list when it opens) this soon.
const LIST_INTERVAL: Duration = Duration::from_secs(30);
/// The topic whose metadata is asked, when none is read, only to hear whether Kafka
/// answers: Kafka's own, which exists once any group has committed (and whose absence is
/// an answer too). The watcher's client never creates topics.
const REACH_TOPIC: &str = "__consumer_offsets";

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
    // When the watcher last listed every topic; none until a look has listed them.
    let mut listed: Option<Instant> = None;
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
        let whole = listed.is_none_or(|at| at.elapsed() >= LIST_INTERVAL);
        let started = Instant::now();
        let looked = match tokio::task::spawn_blocking(move || look(c.as_ref(), &s, timeout, whole)).await {
            Ok(looked) => looked,
            Err(e) => Err(KafkaError::Join(e)),
        };
        if whole && looked.is_ok() {
            listed = Some(started);
        }
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

/// Asks, within `timeout`, about the topics the status says are read (their metadata and
/// watermarks), or when `whole`, lists every topic and asks the watermarks of those read
/// and of new ones; puts what it found in the status and says how many topics there are.
/// Blocking: call it from `spawn_blocking`.
fn look(client: &MetadataClient, status: &Status, timeout: Duration, whole: bool) -> Result<usize, KafkaError> {
    let (wanted, known) = (status.topics_read(), status.topics());
    let asked = Asked::Some { wanted: &wanted, known: &known };
    if whole {
        let metadata = client.fetch_metadata(None, timeout).map_err(KafkaError::Metadata)?;
        let looked = topics_with_watermarks(client, &metadata, &asked);
        let count = looked.len();
        status.update_topics(|now| keep_watermarks(looked, &asked, now));
        return Ok(count);
    }
    let mut names: Vec<&str> = wanted.iter().map(String::as_str).collect();
    names.sort_unstable();
    if names.is_empty() {
        names.push(REACH_TOPIC);
    }
    let mut looked = Vec::new();
    for name in names {
        let metadata = client.fetch_metadata(Some(name), timeout).map_err(KafkaError::Metadata)?;
        looked.extend(topics_with_watermarks(client, &metadata, &asked));
    }
    status.merge_topics(looked);
    Ok(known.len())
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
