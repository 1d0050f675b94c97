#![allow(unreachable_pub)] // a test binary: `pub` here means "shared between test files"
#![allow(clippy::unwrap_used)] // helpers fail the test that calls them, which is what we want
//! Integration tests: the real server on port 0 against the real Kafka broker
//! (`make kafka-up`, or `TRACKSIDE_TEST_BROKERS`). Every test uses its own random topic
//! and group, so tests run in parallel without seeing each other.

mod helpers;

mod annotations;
mod bridge;
mod channels;
mod cli;
mod columnar;
mod export;
mod group;
mod http;
mod installed;
mod lap_feed;
mod laps;
mod live;
mod logs;
mod malformed;
mod mapping;
mod outage;
mod overview;
mod playback;
mod readonly;
mod references;
mod replay;
mod replay_channels;
mod replicas;
mod schema_registry;
mod security;
mod simulate;
mod soak;
mod startup;
#[cfg(feature = "failpoints")]
mod watchdog;
mod websocket;
mod wire_channels;
