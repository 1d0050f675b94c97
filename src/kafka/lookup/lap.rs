//! One timed lap's samples, read from Kafka for `/api/lap`: the partition's span from the
//! lap index, and only the one car's records in it; or, when retention has deleted the
//! start of the span since the index read it, where the partition starts now.

use std::time::{Duration, Instant};

use rdkafka::{
    consumer::{BaseConsumer, Consumer},
    message::Message,
};

use crate::{
    config::KafkaArgs,
    kafka::{
        KafkaError, METADATA_TIMEOUT,
        shared::{
            client::{self, ReaderContext},
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
/// How long reading the first record a partition still holds may take.
const FIRST_RECORD_DEADLINE: Duration = Duration::from_secs(5);

/// What reading a lap found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LapRead {
    /// The lap's samples.
    Samples(Vec<Sample>),
    /// Its first records are below the partition's low watermark: retention deleted them.
    /// `starts`: the time of the first record the partition still holds (the record's
    /// `ts`, else its Kafka timestamp, in ms), none when it holds nothing now.
    Gone { starts: Option<i64> },
}

/// `car`'s samples in `span` of `topic`, in offset order: the sample before the line,
/// the lap, and the first sample after it. Blocking.
pub(crate) fn lap_samples(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    topic: &str,
    car: &str,
    span: &LapSpan,
) -> Result<LapRead, KafkaError> {
    let consumer: BaseConsumer<ReaderContext> = client::reader(kafka, "trackside-lap")?;
    let (low, high) =
        consumer.fetch_watermarks(topic, span.partition, METADATA_TIMEOUT).map_err(KafkaError::Metadata)?;
    drop(consumer);
    if span.from < low {
        let starts = if low < high { first_time(kafka, decoder, topic, span.partition, low)? } else { None };
        return Ok(LapRead::Gone { starts });
    }
    let spans = [Span { tp: TopicPartition::new(topic, span.partition), from: span.from, until: span.until + 1 }];
    let mut samples = Vec::new();
    read_spans(kafka, "trackside-lap", &spans, Instant::now() + LAP_READ_DEADLINE, None, |_, m| {
        // The key is the car id (unless a mapping says otherwise): only its records are
        // decoded.
        if decoder.key_is_car(topic) && m.key().is_some_and(|k| k != car.as_bytes()) {
            return true;
        }
        let records = decode_record(decoder, m).into_iter().flatten();
        samples.extend(records.filter(|r| r.sample.car == car).map(|r| r.sample));
        samples.len() < MAX_LAP_SAMPLES
    })?;
    Ok(LapRead::Samples(samples))
}

/// The time of the record at `offset`: its sample's `ts`, else its Kafka timestamp.
fn first_time(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    topic: &str,
    partition: i32,
    offset: i64,
) -> Result<Option<i64>, KafkaError> {
    let spans = [Span { tp: TopicPartition::new(topic, partition), from: offset, until: offset + 1 }];
    let mut time = None;
    read_spans(kafka, "trackside-lap", &spans, Instant::now() + FIRST_RECORD_DEADLINE, None, |_, m| {
        let ts = decode_record(decoder, m).ok().and_then(|records| records.into_iter().find_map(|r| r.sample.ts));
        time = ts.or_else(|| m.timestamp().to_millis());
        false
    })?;
    Ok(time)
}
