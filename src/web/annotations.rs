//! `GET /api/annotations?topic=T` (a topic's notes, and whether this server may write
//! more) and `POST /api/annotations` (write a new note, an edit, or a removal), and the
//! `annotations` message a viewer gets for each topic it subscribes to. Writing is
//! refused unless the server runs with `--annotations`, and for a page of another origin,
//! as the WebSocket refuses one.

use axum::{
    Json,
    extract::{Query, State, rejection::JsonRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tracing::debug;

use super::{AppState, ws::foreign_origin};
use crate::{
    annotations::{Note, NoteError, NoteRequest, new_id},
    kafka::{annotations::WriteError, shared::client::now_ms},
    protocol::ServerMessage,
};

/// Why a page cannot add a note to a server started without `--annotations`.
const READ_ONLY: &str = "this Trackside is read-only: it writes notes to Kafka only when started with \
                         --annotations (TRACKSIDE_ANNOTATIONS=true)";

/// Most bytes of a request body: a note of 1,000 four-byte characters, with room to spare.
pub(super) const MAX_BODY_BYTES: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    topic: String,
}

#[derive(Serialize)]
struct List<'a> {
    topic: &'a str,
    annotations: Vec<Note>,
    writable: bool,
    why: Option<&'static str>,
}

#[derive(Serialize)]
struct Written<'a> {
    topic: &'a str,
    #[serde(flatten)]
    note: &'a Note,
}

/// Why a request about notes failed, as the caller is told.
#[derive(Debug, thiserror::Error)]
pub(super) enum AnnotationError {
    #[error("pages from {0} may not write notes here (see --allowed-origins)")]
    ForeignOrigin(String),
    #[error("{READ_ONLY}")]
    ReadOnly,
    #[error("{0}")]
    BadRequest(String),
    #[error("`{0}` is not read by this server now: watch it, then write its notes")]
    NotRead(String),
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl IntoResponse for AnnotationError {
    fn into_response(self) -> Response {
        let status = match &self {
            AnnotationError::ForeignOrigin(_) | AnnotationError::ReadOnly => StatusCode::FORBIDDEN,
            AnnotationError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AnnotationError::NotRead(_) | AnnotationError::Note(NoteError::Unknown(_)) => StatusCode::NOT_FOUND,
            AnnotationError::Note(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AnnotationError::Write(_) => StatusCode::BAD_GATEWAY,
        };
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

/// The notes of a topic read now, by race time.
pub(super) async fn list(State(app): State<AppState>, Query(q): Query<ListQuery>) -> Result<Response, AnnotationError> {
    if !app.notes.follows(&q.topic) {
        return Err(AnnotationError::NotRead(q.topic));
    }
    let (writable, why) = writable(&app);
    Ok(Json(List { topic: &q.topic, annotations: app.notes.list(&q.topic), writable, why }).into_response())
}

/// Writes a note's new state; answers with it (201 for a new note).
pub(super) async fn write(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NoteRequest>, JsonRejection>,
) -> Result<Response, AnnotationError> {
    let answer = written(&app, &headers, body).await;
    app.status.count_annotation(answer.is_ok());
    if let Err(e) = &answer {
        debug!(error = %e, "note refused");
    }
    answer
}

async fn written(
    app: &AppState,
    headers: &HeaderMap,
    body: Result<Json<NoteRequest>, JsonRejection>,
) -> Result<Response, AnnotationError> {
    if let Some(origin) = foreign_origin(headers, &app.config.allowed_origins) {
        return Err(AnnotationError::ForeignOrigin(origin.to_owned()));
    }
    let annotator = app.annotator.as_ref().ok_or(AnnotationError::ReadOnly)?;
    let Json(request) = body.map_err(|e| AnnotationError::BadRequest(e.body_text()))?;
    let topic = request.topic.clone();
    if !app.notes.follows(&topic) {
        return Err(AnnotationError::NotRead(topic));
    }
    let existing = match request.target()? {
        Some(id) => Some(app.notes.get(&topic, id).ok_or_else(|| NoteError::Unknown(id.to_owned()))?),
        None => None,
    };
    let now = now_ms();
    let is_new = existing.is_none();
    let note = request.into_note(existing.as_ref(), new_id(now), now)?;
    annotator.write(&topic, &note).await?;
    let status = if is_new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(Written { topic: &topic, note: &note })).into_response())
}

/// Whether this server writes notes, and why not.
fn writable(app: &AppState) -> (bool, Option<&'static str>) {
    if app.annotator.is_some() { (true, None) } else { (false, Some(READ_ONLY)) }
}

/// The `annotations` message of `topic`: its notes now, and whether more may be added.
pub(super) fn current(app: &AppState, topic: &str) -> Bytes {
    let (writable, why) = writable(app);
    let annotations = app.notes.list(topic);
    ServerMessage::Annotations { topic, annotations: &annotations, writable, why }.encode()
}
