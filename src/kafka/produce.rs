//! Producing to Kafka, for the simulator and the UDP bridge: the topic made sure of, a
//! producer whose context counts deliveries, records handed over while librdkafka's
//! queue has room, and a bounded flush at the end.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::ClientContext,
    config::{FromClientConfigAndContext, RDKafkaLogLevel},
    error::{KafkaError, RDKafkaErrorCode},
    producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer},
};
use tokio::time::sleep;
use tracing::{info, warn};

use super::shared::client::{self, client_config, redact_kafka_error};
use crate::{config::KafkaArgs, sync::lock};

/// How long start-up waits for the cluster's metadata before calling Kafka unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the records still queued at the end get to reach the broker.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait before offering a record again when librdkafka's queue is full.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(2);

/// Why records could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    #[error("cannot reach Kafka at {brokers} (no metadata within {} s)", waited.as_secs_f64())]
    Unreachable {
        brokers: String,
        waited: Duration,
        #[source]
        source: KafkaError,
    },
    #[error("cannot create topic `{topic}`: {reason}")]
    CreateTopic { topic: String, reason: String },
    /// Holds the error with any secret value already taken out (see
    /// [`redact_kafka_error`]), so neither `Display` nor `Debug` can show it.
    #[error("invalid Kafka client configuration")]
    Config(#[source] KafkaError),
    #[error("the producer refused a record")]
    Produce(#[source] KafkaError),
    #[error("a background task failed")]
    Task(#[source] tokio::task::JoinError),
}

impl ProduceError {
    fn config(e: KafkaError) -> ProduceError {
        ProduceError::Config(redact_kafka_error(&e))
    }
}

/// Producer settings; `-X` overrides any of them.
pub(crate) const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    // A few milliseconds of batching packs many cars' samples into one request, unseen
    // on a chart.
    ("linger.ms", "5"),
    ("compression.type", "lz4"),
    ("acks", "all"),
    // A sample half a minute old is no longer live telemetry: count it as failed rather
    // than retry it for librdkafka's default five minutes.
    ("message.timeout.ms", "30000"),
];

/// A producer that counts its deliveries.
pub(crate) type CountingProducer = ThreadedProducer<Deliveries>;

/// A producer from the user's Kafka settings over `defaults` (`-X` overrides them).
pub(crate) fn producer(kafka: &KafkaArgs, defaults: &[(&str, &str)]) -> Result<CountingProducer, ProduceError> {
    ThreadedProducer::from_config_and_context(&client_config(kafka, defaults), Deliveries::default())
        .map_err(ProduceError::config)
}

/// Hands one record to librdkafka, waiting while its queue is full. Returns false if
/// `shutdown` completed first.
pub(crate) async fn enqueue<F: Future<Output = ()>>(
    producer: &CountingProducer,
    mut record: BaseRecord<'_, str, Vec<u8>>,
    shutdown: &mut Pin<&mut F>,
) -> Result<bool, ProduceError> {
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(true),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                tokio::select! { biased; () = shutdown.as_mut() => return Ok(false), () = sleep(QUEUE_FULL_BACKOFF) => {} }
            }
            Err((e, _)) => return Err(ProduceError::Produce(e)),
        }
    }
}

/// Waits (bounded) for the queued records, then drops the producer, all off the async
/// threads since both block. Returns delivered, failed and still-unflushed counts.
pub(crate) async fn flush(producer: CountingProducer) -> Result<(u64, u64, u64), ProduceError> {
    tokio::task::spawn_blocking(move || {
        if let Err(e) = producer.flush(FLUSH_TIMEOUT) {
            warn!(error = %e, in_flight = producer.in_flight_count(), "gave up waiting for the last records");
        }
        let unflushed = u64::try_from(producer.in_flight_count()).unwrap_or(0);
        let deliveries = producer.context();
        (deliveries.delivered(), deliveries.failed(), unflushed)
    })
    .await
    .map_err(ProduceError::Task)
}

/// Creates the topic unless it exists. Fetching the cluster's metadata first doubles as
/// the reachability check, bounded by `timeout`.
pub(crate) async fn ensure_topic(
    kafka: &KafkaArgs,
    topic: &str,
    partitions: i32,
    timeout: Duration,
) -> Result<(), ProduceError> {
    let admin: AdminClient<Deliveries> =
        AdminClient::from_config_and_context(&client_config(kafka, &[]), Deliveries::default())
            .map_err(ProduceError::config)?;
    let admin = Arc::new(admin);
    let fetching = Arc::clone(&admin);
    let metadata = tokio::task::spawn_blocking(move || fetching.inner().fetch_metadata(None, timeout))
        .await
        .map_err(ProduceError::Task)?
        .map_err(|source| ProduceError::Unreachable { brokers: kafka.brokers.clone(), waited: timeout, source })?;
    if let Some(existing) = metadata.topics().iter().find(|t| t.name() == topic && t.error().is_none()) {
        info!(topic, partitions = existing.partitions().len(), "topic exists");
        return Ok(());
    }
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().request_timeout(Some(timeout)).operation_timeout(Some(timeout));
    let failed = |reason: String| ProduceError::CreateTopic { topic: topic.to_owned(), reason };
    let results = admin.create_topics([&new], &options).await.map_err(|e| failed(e.to_string()))?;
    for result in results {
        match result {
            Ok(_) => info!(topic, partitions, "created topic"),
            // Someone else (another simulator?) created it since the metadata was fetched.
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => info!(topic, "topic exists"),
            Err((_, code)) => return Err(failed(code.to_string())),
        }
    }
    Ok(())
}

/// Counts delivery reports, which librdkafka hands to the producer's polling thread, and
/// sends librdkafka's own logs and errors to `tracing`.
#[derive(Debug, Default)]
pub(crate) struct Deliveries {
    delivered: AtomicU64,
    failed: AtomicU64,
    /// The last global error logged. librdkafka reports some errors twice in a row; a std
    /// mutex, as only librdkafka's threads take it and never across an await.
    last_error: Mutex<String>,
}

impl Deliveries {
    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

impl ClientContext for Deliveries {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        client::log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let text = format!("{error}: {reason}");
        let mut last = lock(&self.last_error);
        if *last != text {
            warn!(target: "librdkafka", %error, "{reason}");
            *last = text;
        }
    }
}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            // Failures come in floods (a broker down fails every queued record): log the
            // first, and let the status line count the rest.
            Err((e, _)) => {
                if self.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    warn!(error = %e, "a record was not delivered; further failures are only counted");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[tokio::test]
    async fn an_unreachable_broker_is_reported_within_the_timeout() {
        let kafka = KafkaArgs::new("127.0.0.1:1");
        let started = Instant::now();
        let err = ensure_topic(&kafka, "t", 1, Duration::from_secs(1)).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(matches!(err, ProduceError::Unreachable { .. }), "{err:?}");
        assert!(err.to_string().starts_with("cannot reach Kafka at 127.0.0.1:1"), "{err}");
    }

    #[tokio::test]
    async fn a_bad_client_property_is_a_configuration_error() {
        let mut kafka = KafkaArgs::new("127.0.0.1:1");
        kafka.properties.push(("no.such".into(), "1".into()));
        let err = ensure_topic(&kafka, "t", 1, Duration::from_secs(1)).await.unwrap_err();
        assert!(matches!(err, ProduceError::Config(_)), "{err:?}");
    }
}
