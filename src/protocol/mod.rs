//! The WebSocket protocol of docs/protocol.md: what a viewer sends ([`inbound`]), the
//! batches and `data` frames on the hot path ([`batch`]), and every other message the
//! server sends ([`outbound`]), the `stats` message among them ([`stats`]). Parsing and encoding are pure functions.

mod batch;
mod inbound;
mod outbound;
mod stats;

pub use batch::{Mode, data_frame, encode_batch};
pub use inbound::{
    ClientMessage, MAX_INBOUND_BYTES, MAX_PARTITIONS_PER_TOPIC, MAX_SELECTION, ReplayFrom, RequestError, Selection,
    TopicSelection, parse_client_message,
};
pub use outbound::{PartitionProgress, ReplayProgress, ReplayState, ServerMessage};
pub use stats::{GroupInfo, KafkaHealth, PartitionStats, Snapshot, Totals};
