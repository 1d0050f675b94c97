//! `GET /api/export`: a span of a topic as a file to download (CSV, Parquet or JSON
//! lines), streamed while an export reader of its own reads it. The reader writes into a
//! channel of a few chunks that the response body drains, so a client that reads slowly
//! slows the reader, and one that goes away stops it (the body, and with it the reader's
//! handle, is dropped).

mod query;

use std::{collections::HashMap, io::Write};

use axum::{
    Json,
    body::Body,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::AppState;
use crate::{
    kafka::{Ended, ExportSink, ExportSpans, KafkaError, Span},
    laps::Missing,
    protocol::export::{ChannelRule, Exporter},
    telemetry::{Record, TopicPartition},
};
use query::{ExportQuery, parse};

/// Bytes the writer gathers before handing them to the body.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks waiting for the body: with the socket's buffers, all an export holds of its
/// file while the client is slow.
const CHUNKS_QUEUED: usize = 4;
/// The response header with the records the span holds: offsets between its start and
/// end, an upper bound (other cars' records are skipped by `cars=` and `car`).
const RECORDS_HEADER: &str = "x-export-records";

/// Why an export was refused, as the caller is told.
#[derive(Debug, thiserror::Error)]
pub(super) enum ExportError {
    /// A parameter, and why it is refused.
    #[error("{0}")]
    BadParam(String),
    #[error(transparent)]
    Missing(#[from] Missing),
    #[error("topic `{0}` does not exist")]
    UnknownTopic(String),
    #[error("the server runs as many readers as --max-replays allows: try again when one has ended")]
    Busy,
    #[error("{0}")]
    Kafka(KafkaError),
}

impl IntoResponse for ExportError {
    fn into_response(self) -> Response {
        let status = match &self {
            ExportError::BadParam(_) => StatusCode::BAD_REQUEST,
            ExportError::Missing(Missing::Reading { .. }) | ExportError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ExportError::Missing(_) | ExportError::UnknownTopic(_) => StatusCode::NOT_FOUND,
            ExportError::Kafka(_) => StatusCode::BAD_GATEWAY,
        };
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

impl From<KafkaError> for ExportError {
    fn from(e: KafkaError) -> Self {
        match e {
            KafkaError::UnknownTopic(t) => ExportError::UnknownTopic(t),
            e => ExportError::Kafka(e),
        }
    }
}

pub(super) async fn export(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ExportError> {
    let q = parse(&q).map_err(|e| ExportError::BadParam(e.to_string()))?;
    let slot = app.readers.slot(None).ok_or(ExportError::Busy)?;
    let (what, label) = span_of(&app, &q).await?;
    let total: i64 = what.spans.iter().map(|s| (s.until - s.from).max(0)).sum();
    let filename = format!("{}-{label}.{}", q.topic, q.format.extension());

    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(CHUNKS_QUEUED);
    let rule = ChannelRule { chosen: q.channels.clone(), dictionary: app.channels.get(&q.topic) };
    let row_group = app.config.export_row_group;
    let out = ChunkWriter { buf: Vec::with_capacity(CHUNK_BYTES), tx: tx.clone() };
    let exporter = Exporter::new(q.format, &q.topic, rule, row_group, Box::new(out));
    let (status, topic) = (app.status.clone(), q.topic.clone());
    let task = app.readers.export(what, row_group, slot, Export(exporter), move |Export(exporter), ended| {
        status.add_export_records(exporter.rows());
        let failed = match ended {
            Ok(Ended::Complete) => match exporter.finish() {
                Ok(summary) => {
                    info!(%topic, rows = summary.rows, malformed = summary.malformed, peak = summary.peak_buffered,
                          unlisted = ?summary.unlisted, "export done");
                    return;
                }
                Err(e) => e.to_string(),
            },
            // The sink said stop: its client went away, or writing failed.
            Ok(Ended::Stopped) => match exporter.failed() {
                Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => e.to_string(),
                _ => {
                    info!(%topic, rows = exporter.rows(), "export stopped: the client went away");
                    return;
                }
            },
            Ok(Ended::Deadline) => "took longer than the export deadline".to_owned(),
            Err(e) => e.to_string(),
        };
        warn!(%topic, reason = %failed, "export failed");
        // The body ends with an error, so the client sees a failed download, not a short file.
        let _ = tx.blocking_send(Err(std::io::Error::other(failed)));
    });
    let mut rx = rx;
    let body = futures_util::stream::poll_fn(move |cx| {
        // The body owns the reader's handle: a client that goes away drops both.
        let _reading = &task;
        rx.poll_recv(cx)
    });
    Ok((
        [
            (header::CONTENT_TYPE, q.format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::HeaderName::from_static(RECORDS_HEADER), total.to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// The spans to read and the file name's `<car or all>-<from>-<to>`.
async fn span_of(app: &AppState, q: &ExportQuery) -> Result<(ExportSpans, String), ExportError> {
    match &q.span {
        query::Span::Lap { car, lap } => {
            let span = app.laps.lap_span(&q.topic, car, *lap)?;
            let label = format!("{}-{}-{}", file_safe(car), span.lap.start_ts as i64, span.lap.end_ts as i64);
            let tp = TopicPartition::new(&q.topic, span.partition);
            let spans = vec![Span { tp, from: span.from, until: span.until + 1 }];
            Ok((ExportSpans { spans, cars: vec![car.clone()] }, label))
        }
        query::Span::Time { from_ts, to_ts, cars } => {
            let until_ts = to_ts.map(|t| t.saturating_add(1));
            let spans = app.readers.export_spans(q.topic.clone(), *from_ts, until_ts).await?;
            let who = match cars.as_slice() {
                [car] => file_safe(car),
                _ => "all".to_owned(),
            };
            let at = |t: &Option<i64>, or: &str| t.map_or_else(|| or.to_owned(), |t| t.to_string());
            let label = format!("{who}-{}-{}", at(from_ts, "start"), at(to_ts, "end"));
            Ok((ExportSpans { spans, cars: cars.clone() }, label))
        }
    }
}

/// A name fit for a file name in a header: anything but letters, digits, `.`, `_` and `-`
/// becomes `_`.
fn file_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect()
}

/// The exporter, as the export reader sees it.
struct Export(Exporter);

impl ExportSink for Export {
    fn take(&mut self, partition: i32, record: Record) -> bool {
        self.0.take(partition, record)
    }

    fn malformed(&mut self) {
        self.0.malformed();
    }

    fn holding(&mut self, n: usize) {
        self.0.holding(n);
    }
}

/// The file's bytes, in chunks, into the channel the body drains. Blocking: the export
/// reader's thread waits here while the client is slow; a client gone is an error.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
