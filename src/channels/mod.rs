//! Channels: every numeric value a car sends, by its dotted name (`g.lat`,
//! `brake_temp_c.fl`), and those computed from them.
//!
//! - `choice`: the channels a viewer chose, and the bounds of a list of names.
//! - [`dictionary`]: each topic's channel names once, a record's channels as indices.
//! - [`flatten`]: a record's JSON read as channels (contract v2), with the record's bounds.
//! - [`math`]: math channels, the expression language and the `--channels` file, computed
//!   per car at decode.
//! - `shape`: each thread's memory of the last record's names, so that one of the same
//!   shape finds its indices without hashing or locking.
//! - [`stats`]: each channel's count and range so far, and the channel list.
//! - [`units`]: each channel's unit, by the table or the suffix convention.

pub(crate) mod choice;
pub mod dictionary;
pub mod flatten;
pub mod math;
mod shape;
pub mod stats;
pub mod units;
