//! `/api/laps` (every lap the index holds of a topic) and `/api/lap` (one lap's samples,
//! read from Kafka), for the timing tower, Distance mode and anyone with `curl`.

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::{
    kafka::KafkaError,
    laps::{Missing, timing::Lap},
    telemetry::Sample,
};

#[derive(Debug, Deserialize)]
pub(super) struct LapsQuery {
    topic: String,
    car: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LapQuery {
    topic: String,
    car: String,
    lap: u32,
}

/// Why a lap request failed, as the caller is told.
#[derive(Debug, thiserror::Error)]
pub(super) enum LapsError {
    #[error(transparent)]
    Missing(#[from] Missing),
    #[error("{0}")]
    Kafka(#[from] KafkaError),
}

impl IntoResponse for LapsError {
    fn into_response(self) -> Response {
        let status = match &self {
            LapsError::Missing(Missing::Reading { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            LapsError::Missing(_) => StatusCode::NOT_FOUND,
            LapsError::Kafka(_) => StatusCode::BAD_GATEWAY,
        };
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

/// The lap table of a topic, as the `laps` message carries it.
pub(super) async fn laps(State(app): State<AppState>, Query(q): Query<LapsQuery>) -> Result<Response, LapsError> {
    let table = app.laps.table(&q.topic, q.car.as_deref()).ok_or_else(|| Missing::Topic(q.topic.clone()))?;
    Ok(Json(table).into_response())
}

#[derive(Serialize)]
struct LapSamples {
    topic: String,
    car: String,
    #[serde(flatten)]
    lap: Lap,
    samples: Vec<Sample>,
}

/// One timed lap's samples, with the sample either side of it.
pub(super) async fn lap(State(app): State<AppState>, Query(q): Query<LapQuery>) -> Result<Response, LapsError> {
    let span = app.laps.lap_span(&q.topic, &q.car, q.lap)?;
    let lap = span.lap.clone();
    let samples = app.readers.lap_samples(q.topic.clone(), q.car.clone(), span).await?;
    Ok(Json(LapSamples { topic: q.topic, car: q.car, lap, samples }).into_response())
}
