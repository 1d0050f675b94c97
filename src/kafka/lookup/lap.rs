//! One timed lap's samples, read from Kafka for `/api/lap`: the partition's span from the
//! lap index, and only the one car's records in it.

use std::time::{Duration, Instant};

use rdkafka::message::Message;

use crate::{
    config::KafkaArgs,
    kafka::{
        KafkaError,
        shared::{
            decode_record,
            read::{Span, read_spans},
        },
    },
    laps::LapSpan,
    mapping::Decoder,
    telemetry::{Sample, TopicPartition},
};

/// Samples of one car's lap returned at most: an hour-long lap at 10 Hz. A lap's span
/// covers the partition's other cars too, which are read and skipped.
pub(crate) const MAX_LAP_SAMPLES: usize = 36_000;
/// How long reading one lap may take.
const LAP_READ_DEADLINE: Duration = Duration::from_secs(20);

/// `car`'s samples in `span` of `topic`, in offset order: the sample before the line,
/// the lap, and the first sample after it. Blocking.
pub(crate) fn lap_samples(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    topic: &str,
    car: &str,
    span: &LapSpan,
) -> Result<Vec<Sample>, KafkaError> {
    let spans = [Span { tp: TopicPartition::new(topic, span.partition), from: span.from, until: span.until + 1 }];
    let mut samples = Vec::new();
    read_spans(kafka, "trackside-lap", &spans, Instant::now() + LAP_READ_DEADLINE, None, |_, m| {
        // The key is the car id (unless a mapping says otherwise): only its records are
        // decoded.
        // A key in the schema-registry wire format names its car only once decoded.
        if decoder.key_is_car(topic) && m.key().is_some_and(|k| k != car.as_bytes() && k.first() != Some(&0)) {
            return true;
        }
        let records = decode_record(decoder, m).into_iter().flatten();
        samples.extend(records.filter(|r| r.sample.car == car).map(|r| r.sample));
        samples.len() < MAX_LAP_SAMPLES
    })?;
    Ok(samples)
}
