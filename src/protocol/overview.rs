//! The `overview` request and its answers: the whole span of a selection summarised as
//! the minimum and maximum of each channel per time bucket, per car.

use serde::{Deserialize, Serialize};

use super::RequestError;

/// Most buckets one overview may ask for: a screen's width, several times over.
pub(crate) const MAX_BUCKETS: u32 = 4000;
/// Most cars one overview may name.
pub(crate) const MAX_OVERVIEW_CARS: usize = 64;

/// `{"type":"overview", "id", "from_ts", "to_ts", "buckets", "cars"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct OverviewRequest {
    /// Chosen by the client and echoed in every answer.
    #[serde(default)]
    pub id: Option<u64>,
    /// Start of the span (ms since the epoch); the first record Kafka holds when absent.
    #[serde(default)]
    pub from_ts: Option<i64>,
    /// End of the span; the live edge when absent.
    #[serde(default)]
    pub to_ts: Option<i64>,
    /// Time buckets across the span: one per pixel of the chart, usually.
    pub buckets: u32,
    /// Only these cars; every car when absent.
    #[serde(default)]
    pub cars: Option<Vec<String>>,
}

impl OverviewRequest {
    pub(crate) fn check(&self) -> Result<(), RequestError> {
        let bad = |m: String| Err(RequestError::BadRequest(m));
        if self.buckets == 0 || self.buckets > MAX_BUCKETS {
            return bad(format!("`buckets` is 1 to {MAX_BUCKETS}"));
        }
        if let (Some(from), Some(to)) = (self.from_ts, self.to_ts)
            && from >= to
        {
            return bad("`from_ts` comes before `to_ts`".into());
        }
        if self.cars.as_ref().is_some_and(|c| c.is_empty() || c.len() > MAX_OVERVIEW_CARS) {
            return bad(format!("`cars` names 1 to {MAX_OVERVIEW_CARS} cars"));
        }
        Ok(())
    }
}

/// The body of an `overview` message. (The reader fills it; see kafka/overview.rs.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OverviewMessage {
    pub id: Option<u64>,
    /// `running` (with `progress`), `done` (with the summary) or `failed` (with `error`).
    pub state: OverviewState,
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[expect(dead_code, reason = "the overview reader comes in the next commit")]
pub(crate) enum OverviewState {
    Running,
    Done,
    Failed,
}
