//! Watches the cluster: whether the broker answers, which topics exist, and every
//! partition's low and high watermarks. The page's pickers, offsets and lag come from
//! here; `/healthz` says what the last look found.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    config::RDKafkaLogLevel,
    consumer::{BaseConsumer, Consumer, ConsumerContext},
    metadata::Metadata,
    types::RDKafkaErrorCode,
};
use tracing::{debug, info, warn};

use super::{KafkaError, METADATA_TIMEOUT, shared::client};
use crate::{
    config::KafkaArgs,
    selection::Selection,
    status::{PartitionInfo, Status, TopicInfo},
    sync::lock,
    tick,
};

/// How often the cluster is looked at.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How often the watcher's client is asked for librdkafka's events (its error callback).
const EVENTS_INTERVAL: Duration = Duration::from_millis(250);
/// Timeout of the look taken at once when librdkafka says the brokers are gone: short,
/// because a broker that is there answers in milliseconds.
const ALARM_TIMEOUT: Duration = Duration::from_secs(1);

/// The cluster watcher's client context. librdkafka tells its error callback that every
/// broker is down, or that a login was refused, long before a metadata request times out
/// with a bare "transport failure"; this keeps what it said and raises the alarm, so the
/// page hears at once, and hears why.
#[derive(Default)]
pub(crate) struct WatchContext {
    alarmed: AtomicBool,
    /// What librdkafka last said, and whether it was a refused login.
    last: Mutex<Option<(String, bool)>>,
}

impl WatchContext {
    /// What librdkafka last said about losing the cluster, once.
    fn take(&self) -> Option<String> {
        lock(&self.last).take().map(|(said, _)| said)
    }

    /// Keeps what librdkafka said and raises the alarm.
    fn said(&self, reason: &str, login: bool) {
        let mut last = lock(&self.last);
        // "All brokers down" follows a refused login; the login is the reason to show.
        if login || !last.as_ref().is_some_and(|(_, was_login)| *was_login) {
            *last = Some((reason.to_owned(), login));
        }
        self.alarmed.store(true, Ordering::Relaxed);
    }
}

impl ClientContext for WatchContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        use RDKafkaErrorCode::{AllBrokersDown, Authentication, SaslAuthenticationFailed};
        match error.rdkafka_error_code() {
            Some(Authentication | SaslAuthenticationFailed) => self.said(reason, true),
            Some(AllBrokersDown) => self.said(reason, false),
            _ => {}
        }
    }

    /// Logs through [`client::log`]; a refused login or TLS handshake is only ever said here.
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        client::log(level, facility, message);
        if ["SASL authentication error", "SSL handshake failed"].iter().any(|m| message.contains(m)) {
            self.said(message, true);
        }
    }
}

impl ConsumerContext for WatchContext {}

/// The client the cluster watcher uses.
type MetadataClient = BaseConsumer<WatchContext>;

/// The server's view of the cluster: a client for metadata only (it joins no group and
/// reads no records), and the status it keeps current. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Cluster {
    client: Arc<MetadataClient>,
    status: Status,
}

impl Cluster {
    pub(crate) fn new(kafka: &KafkaArgs, status: &Status) -> Result<Self, KafkaError> {
        let client = client::client_config(kafka, &[("client.id", "trackside-admin")])
            .create_with_context(WatchContext::default())
            .map_err(KafkaError::Create)?;
        Ok(Self { client: Arc::new(client), status: status.clone() })
    }

    /// Asks Kafka about one topic now, rather than at the watcher's next look, and adds
    /// what it finds to the status. For a topic a viewer asks for that the last look did
    /// not find: it may have been created since. Returns whether the topic exists.
    pub(crate) async fn look_up(&self, topic: &str) -> bool {
        let (client, name) = (self.client.clone(), topic.to_owned());
        let found = tokio::task::spawn_blocking(move || describe_topic(client.as_ref(), &name)).await;
        match found {
            Ok(Ok(info)) => {
                self.status.merge_topic(info);
                true
            }
            Ok(Err(e)) => {
                debug!(topic, error = %e, "topic looked up, not found");
                false
            }
            Err(e) => {
                warn!(topic, error = %e, "topic look-up failed");
                false
            }
        }
    }
}

/// Reads topics and watermarks, the metadata within `timeout`. Blocking: call it from
/// `spawn_blocking`.
fn describe_cluster<X: ConsumerContext>(
    client: &impl Consumer<X>,
    timeout: Duration,
) -> Result<Vec<TopicInfo>, KafkaError> {
    let metadata = client.fetch_metadata(None, timeout).map_err(KafkaError::Metadata)?;
    Ok(topics_with_watermarks(client, &metadata))
}

fn topics_with_watermarks<X: ConsumerContext>(client: &impl Consumer<X>, metadata: &Metadata) -> Vec<TopicInfo> {
    let listed: Vec<(&str, i32)> = metadata
        .topics()
        .iter()
        .filter(|t| !t.name().starts_with("__") && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(move |p| (t.name(), p.id())))
        .collect();
    let (lows, highs) = (
        offsets(client, &listed, Offset::Beginning, METADATA_TIMEOUT),
        offsets(client, &listed, Offset::End, METADATA_TIMEOUT),
    );
    let mut topics: Vec<TopicInfo> = Vec::new();
    for (topic, partition) in listed {
        if topics.last().is_none_or(|t: &TopicInfo| t.name != topic) {
            topics.push(TopicInfo { name: topic.to_owned(), partitions: Vec::new() });
        }
        let key = (topic.to_owned(), partition);
        let low = lows.get(&key).copied().unwrap_or(-1);
        let high = highs.get(&key).copied().unwrap_or(-1);
        if let Some(t) = topics.last_mut() {
            t.partitions.push(PartitionInfo { partition, low, high });
        }
    }
    for t in &mut topics {
        t.partitions.sort_by_key(|p| p.partition);
    }
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    topics
}

/// The earliest or latest offset of every listed partition, or the first at or after a
/// timestamp, in one ListOffsets request per broker rather than one per partition: the
/// timestamps -2 and -1 that [`Offset::Beginning`] and [`Offset::End`] stand for ask
/// exactly that. A partition the broker did not answer for, or with no record as new as
/// the timestamp, is left out. Blocking.
pub(crate) fn offsets<X: ConsumerContext>(
    client: &impl Consumer<X>,
    partitions: &[(&str, i32)],
    at: Offset,
    timeout: Duration,
) -> HashMap<(String, i32), i64> {
    let mut tpl = TopicPartitionList::with_capacity(partitions.len());
    for (topic, partition) in partitions {
        // Only fails for an invalid offset, and callers pass valid ones.
        let _ = tpl.add_partition_offset(topic, *partition, at);
    }
    let Ok(answer) = client.offsets_for_times(tpl, timeout) else { return HashMap::new() };
    answer
        .elements()
        .iter()
        .filter(|e| e.error().is_ok())
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some(((e.topic().to_owned(), e.partition()), o)),
            _ => None,
        })
        .collect()
}

/// Every partition of `topics` that `selection` covers, with its topic's name, in the
/// order given.
pub(crate) fn chosen<'a>(
    topics: &'a [TopicInfo],
    selection: &'a Selection,
) -> impl Iterator<Item = (&'a str, &'a PartitionInfo)> {
    topics.iter().flat_map(move |t| {
        t.partitions.iter().filter(move |p| selection.matches(&t.name, p.partition)).map(move |p| (t.name.as_str(), p))
    })
}

/// The partitions of one topic, with watermarks. Blocking: call it from `spawn_blocking`.
pub(crate) fn describe_topic<X: ConsumerContext>(
    client: &impl Consumer<X>,
    topic: &str,
) -> Result<TopicInfo, KafkaError> {
    let metadata = client.fetch_metadata(Some(topic), METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    topics_with_watermarks(client, &metadata)
        .into_iter()
        .find(|t| t.name == topic && !t.partitions.is_empty())
        .ok_or_else(|| KafkaError::UnknownTopic(topic.to_owned()))
}

/// Looks at the cluster every [`POLL_INTERVAL`] until `shutdown`, keeping the status
/// current and logging each change of reachability once. When librdkafka says every
/// broker is down (or the login was refused), it looks again at once with a short
/// timeout, so the page hears within a couple of seconds, and hears why.
pub(crate) async fn watch(cluster: Cluster, brokers: String, shutdown: impl Future<Output = ()>) {
    let Cluster { client, status } = cluster;
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
        let c = client.clone();
        let looked = match tokio::task::spawn_blocking(move || describe_cluster(c.as_ref(), timeout)).await {
            Ok(looked) => looked,
            Err(e) => Err(KafkaError::Join(e)),
        };
        // What the error callback said is more use than a timed-out request's words, and
        // out of date once a look succeeds.
        let said = client.context().take();
        match looked {
            Ok(topics) => {
                if was_reachable != Some(true) {
                    info!(%brokers, topics = topics.len(), "kafka reachable");
                }
                was_reachable = Some(true);
                status.set_topics(topics);
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
