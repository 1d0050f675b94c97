//! What protects the stream (and the one route that writes, `POST /api/annotations`)
//! from other sites' pages, and the stream from runaway clients.

use std::time::Instant;

use axum::http::{HeaderMap, header};

/// Control messages a viewer may send per second on average, and in one burst; past
/// that the socket closes with 1008.
pub(super) const REQUESTS_PER_SEC: f64 = 20.0;
const REQUEST_BURST: f64 = 60.0;

/// The `Origin` of a browser page from another site, which must not read the stream (a
/// page anywhere could otherwise open a socket to a dashboard on the user's network).
/// Clients that are not browsers send no `Origin` and are let through.
pub(in crate::web) fn foreign_origin<'h>(headers: &'h HeaderMap, allowed: &[String]) -> Option<&'h str> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("(unreadable)");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let own = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host);
    let listed = allowed.iter().any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if own || listed { None } else { Some(origin) }
}

/// A token bucket for control messages: a person clicking never comes near it, a
/// runaway script does.
pub(super) struct RequestBudget {
    tokens: f64,
    at: Instant,
}

impl RequestBudget {
    pub(super) fn new(now: Instant) -> Self {
        Self { tokens: REQUEST_BURST, at: now }
    }

    /// Takes one request from the budget; false when there is none left.
    pub(super) fn spend(&mut self, now: Instant) -> bool {
        let refill = now.duration_since(self.at).as_secs_f64() * REQUESTS_PER_SEC;
        self.tokens = (self.tokens + refill).min(REQUEST_BURST);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn only_the_servers_own_pages_and_listed_origins_may_open_the_stream() {
        let headers = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
            if let Some(o) = origin {
                h.insert(header::ORIGIN, o.parse().unwrap());
            }
            h
        };
        let none: &[String] = &[];
        assert_eq!(foreign_origin(&headers(Some("http://127.0.0.1:8080")), none), None);
        assert_eq!(foreign_origin(&headers(None), none), None, "not a browser");
        assert_eq!(foreign_origin(&headers(Some("http://evil.example")), none), Some("http://evil.example"));
        assert_eq!(foreign_origin(&headers(Some("http://127.0.0.1:9999")), none), Some("http://127.0.0.1:9999"));
        let listed = ["https://pitwall.example/".to_owned()];
        assert_eq!(foreign_origin(&headers(Some("https://pitwall.example")), &listed), None);
        assert_eq!(foreign_origin(&headers(Some("http://evil.example")), &["*".to_owned()]), None);
    }

    #[test]
    fn the_request_budget_allows_a_burst_then_the_steady_rate() {
        let start = Instant::now();
        let mut budget = RequestBudget::new(start);
        assert!((0..60).all(|_| budget.spend(start)), "a burst of 60 passes");
        assert!(!budget.spend(start), "the 61st at once does not");
        assert!(budget.spend(start + Duration::from_millis(50)), "one more after 50 ms at 20/s");
        assert!(!budget.spend(start + Duration::from_millis(50)));
    }
}
