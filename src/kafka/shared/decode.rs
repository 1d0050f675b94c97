//! Decoding many records at once on every core. JSON decoding is most of what a reader
//! of a whole topic spends; one reader's records are decoded side by side, each straight
//! from librdkafka's buffer (no payload is copied), and come back in their order.

use rayon::prelude::*;
use rdkafka::message::{BorrowedMessage, Message};

use super::client::now_ms;
use crate::{
    channels::dictionary::ValueBatch,
    mapping::{Decoder, Samples},
    telemetry::{Malformed, Record},
};

/// Decodes a record straight from librdkafka's buffer, without copying the payload, by
/// its topic's mapping if it has one. A mapped record may hold several cars: each is a
/// [`Record`] of the same offset.
pub(crate) fn decode_record(decoder: &Decoder, m: &BorrowedMessage<'_>) -> Result<Records, Malformed> {
    let raw = Raw::of(m);
    let mut decoded = raw.decode(decoder)?;
    decoder.finish(raw.topic, &mut decoded.samples);
    Ok(decoded.into_iter())
}

/// Records a reader of a whole span takes from librdkafka at a time to decode side by side.
pub(crate) const DECODE_BATCH: usize = 1_024;
/// Below this many records, decoding them on the calling thread costs less than handing
/// them to others.
const PARALLEL_FROM: usize = 64;
/// Records decoded one after another on one thread, sharing one allocation of channel
/// values: a few kilobytes, held until the last of them is sent.
const RUN: usize = PARALLEL_FROM / 2;

/// What decoding needs of one record, borrowed from librdkafka's buffer. Unlike the
/// message itself, it may cross threads.
pub(crate) struct Raw<'a> {
    topic: &'a str,
    key: Option<&'a [u8]>,
    payload: Option<&'a [u8]>,
    timestamp: Option<i64>,
    offset: i64,
}

impl<'a> Raw<'a> {
    pub(crate) fn of(m: &'a BorrowedMessage<'_>) -> Self {
        Self {
            topic: m.topic(),
            key: m.key(),
            payload: m.payload(),
            timestamp: m.timestamp().to_millis(),
            offset: m.offset(),
        }
    }

    /// The records this one decodes into (several when a mapping finds an array of cars).
    pub(crate) fn decode(&self, decoder: &Decoder) -> Result<Decoded, Malformed> {
        self.decode_into(decoder, None)
    }

    /// [`decode`](Self::decode), the channels' values written into `batch` when there is one.
    fn decode_into(&self, decoder: &Decoder, batch: Option<&mut ValueBatch>) -> Result<Decoded, Malformed> {
        // The clock is only a fallback for a record without a timestamp (message formats
        // before Kafka 0.10); reading it for every record cost 5% of a replay.
        let now = if self.timestamp.is_some() { 0 } else { now_ms() };
        let samples = decoder.decode_into(self.topic, self.key, self.payload, self.timestamp, now, batch)?;
        Ok(Decoded { offset: self.offset, samples })
    }
}

/// Decodes consecutive records on this thread, the values of their channels in one
/// allocation they share: it is freed, on whichever thread, when the last of them is.
fn decode_run(decoder: &Decoder, raws: &[Raw<'_>]) -> Vec<Result<Decoded, Malformed>> {
    let mut batch = ValueBatch::default();
    let mut decoded: Vec<Result<Decoded, Malformed>> =
        raws.iter().map(|r| r.decode_into(decoder, Some(&mut batch))).collect();
    let shared = batch.share();
    for d in decoded.iter_mut().flatten() {
        d.samples.attach(&shared);
    }
    decoded
}

/// The samples of one Kafka record, and its offset.
#[derive(Debug)]
pub(crate) struct Decoded {
    offset: i64,
    samples: Samples,
}

impl IntoIterator for Decoded {
    type Item = Record;
    type IntoIter = Records;

    fn into_iter(self) -> Records {
        Records { offset: self.offset, samples: self.samples.into_iter() }
    }
}

/// The records of one Kafka record, each with its offset.
pub(crate) struct Records {
    offset: i64,
    samples: <Samples as IntoIterator>::IntoIter,
}

impl Iterator for Records {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.samples.next().map(|(sample, channels)| Record { offset: self.offset, sample, channels })
    }
}

/// Decodes every record, on as many threads as there are cores when there are enough
/// records to share; the results are in the order of `raws`.
/// Math channels and counting (`Decoder::finish`) follow on this thread, in order.
pub(crate) fn decode_all(decoder: &Decoder, raws: &[Raw<'_>]) -> DecodedAll {
    let mut runs: Vec<Vec<Result<Decoded, Malformed>>> = if raws.len() < PARALLEL_FROM {
        vec![decode_run(decoder, raws)]
    } else {
        raws.par_chunks(RUN).map(|run| decode_run(decoder, run)).collect()
    };
    for (raw, d) in raws.iter().zip(runs.iter_mut().flatten()) {
        if let Ok(d) = d {
            decoder.finish(raw.topic, &mut d.samples);
        }
    }
    DecodedAll(runs)
}

/// What [`decode_all`] decoded, each record's result in the order of its records: kept
/// in the runs they were decoded in, so that no record is moved again to make one list.
pub(crate) struct DecodedAll(Vec<Vec<Result<Decoded, Malformed>>>);

impl IntoIterator for DecodedAll {
    type Item = Result<Decoded, Malformed>;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<Result<Decoded, Malformed>>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

#[cfg(test)]
impl Decoded {
    fn clone_records(&self) -> Vec<Record> {
        let offset = self.offset;
        self.samples.clone().into_iter().map(|(sample, channels)| Record { offset, sample, channels }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(payload: &[u8], offset: i64) -> Raw<'_> {
        Raw { topic: "t", key: Some(b"7"), payload: Some(payload), timestamp: Some(1_000), offset }
    }

    #[test]
    fn many_records_decode_in_their_order_with_the_malformed_in_place() {
        let good: Vec<Vec<u8>> =
            (0..500).map(|i| format!(r#"{{"car":"{}","speed_kph":{i}.5,"rpm":9000}}"#, i % 20).into_bytes()).collect();
        let mut raws: Vec<Raw<'_>> = good.iter().enumerate().map(|(i, p)| raw(p, i as i64)).collect();
        raws[250] = raw(b"{oops", 250);
        let decoded: Vec<Result<Decoded, Malformed>> = decode_all(&Decoder::default(), &raws).into_iter().collect();
        assert_eq!(decoded.len(), 500);
        for (i, d) in decoded.iter().enumerate() {
            if i == 250 {
                assert!(matches!(d, Err(Malformed::NotJson(_))), "{d:?}");
                continue;
            }
            let records: Vec<Record> = d.as_ref().map(|d| d.clone_records()).unwrap();
            assert_eq!((records[0].offset, records[0].sample.speed_kph), (i as i64, i as f64 + 0.5));
            assert_eq!(records[0].sample.ts, Some(1_000), "the Kafka timestamp stands in for a missing ts");
        }
    }

    #[test]
    fn records_decoded_side_by_side_each_keep_their_own_channels() {
        // Some records of another shape, and one malformed, inside the runs.
        let payloads: Vec<Vec<u8>> = (0..300)
            .map(|i| match i % 7 {
                0 => format!(r#"{{"car":"1","speed_kph":1,"g":{{"lat":{i}.25}}}}"#),
                3 => "{oops".to_owned(),
                _ => format!(r#"{{"car":"1","speed_kph":1,"fuel_kg":{i},"brake_temp_c":{{"fl":{i}.5,"fr":-{i}}}}}"#),
            })
            .map(String::into_bytes)
            .collect();
        let raws: Vec<Raw<'_>> = payloads.iter().enumerate().map(|(i, p)| raw(p, i as i64)).collect();
        let decoded: Vec<Result<Decoded, Malformed>> = decode_all(&Decoder::default(), &raws).into_iter().collect();
        for (i, d) in decoded.iter().enumerate() {
            let f = i as f64;
            let want = match i % 7 {
                0 => vec![("g.lat".to_owned(), f + 0.25)],
                3 => {
                    assert!(d.is_err(), "record {i}");
                    continue;
                }
                _ => vec![
                    ("fuel_kg".to_owned(), f),
                    ("brake_temp_c.fl".to_owned(), f + 0.5),
                    ("brake_temp_c.fr".to_owned(), -f),
                ],
            };
            let records = d.as_ref().map(|d| d.clone_records()).unwrap();
            assert_eq!(records[0].channels.to_vec(), want, "record {i}");
        }
    }
}
