//! The columnar binary layout of `data` frames (docs/protocol.md, "Columnar data frames"),
//! for clients that ask for it with the WebSocket subprotocol [`SUBPROTOCOL`].
//!
//! Records are written column by column as little-endian 64-bit floats, every part
//! aligned to 8 bytes, so a page views a channel of a whole batch as one `Float64Array`
//! and parses no text: the v1 fields in columns 0 to 16, every other channel in the
//! batch's channels section. The encoder ([`encode`]) runs once per batch, like the JSON
//! one; the decoder ([`decode`]) is public so that Rust clients (the integration tests and
//! `make bench` among them) read frames by the same rules the document gives.

mod decode;
mod encode;

use bytes::Bytes;

use super::batch::Mode;
use crate::telemetry::Record;

pub use decode::decode_frame;
pub(crate) use encode::{capacity, encode_columnar, encode_columnar_into};

/// The WebSocket subprotocol a client offers to get columnar `data` frames.
pub const SUBPROTOCOL: &str = "trackside.columnar.v1";
/// The first four bytes of every columnar `data` frame.
pub const MAGIC: [u8; 4] = *b"TSD1";

const FRAME_HEADER: usize = 16;
const BATCH_HEADER: usize = 24;
/// Records per batch of the layout: two strings per record at most, and the batch's
/// channel names (at most [`MAX_SECTION_COLUMNS`]), keep the string table within its u16
/// count. Longer runs are written as several batches, each with its own section.
const MAX_BATCH_RECORDS: usize = 16_384;
/// Columns of one channels section: a topic has at most this many channel names.
const MAX_SECTION_COLUMNS: usize = crate::channels::dictionary::MAX_TOPIC_CHANNELS;
/// Bit 0 of a directory entry's `flags`: the column has a presence bitmap.
const FLAG_SPARSE: u16 = 1;

/// The columns of layout version 1, by index.
pub mod column {
    pub const OFFSET: usize = 0;
    pub const TS: usize = 1;
    pub const CAR: usize = 2;
    pub const SPEED_KPH: usize = 3;
    pub const RPM: usize = 4;
    pub const TIRE_FL: usize = 5;
    pub const TIRE_FR: usize = 6;
    pub const TIRE_RL: usize = 7;
    pub const TIRE_RR: usize = 8;
    pub const LAP: usize = 9;
    pub const GEAR: usize = 10;
    pub const THROTTLE: usize = 11;
    pub const BRAKE: usize = 12;
    pub const DRIVER: usize = 13;
    pub const X: usize = 14;
    pub const Y: usize = 15;
    pub const LAP_DISTANCE_M: usize = 16;
    /// How many columns version 1 defines; the channels section's come after them.
    pub const COUNT: usize = 17;
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Packs encoded batches into one columnar `data` frame, copying each once.
pub(crate) fn columnar_frame(mode: Mode, dropped: u64, batches: &[Bytes]) -> Bytes {
    let body: usize = batches.iter().map(Bytes::len).sum();
    let count: usize = batches.iter().map(|b| batch_count(b)).sum();
    let mut out = Vec::with_capacity(FRAME_HEADER + body);
    out.extend_from_slice(&MAGIC);
    out.push(match mode {
        Mode::Live => 0,
        Mode::Replay => 1,
    });
    out.extend_from_slice(&[0; 3]);
    out.extend_from_slice(&u32::try_from(dropped).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
    for b in batches {
        out.extend_from_slice(b);
    }
    Bytes::from(out)
}

/// How many batches of the layout `bytes` (from [`encode_columnar`]) holds.
fn batch_count(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut count = 0;
    while let Some(len) = bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize) {
        if len == 0 {
            break;
        }
        at += len;
        count += 1;
    }
    count
}

/// A `data` frame read back: what a columnar client holds after decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFrame {
    /// `"live"` or `"replay"`.
    pub mode: &'static str,
    pub dropped: u32,
    pub batches: Vec<DataBatch>,
}

/// One batch read back. Each record's other channels are against a dictionary of the
/// batch's own, named as the batch names them, in the order of its channels section.
#[derive(Debug, Clone, PartialEq)]
pub struct DataBatch {
    pub topic: String,
    pub partition: i32,
    pub records: Vec<Record>,
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameError {
    #[error("not a columnar data frame (its first bytes are not TSD1)")]
    NotData,
    #[error("the frame ends inside {0}")]
    Truncated(&'static str),
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests;
