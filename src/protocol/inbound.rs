//! What a viewer sends: control messages, parsed and checked against the protocol's
//! bounds by pure functions, and the selection they name.

use serde::Deserialize;

use crate::{
    channels::choice::{MAX_CHOSEN_CHANNELS, check_names},
    overview::OverviewRequest,
    playback::{LapRef, ReplayFrom, Speed},
    selection::{MAX_CAR_ID, MAX_TOPIC_NAME, Selection, SelectionError, TopicSelection, check_topic_name},
};

/// Largest control message accepted from a viewer.
pub(crate) const MAX_INBOUND_BYTES: usize = 64 * 1024;
/// Longest step a `step` message may take, either way.
pub(crate) const MAX_STEP_MS: i64 = 10 * 60 * 1000;
/// Most partitions a `from: {"offsets": ...}` may name.
pub(crate) const MAX_START_OFFSETS: usize = 4096;

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
        /// The only channels the replay's data carries (besides `offset`, `ts`, `car` and
        /// `driver`), by the names `/api/channels` gives them; every channel when absent.
        #[serde(default)]
        channels: Option<Vec<String>>,
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

impl From<SelectionError> for RequestError {
    fn from(e: SelectionError) -> Self {
        RequestError::BadRequest(e.0)
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
        ClientMessage::Replay { from, preroll_ms, channels, .. } => {
            check_from(from)?;
            check_preroll(*preroll_ms)?;
            if let Some(channels) = channels {
                check_names(channels, MAX_CHOSEN_CHANNELS).map_err(RequestError::BadRequest)?;
            }
        }
        ClientMessage::Seek { to, preroll_ms, .. } => {
            check_from(to)?;
            check_preroll(*preroll_ms)?;
        }
        ClientMessage::Step { ms } if *ms == 0 || ms.abs() > MAX_STEP_MS => {
            return Err(RequestError::BadRequest(format!(
                "a step is a non-zero number of milliseconds, at most {MAX_STEP_MS} either way"
            )));
        }
        ClientMessage::Overview(request) => request.check().map_err(RequestError::BadRequest)?,
        ClientMessage::Laps { topic } if topic.is_empty() || topic.len() > MAX_TOPIC_NAME => {
            return Err(RequestError::BadRequest(format!("`topic` must name a topic of 1 to {MAX_TOPIC_NAME} bytes")));
        }
        _ => {}
    }
    Ok(msg)
}

fn check_preroll(preroll_ms: u32) -> Result<(), RequestError> {
    if i64::from(preroll_ms) > MAX_STEP_MS {
        return Err(RequestError::BadRequest(format!("`preroll_ms` is at most {MAX_STEP_MS}")));
    }
    Ok(())
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
                check_topic_name(&o.topic)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playback::StartOffset;

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
                id: None,
                channels: None
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
                id: Some(3),
                channels: None
            })
        );
        assert_eq!(
            parse_client_message(r#"{"type":"replay","from":"earliest","channels":["speed_kph","g.lat"]}"#),
            Ok(ClientMessage::Replay {
                from: ReplayFrom::Earliest,
                speed: Speed::Max,
                paused: false,
                preroll_ms: 0,
                id: None,
                channels: Some(vec!["speed_kph".into(), "g.lat".into()])
            }),
            "a replay may name the only channels it carries"
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
            (r#"{"type":"overview","buckets":10,"channels":[]}"#, "`channels` names 1 to 16 channels"),
            (r#"{"type":"overview","buckets":10,"channels":"g_lat"}"#, "cannot read message"),
            (r#"{"type":"overview","buckets":10,"channels":["g_lat",""]}"#, "a channel name is 1 to 128 bytes"),
            (r#"{"type":"replay","from":"earliest","channels":[]}"#, "`channels` names 1 to 512 channels"),
            (r#"{"type":"replay","from":"earliest","channels":"lap"}"#, "cannot read message"),
            (r#"{"type":"replay","from":"earliest","channels":["lap",3]}"#, "cannot read message"),
            (r#"{"type":"replay","from":"earliest","channels":["x","x"]}"#, "names `x` twice (at 1)"),
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
