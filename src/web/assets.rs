//! The page's scripts, styles and uPlot, compiled into the binary, so a binary copied
//! anywhere serves the whole page. `--static-dir` and `--uplot-dir` serve from disk
//! instead, for working on the page without rebuilding.
//!
//! Caching: every file carries a strong `ETag` (its SHA-256, computed at build time) and
//! `Cache-Control: no-cache`, so a browser keeps its copy but asks each time whether it
//! is still current; a new binary answers with the new file at once. The page's modules
//! import each other by plain names, so a build hash in the URL would not reach them.

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rust_embed::{EmbeddedFile, RustEmbed};

/// `static/`, as `/static/...`.
#[derive(RustEmbed)]
#[folder = "static/"]
struct PageFiles;

/// The two files of uPlot's distribution the page loads, as `/vendor/uplot/...`. From
/// `npm ci` (package-lock.json); build.rs stops the build, saying so, when it is missing.
#[derive(RustEmbed)]
#[folder = "node_modules/uplot/dist/"]
#[include = "uPlot.iife.min.js"]
#[include = "uPlot.min.css"]
struct UplotFiles;

/// `GET /static/{*path}`.
pub(super) async fn page_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    respond(PageFiles::get(&path), &headers)
}

/// `GET /vendor/uplot/{*path}`.
pub(super) async fn uplot_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    respond(UplotFiles::get(&path), &headers)
}

/// The answer to a request for `file` (`None`: there is no such file), given the
/// request's headers: the file, or 304 when the browser's copy is current.
fn respond(file: Option<EmbeddedFile>, request: &HeaderMap) -> Response {
    let Some(file) = file else {
        return (StatusCode::NOT_FOUND, "No such file.").into_response();
    };
    let etag = etag(&file.metadata.sha256_hash());
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))];
    if is_current(request, &etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let content_type =
        HeaderValue::from_str(file.metadata.mimetype()).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (cache, [(header::CONTENT_TYPE, content_type)], file.data).into_response()
}

/// A strong entity tag from a content hash: its first 16 bytes in hex, quoted.
fn etag(sha256: &[u8; 32]) -> HeaderValue {
    let hex: String = sha256[..16].iter().map(|b| format!("{b:02x}")).collect();
    // Only hex digits and quotes: always a valid header value.
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// Whether `If-None-Match` names `etag` (or is `*`): the browser's copy is current.
fn is_current(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(tags) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    // Weak comparison, as RFC 9110 asks for If-None-Match: `W/"x"` matches `"x"`.
    tags.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_none_match(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn every_module_the_page_loads_is_embedded_with_a_script_type() {
        let app = PageFiles::get("app.js").expect("app.js is embedded");
        assert!(app.metadata.mimetype().contains("javascript"), "{}", app.metadata.mimetype());
        assert_eq!(PageFiles::get("style.css").unwrap().metadata.mimetype(), "text/css");
        // The modules live in folders by what they draw (core/, race/, ...): nested paths work.
        let nested = PageFiles::get("core/session.js").expect("core/session.js is embedded");
        assert!(nested.metadata.mimetype().contains("javascript"), "{}", nested.metadata.mimetype());
        assert!(UplotFiles::get("uPlot.iife.min.js").is_some());
        assert_eq!(UplotFiles::get("uPlot.min.css").unwrap().metadata.mimetype(), "text/css");
        // Only what the page loads: no source maps, ES-module or CommonJS copies.
        assert_eq!(UplotFiles::iter().count(), 2);
    }

    #[test]
    fn a_file_is_sent_with_its_type_and_a_tag_that_gets_a_304_next_time() {
        let first = respond(PageFiles::get("app.js"), &HeaderMap::new());
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
        let tag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert!(tag.starts_with('"') && tag.len() == 34, "{tag}");

        let again = respond(PageFiles::get("app.js"), &with_if_none_match(&tag));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag.as_str());
        let weak = respond(PageFiles::get("app.js"), &with_if_none_match(&format!("\"old\", W/{tag}")));
        assert_eq!(weak.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn another_files_tag_or_no_file_is_not_a_304() {
        let css = respond(PageFiles::get("style.css"), &HeaderMap::new());
        let css_tag = css.headers()[header::ETAG].to_str().unwrap().to_owned();
        let js = respond(PageFiles::get("app.js"), &with_if_none_match(&css_tag));
        assert_eq!(js.status(), StatusCode::OK);
        assert_eq!(respond(PageFiles::get("nope.js"), &HeaderMap::new()).status(), StatusCode::NOT_FOUND);
        assert_eq!(respond(PageFiles::get("../Cargo.toml"), &HeaderMap::new()).status(), StatusCode::NOT_FOUND);
    }
}
