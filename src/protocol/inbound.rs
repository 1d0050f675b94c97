//! What a viewer sends: control messages, parsed and checked against the protocol's
//! bounds by pure functions, and the selection they name.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// Largest control message accepted from a viewer.
pub(crate) const MAX_INBOUND_BYTES: usize = 64 * 1024;
/// Most entries in one selection; far more topics than a person can watch at once.
pub(crate) const MAX_SELECTION: usize = 256;
/// Most partitions named for one topic in a selection.
pub(crate) const MAX_PARTITIONS_PER_TOPIC: usize = 4096;

/// A message from the viewer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ClientMessage {
    Subscribe { selection: Vec<TopicSelection> },
    Replay { from: ReplayFrom },
    Pause,
    Resume,
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReplayFrom {
    Earliest,
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
    #[error("there is no replay to pause or resume")]
    NoReplay,
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
    if let ClientMessage::Subscribe { selection } = &msg {
        Selection::new(selection.clone())?;
    }
    Ok(msg)
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
    fn each_refusal_has_the_code_docs_protocol_md_names() {
        let codes: Vec<&str> = [
            RequestError::BadRequest(String::new()),
            RequestError::UnknownTopic("t".into()),
            RequestError::TooManyTopics(String::new()),
            RequestError::TooManyReplays,
            RequestError::NoReplay,
        ]
        .iter()
        .map(RequestError::code)
        .collect();
        assert_eq!(codes, ["bad_request", "unknown_topic", "too_many_topics", "too_many_replays", "no_replay"]);
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
