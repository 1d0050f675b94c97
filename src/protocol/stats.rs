//! The body of the once-a-second `stats` message: Kafka's health, the consumer group as
//! this member sees it, a row per partition, and the server's totals. `/api/stats` and
//! `/metrics` show the same.

use serde::Serialize;

use crate::telemetry::{MalformedNote, TopicPartition};

/// Whether the broker answered the last metadata request.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct KafkaHealth {
    pub reachable: bool,
    pub error: Option<String>,
    /// The schema registry, when the server has one (`--schema-registry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_registry: Option<crate::schema::RegistryHealth>,
}

/// The consumer group as this member sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct GroupInfo {
    pub id: String,
    pub topics: Vec<String>,
    pub assignment: Vec<TopicPartition>,
    /// The partitions of those topics the group gave other members, which this replica
    /// reads too, on a reader of its own (no group, no commits), so its viewers see them.
    pub followed: Vec<TopicPartition>,
    /// Times the watchdog replaced a consumer that had stopped making progress.
    pub consumer_restarts: u64,
    /// Why it last did.
    pub last_restart: Option<String>,
}

/// One row of the `stats` message and of the per-partition metrics.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PartitionStats {
    pub topic: String,
    pub partition: i32,
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub last_offset: Option<i64>,
    pub lag: Option<i64>,
    /// Who reads the partition for this replica: its group member or its follower.
    pub read_by: Option<ReadBy>,
    pub consumed: u64,
    pub malformed: u64,
    pub last_malformed: Option<MalformedNote>,
}

/// Who reads a partition for this replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReadBy {
    /// The group gave it to this member: it commits, and its lag is the group's.
    Group,
    /// Another member owns it; this replica's follower reads it too.
    Follower,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Totals {
    pub consumed: u64,
    pub malformed: u64,
    pub clients: u64,
    pub records_per_sec: f64,
    pub frames_sent: u64,
    pub records_dropped: u64,
    pub replays_running: u64,
    /// Exports reading now (`/api/export`).
    pub exports_running: u64,
    /// Rows exports have written since the server started.
    pub export_records: u64,
    /// Notes: for `/metrics` only, not in the `stats` message.
    #[serde(skip)]
    pub annotations_written: u64,
    #[serde(skip)]
    pub annotations_refused: u64,
    #[serde(skip)]
    pub annotations_evicted: u64,
}

/// The body of the `stats` message (see docs/protocol.md).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Snapshot {
    pub kafka: KafkaHealth,
    pub group: GroupInfo,
    pub partitions: Vec<PartitionStats>,
    pub totals: Totals,
}
