//! The two forms a `data` message takes, chosen per connection: JSON text (the default)
//! or the columnar binary layout. A batch is encoded once per form that viewers need,
//! and in no form that none needs.

use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use serde::Serialize;

use super::{
    batch::{self, Mode, data_frame, encode_batch},
    columnar::{self, SUBPROTOCOL, columnar_frame, encode_columnar},
};
use crate::{
    channels::choice::Choice,
    sync::lock,
    telemetry::{Record, TopicPartition},
};

/// How a connection receives `data` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DataFormat {
    #[default]
    Json,
    Columnar,
}

impl DataFormat {
    /// The format a client asked for by the WebSocket subprotocols it offered.
    pub(crate) fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Self {
        if offered.into_iter().flat_map(|h| h.split(',')).any(|p| p.trim() == SUBPROTOCOL) {
            DataFormat::Columnar
        } else {
            DataFormat::Json
        }
    }

    /// Encodes consecutive records of one partition in this form.
    pub(crate) fn encode(self, topic: &str, partition: i32, records: &[Record]) -> Bytes {
        match self {
            DataFormat::Json => encode_batch(topic, partition, records),
            DataFormat::Columnar => encode_columnar(topic, partition, records),
        }
    }

    /// Encodes consecutive records of several partitions, one batch each, as one piece
    /// that [`DataFormat::frame`] packs as it packs one batch; with a `choice`
    /// ([`Choice::resolve`]d for the records' dictionaries), only its channels.
    /// Written into one buffer sized beforehand: a replay sends a few records of each
    /// partition at a time, and each batch was written into a buffer of its own, then
    /// copied.
    pub(crate) fn encode_groups(self, groups: &[(TopicPartition, Vec<Record>)], choice: Option<&Choice>) -> Bytes {
        let capacity: usize = groups
            .iter()
            .map(|(tp, records)| match self {
                DataFormat::Json => batch::capacity(&tp.topic, records) + 1,
                DataFormat::Columnar => columnar::capacity(records),
            })
            .sum();
        let mut out = Vec::with_capacity(capacity);
        for (i, (tp, records)) in groups.iter().enumerate() {
            match self {
                // JSON batches are elements of the frame's array; columnar ones lie end to end.
                DataFormat::Json => {
                    if i > 0 {
                        out.push(b',');
                    }
                    batch::encode_batch_into(&mut out, &tp.topic, tp.partition, records, choice);
                }
                DataFormat::Columnar => {
                    columnar::encode_columnar_into(&mut out, &tp.topic, tp.partition, records, choice);
                }
            }
        }
        Bytes::from(out)
    }

    /// Packs encoded batches of this form into one `data` message: text for JSON, binary
    /// for columnar.
    pub(crate) fn frame(self, mode: Mode, dropped: u64, batches: &[Bytes]) -> DataMessage {
        match self {
            DataFormat::Json => DataMessage::Text(data_frame(mode, dropped, batches)),
            DataFormat::Columnar => DataMessage::Binary(columnar_frame(mode, dropped, batches)),
        }
    }
}

/// A `data` message ready for the socket.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DataMessage {
    Text(String),
    Binary(Bytes),
}

#[cfg(test)]
impl DataMessage {
    pub(crate) fn into_binary(self) -> Bytes {
        match self {
            DataMessage::Binary(b) => b,
            DataMessage::Text(t) => panic!("a text frame where a binary one was expected: {t}"),
        }
    }
}

/// A batch of one partition shared among viewers of either form (the live stream and its
/// history), encoded in a form only when a viewer of that form first needs it, and then
/// once: clones share the encodings. It keeps its records until both forms exist.
#[derive(Debug, Clone)]
pub(crate) struct Encoded(Arc<Lazy>);

#[derive(Debug)]
struct Lazy {
    topic: String,
    partition: i32,
    /// Emptied once both forms exist. A lock taken only to encode a form, once per form:
    /// reading a form already encoded takes none.
    records: Mutex<Vec<Record>>,
    /// What the records take, counted once.
    records_bytes: usize,
    json: OnceLock<Bytes>,
    columnar: OnceLock<Bytes>,
}

impl Encoded {
    /// Keeps a copy of the records; encodes nothing yet.
    pub(crate) fn new(topic: &str, partition: i32, records: &[Record]) -> Self {
        Self(Arc::new(Lazy {
            topic: topic.to_owned(),
            partition,
            records: Mutex::new(records.to_vec()),
            records_bytes: records.iter().map(record_bytes).sum(),
            json: OnceLock::new(),
            columnar: OnceLock::new(),
        }))
    }

    /// The batch in `format`, encoded now if this is the first time that form is asked for.
    pub(crate) fn get(&self, format: DataFormat) -> &Bytes {
        let form = self.form(format);
        if let Some(bytes) = form.get() {
            return bytes;
        }
        let l = &*self.0;
        let mut records = lock(&l.records);
        let bytes = form.get_or_init(|| format.encode(&l.topic, l.partition, &records));
        if self.has_both() {
            *records = Vec::new();
        }
        bytes
    }

    /// Whether the batch has been encoded in `format`.
    #[cfg(test)]
    pub(crate) fn has(&self, format: DataFormat) -> bool {
        self.form(format).get().is_some()
    }

    fn has_both(&self) -> bool {
        self.0.json.get().is_some() && self.0.columnar.get().is_some()
    }

    fn form(&self, format: DataFormat) -> &OnceLock<Bytes> {
        match format {
            DataFormat::Json => &self.0.json,
            DataFormat::Columnar => &self.0.columnar,
        }
    }

    /// About the bytes held: the forms encoded so far, and the records until both are. It
    /// changes when a form is first asked for.
    pub(crate) fn len(&self) -> usize {
        let forms = [DataFormat::Json, DataFormat::Columnar].map(|f| self.form(f).get().map_or(0, Bytes::len));
        let records = if self.has_both() { 0 } else { self.0.records_bytes };
        forms.iter().sum::<usize>() + records + self.0.topic.len() + std::mem::size_of::<Lazy>()
    }
}

/// About the bytes a record takes in memory: the struct, its strings and its channels.
fn record_bytes(r: &Record) -> usize {
    let strings = r.sample.car.capacity() + r.sample.driver.as_ref().map_or(0, String::capacity);
    std::mem::size_of::<Record>() + strings + r.channels.len() * std::mem::size_of::<(u16, f64)>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Sample;

    #[test]
    fn batches_of_several_partitions_encoded_together_frame_as_separate_batches() {
        let r = |o: i64| Record::new(o, Sample::minimal("7", o));
        let groups = vec![(TopicPartition::new("t", 0), vec![r(1), r(2)]), (TopicPartition::new("t", 1), vec![r(9)])];
        let DataMessage::Text(json) =
            DataFormat::Json.frame(Mode::Replay, 0, &[DataFormat::Json.encode_groups(&groups, None)])
        else {
            panic!("JSON frames are text")
        };
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["batches"].as_array().unwrap().len(), 2);
        assert_eq!(v["batches"][1]["partition"], 1);
        let binary = DataFormat::Columnar.frame(Mode::Replay, 0, &[DataFormat::Columnar.encode_groups(&groups, None)]);
        let f = super::super::columnar::decode_frame(&binary.into_binary()).unwrap();
        assert_eq!(f.batches.iter().map(|b| (b.partition, b.records.len())).collect::<Vec<_>>(), vec![(0, 2), (1, 1)]);
    }

    #[test]
    fn a_choice_of_channels_leaves_every_other_channel_out_of_both_forms() {
        let dict = Arc::new(crate::channels::dictionary::Dictionary::default());
        let record = |offset: i64, json: &str| {
            let (sample, channels) =
                crate::telemetry::decode_channels(Some(json.as_bytes()), Some(offset), 0, || dict.clone()).unwrap();
            Record { offset, sample, channels }
        };
        let groups = vec![(
            TopicPartition::new("t", 0),
            vec![
                record(
                    1,
                    r#"{"car":"7","speed_kph":200,"rpm":9000,"lap":3,"driver":"A","g":{"lat":1.5},"brake_temp_c":{"fl":500}}"#,
                ),
                record(2, r#"{"car":"7","speed_kph":201,"rpm":9100,"x":4,"g":{"lat":1.25}}"#),
            ],
        )];
        let names: Vec<String> = ["speed_kph", "brake_temp_c.fl", "late"].map(String::from).to_vec();
        let mut choice = Choice::new(&names);
        choice.resolve(&dict);

        let DataMessage::Text(json) =
            DataFormat::Json.frame(Mode::Replay, 0, &[DataFormat::Json.encode_groups(&groups, Some(&choice))])
        else {
            panic!("JSON frames are text")
        };
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v["batches"][0]["records"],
            serde_json::json!([
                {"offset": 1, "car": "7", "ts": 1, "speed_kph": 200.0, "driver": "A", "channels": {"brake_temp_c.fl": 500.0}},
                {"offset": 2, "car": "7", "ts": 2, "speed_kph": 201.0}
            ])
        );

        let binary =
            DataFormat::Columnar.frame(Mode::Replay, 0, &[DataFormat::Columnar.encode_groups(&groups, Some(&choice))]);
        let binary = binary.into_binary();
        let columns = u32::from_le_bytes(binary[28..32].try_into().unwrap());
        assert_eq!(columns, 0b10_0000_0000_1111, "offset, ts, car, speed_kph and driver: nothing else flagged");
        let f = super::super::columnar::decode_frame(&binary).unwrap();
        let got: Vec<_> = f.batches[0]
            .records
            .iter()
            .map(|r| (r.sample.speed_kph, r.sample.rpm, r.sample.lap, r.sample.x, r.channels.to_vec()))
            .collect();
        assert_eq!(got[0].4, vec![("brake_temp_c.fl".to_owned(), 500.0)]);
        assert_eq!((got[0].0, got[0].2, got[1].0, got[1].3), (200.0, None, 201.0, None));
        assert!(got[1].1.is_nan() && got[1].4.is_empty(), "no rpm, no channel: {got:?}");

        // v1 fields only: no channels section, no `"channels"`.
        let v1 = Choice::new(&["rpm".to_owned()]);
        let binary =
            DataFormat::Columnar.frame(Mode::Replay, 0, &[DataFormat::Columnar.encode_groups(&groups, Some(&v1))]);
        let f = super::super::columnar::decode_frame(&binary.into_binary()).unwrap();
        let got: Vec<_> = f.batches[0].records.iter().map(|r| (r.sample.rpm, r.channels.len())).collect();
        assert_eq!(got, vec![(9000.0, 0), (9100.0, 0)]);
        let json = DataFormat::Json.encode_groups(&groups, Some(&v1));
        assert!(!String::from_utf8_lossy(&json).contains("channels"), "{json:?}");
    }

    #[test]
    fn a_shared_batch_is_encoded_in_a_form_only_when_asked_and_then_once() {
        let records = vec![Record::new(4, Sample::minimal("7", 10))];
        let batch = Encoded::new("t", 2, &records);
        let shared = batch.clone();
        let bare = batch.len();
        assert!(!batch.has(DataFormat::Json) && !batch.has(DataFormat::Columnar));
        let columnar = shared.get(DataFormat::Columnar).clone();
        assert_eq!(columnar, DataFormat::Columnar.encode("t", 2, &records));
        assert!(batch.has(DataFormat::Columnar) && !batch.has(DataFormat::Json));
        assert_eq!(batch.len(), bare + columnar.len());
        // Asked again, through any clone, it is the same bytes, not a new encoding.
        assert_eq!(batch.get(DataFormat::Columnar).as_ptr(), columnar.as_ptr());
        assert_eq!(batch.get(DataFormat::Json), &DataFormat::Json.encode("t", 2, &records));
        // With both forms, the records are let go.
        assert!(batch.len() < bare + columnar.len() + batch.get(DataFormat::Json).len());
        assert!(lock(&batch.0.records).is_empty());
    }

    #[test]
    fn only_a_client_offering_the_columnar_subprotocol_gets_it() {
        assert_eq!(DataFormat::negotiate([]), DataFormat::Json);
        assert_eq!(DataFormat::negotiate(["graphql-ws"]), DataFormat::Json);
        assert_eq!(DataFormat::negotiate(["graphql-ws, trackside.columnar.v1"]), DataFormat::Columnar);
        assert_eq!(DataFormat::negotiate(["x", "trackside.columnar.v1"]), DataFormat::Columnar);
        assert_eq!(DataFormat::negotiate(["trackside.columnar.v2"]), DataFormat::Json);
    }
}
