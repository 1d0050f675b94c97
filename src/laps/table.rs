//! What the lap index answers: a topic's table (sent in a `laps` message and by
//! `/api/laps`), where a lap's records are, and why a lap cannot be found.

use serde::Serialize;

use super::timing::{Current, Lap};

/// What the index holds of a topic, as sent in a `laps` message and by `/api/laps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LapTable {
    pub topic: String,
    /// True when `cars` is everything, false for an update holding only what changed.
    pub full: bool,
    pub index: IndexInfo,
    pub track: Option<Track>,
    pub cars: Vec<CarLaps>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IndexInfo {
    /// `reading` while what Kafka retains is read, then `live`.
    pub state: &'static str,
    /// Records read of the `total` retained when the reading began.
    pub read: u64,
    pub total: u64,
    /// Records the index's own reader decoded: the retention it read at the start, and
    /// any gap in the live feed. It stays flat while the group member feeds the index.
    pub records_read: u64,
    /// Set when a bound has been hit: what is missing.
    pub bound: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Track {
    /// The median length of recent laps.
    pub length_m: f64,
    /// Where the sectors meet.
    pub sectors_m: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CarLaps {
    pub car: String,
    pub driver: Option<String>,
    pub laps: Vec<Lap>,
    pub current: Option<Current>,
}

/// Why a lap could not be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum Missing {
    #[error("laps of `{0}` are not indexed: watch the topic first")]
    Topic(String),
    #[error("the laps of `{topic}` are still being read ({percent}% of what Kafka holds)")]
    Reading { topic: String, percent: u64 },
    #[error("car `{0}` has no records with laps in what Kafka holds")]
    Car(String),
    #[error("car `{car}` has no lap {lap} in what Kafka holds (its laps there are {first} to {last})")]
    Lap { car: String, lap: u32, first: u32, last: u32 },
}

/// A lap's records: a span of one partition, both ends included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LapSpan {
    pub lap: Lap,
    pub partition: i32,
    pub from: i64,
    pub until: i64,
}
