//! The WebSocket protocol of docs/protocol.md: what a viewer sends ([`inbound`]), the
//! batches and `data` frames on the hot path ([`batch`]), and every other message the
//! server sends ([`outbound`]), the `stats` message among them ([`stats`]). Parsing and encoding are pure functions.

mod batch;
pub mod columnar;
mod data;
pub(crate) mod export;
mod inbound;
mod outbound;
mod overview;
mod stats;

pub(crate) use batch::Mode;
pub(crate) use columnar::SUBPROTOCOL;
pub(crate) use data::{DataFormat, DataMessage, Encoded};
pub(crate) use inbound::{ClientMessage, MAX_INBOUND_BYTES, RequestError, parse_client_message};
pub(crate) use outbound::ServerMessage;
pub(crate) use overview::{OverviewMessage, OverviewState};
pub(crate) use stats::{GroupInfo, KafkaHealth, PartitionStats, ReadBy, Snapshot, Totals};
