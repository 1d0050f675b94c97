//! Trackside: live racing telemetry from Apache Kafka, in the browser.
//!
//! Data flows one way: Kafka → decode → hub → WebSocket → browser. Modules import
//! downward only (docs/architecture.md, "The server", has the tree and the rules).
//!
//! - [`config`]: the command line and `TRACKSIDE_*` variables of every subcommand.
//! - The domain, in no layer: [`telemetry`] (the message contract and its pure decoder),
//!   `selection` (what a viewer watches), `playback` (what a replay plays and reports),
//!   `overview` (the whole-span summary's arithmetic), `laps` (the lap index),
//!   [`mapping`] (other schemas mapped onto the contract), [`channels`] (math channels;
//!   not yet wired into decoding, issue 20), `annotations` (notes on the timeline),
//!   [`schema`] (Avro and Protobuf in the Confluent wire format, by schemas from a
//!   registry).
//! - `kafka`: reads and decodes. The always-on group member and lap readers, the cluster
//!   watcher, and `kafka::Readers`, the one door for the reads a viewer asks for.
//! - `status`: counters and cluster facts, written by the Kafka side, read by the web.
//! - `hub`: who watches what, recent history, bounded per-viewer outboxes, and the feeds
//!   through which readers answer a viewer.
//! - `protocol`: the WebSocket messages, parsed and encoded.
//! - `web`: the page, the API, metrics and WebSocket sessions.
//! - [`serve`]: wires the above together; [`simulate`]: the race simulator; [`bridge`]:
//!   game telemetry over UDP into Kafka.
//! - Small helpers: `sync` (a lock that survives a panic), `tick` (work on a period),
//!   `progress`, [`shutdown`] (Ctrl-C and SIGTERM), [`logging`] (`RUST_LOG`, text or JSON).
//!
//! Only what the binary and the integration tests use is public; everything else is
//! private to the crate, so the compiler finds dead code and reaches across layers.

mod annotations;
pub mod bridge;
pub mod channels;
pub mod config;
mod hub;
mod kafka;
mod laps;
pub mod logging;
pub mod mapping;
mod overview;
mod playback;
mod progress;
mod protocol;
pub mod schema;
pub use protocol::columnar;
mod selection;
pub mod serve;
pub mod shutdown;
pub mod simulate;
mod stages;
mod status;
mod sync;
pub mod telemetry;
mod tick;
mod web;
