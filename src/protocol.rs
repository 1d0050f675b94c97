//! The WebSocket protocol of docs/protocol.md: control messages a viewer sends, and the
//! encoding of everything the server sends. Parsing and encoding are pure functions.

use std::collections::{BTreeSet, HashMap};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::telemetry::Sample;

/// Largest control message accepted from a viewer.
pub const MAX_INBOUND_BYTES: usize = 64 * 1024;
/// Most entries in one selection; far more topics than a person can watch at once.
pub const MAX_SELECTION: usize = 256;
/// Most partitions named for one topic in a selection.
pub const MAX_PARTITIONS_PER_TOPIC: usize = 4096;

/// A message from the viewer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Subscribe { selection: Vec<TopicSelection> },
    Replay { from: ReplayFrom },
    Pause,
    Resume,
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayFrom {
    Earliest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSelection {
    pub topic: String,
    /// `None`: every partition, including ones added later.
    #[serde(default)]
    pub partitions: Option<Vec<i32>>,
}

/// Why a control message was refused; shown to the viewer in an `error` message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("{0}")]
    BadRequest(String),
}

/// Parses one control message and checks it against the protocol's bounds.
pub fn parse_client_message(text: &str) -> Result<ClientMessage, RequestError> {
    if text.len() > MAX_INBOUND_BYTES {
        return Err(RequestError::BadRequest(format!("message exceeds {MAX_INBOUND_BYTES} bytes")));
    }
    let msg: ClientMessage =
        serde_json::from_str(text).map_err(|e| RequestError::BadRequest(format!("cannot read message: {e}")))?;
    if let ClientMessage::Subscribe { selection } = &msg {
        Selection::new(selection.clone())?;
    }
    Ok(msg)
}

/// What one viewer watches, in a form quick to test per batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    entries: HashMap<String, Option<BTreeSet<i32>>>,
}

impl Selection {
    pub fn new(list: Vec<TopicSelection>) -> Result<Self, RequestError> {
        if list.len() > MAX_SELECTION {
            return Err(RequestError::BadRequest(format!("a selection holds at most {MAX_SELECTION} topics")));
        }
        let mut entries: HashMap<String, Option<BTreeSet<i32>>> = HashMap::new();
        for TopicSelection { topic, partitions } in list {
            validate_topic_name(&topic)?;
            let parts = match partitions {
                None => None,
                Some(p) if p.len() > MAX_PARTITIONS_PER_TOPIC => {
                    return Err(RequestError::BadRequest(format!(
                        "at most {MAX_PARTITIONS_PER_TOPIC} partitions per topic"
                    )));
                }
                Some(p) if p.iter().any(|&n| n < 0) => {
                    return Err(RequestError::BadRequest(format!("topic `{topic}`: partitions are numbered from 0")));
                }
                Some(p) => Some(p.into_iter().collect::<BTreeSet<_>>()),
            };
            // The same topic twice: the union of what was asked.
            match (entries.get_mut(&topic), parts) {
                (Some(Some(existing)), Some(more)) => existing.extend(more),
                (Some(existing), None) => *existing = None,
                (Some(None), Some(_)) => {}
                (None, parts) => {
                    entries.insert(topic, parts);
                }
            }
        }
        Ok(Self { entries })
    }

    pub fn matches(&self, topic: &str, partition: i32) -> bool {
        match self.entries.get(topic) {
            Some(None) => true,
            Some(Some(parts)) => parts.contains(&partition),
            None => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The partitions chosen for `topic`; `None` means all of them.
    pub fn partitions(&self, topic: &str) -> Option<&BTreeSet<i32>> {
        self.entries.get(topic).and_then(Option::as_ref)
    }

    /// The selection as the protocol writes it, sorted for stable output.
    pub fn to_list(&self) -> Vec<TopicSelection> {
        let mut list: Vec<TopicSelection> = self
            .entries
            .iter()
            .map(|(t, p)| TopicSelection {
                topic: t.clone(),
                partitions: p.as_ref().map(|s| s.iter().copied().collect()),
            })
            .collect();
        list.sort_by(|a, b| a.topic.cmp(&b.topic));
        list
    }
}

/// Kafka's own rule for topic names: 1 to 249 of `[a-zA-Z0-9._-]`.
fn validate_topic_name(topic: &str) -> Result<(), RequestError> {
    let ok = !topic.is_empty()
        && topic.len() <= 249
        && topic.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(()) } else { Err(RequestError::BadRequest(format!("`{topic}` is not a valid topic name"))) }
}

/// One decoded record with its offset, as a batch carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub offset: i64,
    pub sample: Sample,
}

/// Room for one encoded record: a simulator sample with its offset takes about 300 bytes.
const RECORD_BYTES_HINT: usize = 320;

/// Encodes consecutive records of one partition once; the bytes are then shared by every
/// viewer that wants them and packed into frames by [`data_frame`]. A record is the sample
/// exactly as serde writes it, with `"offset"` first. Written by hand because this runs
/// once for every record consumed: serde's `flatten` goes through a map serializer, and
/// serde_json escapes every field name anew.
pub fn encode_batch(topic: &str, partition: i32, records: &[Record]) -> Bytes {
    let mut out = Vec::with_capacity(64 + topic.len() + records.len() * RECORD_BYTES_HINT);
    // Serialising plain structs of strings and finite numbers cannot fail.
    match write_batch(&mut out, topic, partition, records) {
        Ok(()) => Bytes::from(out),
        Err(_) => Bytes::new(),
    }
}

fn write_batch(out: &mut Vec<u8>, topic: &str, partition: i32, records: &[Record]) -> serde_json::Result<()> {
    use std::io::Write;

    out.extend_from_slice(br#"{"topic":"#);
    serde_json::to_writer(&mut *out, topic)?;
    write!(out, r#","partition":{partition},"records":["#).map_err(serde_json::Error::io)?;
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write!(out, r#"{{"offset":{},"#, r.offset).map_err(serde_json::Error::io)?;
        write_sample_fields(out, &r.sample)?;
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(())
}

/// The sample's fields in the order and form of its `Serialize`: absent optional fields
/// left out, a missing `ts` as null. Values go through serde_json, so numbers and strings
/// are written exactly as it writes them.
fn write_sample_fields(out: &mut Vec<u8>, s: &Sample) -> serde_json::Result<()> {
    fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &[u8], value: &T) -> serde_json::Result<()> {
        out.extend_from_slice(key);
        serde_json::to_writer(&mut *out, value)
    }
    fn optional<T: Serialize>(out: &mut Vec<u8>, key: &[u8], value: Option<&T>) -> serde_json::Result<()> {
        value.map_or(Ok(()), |v| field(out, key, v))
    }
    field(out, br#""car":"#, s.car.as_str())?;
    field(out, br#","ts":"#, &s.ts)?;
    field(out, br#","speed_kph":"#, &s.speed_kph)?;
    field(out, br#","rpm":"#, &s.rpm)?;
    let t = &s.tire_temp_c;
    field(out, br#","tire_temp_c":{"fl":"#, &t.fl)?;
    field(out, br#","fr":"#, &t.fr)?;
    field(out, br#","rl":"#, &t.rl)?;
    field(out, br#","rr":"#, &t.rr)?;
    out.push(b'}');
    optional(out, br#","lap":"#, s.lap.as_ref())?;
    optional(out, br#","gear":"#, s.gear.as_ref())?;
    optional(out, br#","throttle":"#, s.throttle.as_ref())?;
    optional(out, br#","brake":"#, s.brake.as_ref())?;
    optional(out, br#","driver":"#, s.driver.as_ref())?;
    optional(out, br#","x":"#, s.x.as_ref())?;
    optional(out, br#","y":"#, s.y.as_ref())?;
    optional(out, br#","lap_distance_m":"#, s.lap_distance_m.as_ref())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Replay,
}

/// Packs pre-encoded batches into one `data` message without decoding them again.
pub fn data_frame(mode: Mode, dropped: u64, batches: &[Bytes]) -> String {
    let mode = match mode {
        Mode::Live => "live",
        Mode::Replay => "replay",
    };
    let body: usize = batches.iter().map(|b| b.len() + 1).sum();
    let mut out = String::with_capacity(body + 64);
    out.push_str(r#"{"type":"data","mode":""#);
    out.push_str(mode);
    out.push_str(r#"","dropped":"#);
    out.push_str(&dropped.to_string());
    out.push_str(r#","batches":["#);
    for (i, b) in batches.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Batches are produced by `encode_batch`, always UTF-8 JSON.
        out.push_str(std::str::from_utf8(b).unwrap_or("null"));
    }
    out.push_str("]}");
    out
}

/// A message from the server other than `data`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    Hello {
        version: &'a str,
        group_id: &'a str,
        history_secs: u64,
        max_frame_rate: u32,
    },
    Subscribed {
        selection: Vec<TopicSelection>,
    },
    /// `request` is the `type` of the refused message, when it had one.
    Error {
        request: Option<&'a str>,
        error: &'a str,
        message: String,
    },
    Replay(&'a ReplayProgress),
    Stats(&'a crate::status::Snapshot),
}

impl ServerMessage<'_> {
    pub fn encode(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayState {
    Running,
    Paused,
    CaughtUp,
    Stopped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionProgress {
    pub topic: String,
    pub partition: i32,
    /// Low watermark when the replay started.
    pub start: i64,
    /// Next offset the reader will deliver.
    pub offset: i64,
    /// High watermark when the replay started.
    pub end: i64,
}

/// Body of the `replay` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayProgress {
    pub state: ReplayState,
    pub partitions: Vec<PartitionProgress>,
    pub delivered: u64,
    pub total: u64,
    pub progress: f64,
    pub malformed: u64,
    pub last_malformed: Option<crate::status::MalformedNote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ReplayProgress {
    /// A report in `state` with nothing replayed yet.
    pub fn new(state: ReplayState) -> Self {
        Self {
            state,
            partitions: Vec::new(),
            delivered: 0,
            total: 0,
            progress: 0.0,
            malformed: 0,
            last_malformed: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscribe_message_is_understood() {
        let m = parse_client_message(r#"{"type":"subscribe","selection":[{"topic":"telemetry","partitions":[0,2]}]}"#);
        assert_eq!(
            m,
            Ok(ClientMessage::Subscribe {
                selection: vec![TopicSelection { topic: "telemetry".into(), partitions: Some(vec![0, 2]) }]
            })
        );
        assert_eq!(
            parse_client_message(r#"{"type":"replay","from":"earliest"}"#),
            Ok(ClientMessage::Replay { from: ReplayFrom::Earliest })
        );
        assert_eq!(parse_client_message(r#"{"type":"pause"}"#), Ok(ClientMessage::Pause));
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let cases = [
            ("not json", "cannot read message"),
            (r#"{"type":"fly"}"#, "unknown variant `fly`"),
            (r#"{"type":"replay","from":"yesterday"}"#, "unknown variant `yesterday`"),
            (r#"{"type":"subscribe","selection":[{"topic":"bad topic!"}]}"#, "not a valid topic name"),
            (r#"{"type":"subscribe","selection":[{"topic":"t","partitions":[-1]}]}"#, "numbered from 0"),
        ];
        for (input, expected) in cases {
            let err = parse_client_message(input).unwrap_err().to_string();
            assert!(err.contains(expected), "{input}: {err}");
        }
        let huge = format!(r#"{{"type":"subscribe","selection":[{}]}}"#, r#"{"topic":"t"},"#.repeat(9000));
        assert!(parse_client_message(&huge).unwrap_err().to_string().contains("exceeds"));
        let many: Vec<_> = (0..300).map(|i| TopicSelection { topic: format!("t{i}"), partitions: None }).collect();
        assert!(Selection::new(many).is_err());
    }

    #[test]
    fn a_selection_matches_only_what_was_chosen() {
        let s = Selection::new(vec![
            TopicSelection { topic: "a".into(), partitions: Some(vec![1, 3]) },
            TopicSelection { topic: "b".into(), partitions: None },
            TopicSelection { topic: "a".into(), partitions: Some(vec![5]) },
        ])
        .unwrap();
        assert!(s.matches("a", 1) && s.matches("a", 3) && s.matches("a", 5));
        assert!(!s.matches("a", 0) && !s.matches("c", 0));
        assert!(s.matches("b", 0) && s.matches("b", 999));
        assert!(Selection::default().is_empty());
    }

    #[test]
    fn a_record_on_the_wire_is_its_offset_and_the_sample_as_the_contract_writes_it() {
        let full = Sample {
            lap: Some(3),
            gear: Some(-1),
            throttle: Some(0.5),
            brake: Some(0.25),
            driver: Some("Ada".into()),
            x: Some(1.5),
            y: Some(-2.5),
            lap_distance_m: Some(99.9),
            ..Sample::minimal("44", 1_700_000_000_123)
        };
        for sample in [full, Sample::minimal("7", 5)] {
            let batch = encode_batch("t", 0, &[Record { offset: 12, sample: sample.clone() }]);
            let mut wire: serde_json::Value = serde_json::from_slice(&batch).unwrap();
            let record = wire["records"][0].as_object_mut().unwrap();
            assert_eq!(record.remove("offset"), Some(12.into()));
            let contract = serde_json::to_value(&sample).unwrap();
            assert_eq!(serde_json::Value::Object(record.clone()), contract);
        }
    }

    #[test]
    fn data_frames_pack_encoded_batches_into_valid_json() {
        let sample = Sample { lap: Some(2), ..Sample::minimal("7", 5) };
        let b1 = encode_batch("t", 0, &[Record { offset: 10, sample: sample.clone() }]);
        let b2 = encode_batch("t", 1, &[Record { offset: 3, sample }]);
        let frame: serde_json::Value = serde_json::from_str(&data_frame(Mode::Live, 4, &[b1, b2])).unwrap();
        assert_eq!(frame["type"], "data");
        assert_eq!(frame["mode"], "live");
        assert_eq!(frame["dropped"], 4);
        assert_eq!(frame["batches"][0]["records"][0]["offset"], 10);
        assert_eq!(frame["batches"][0]["records"][0]["speed_kph"], 100.0);
        assert_eq!(frame["batches"][1]["partition"], 1);
        assert!(frame["batches"][1]["records"][0].get("gear").is_none(), "absent fields are omitted");
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::telemetry::Tires;

        /// The batch as serde alone writes it: what `encode_batch` must match byte for byte.
        fn serde_batch(topic: &str, partition: i32, records: &[Record]) -> Vec<u8> {
            #[derive(Serialize)]
            struct RecordOut<'a> {
                offset: i64,
                #[serde(flatten)]
                sample: &'a Sample,
            }
            #[derive(Serialize)]
            struct BatchOut<'a> {
                topic: &'a str,
                partition: i32,
                records: Vec<RecordOut<'a>>,
            }
            let records = records.iter().map(|r| RecordOut { offset: r.offset, sample: &r.sample }).collect();
            serde_json::to_vec(&BatchOut { topic, partition, records }).unwrap()
        }

        fn num() -> impl Strategy<Value = f64> {
            prop_oneof![-1e300..1e300f64, -1e3..1e3f64, Just(0.0), Just(-0.0), Just(1e-300)]
        }

        prop_compose! {
            fn any_sample()(car in "\\PC{1,8}", ts in proptest::option::of(any::<i64>()), v in [num(), num(), num(), num(), num(), num()],
                            lap in proptest::option::of(any::<u32>()), gear in proptest::option::of(any::<i8>()),
                            o in [proptest::option::of(num()), proptest::option::of(num()), proptest::option::of(num()),
                                  proptest::option::of(num()), proptest::option::of(num())],
                            driver in proptest::option::of("\\PC{0,12}")) -> Sample {
                Sample { car, ts, speed_kph: v[0], rpm: v[1], tire_temp_c: Tires { fl: v[2], fr: v[3], rl: v[4], rr: v[5] },
                         lap, gear, throttle: o[0], brake: o[1], driver, x: o[2], y: o[3], lap_distance_m: o[4] }
            }
        }

        proptest! {
            #[test]
            fn a_batch_is_encoded_exactly_as_serde_writes_it(
                samples in proptest::collection::vec(any_sample(), 0..4), offset in any::<i64>(),
            ) {
                let records: Vec<Record> = samples.into_iter().map(|sample| Record { offset, sample }).collect();
                let (ours, reference) = (encode_batch("t.x-1", 3, &records), serde_batch("t.x-1", 3, &records));
                prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
            }

            #[test]
            fn any_text_is_parsed_or_refused_without_panicking(text in ".{0,400}") {
                let _ = parse_client_message(&text);
            }

            #[test]
            fn any_subscribe_shape_is_parsed_or_refused_without_panicking(
                topics in proptest::collection::vec("[a-z.\\-_ !]{0,12}", 0..5),
                partitions in proptest::collection::vec(-3..5000i64, 0..6),
            ) {
                let selection: Vec<_> = topics.iter()
                    .map(|t| serde_json::json!({"topic": t, "partitions": partitions}))
                    .collect();
                let text = serde_json::json!({"type": "subscribe", "selection": selection}).to_string();
                if let Ok(ClientMessage::Subscribe { selection }) = parse_client_message(&text) {
                    // Whatever is accepted is a selection the hub can use.
                    prop_assert!(Selection::new(selection).is_ok());
                }
            }
        }
    }
}
