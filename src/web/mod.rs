//! The web layer: the page, the JSON API, metrics and the WebSocket. It reads the hub
//! and the status, and hands the Kafka reads viewers ask for to [`Readers`].

mod annotations;
mod api;
mod assets;
mod auth;
mod channels;
mod export;
mod laps;
mod page;
mod ws;

use std::{path::PathBuf, sync::Arc};

use axum::http::{HeaderValue, header};
use axum::{Router, routing::get};
use tokio::sync::Semaphore;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::{
    annotations::Notes,
    channels::dictionary::Registry,
    config::Secret,
    hub::Hub,
    kafka::{Readers, admin::Cluster, annotations::Annotator, live::Topics},
    laps::{LapIndex, on_demand::OnDemand},
    status::Status,
};

/// What the web layer needs to know about the server's configuration.
#[derive(Debug, Clone)]
pub(crate) struct WebConfig {
    pub group_id: String,
    /// Bootstrap servers as shown to users.
    pub brokers: String,
    pub default_topics: Vec<String>,
    pub history_secs: u64,
    pub max_frame_rate: u32,
    /// Serve `/static` from here rather than from the binary (development).
    pub static_dir: Option<PathBuf>,
    /// Serve `/vendor/uplot` from here rather than from the binary.
    pub uplot_dir: Option<PathBuf>,
    /// Origins besides the server's own that may open the WebSocket.
    pub allowed_origins: Vec<String>,
    /// A viewer silent this long, pongs included, is disconnected.
    pub idle_timeout_secs: u64,
    /// A viewer that accepts nothing for this long is disconnected.
    pub stall_timeout_secs: u64,
    /// When set, every route but `/healthz` asks for it.
    pub auth_token: Option<Secret>,
    /// Rows of an export's Parquet row group, and about the records its reader holds.
    pub export_row_group: usize,
}

/// Shared by every request; each field is a cheap clone.
#[derive(Clone)]
pub(crate) struct AppState {
    pub hub: Hub,
    /// What the server knows of Kafka and its own traffic, for the API, metrics and the
    /// viewers' counters.
    pub status: Status,
    pub topics: Topics,
    /// For a topic a viewer asks for that the last look at the cluster did not find.
    pub cluster: Cluster,
    pub config: Arc<WebConfig>,
    /// Cancelled when the server shuts down, so WebSocket sessions close with 1001.
    pub shutdown: CancellationToken,
    /// Every WebSocket session, so shutdown can wait for their goodbyes.
    pub sessions: TaskTracker,
    /// Starts every Kafka read a viewer asks for: replays, overviews, ranges, laps.
    pub readers: Readers,
    /// Each viewer holds a slot for as long as its socket is open.
    pub client_slots: Arc<Semaphore>,
    /// Every car's laps in each topic the group reads, and in those asked for on demand.
    pub laps: LapIndex,
    /// The topics the lap index reads because someone asked for their laps.
    pub lap_topics: OnDemand,
    /// Each topic's channels, as the decoders found them.
    pub channels: Arc<Registry>,
    /// The latest state of each note of each topic read.
    pub notes: Notes,
    /// Writes notes; `None` unless the server runs with `--annotations`.
    pub annotator: Option<Annotator>,
}

/// The page loads only its own scripts, styles and socket: no inline code, no other
/// origin, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Every route of the server, with no socket: tests can call it directly.
pub(crate) fn router(state: AppState) -> Router {
    let files = Router::new();
    let files = match &state.config.static_dir {
        Some(dir) => files.nest_service("/static", ServeDir::new(dir)),
        None => files.route("/static/{*path}", get(assets::page_file)),
    };
    let files = match &state.config.uplot_dir {
        Some(dir) => files.nest_service("/vendor/uplot", ServeDir::new(dir)),
        None => files.route("/vendor/uplot/{*path}", get(assets::uplot_file)),
    };
    files
        .route("/", get(page::index))
        .route("/healthz", get(api::healthz))
        .route("/api/topics", get(api::topics))
        .route("/api/stats", get(api::stats))
        .route("/api/laps", get(laps::laps))
        .route("/api/lap", get(laps::lap))
        .route("/api/channels", get(channels::channels))
        .route("/api/export", get(export::export))
        .route(
            "/api/annotations",
            get(annotations::list)
                .post(annotations::write)
                .layer(axum::extract::DefaultBodyLimit::max(annotations::MAX_BODY_BYTES)),
        )
        .route("/metrics", get(api::metrics))
        .route("/ws", get(ws::upgrade))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
