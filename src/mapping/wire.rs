//! Records in the Confluent wire format, through the same [`Decoder`]: decoded by their
//! schema into JSON (`schema/`), then read by the topic's mapping or by the contract,
//! like a JSON record. A key in the wire format is decoded too, into the text that names
//! the car.

use std::sync::Arc;

use super::{Decoder, Samples};
use crate::{
    channels::dictionary::{Channels, Dictionary, ValueBatch},
    schema::{self, WireError},
    telemetry::{self, MAX_RECORD_BYTES, Malformed},
};

impl Decoder {
    /// The samples of a record whose value starts with the wire format's magic byte.
    pub(super) fn decode_wire(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        bytes: &[u8],
        ts: i64,
        batch: Option<&mut ValueBatch>,
    ) -> Result<Samples, Malformed> {
        let Some(schemas) = self.schemas.as_deref() else {
            return Err(Malformed::Schema(
                "the schema-registry wire format (a first byte of 0), and no --schema-registry is set".into(),
            ));
        };
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(Malformed::TooLarge(bytes.len()));
        }
        let json = schema::decode(bytes, schemas, self.schema_patience).map_err(|e| match e {
            WireError::Malformed(reason) => Malformed::Schema(reason),
            WireError::Unavailable(reason) => Malformed::SchemaUnavailable(reason),
        })?;
        let mapped = if self.mappings.0.is_empty() { None } else { self.mappings.0.get(topic) };
        let Some(mapping) = mapped else {
            if self.v1_only {
                let (sample, _) =
                    telemetry::decode_value_channels_into(&json, Some(ts), ts, Arc::<Dictionary>::default, None)?;
                return Ok(Samples::One(sample, Channels::default()));
            }
            let dictionary = || self.channels.topic(topic);
            let (sample, channels) = telemetry::decode_value_channels_into(&json, Some(ts), ts, dictionary, batch)?;
            return Ok(Samples::One(sample, channels));
        };
        let key_text = match key {
            Some(k @ [schema::MAGIC, ..]) => schema::key_text(k, schemas, self.schema_patience),
            _ => None,
        };
        let key = key_text.as_deref().map(str::as_bytes).or(key);
        self.decode_mapped(topic, mapping, &json, key, ts)
    }
}
