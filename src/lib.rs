//! Trackside: live racing telemetry from Apache Kafka, in the browser.
//!
//! Data flows one way: Kafka → decode → hub → WebSocket → browser.
//!
//! - [`config`]: the command line and `TRACKSIDE_*` variables of both subcommands.
//! - [`telemetry`]: the message contract and its pure decoder.
//! - [`simulate`]: the race simulator that produces telemetry.

pub mod config;
pub mod simulate;
pub mod telemetry;
