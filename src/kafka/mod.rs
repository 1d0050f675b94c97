//! Everything that talks to Kafka, grouped by how long it lives:
//!
//! - [`live`]: always on. The consumer-group member that feeds the hub, its follower of
//!   the partitions other members own, its watchdog and the backfill of recent history.
//! - [`laps`]: always on too, one reader per topic read, feeding the lap index.
//! - [`annotations`]: always on too, one reader per topic read, of its notes; and the
//!   writer of notes, the one thing `serve` may write (`--annotations`).
//! - [`admin`]: the cluster watcher, and the metadata look-ups every reader shares.
//! - [`Readers`] ([`readers`]): the one door for the reads a viewer asks for, each run as a
//!   [`task::ReaderTask`]: the per-viewer player ([`replay`]) and bounded one-off reads
//!   ([`lookup`]: overview, range, a lap's samples).
//! - [`shared`]: reading primitives: clients, reading a span, decoding.
//! - [`produce`]: the producer of `simulate` and `bridge`.
//!
//! This side reads and decodes; it knows the hub's input and the status counters, never
//! the web layer or the wire: the hub delivers, `protocol` encodes.

pub(crate) mod admin;
pub(crate) mod annotations;
pub(crate) mod laps;
pub(crate) mod live;
pub(crate) mod lookup;
#[cfg(test)]
pub(crate) mod mock;
pub(crate) mod produce;
mod readers;
pub(crate) mod replay;
pub(crate) mod shared;
pub(crate) mod task;

use std::time::Duration;

pub(crate) use lookup::export::{ExportSink, ExportSpans};
pub(crate) use readers::{ReaderSetup, Readers};
use shared::client::redact_kafka_error;
pub(crate) use shared::read::{Ended, Span};

/// Timeout of one metadata or watermark request.
pub(crate) const METADATA_TIMEOUT: Duration = Duration::from_secs(3);

/// What went wrong talking to Kafka. The message carries librdkafka's own words (no
/// separate source), since it is shown as it is: in the page, `/healthz` and logs; and so
/// a refused secret property never shows its value, in `Debug` either.
#[derive(thiserror::Error)]
pub enum KafkaError {
    #[error("cannot create a Kafka client: {}", redact_kafka_error(.0))]
    Create(rdkafka::error::KafkaError),
    #[error("cannot read Kafka metadata: {0}")]
    Metadata(rdkafka::error::KafkaError),
    #[error("topic `{0}` does not exist")]
    UnknownTopic(String),
    #[error("cannot assign partitions: {0}")]
    Assign(rdkafka::error::KafkaError),
    #[error("a blocking Kafka call failed")]
    Join(#[from] tokio::task::JoinError),
}

impl std::fmt::Debug for KafkaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KafkaError({self})")
    }
}
