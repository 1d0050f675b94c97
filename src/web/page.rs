//! The dashboard page, rendered with askama.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use tracing::error;

use super::AppState;

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    version: &'a str,
    group_id: &'a str,
    brokers: &'a str,
    default_topics: String,
    history_secs: u64,
}

/// A page that could not be rendered: logged in full, shown plainly.
pub(super) struct PageError(askama::Error);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error!(error = %self.0, "page rendering failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be rendered; the server log says why.").into_response()
    }
}

pub(super) async fn index(State(app): State<AppState>) -> Result<Html<String>, PageError> {
    let c = &app.config;
    let page = IndexPage {
        version: env!("CARGO_PKG_VERSION"),
        group_id: &c.group_id,
        brokers: &c.brokers,
        default_topics: c.default_topics.join(","),
        history_secs: c.history_secs,
    };
    page.render().map(Html).map_err(PageError)
}
