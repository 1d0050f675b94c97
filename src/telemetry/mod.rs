//! The message contract (v2): what a telemetry record looks like on Kafka, and the one
//! pure function that turns record bytes into a [`Sample`] (the v1 fields) and its other
//! channels, or says why it cannot.

mod number;
mod template;
mod value;
mod visit;

pub use value::decode_value_channels_into;

use std::{cell::RefCell, sync::Arc};

use serde::{Deserialize, Serialize, de::DeserializeSeed};

use crate::channels::{
    dictionary::{Channels, Dictionary, ValueBatch},
    flatten::{Flat, MAX_RECORD_CHANNELS},
    stats::V1_CHANNELS,
};

/// Records larger than this are refused before parsing. A telemetry sample is a few
/// hundred bytes; anything near this size is a producer bug, and parsing it would only
/// cost the consumer time that belongs to every other record.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// Tire temperature at each corner, in °C.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tires {
    pub fl: f64,
    pub fr: f64,
    pub rl: f64,
    pub rr: f64,
}

/// One telemetry reading of one car. The Kafka key is the car id.
///
/// Field order is the order of the JSON the simulator writes and the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The car's number or id; also the record key.
    pub car: String,
    /// Milliseconds since the Unix epoch. Optional on the wire: when missing, the Kafka
    /// record timestamp is used, so after [`decode`] it is always set.
    #[serde(default)]
    pub ts: Option<i64>,
    /// NaN when the record has none: required in v1, optional since v2 (a source that
    /// sends only brake temperatures is charted), and NaN is no JSON number, so it cannot
    /// stand for a value a producer sent.
    #[serde(default = "absent", skip_serializing_if = "is_absent")]
    pub speed_kph: f64,
    /// NaN when the record has none, as `speed_kph`.
    #[serde(default = "absent", skip_serializing_if = "is_absent")]
    pub rpm: f64,
    /// Optional since contract v1.1 (e.g. OutGauge has no tires); when present, all four
    /// corners are required and finite. `null` reads as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tire_temp_c: Option<Tires>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lap: Option<u32>,
    /// -1 is reverse, 0 is neutral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gear: Option<i8>,
    /// 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<f64>,
    /// 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brake: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Position on the track, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lap_distance_m: Option<f64>,
}

fn absent() -> f64 {
    f64::NAN
}

/// Whether a required-in-v1 number was absent from the record.
pub fn is_absent(v: &f64) -> bool {
    v.is_nan()
}

impl Sample {
    /// The values of the v1 fields that are channels, in the order of
    /// [`V1_CHANNELS`]; none where absent.
    pub fn v1_values(&self) -> [Option<f64>; V1_CHANNELS.len()] {
        let t = self.tire_temp_c.as_ref();
        let present = |v: f64| (!v.is_nan()).then_some(v);
        [
            present(self.speed_kph),
            present(self.rpm),
            t.map(|t| t.fl),
            t.map(|t| t.fr),
            t.map(|t| t.rl),
            t.map(|t| t.rr),
            self.lap.map(f64::from),
            self.gear.map(f64::from),
            self.throttle,
            self.brake,
            self.x,
            self.y,
            self.lap_distance_m,
        ]
    }

    /// A sample of car `car` with no other field: every number absent.
    pub fn blank(car: String) -> Sample {
        Sample {
            car,
            ts: None,
            speed_kph: f64::NAN,
            rpm: f64::NAN,
            tire_temp_c: None,
            lap: None,
            gear: None,
            throttle: None,
            brake: None,
            driver: None,
            x: None,
            y: None,
            lap_distance_m: None,
        }
    }

    /// How many channels the v1 fields give this sample (`ts` is the time, not a channel).
    fn v1_channels(&self) -> usize {
        self.v1_values().iter().filter(|v| v.is_some()).count()
    }
}

/// Why a record broke the contract. The text is shown to users as the "last reason".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Malformed {
    #[error("empty value (a tombstone?)")]
    Empty,
    #[error("record of {0} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")]
    TooLarge(usize),
    /// The bytes are not JSON at all (or are cut short).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not a telemetry sample: a field missing or of the wrong type.
    #[error("{0}")]
    Contract(String),
    #[error("field `{0}` is not a finite number")]
    NotFinite(&'static str),
    #[error("field `car` is empty")]
    EmptyCar,
    #[error("no channel: a record needs at least one numeric field besides `ts`")]
    NoChannel,
    /// A record in the schema-registry wire format that its schema does not decode, or
    /// whose schema the registry lacks: `schema 7: not found in the registry`.
    #[error("{0}")]
    Schema(String),
    /// A record whose schema the registry has not given (yet): read again, not counted,
    /// by a reader that can wait (the group's); malformed for one that cannot.
    #[error("{0}")]
    SchemaUnavailable(String),
}

/// Decodes one record value. `record_ts` is the Kafka record timestamp (ms), used when
/// the value carries no `ts`; when neither exists the sample gets `now_ms`. Channels
/// beyond the v1 fields are read and dropped: [`decode_channels`] keeps them.
pub fn decode(value: Option<&[u8]>, record_ts: Option<i64>, now_ms: i64) -> Result<Sample, Malformed> {
    with_scratch(|scratch| decode_flat(value, record_ts, now_ms, scratch))
}

/// Decodes one record value as [`decode`] does, with its other channels stored against
/// the topic's dictionary.
pub fn decode_channels(
    value: Option<&[u8]>,
    record_ts: Option<i64>,
    now_ms: i64,
    dictionary: impl FnOnce() -> Arc<Dictionary>,
) -> Result<(Sample, Channels), Malformed> {
    decode_channels_into(value, record_ts, now_ms, dictionary, None)
}

/// [`decode_channels`], with the channels' values written into `batch` when there is one
/// (the record holds them once it is [attached](Channels::attach) to the shared batch).
pub fn decode_channels_into(
    value: Option<&[u8]>,
    record_ts: Option<i64>,
    now_ms: i64,
    dictionary: impl FnOnce() -> Arc<Dictionary>,
    mut batch: Option<&mut ValueBatch>,
) -> Result<(Sample, Channels), Malformed> {
    with_scratch(|scratch| {
        let mut dictionary = Lazy(Some(dictionary), None);
        // A record laid out as one of the last: its values alone are read (template.rs).
        if let Some(bytes) = value.filter(|b| b.len() <= MAX_RECORD_BYTES) {
            for k in 0..scratch.templates.len() {
                let t = &scratch.templates[k];
                let read = if t.has_channels() {
                    let dict = dictionary.get();
                    Channels::write_known(dict, batch.as_deref_mut(), |out| t.read(bytes, dict.id(), out))
                } else {
                    t.read(bytes, 0, &mut Vec::new()).map(|s| (s, Channels::default()))
                };
                if let Some((mut sample, channels)) = read {
                    scratch.templates.swap(0, k);
                    sample.ts = sample.ts.or(record_ts).or(Some(now_ms));
                    return Ok((sample, channels));
                }
            }
        }
        let sample = decode_flat(value, record_ts, now_ms, scratch)?;
        let flat = &scratch.flat;
        // A record of v1 fields only costs nothing more; one whose other channels the
        // bounds all dropped still takes its topic's dictionary, which counts the drop.
        let lost = flat.too_long + flat.too_many;
        let bytes = value.unwrap_or_default();
        if flat.is_empty() && lost == 0 {
            template::remember(&mut scratch.templates, template::Template::learn(bytes, 0, &[]));
            return Ok((sample, Channels::default()));
        }
        let dict = dictionary.get();
        let channels = Arc::clone(dict).intern_into(flat, batch);
        // Nothing lost and no name twice: a layout worth learning for the next record.
        if lost == 0 && channels.len() == flat.len() {
            let indices: Option<Vec<u16>> = flat.iter().map(|(name, _)| dict.index_of(name)).collect();
            let learnt = indices.and_then(|indices| template::Template::learn(bytes, dict.id(), &indices));
            template::remember(&mut scratch.templates, learnt);
        }
        Ok((sample, channels))
    })
}

/// The topic's dictionary, asked for once, when first needed.
struct Lazy<F>(Option<F>, Option<Arc<Dictionary>>);

impl<F: FnOnce() -> Arc<Dictionary>> Lazy<F> {
    fn get(&mut self) -> &Arc<Dictionary> {
        if self.1.is_none() {
            self.1 = self.0.take().map(|f| f());
        }
        self.1.get_or_insert_with(|| Arc::new(Dictionary::default()))
    }
}

/// A record's other channels against its topic's dictionary, for a record read from a
/// value already decoded (`value.rs`: no bytes to learn a layout from). A record of v1
/// fields only costs nothing more; one whose other channels the bounds all dropped still
/// takes its topic's dictionary, which counts the drop.
fn intern(flat: &Flat, dictionary: impl FnOnce() -> Arc<Dictionary>, batch: Option<&mut ValueBatch>) -> Channels {
    let lost = flat.too_long + flat.too_many;
    if flat.is_empty() && lost == 0 { Channels::default() } else { dictionary().intern_into(flat, batch) }
}

/// What decoding a record writes as it goes (its channels, the name being read), kept
/// from one record to the next: growing them again for every record was about a quarter
/// of the decoding of the simulator's records. Bounded by what a record may hold
/// ([`MAX_RECORD_BYTES`]).
#[derive(Default)]
struct Scratch {
    flat: Flat,
    path: String,
    /// The layouts of the last records decoded in full that could be learnt, the one
    /// matched last first.
    templates: Vec<template::Template>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Runs `f` with this thread's scratch (fresh buffers in the unlikely case that it is
/// in use further up the stack).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// The sample, and its other channels in `scratch.flat`, with the record's bound applied
/// to both together.
fn decode_flat(
    value: Option<&[u8]>,
    record_ts: Option<i64>,
    now_ms: i64,
    scratch: &mut Scratch,
) -> Result<Sample, Malformed> {
    let bytes = match value {
        None | Some([]) => return Err(Malformed::Empty),
        Some(b) if b.len() > MAX_RECORD_BYTES => return Err(Malformed::TooLarge(b.len())),
        Some(b) => b,
    };
    let classify = |e: serde_json::Error| match e.classify() {
        serde_json::error::Category::Data => Malformed::Contract(e.to_string()),
        _ => Malformed::NotJson(e.to_string()),
    };
    let Scratch { flat, path, .. } = scratch;
    flat.reset(MAX_RECORD_CHANNELS);
    path.clear();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let sample = visit::RecordSeed { flat, path }.deserialize(&mut de).map_err(classify)?;
    de.end().map_err(classify)?;
    check_flat(sample, record_ts, now_ms, flat)
}

/// The checks and bounds every record's sample and channels go through, however it was
/// read.
#[inline]
fn check_flat(mut sample: Sample, record_ts: Option<i64>, now_ms: i64, flat: &mut Flat) -> Result<Sample, Malformed> {
    if sample.car.is_empty() {
        return Err(Malformed::EmptyCar);
    }
    check_finite(&sample)?;
    // Most records carry speed and a few channels: the v1 fields are counted only when
    // they could matter, which keeps the simulator's records as cheap as before v2.
    let dropped = (flat.too_many + flat.too_long) as usize;
    if flat.len() + dropped == 0 && sample.speed_kph.is_nan() && sample.v1_channels() == 0 {
        return Err(Malformed::NoChannel);
    }
    if flat.len() + V1_CHANNELS.len() > MAX_RECORD_CHANNELS {
        flat.truncate(MAX_RECORD_CHANNELS.saturating_sub(sample.v1_channels()));
    }
    sample.ts = sample.ts.or(record_ts).or(Some(now_ms));
    Ok(sample)
}

/// Checks the numbers of a sample built by other code than [`decode`] (the bridge, a
/// field mapping) against the same rule.
pub fn check_sample(s: &Sample) -> Result<(), Malformed> {
    if s.car.is_empty() {
        return Err(Malformed::EmptyCar);
    }
    check_finite(s)
}

/// serde_json refuses NaN and infinities in text, but a number like `1e308 * 10` cannot
/// reach us either; this guards the contract itself rather than one parser's habits.
fn check_finite(s: &Sample) -> Result<(), Malformed> {
    let t = s.tire_temp_c.as_ref();
    let optional = [
        ("speed_kph", (!s.speed_kph.is_nan()).then_some(s.speed_kph)),
        ("rpm", (!s.rpm.is_nan()).then_some(s.rpm)),
        ("tire_temp_c.fl", t.map(|t| t.fl)),
        ("tire_temp_c.fr", t.map(|t| t.fr)),
        ("tire_temp_c.rl", t.map(|t| t.rl)),
        ("tire_temp_c.rr", t.map(|t| t.rr)),
        ("throttle", s.throttle),
        ("brake", s.brake),
        ("x", s.x),
        ("y", s.y),
        ("lap_distance_m", s.lap_distance_m),
    ];
    for (name, v) in optional.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))) {
        if !v.is_finite() {
            return Err(Malformed::NotFinite(name));
        }
    }
    Ok(())
}

/// A partition of a topic, the unit Kafka orders records in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

/// One decoded record with its offset, as a batch carries it: the v1 fields, and every
/// other channel against its topic's dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub offset: i64,
    pub sample: Sample,
    pub channels: Channels,
}

impl Record {
    /// A record of v1 fields only.
    pub fn new(offset: i64, sample: Sample) -> Record {
        Record { offset, sample, channels: Channels::default() }
    }
}

/// A record that broke the contract: where, and why, as shown to a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MalformedNote {
    pub offset: i64,
    pub reason: String,
}

#[cfg(test)]
impl Sample {
    /// A valid sample with only the required fields, for tests elsewhere in the crate.
    pub(crate) fn minimal(car: &str, ts: i64) -> Self {
        Self {
            ts: Some(ts),
            speed_kph: 100.0,
            rpm: 9000.0,
            tire_temp_c: Some(Tires { fl: 1.0, fr: 2.0, rl: 3.0, rr: 4.0 }),
            ..Self::blank(car.into())
        }
    }
}

#[cfg(test)]
mod tests;
