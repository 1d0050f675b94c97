//! The contract read from a JSON-shaped value already in memory rather than from JSON
//! text: what a record in Avro or Protobuf becomes once its schema has decoded it
//! (`schema/`). The same fields, channels, checks and bounds as [`super::decode`].

use serde::de::DeserializeSeed;

use super::{Malformed, Sample, Scratch, check_flat, intern, visit, with_scratch};
use crate::channels::dictionary::{Channels, Dictionary, ValueBatch};

/// [`super::decode_channels_into`] for a value already decoded.
pub fn decode_value_channels_into(
    value: &serde_json::Value,
    record_ts: Option<i64>,
    now_ms: i64,
    dictionary: impl FnOnce() -> std::sync::Arc<Dictionary>,
    batch: Option<&mut ValueBatch>,
) -> Result<(Sample, Channels), Malformed> {
    with_scratch(|scratch| {
        let Scratch { flat, path, .. } = scratch;
        flat.reset(crate::channels::flatten::MAX_RECORD_CHANNELS);
        path.clear();
        let sample =
            visit::RecordSeed { flat, path }.deserialize(value).map_err(|e| Malformed::Contract(e.to_string()))?;
        let sample = check_flat(sample, record_ts, now_ms, flat)?;
        Ok((sample, intern(flat, dictionary, batch)))
    })
}
