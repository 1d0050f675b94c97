//! What a replay plays and how far it got: where it starts, how fast it goes, and the
//! progress its reader reports; and what Kafka retains of a selection, for the timeline.
//! The vocabulary a viewer and a replay reader share, in no layer: the protocol parses
//! and writes it, Kafka's readers act on it.

use serde::{Deserialize, Serialize};

use crate::telemetry::MalformedNote;

/// Where a replay starts. A unit variant is written as a string, the others as an
/// object with one field: `"earliest"`, `{"timestamp": ms}`, `{"offsets": [...]}`,
/// `{"lap": {"car": "7", "lap": 12}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReplayFrom {
    Earliest,
    /// The first record at or after this time (ms since the epoch) in every partition.
    Timestamp(i64),
    /// These offsets; the selection's other partitions start at the time of the
    /// earliest record found at them.
    Offsets(Vec<StartOffset>),
    /// The first record of `car` on lap `lap`; every partition starts at its time.
    Lap(LapRef),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct StartOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct LapRef {
    pub car: String,
    pub lap: u32,
}

/// How fast a replay plays: race time per wall time, or as fast as Kafka serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Speed {
    Factor(f64),
    Max,
}

/// The speeds a replay plays at, besides `max`.
pub(crate) const SPEEDS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];

impl Speed {
    pub(crate) fn max() -> Self {
        Speed::Max
    }

    /// A speed of the protocol: one of [`SPEEDS`], or `max`.
    pub(crate) fn from_factor(f: f64) -> Option<Self> {
        SPEEDS.iter().find(|s| (**s - f).abs() < 1e-9).map(|s| Speed::Factor(*s))
    }
}

impl<'de> Deserialize<'de> for Speed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bad = || serde::de::Error::custom(format!("speed is \"max\" or one of {SPEEDS:?}"));
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if s == "max" => Ok(Speed::Max),
            serde_json::Value::Number(n) => n.as_f64().and_then(Speed::from_factor).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Speed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Speed::Factor(f) => s.serialize_f64(*f),
            Speed::Max => s.serialize_str("max"),
        }
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
