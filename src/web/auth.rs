//! Optional access control. When the server has a token, every route but `/healthz`
//! asks for it: as the password of HTTP basic auth (any user name), which a browser
//! prompts for once and then sends with every request of the page, its WebSocket
//! included; or as `Authorization: Bearer <token>` from scripts. Tokens are compared in
//! constant time and never logged.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;

use super::AppState;

/// Lets a request through when no token is set, when it is a health check, or when it
/// carries the token.
pub(super) async fn require(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &app.config.auth_token else { return next.run(request).await };
    let allowed = request.uri().path() == "/healthz"
        || presented(request.headers()).is_some_and(|p| constant_time_eq(p.as_bytes(), token.expose().as_bytes()));
    if allowed {
        return next.run(request).await;
    }
    let message = "This Trackside asks for its access token: give it as the password (any user name), \
                   or as `Authorization: Bearer <token>`.";
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, r#"Basic realm="Trackside", charset="UTF-8""#)], message)
        .into_response()
}

/// The token a request carries, from a bearer or a basic `Authorization` header.
fn presented(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let (_user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
        return Some(password.to_owned());
    }
    None
}

/// Equality whose time does not depend on where the inputs differ, so response times
/// cannot reveal a token byte by byte. (The length may show; tokens should be long.)
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn the_token_is_read_from_bearer_and_basic_headers() {
        assert_eq!(presented(&with("Bearer s3cret")), Some("s3cret".into()));
        let basic = base64::engine::general_purpose::STANDARD.encode("engineer:s3cret");
        assert_eq!(presented(&with(&format!("Basic {basic}"))), Some("s3cret".into()));
        assert_eq!(presented(&with("Basic !!notbase64")), None);
        assert_eq!(presented(&with("Digest x")), None);
        assert_eq!(presented(&HeaderMap::new()), None);
    }

    #[test]
    fn tokens_match_only_when_equal() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
