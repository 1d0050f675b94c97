//! `/api/laps` (every lap the index holds of a topic) and `/api/lap` (one lap's samples,
//! read from Kafka), for the timing tower, Distance mode and anyone with `curl`. A topic
//! the group does not read is indexed on demand (`laps::on_demand`), for reference laps
//! from other sessions; a lap whose records retention deleted says so.

use std::time::Instant;

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::{
    kafka::{KafkaError, lookup::lap::LapRead},
    laps::{
        LapTable, Missing,
        on_demand::{Full, pending_table},
        timing::Lap,
    },
    selection::check_topic_name,
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
    #[error("{0}")]
    BadName(String),
    #[error("topic `{0}` does not exist")]
    UnknownTopic(String),
    /// Whether a topic exists cannot be told while Kafka does not answer.
    #[error("Kafka is unreachable ({0}): cannot look for topic `{1}`")]
    Unreachable(String, String),
    #[error(transparent)]
    Full(#[from] Full),
    /// Retention deleted the lap's records since the index read them; `now` says where
    /// the partition starts.
    #[error("lap {lap} of car `{car}` in `{topic}`: its records have left Kafka (retention); {now}")]
    Gone { topic: String, car: String, lap: u32, now: String },
}

impl IntoResponse for LapsError {
    fn into_response(self) -> Response {
        let status = match &self {
            LapsError::Missing(Missing::Reading { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            LapsError::Missing(_) | LapsError::UnknownTopic(_) => StatusCode::NOT_FOUND,
            LapsError::Kafka(_) | LapsError::Unreachable(..) => StatusCode::BAD_GATEWAY,
            LapsError::BadName(_) => StatusCode::BAD_REQUEST,
            LapsError::Full(_) => StatusCode::SERVICE_UNAVAILABLE,
            LapsError::Gone { .. } => StatusCode::GONE,
        };
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

/// The lap table of a topic, as the `laps` message carries it.
pub(super) async fn laps(State(app): State<AppState>, Query(q): Query<LapsQuery>) -> Result<Response, LapsError> {
    Ok(Json(lap_table(&app, &q.topic, q.car.as_deref()).await?).into_response())
}

/// What the index holds of `topic` (of one car, when `car` is given), indexing a topic
/// the group does not read from now on. While its reader has not begun: reading, 0 of 0.
pub(super) async fn lap_table(app: &AppState, topic: &str, car: Option<&str>) -> Result<LapTable, LapsError> {
    index(app, topic).await?;
    Ok(app.laps.table(topic, car).unwrap_or_else(|| pending_table(topic)))
}

/// Makes sure the lap index reads `topic`: the group's topics always are; any other
/// topic the server can read is, on demand, once it is found in Kafka.
async fn index(app: &AppState, topic: &str) -> Result<(), LapsError> {
    check_topic_name(topic).map_err(|e| LapsError::BadName(e.to_string()))?;
    if topic.starts_with("__") {
        return Err(LapsError::BadName(format!("`{topic}` is one of Kafka's internal topics: it holds no laps")));
    }
    if app.topics.current().contains(topic) {
        return Ok(());
    }
    if !app.lap_topics.contains(topic) {
        let listed = app.status.topics().iter().any(|t| t.name == topic);
        if !listed && !app.cluster.look_up(topic).await {
            let kafka = app.status.kafka();
            return Err(match (kafka.reachable, kafka.error) {
                (false, Some(error)) => LapsError::Unreachable(error, topic.to_owned()),
                _ => LapsError::UnknownTopic(topic.to_owned()),
            });
        }
    }
    app.lap_topics.ask(topic, Instant::now())?;
    Ok(())
}

#[derive(Serialize)]
struct LapSamples {
    topic: String,
    car: String,
    #[serde(flatten)]
    lap: Lap,
    /// The lap's length, metres: where its line is, for a trace by distance.
    length_m: f64,
    samples: Vec<Sample>,
}

/// One timed lap's samples, with the sample either side of it.
pub(super) async fn lap(State(app): State<AppState>, Query(q): Query<LapQuery>) -> Result<Response, LapsError> {
    index(&app, &q.topic).await?;
    let span = match app.laps.lap_span(&q.topic, &q.car, q.lap) {
        // Indexed from now on, and not begun yet.
        Err(Missing::Topic(topic)) => Err(Missing::Reading { topic, percent: 0 }),
        found => found,
    }?;
    let lap = span.lap.clone();
    match app.readers.lap_samples(q.topic.clone(), q.car.clone(), span).await? {
        LapRead::Samples(samples) => {
            let length_m = lap.length_m;
            Ok(Json(LapSamples { topic: q.topic, car: q.car, lap, length_m, samples }).into_response())
        }
        LapRead::Gone { starts } => {
            let now = match starts {
                Some(ms) => format!("the topic now starts at {}", iso_utc(ms)),
                None => "the partition that held it is empty now".to_owned(),
            };
            Err(LapsError::Gone { topic: q.topic, car: q.car, lap: q.lap, now })
        }
    }
}

/// `ms` since the epoch as an ISO 8601 UTC time, to the millisecond (the civil date from
/// the day count by the proleptic Gregorian calendar's 400-year eras).
fn iso_utc(ms: i64) -> String {
    let (days, of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468; // days from 0000-03-01, when a Gregorian era begins
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153; // months from March
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1_000 % 60, of_day % 1_000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::iso_utc;

    #[test]
    fn times_are_written_as_iso_8601_utc_to_the_millisecond() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_utc(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
