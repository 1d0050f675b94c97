//! Where log lines go: stderr, filtered by `RUST_LOG` (default `info`), as text for a
//! person or as one JSON object a line for a log collector (`--log-format`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// What is logged when `RUST_LOG` is unset: Trackside's own events, librdkafka's
/// notices, and requests (tower-http) at info.
const DEFAULT_FILTER: &str = "info";

/// Starts logging. A `RUST_LOG` that does not parse is reported and the default used,
/// rather than losing the logs.
pub fn init(format: LogFormat) {
    let (filter, refused) = filter(std::env::var("RUST_LOG").ok().as_deref());
    // A log line that cannot be written (a collector's pipe that closed) is dropped: by
    // default tracing-subscriber reports it with `eprintln!`, which panics on the same
    // closed stderr, in whatever task logged, and a server stopped that way hangs.
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).log_internal_errors(false);
    match format {
        // Colours only for a person at a terminal, not in log files.
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
    }
    if let Some(reason) = refused {
        tracing::warn!(%reason, default = DEFAULT_FILTER, "RUST_LOG is not a valid filter; using the default");
    }
}

/// The filter `RUST_LOG` asks for, or the default with the reason it was refused.
fn filter(rust_log: Option<&str>) -> (EnvFilter, Option<String>) {
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        None => (EnvFilter::new(DEFAULT_FILTER), None),
        Some(directives) => match EnvFilter::try_new(directives) {
            Ok(filter) => (filter, None),
            Err(e) => (EnvFilter::new(DEFAULT_FILTER), Some(e.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_sets_the_filter_and_a_bad_one_falls_back_to_the_default_with_the_reason() {
        assert_eq!(filter(None).0.to_string(), "info");
        assert_eq!(filter(Some("  ")).0.to_string(), "info");
        let (f, refused) = filter(Some("warn,trackside=debug"));
        assert!(refused.is_none() && f.to_string().contains("trackside=debug"), "{f}");
        let (f, refused) = filter(Some("trackside=loud"));
        assert_eq!(f.to_string(), "info");
        assert!(refused.is_some());
    }
}
