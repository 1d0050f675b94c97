//! Field mapping (`serve --mapping`): JSON of another shape read as the contract, for the
//! topics a mapping file names. [`Decoder`] is the one way the Kafka side turns a record
//! into samples, mapped or not.

mod apply;
mod channels;
mod compile;
mod math;
mod spec;
mod wire;

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{
    channels::{
        dictionary::{Channels, Registry, SharedValues, ValueBatch},
        flatten::Flat,
        math::MathChannels,
    },
    schema::{self, Schemas},
    sync::lock,
    telemetry::{self, MAX_RECORD_BYTES, Malformed, Sample},
};
use compile::Mapping;
use math::MathState;

/// Why a mapping file cannot be used; the text names the place.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot read `{path}`: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

/// Every topic's mapping, from one file.
#[derive(Debug, Clone, Default)]
pub struct Mappings(Arc<HashMap<String, Arc<Mapping>>>);

impl Mappings {
    pub fn load(path: &Path) -> Result<Mappings, MappingError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError::Read { path: path.display().to_string(), reason: e.to_string() })?;
        Mappings::parse(&text).map_err(|e| MappingError::Invalid(format!("{}: {e}", path.display())))
    }

    pub(crate) fn parse(text: &str) -> Result<Mappings, MappingError> {
        let file: spec::File = toml::from_str(text).map_err(|e| MappingError::Invalid(one_line(&e.to_string())))?;
        let mut by_topic = HashMap::new();
        for (n, entry) in file.mapping.into_iter().enumerate() {
            let topics = entry.topics.clone();
            let mapping = Arc::new(
                compile::compile(entry).map_err(|e| MappingError::Invalid(format!("mapping {}: {e}", n + 1)))?,
            );
            for topic in topics {
                if by_topic.insert(topic.clone(), Arc::clone(&mapping)).is_some() {
                    return Err(MappingError::Invalid(format!("topic `{topic}` is mapped twice")));
                }
            }
        }
        Ok(Mappings(Arc::new(by_topic)))
    }

    /// The topics a mapping applies to.
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// toml's errors draw the line they point at over several lines; a start-up error is one.
fn one_line(text: &str) -> String {
    // Drops the quoted source (`1 | x = [`) and the carets under it.
    let quoted = |l: &str| l.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ').starts_with('|');
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !quoted(l) && !l.starts_with('^'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long a reader on a thread of its own waits for a record's schema to be fetched
/// before the record is malformed (a replay, an overview: the registry's own timeout).
const SCHEMA_PATIENCE: Duration = Duration::from_secs(5);

/// Turns records into samples: by the topic's mapping when it has one, else by the
/// contract. Cheap to clone; every reader of records holds one, and all share the
/// topics' channel dictionaries. A clone has its own math-channel memory of each car.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    mappings: Mappings,
    channels: Arc<Registry>,
    /// Whether what it decodes counts in each channel's records and range: true for the
    /// live stream's decoder only, so a replay or an overview does not count twice.
    observe: bool,
    math: Option<Arc<MathChannels>>,
    /// Whether records keep only their v1 fields: no other channel is looked up in the
    /// topic's dictionary, and no math channel computed.
    v1_only: bool,
    /// This reader's cars, for `d()`.
    math_state: Mutex<MathState>,
    /// Schemas for records in the Confluent wire format (`--schema-registry`).
    schemas: Option<Arc<dyn Schemas>>,
    /// How long a record may wait for its schema to be fetched: a while for a reader on
    /// a thread of its own, nothing for the group's, which keeps the record for later
    /// instead (`WireError::Unavailable`).
    schema_patience: Duration,
}

impl Clone for Decoder {
    fn clone(&self) -> Decoder {
        Decoder {
            mappings: self.mappings.clone(),
            channels: Arc::clone(&self.channels),
            observe: self.observe,
            math: self.math.clone(),
            v1_only: self.v1_only,
            math_state: Mutex::default(),
            schemas: self.schemas.clone(),
            schema_patience: self.schema_patience,
        }
    }
}

impl Decoder {
    pub(crate) fn new(mappings: Mappings, math: Option<MathChannels>) -> Decoder {
        let decoder = Decoder { mappings, math: math.map(Arc::new), ..Decoder::default() };
        for (topic, mapping) in decoder.mappings.0.iter() {
            if mapping.channels.units().next().is_some() {
                decoder.channels.topic(topic).set_units(mapping.channels.units());
            }
        }
        decoder
    }

    /// The same decoder, reading records in the wire format by the schemas `schemas` finds.
    pub(crate) fn with_schemas(self, schemas: Arc<dyn Schemas>) -> Decoder {
        Decoder { schemas: Some(schemas), schema_patience: SCHEMA_PATIENCE, ..self }
    }

    /// The same decoder, never waiting for a schema: a record whose schema is not at
    /// hand is refused as `Malformed::SchemaUnavailable`, for its reader to read again.
    pub(crate) fn impatient(&self) -> Decoder {
        Decoder { schema_patience: Duration::ZERO, ..self.clone() }
    }

    /// The same decoder, waiting for a record's schema (on a thread of its own).
    pub(crate) fn patient(&self) -> Decoder {
        Decoder { schema_patience: SCHEMA_PATIENCE, ..self.clone() }
    }

    /// The same decoder, counting what it decodes in the channels' records and ranges.
    pub(crate) fn observing(&self) -> Decoder {
        Decoder { observe: true, ..self.clone() }
    }

    /// The same decoder, keeping only each record's v1 fields: for a reader that needs
    /// nothing else, at the cost records had before they had other channels.
    pub(crate) fn v1_only(&self) -> Decoder {
        Decoder { v1_only: true, math: None, observe: false, ..self.clone() }
    }

    /// Every topic's channel dictionary, as the decoders of this one's family fill them.
    pub(crate) fn channels(&self) -> &Arc<Registry> {
        &self.channels
    }

    /// Whether a record's key is its car id on this topic: by the contract, yes; by a
    /// mapping, when it names the car by the key.
    pub(crate) fn key_is_car(&self, topic: &str) -> bool {
        self.mappings.0.get(topic).is_none_or(|m| m.car == compile::Text::Key)
    }

    /// [`decode_into`](Self::decode_into) without a batch.
    #[cfg(test)]
    pub(crate) fn decode(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        record_ts: Option<i64>,
        now_ms: i64,
    ) -> Result<Samples, Malformed> {
        self.decode_into(topic, key, value, record_ts, now_ms, None)
    }

    /// The samples of one record. `record_ts` is its Kafka timestamp, used when the value
    /// has no `ts`; `now_ms` when neither has. Pure, so records may be decoded side by
    /// side; [`finish`](Self::finish) then takes them in order. A record by the contract
    /// writes its channels' values into `batch` when there is one: the samples hold them
    /// once [attached](Samples::attach) to the shared batch.
    pub(crate) fn decode_into(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        record_ts: Option<i64>,
        now_ms: i64,
        batch: Option<&mut ValueBatch>,
    ) -> Result<Samples, Malformed> {
        if let Some(bytes @ [schema::MAGIC, ..]) = value {
            return self.decode_wire(topic, key, bytes, record_ts.unwrap_or(now_ms), batch);
        }
        // Most servers map nothing: no hashing of the topic for every record then.
        let mapped = if self.mappings.0.is_empty() { None } else { self.mappings.0.get(topic) };
        let Some(mapping) = mapped else {
            if self.v1_only {
                return telemetry::decode(value, record_ts, now_ms).map(|s| Samples::One(s, Channels::default()));
            }
            let channels = || self.channels.topic(topic);
            return telemetry::decode_channels_into(value, record_ts, now_ms, channels, batch)
                .map(|(s, c)| Samples::One(s, c));
        };
        let bytes = match value {
            None | Some([]) => return Err(Malformed::Empty),
            Some(b) if b.len() > MAX_RECORD_BYTES => return Err(Malformed::TooLarge(b.len())),
            Some(b) => b,
        };
        let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Malformed::NotJson(e.to_string()))?;
        self.decode_mapped(topic, mapping, &json, key, record_ts.unwrap_or(now_ms))
    }

    /// The samples a mapping finds in a record's JSON.
    fn decode_mapped(
        &self,
        topic: &str,
        mapping: &Mapping,
        json: &serde_json::Value,
        key: Option<&[u8]>,
        ts: i64,
    ) -> Result<Samples, Malformed> {
        let samples = apply::apply(mapping, json, key, ts)?;
        let mut dict = None;
        let mut intern = |flat: Flat| {
            // What the bounds dropped goes with the record even when they dropped all; a
            // reader of v1 fields only keeps no other channel, as with the contract.
            if self.v1_only || (flat.is_empty() && flat.too_long == 0 && flat.too_many == 0) {
                return Channels::default();
            }
            dict.get_or_insert_with(|| self.channels.topic(topic)).intern(&flat)
        };
        Ok(Samples::Many(samples.into_iter().map(|(s, flat)| (s, intern(flat))).collect()))
    }

    /// What follows decoding, for each record in the order the reader reads them: its
    /// math channels computed, and, by the live stream's decoder, its channels counted.
    pub(crate) fn finish(&self, topic: &str, samples: &mut Samples) {
        if self.math.is_none() && !self.observe {
            return;
        }
        let dict = self.channels.topic(topic);
        let mut state = self.math.as_ref().map(|_| lock(&self.math_state));
        for (sample, channels) in samples.iter_mut() {
            if let (Some(math), Some(state)) = (&self.math, state.as_mut()) {
                state.compute(math, &self.channels, topic, sample, channels, self.observe);
            }
            if self.observe {
                dict.observe(sample.v1_values(), channels);
            }
        }
    }
}

/// What one record holds: one sample and its other channels by the contract, any number
/// of them by a mapping.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // `One` is every contract record: a box would be an allocation each
pub(crate) enum Samples {
    One(Sample, Channels),
    Many(Vec<(Sample, Channels)>),
}

impl Samples {
    /// Points the samples decoded into a [`ValueBatch`] at the batch's shared values.
    pub(crate) fn attach(&mut self, shared: &SharedValues) {
        for (_, channels) in self.iter_mut() {
            channels.attach(shared);
        }
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = (&mut Sample, &mut Channels)> {
        let (one, many) = match self {
            Samples::One(s, c) => (Some((s, c)), None),
            Samples::Many(v) => (None, Some(v.iter_mut().map(|(s, c)| (s, c)))),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

impl IntoIterator for Samples {
    type Item = (Sample, Channels);
    type IntoIter = SamplesIter;

    fn into_iter(self) -> SamplesIter {
        match self {
            Samples::One(s, c) => SamplesIter::One(Some((s, c))),
            Samples::Many(v) => SamplesIter::Many(v.into_iter()),
        }
    }
}

/// The samples of one record, in order.
#[allow(clippy::large_enum_variant)] // as `Samples`
pub(crate) enum SamplesIter {
    One(Option<(Sample, Channels)>),
    Many(std::vec::IntoIter<(Sample, Channels)>),
}

impl Iterator for SamplesIter {
    type Item = (Sample, Channels);

    fn next(&mut self) -> Option<(Sample, Channels)> {
        match self {
            SamplesIter::One(one) => one.take(),
            SamplesIter::Many(v) => v.next(),
        }
    }
}

#[cfg(test)]
mod tests;
