//! The `overview` message: a reader's progress, then the summary that answers the
//! request ([`crate::overview`]), or why it failed.

use serde::Serialize;

use crate::overview::{Finished, OverviewSummary};

/// The body of an `overview` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OverviewMessage {
    pub id: Option<u64>,
    /// `running` (with `progress`), `done` (with the summary) or `failed` (with `error`).
    pub state: OverviewState,
    pub progress: f64,
    /// Records read so far, malformed ones and ones outside the span included.
    pub records: u64,
    /// With `done`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub summary: Option<OverviewSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl OverviewMessage {
    pub(crate) fn done(id: Option<u64>, finished: Finished) -> Self {
        let Finished { records, summary } = finished;
        Self { id, state: OverviewState::Done, progress: 1.0, records, summary: Some(summary), error: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OverviewState {
    Running,
    Done,
    Failed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_and_failed_messages_carry_no_summary() {
        let message =
            |state, error| OverviewMessage { id: Some(4), state, progress: 0.5, records: 10, summary: None, error };
        let running = serde_json::to_value(message(OverviewState::Running, None)).unwrap();
        assert_eq!(running, serde_json::json!({"id": 4, "state": "running", "progress": 0.5, "records": 10}));
        let failed = serde_json::to_value(message(OverviewState::Failed, Some("no".into()))).unwrap();
        assert_eq!(failed["state"], "failed");
        assert_eq!(failed["error"], "no");
        assert!(failed.get("cars").is_none());
    }
}
