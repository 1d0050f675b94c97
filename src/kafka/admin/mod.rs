//! Watches the cluster: whether the broker answers, which topics exist, and the low and
//! high watermarks of the partitions someone reads (look.rs says which). The page's
//! pickers, offsets and lag come from here; `/healthz` says what the last look found.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    config::RDKafkaLogLevel,
    consumer::{BaseConsumer, Consumer, ConsumerContext},
    types::RDKafkaErrorCode,
};
use tracing::{debug, warn};

use super::{KafkaError, METADATA_TIMEOUT, shared::client};
use crate::{
    config::KafkaArgs,
    selection::Selection,
    status::{PartitionInfo, Status, TopicInfo},
    sync::lock,
};

mod look;
mod watch;

use look::{Asked, topics_with_watermarks};
pub(crate) use watch::watch;

/// How often the cluster is looked at, and how old the whole list's watermarks may be.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_secs(2);

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
    /// When the last look at every topic's watermarks began; held while one runs, so
    /// readers of the list that come together share one look.
    listed: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

impl Cluster {
    pub(crate) fn new(kafka: &KafkaArgs, status: &Status) -> Result<Self, KafkaError> {
        let client = client::client_config(kafka, &[("client.id", "trackside-admin")])
            .create_with_context(WatchContext::default())
            .map_err(KafkaError::Create)?;
        Ok(Self { client: Arc::new(client), status: status.clone(), listed: Arc::default() })
    }

    /// Brings every topic's watermarks up to date for a reader of the whole list (the
    /// page's topic picker), unless a look at them all began within [`POLL_INTERVAL`]:
    /// the watcher's own looks ask only for the topics someone reads, so the rest are as
    /// fresh as the last time someone asked for the list. While Kafka is unreachable it
    /// does not wait on a look bound to fail: the list is what was last known.
    pub(crate) async fn refresh_list(&self) {
        if !self.status.kafka().reachable {
            return;
        }
        let cluster = self.clone();
        // In a task of its own, so a reader that goes away does not let the next one start
        // a second look while this one still runs.
        let _ = tokio::spawn(async move { cluster.look_at_the_list().await }).await;
    }

    async fn look_at_the_list(&self) {
        let mut listed = self.listed.lock().await;
        if listed.is_some_and(|at| at.elapsed() < POLL_INTERVAL) {
            return;
        }
        let (started, client) = (Instant::now(), self.client.clone());
        let looked = tokio::task::spawn_blocking(move || {
            let metadata = client.fetch_metadata(None, METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
            Ok::<_, KafkaError>(topics_with_watermarks(client.as_ref(), &metadata, &Asked::All))
        })
        .await;
        match looked {
            Ok(Ok(topics)) => {
                self.status.set_topics(topics);
                *listed = Some(started);
            }
            // The watcher says whether Kafka answers; the list stays what it was.
            Ok(Err(e)) => debug!(error = %e, "could not look at every topic's watermarks"),
            Err(e) => warn!(error = %e, "the look at every topic's watermarks failed"),
        }
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
    topics_with_watermarks(client, &metadata, &Asked::All)
        .into_iter()
        .find(|t| t.name == topic && !t.partitions.is_empty())
        .ok_or_else(|| KafkaError::UnknownTopic(topic.to_owned()))
}
