//! Every message the server sends other than `data`, as it is written on the wire.

use bytes::Bytes;
use serde::Serialize;

use super::{DataFormat, OverviewMessage, Speed, TopicSelection};
use crate::telemetry::MalformedNote;

/// A message from the server other than `data`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ServerMessage<'a> {
    Hello {
        version: &'a str,
        group_id: &'a str,
        history_secs: u64,
        max_frame_rate: u32,
        /// How this connection receives `data`, as negotiated at the upgrade.
        data_format: DataFormat,
    },
    Subscribed {
        selection: Vec<TopicSelection>,
    },
    /// `request` is the `type` of the refused message, when it had one.
    Error {
        request: Option<&'a str>,
        error: &'a str,
        message: String,
    },
    Replay(&'a ReplayProgress),
    Range(&'a RetainedRange),
    Overview(&'a OverviewMessage),
    Laps(&'a crate::laps::LapTable),
    Stats(&'a super::Snapshot),
}

impl ServerMessage<'_> {
    pub(crate) fn encode(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReplayState {
    Running,
    Paused,
    CaughtUp,
    Stopped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PartitionProgress {
    pub topic: String,
    pub partition: i32,
    /// Low watermark when the replay started.
    pub start: i64,
    /// Next offset the reader will deliver.
    pub offset: i64,
    /// High watermark when the replay started.
    pub end: i64,
}

/// Body of the `replay` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ReplayProgress {
    /// The `id` of the `replay` or `seek` that started this reading, when it had one.
    pub id: Option<u64>,
    pub state: ReplayState,
    pub speed: Speed,
    /// The playhead: race time (ms since the epoch) the replay has delivered up to.
    /// Null until it is known.
    pub position_ts: Option<i64>,
    /// How far the playhead is behind the server's clock, in ms.
    pub behind_ms: Option<i64>,
    pub partitions: Vec<PartitionProgress>,
    pub delivered: u64,
    pub total: u64,
    pub progress: f64,
    pub malformed: u64,
    pub last_malformed: Option<MalformedNote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ReplayProgress {
    /// A report in `state` with nothing replayed yet.
    pub(crate) fn new(state: ReplayState) -> Self {
        Self {
            id: None,
            state,
            speed: Speed::Max,
            position_ts: None,
            behind_ms: None,
            partitions: Vec::new(),
            delivered: 0,
            total: 0,
            progress: 0.0,
            malformed: 0,
            last_malformed: None,
            error: None,
        }
    }
}

/// Body of the `range` message: what Kafka retains of the selection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RetainedRange {
    /// The earliest record's time over every partition; null when they are all empty.
    pub first_ts: Option<i64>,
    /// The latest record's time over every partition.
    pub last_ts: Option<i64>,
    /// The server's clock when it answered.
    pub now_ms: i64,
    pub partitions: Vec<PartitionRange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PartitionRange {
    pub topic: String,
    pub partition: i32,
    pub low: i64,
    pub high: i64,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
}
