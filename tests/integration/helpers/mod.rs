//! Test helpers, one module per concern: waiting ([`wait`]), Kafka names, topics and
//! producing ([`kafka`]), the app on port 0 ([`app`]), a WebSocket client that collects
//! what a viewer would see ([`viewer`]), the HTTP API ([`http`]), Trackside as a process
//! of its own ([`process`]) and private brokers for fault tests ([`broker`]). Tests take
//! them all at once: `use crate::helpers::*`.

mod app;
mod broker;
mod http;
mod kafka;
mod process;
mod viewer;
mod wait;

pub use app::*;
pub use broker::*;
pub use http::*;
pub use kafka::*;
pub use process::*;
pub use viewer::*;
pub use wait::*;
