//! The one writer `serve` ever has, made only with `--annotations`: it writes a note's
//! new state to the annotations topic of its data topic (keyed by the note's id, so a
//! note's states stay in order in one partition), creating that topic when first needed
//! (1 partition, the broker's default replication), and keeps the state as soon as Kafka
//! has acknowledged it, so viewers of this replica see it at once.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    config::FromClientConfigAndContext,
    error::RDKafkaErrorCode,
    producer::{FutureProducer, FutureRecord},
};
use tracing::{info, warn};

use super::{NoteReaders, announce};
use crate::{
    annotations::{self, Note},
    kafka::{KafkaError, METADATA_TIMEOUT, produce::Deliveries, shared::client::client_config},
    sync::lock,
};

/// How long a note may wait for Kafka's acknowledgement before the write is called failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Annotations topics known to exist, remembered so a write asks Kafka once; past this
/// many the memory starts over (one more metadata request each).
const MAX_KNOWN_TOPICS: usize = 1_024;

/// Writer settings (`-X` overrides them). The topic is created explicitly, with one
/// partition, never by a broker's auto-creation with its own defaults.
const WRITER_DEFAULTS: &[(&str, &str)] =
    &[("acks", "all"), ("linger.ms", "0"), ("allow.auto.create.topics", "false"), ("message.timeout.ms", "10000")];

/// Why a note was not written, as the person who wrote it is told.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error("Kafka refused to create the annotations topic `{topic}`: {reason}")]
    CreateTopic { topic: String, reason: String },
    #[error("Kafka refused the note (topic `{topic}`): {reason}")]
    Refused { topic: String, reason: String },
    #[error("cannot reach Kafka: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Client(#[from] KafkaError),
}

/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Annotator {
    inner: Arc<Inner>,
}

struct Inner {
    producer: FutureProducer<Deliveries>,
    admin: Arc<AdminClient<Deliveries>>,
    readers: NoteReaders,
    /// Annotations topics known to exist. A std mutex: never held across an await.
    known: Mutex<HashSet<String>>,
}

impl Annotator {
    /// Creates the Kafka clients; fails only on a configuration librdkafka refuses.
    pub(crate) fn new(readers: NoteReaders) -> Result<Self, KafkaError> {
        let config = client_config(&readers.kafka, WRITER_DEFAULTS);
        let producer =
            FutureProducer::from_config_and_context(&config, Deliveries::default()).map_err(KafkaError::Create)?;
        let admin_config = client_config(&readers.kafka, &[("allow.auto.create.topics", "false")]);
        let admin =
            AdminClient::from_config_and_context(&admin_config, Deliveries::default()).map_err(KafkaError::Create)?;
        Ok(Self {
            inner: Arc::new(Inner { producer, admin: Arc::new(admin), readers, known: Mutex::new(HashSet::new()) }),
        })
    }

    /// Writes `note` as the new state of its id in `topic`'s annotations, and keeps it.
    pub(crate) async fn write(&self, topic: &str, note: &Note) -> Result<(), WriteError> {
        let notes_topic = annotations::topic_for(&self.inner.readers.template, topic);
        if !lock(&self.inner.known).contains(&notes_topic) {
            self.ensure_topic(&notes_topic).await?;
            let mut known = lock(&self.inner.known);
            if known.len() >= MAX_KNOWN_TOPICS {
                known.clear();
            }
            known.insert(notes_topic.clone());
        }
        let payload = serde_json::to_vec(note).unwrap_or_default();
        let record = FutureRecord::to(&notes_topic).key(note.id.as_str()).payload(&payload);
        match self.inner.producer.send(record, DELIVERY_TIMEOUT).await {
            Ok(delivered) => {
                info!(topic = notes_topic, id = note.id, deleted = note.deleted, "note written");
                announce(&self.inner.readers, topic, delivered.partition, delivered.offset, note.clone());
                Ok(())
            }
            Err((e, _)) => {
                // The topic may have been deleted since: look again next time.
                lock(&self.inner.known).remove(&notes_topic);
                warn!(topic = notes_topic, error = %e, "a note was not written");
                Err(WriteError::Refused { topic: notes_topic, reason: e.to_string() })
            }
        }
    }

    /// Creates the annotations topic unless it exists.
    async fn ensure_topic(&self, notes_topic: &str) -> Result<(), WriteError> {
        let admin = Arc::clone(&self.inner.admin);
        let name = notes_topic.to_owned();
        let metadata = tokio::task::spawn_blocking(move || admin.inner().fetch_metadata(Some(&name), METADATA_TIMEOUT))
            .await
            .map_err(KafkaError::Join)?
            .map_err(|e| WriteError::Unreachable(e.to_string()))?;
        let exists = metadata
            .topics()
            .iter()
            .any(|t| t.name() == notes_topic && t.error().is_none() && !t.partitions().is_empty());
        if exists {
            return Ok(());
        }
        // One partition keeps every note in one order; replication is the broker's default (-1).
        let new = NewTopic::new(notes_topic, 1, TopicReplication::Fixed(-1));
        let options = AdminOptions::new().operation_timeout(Some(METADATA_TIMEOUT));
        let failed = |reason: String| WriteError::CreateTopic { topic: notes_topic.to_owned(), reason };
        for result in self.inner.admin.create_topics([&new], &options).await.map_err(|e| failed(e.to_string()))? {
            match result {
                Ok(_) => info!(topic = notes_topic, "created the annotations topic"),
                // Another replica created it meanwhile.
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((_, code)) => return Err(failed(code.to_string())),
            }
        }
        Ok(())
    }
}
