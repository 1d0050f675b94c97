//! What a viewer sends: control messages, parsed and checked against the protocol's
//! bounds by pure functions, and the selection they name.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::overview::OverviewRequest;

/// Largest control message accepted from a viewer.
pub(crate) const MAX_INBOUND_BYTES: usize = 64 * 1024;
/// Most entries in one selection; far more topics than a person can watch at once.
pub(crate) const MAX_SELECTION: usize = 256;
/// Most partitions named for one topic in a selection.
pub(crate) const MAX_PARTITIONS_PER_TOPIC: usize = 4096;

/// Longest step a `step` message may take, either way.
pub(crate) const MAX_STEP_MS: i64 = 10 * 60 * 1000;
/// Most partitions a `from: {"offsets": ...}` may name.
pub(crate) const MAX_START_OFFSETS: usize = 4096;
/// Longest car id a request may name; ids are record keys, short in practice.
pub(crate) const MAX_CAR_ID: usize = 256;
/// Kafka's own limit on a topic name.
pub(crate) const MAX_TOPIC_NAME: usize = 249;

/// A message from the viewer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ClientMessage {
    Subscribe {
        selection: Vec<TopicSelection>,
    },
    /// Plays the selection from `from` at `speed` on a reader of the viewer's own. With
    /// no `speed` it reads as fast as Kafka serves (what v1 clients expect).
    Replay {
        from: ReplayFrom,
        #[serde(default = "Speed::max")]
        speed: Speed,
        /// Starts paused: the first step or `resume` plays.
        #[serde(default)]
        paused: bool,
        /// Race time before the start delivered at once, so a chart shows what led there.
        #[serde(default)]
        preroll_ms: u32,
        /// Chosen by the client and echoed in every `replay` message of this replay.
        #[serde(default)]
        id: Option<u64>,
    },
    /// Moves the running replay to `to`, keeping its speed and whether it is paused.
    Seek {
        to: ReplayFrom,
        #[serde(default)]
        preroll_ms: u32,
        #[serde(default)]
        id: Option<u64>,
    },
    Speed {
        speed: Speed,
    },
    /// Moves the playhead by `ms` of race time: forward plays that much at once, back
    /// seeks. Either way the replay is paused after it.
    Step {
        ms: i64,
    },
    Pause,
    Resume,
    Live,
    /// Asks for the span Kafka retains of the selection: a `range` message answers.
    Range,
    /// Asks for the whole-span summary of the selection: `overview` messages answer.
    Overview(OverviewRequest),
    /// Asks for every lap the index holds of `topic`: a `laps` message answers, and
    /// `laps` updates follow while the viewer watches the topic.
    Laps {
        topic: String,
    },
}

/// Where a replay starts. A unit variant is written as a string, the others as an
/// object with one field: `"earliest"`, `{"timestamp": ms}`, `{"offsets": [...]}`,
/// `{"lap": {"car": "7", "lap": 12}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReplayFrom {
    Earliest,
    /// The first record at or after this time (ms since the epoch) in every partition.
    Timestamp(i64),
    /// These offsets; the selection's other partitions start at the time of the
    /// earliest record found at them.
    Offsets(Vec<StartOffset>),
    /// The first record of `car` on lap `lap`; every partition starts at its time.
    Lap(LapRef),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct StartOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct LapRef {
    pub car: String,
    pub lap: u32,
}

/// How fast a replay plays: race time per wall time, or as fast as Kafka serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Speed {
    Factor(f64),
    Max,
}

/// The speeds a replay plays at, besides `max`.
pub(crate) const SPEEDS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];

impl Speed {
    pub(crate) fn max() -> Self {
        Speed::Max
    }

    /// A speed of the protocol: one of [`SPEEDS`], or `max`.
    pub(crate) fn from_factor(f: f64) -> Option<Self> {
        SPEEDS.iter().find(|s| (**s - f).abs() < 1e-9).map(|s| Speed::Factor(*s))
    }
}

impl<'de> Deserialize<'de> for Speed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bad = || serde::de::Error::custom(format!("speed is \"max\" or one of {SPEEDS:?}"));
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if s == "max" => Ok(Speed::Max),
            serde_json::Value::Number(n) => n.as_f64().and_then(Speed::from_factor).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Speed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Speed::Factor(f) => s.serialize_f64(*f),
            Speed::Max => s.serialize_str("max"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TopicSelection {
    pub topic: String,
    /// `None`: every partition, including ones added later.
    #[serde(default)]
    pub partitions: Option<Vec<i32>>,
}

/// Why a control message was refused; shown to the viewer in an `error` message, as its
/// [`code`](RequestError::code) and its text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum RequestError {
    /// Not a message of the protocol, or outside its bounds.
    #[error("{0}")]
    BadRequest(String),
    #[error("topic `{0}` does not exist")]
    UnknownTopic(String),
    /// The group reads as many topics as it will; the text says how many.
    #[error("{0}")]
    TooManyTopics(String),
    #[error("the server is running as many replays as it allows; try again when one ends")]
    TooManyReplays,
    #[error("there is no replay to act on; start one with `replay`")]
    NoReplay,
    #[error("the server is reading as many overviews as it allows; try again when one ends")]
    TooManyOverviews,
    /// Kafka could not answer what the request needs.
    #[error("{0}")]
    Kafka(String),
}

impl RequestError {
    /// The `error` field of the message: what a client tells cases apart by.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RequestError::BadRequest(_) => "bad_request",
            RequestError::UnknownTopic(_) => "unknown_topic",
            RequestError::TooManyTopics(_) => "too_many_topics",
            RequestError::TooManyReplays => "too_many_replays",
            RequestError::NoReplay => "no_replay",
            RequestError::TooManyOverviews => "too_many_overviews",
            RequestError::Kafka(_) => "kafka",
        }
    }
}

/// Parses one control message and checks it against the protocol's bounds.
pub(crate) fn parse_client_message(text: &str) -> Result<ClientMessage, RequestError> {
    if text.len() > MAX_INBOUND_BYTES {
        return Err(RequestError::BadRequest(format!("message exceeds {MAX_INBOUND_BYTES} bytes")));
    }
    let msg: ClientMessage =
        serde_json::from_str(text).map_err(|e| RequestError::BadRequest(format!("cannot read message: {e}")))?;
    match &msg {
        ClientMessage::Subscribe { selection } => {
            Selection::new(selection.clone())?;
        }
        ClientMessage::Replay { from, preroll_ms, .. } | ClientMessage::Seek { to: from, preroll_ms, .. } => {
            check_from(from)?;
            if i64::from(*preroll_ms) > MAX_STEP_MS {
                return Err(RequestError::BadRequest(format!("`preroll_ms` is at most {MAX_STEP_MS}")));
            }
        }
        ClientMessage::Step { ms } if *ms == 0 || ms.abs() > MAX_STEP_MS => {
            return Err(RequestError::BadRequest(format!(
                "a step is a non-zero number of milliseconds, at most {MAX_STEP_MS} either way"
            )));
        }
        ClientMessage::Overview(request) => request.check()?,
        ClientMessage::Laps { topic } if topic.is_empty() || topic.len() > MAX_TOPIC_NAME => {
            return Err(RequestError::BadRequest(format!("`topic` must name a topic of 1 to {MAX_TOPIC_NAME} bytes")));
        }
        _ => {}
    }
    Ok(msg)
}

fn check_from(from: &ReplayFrom) -> Result<(), RequestError> {
    let bad = |m: String| Err(RequestError::BadRequest(m));
    match from {
        ReplayFrom::Earliest => Ok(()),
        ReplayFrom::Timestamp(ts) if *ts < 0 => bad("a timestamp is milliseconds since 1970, not negative".into()),
        ReplayFrom::Timestamp(_) => Ok(()),
        ReplayFrom::Offsets(list) if list.is_empty() || list.len() > MAX_START_OFFSETS => {
            bad(format!("`offsets` names 1 to {MAX_START_OFFSETS} partitions"))
        }
        ReplayFrom::Offsets(list) => {
            for o in list {
                validate_topic_name(&o.topic)?;
                if o.partition < 0 || o.offset < 0 {
                    return bad(format!("topic `{}`: partitions and offsets are numbered from 0", o.topic));
                }
            }
            Ok(())
        }
        ReplayFrom::Lap(LapRef { car, .. }) if car.is_empty() || car.len() > MAX_CAR_ID => {
            bad(format!("a car id is 1 to {MAX_CAR_ID} bytes"))
        }
        ReplayFrom::Lap(_) => Ok(()),
    }
}

/// What one viewer watches, in a form quick to test per batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Selection {
    entries: HashMap<String, Option<BTreeSet<i32>>>,
}

impl Selection {
    pub(crate) fn new(list: Vec<TopicSelection>) -> Result<Self, RequestError> {
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

    pub(crate) fn matches(&self, topic: &str, partition: i32) -> bool {
        match self.entries.get(topic) {
            Some(None) => true,
            Some(Some(parts)) => parts.contains(&partition),
            None => false,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn topics(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The selection as the protocol writes it, sorted for stable output.
    pub(crate) fn to_list(&self) -> Vec<TopicSelection> {
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
            Ok(ClientMessage::Replay {
                from: ReplayFrom::Earliest,
                speed: Speed::Max,
                paused: false,
                preroll_ms: 0,
                id: None
            }),
            "a v1 replay, with no speed, reads as fast as Kafka serves"
        );
        assert_eq!(
            parse_client_message(r#"{"type":"replay","from":{"timestamp":1764028800000},"speed":0.5,"id":3}"#),
            Ok(ClientMessage::Replay {
                from: ReplayFrom::Timestamp(1_764_028_800_000),
                speed: Speed::Factor(0.5),
                paused: false,
                preroll_ms: 0,
                id: Some(3)
            })
        );
        assert_eq!(
            parse_client_message(r#"{"type":"seek","to":{"lap":{"car":"7","lap":12}}}"#),
            Ok(ClientMessage::Seek {
                to: ReplayFrom::Lap(LapRef { car: "7".into(), lap: 12 }),
                preroll_ms: 0,
                id: None
            })
        );
        assert_eq!(
            parse_client_message(r#"{"type":"seek","to":{"offsets":[{"topic":"t","partition":2,"offset":40}]}}"#),
            Ok(ClientMessage::Seek {
                to: ReplayFrom::Offsets(vec![StartOffset { topic: "t".into(), partition: 2, offset: 40 }]),
                preroll_ms: 0,
                id: None
            })
        );
        assert_eq!(
            parse_client_message(r#"{"type":"speed","speed":"max"}"#),
            Ok(ClientMessage::Speed { speed: Speed::Max })
        );
        assert_eq!(parse_client_message(r#"{"type":"step","ms":-100}"#), Ok(ClientMessage::Step { ms: -100 }));
        assert_eq!(parse_client_message(r#"{"type":"range"}"#), Ok(ClientMessage::Range));
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
            (r#"{"type":"replay","from":"earliest","speed":3}"#, "speed is \"max\" or one of"),
            (r#"{"type":"speed","speed":"fast"}"#, "speed is \"max\" or one of"),
            (r#"{"type":"replay","from":{"timestamp":-5}}"#, "not negative"),
            (r#"{"type":"seek","to":{"offsets":[]}}"#, "names 1 to"),
            (r#"{"type":"seek","to":{"offsets":[{"topic":"t","partition":0,"offset":-1}]}}"#, "numbered from 0"),
            (r#"{"type":"seek","to":{"lap":{"car":"","lap":3}}}"#, "a car id is"),
            (r#"{"type":"step","ms":0}"#, "non-zero"),
            (r#"{"type":"seek","to":"earliest","preroll_ms":999999999}"#, "at most"),
            (r#"{"type":"step","ms":3600000}"#, "at most"),
            (r#"{"type":"overview","buckets":0}"#, "`buckets` is 1 to"),
            (r#"{"type":"overview","buckets":10,"from_ts":5,"to_ts":5}"#, "comes before"),
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
    fn each_refusal_has_the_code_docs_protocol_md_names() {
        let codes: Vec<&str> = [
            RequestError::BadRequest(String::new()),
            RequestError::UnknownTopic("t".into()),
            RequestError::TooManyTopics(String::new()),
            RequestError::TooManyReplays,
            RequestError::NoReplay,
            RequestError::TooManyOverviews,
            RequestError::Kafka(String::new()),
        ]
        .iter()
        .map(RequestError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "bad_request",
                "unknown_topic",
                "too_many_topics",
                "too_many_replays",
                "no_replay",
                "too_many_overviews",
                "kafka"
            ]
        );
        assert_eq!(RequestError::UnknownTopic("laps".into()).to_string(), "topic `laps` does not exist");
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

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
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
