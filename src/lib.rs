//! Trackside: live racing telemetry from Apache Kafka, in the browser.
//!
//! Data flows one way: Kafka → decode → hub → WebSocket → browser.
//!
//! - [`config`]: the command line and `TRACKSIDE_*` variables of both subcommands.
//! - [`telemetry`]: the message contract and its pure decoder.
//! - `kafka`: the consumer-group member, per-viewer replay readers, history backfill,
//!   the cluster watcher.
//! - `laps`: the lap index of every topic read, fed by its own reader in `kafka`.
//! - `status`: counters and cluster facts, written by the Kafka side, read by the web.
//! - `hub`: who watches what, recent history, bounded per-viewer outboxes.
//! - `protocol`: the WebSocket messages, parsed and encoded.
//! - `web`: the page, the API, metrics and WebSocket sessions.
//! - [`serve`]: wires the above together; [`simulate`]: the race simulator.
//! - [`shutdown`]: Ctrl-C and SIGTERM; [`logging`]: `RUST_LOG`, text or JSON lines.
//!
//! Only what the binary and the integration tests use is public; everything else is
//! private to the crate, so the compiler finds dead code and reaches across layers.

pub mod bridge;
pub mod channels;
pub mod config;
mod hub;
mod kafka;
mod laps;
pub mod logging;
pub mod mapping;
mod progress;
mod protocol;
pub use protocol::columnar;
pub mod serve;
pub mod shutdown;
pub mod simulate;
mod status;
pub mod telemetry;
mod web;
