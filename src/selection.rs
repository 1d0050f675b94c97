//! What a viewer watches: topics, and optionally some of their partitions. Every layer
//! speaks of it (the hub routes by it, Kafka's readers read it, the protocol writes it),
//! so it lives beside [`TopicPartition`](crate::telemetry::TopicPartition), in no layer.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// Most entries in one selection; far more topics than a person can watch at once.
pub(crate) const MAX_SELECTION: usize = 256;
/// Most partitions named for one topic in a selection.
pub(crate) const MAX_PARTITIONS_PER_TOPIC: usize = 4096;
/// Kafka's own limit on a topic name.
pub(crate) const MAX_TOPIC_NAME: usize = 249;
/// Longest car id a request may name; ids are record keys, short in practice.
pub(crate) const MAX_CAR_ID: usize = 256;

/// Why a selection, or a name in it, was refused; the text says what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct SelectionError(pub String);

/// One entry of a selection, as the protocol writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TopicSelection {
    pub topic: String,
    /// `None`: every partition, including ones added later.
    #[serde(default)]
    pub partitions: Option<Vec<i32>>,
}

/// What one viewer watches, in a form quick to test per batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Selection {
    entries: HashMap<String, Option<BTreeSet<i32>>>,
}

impl Selection {
    pub(crate) fn new(list: Vec<TopicSelection>) -> Result<Self, SelectionError> {
        if list.len() > MAX_SELECTION {
            return Err(SelectionError(format!("a selection holds at most {MAX_SELECTION} topics")));
        }
        let mut entries: HashMap<String, Option<BTreeSet<i32>>> = HashMap::new();
        for TopicSelection { topic, partitions } in list {
            check_topic_name(&topic)?;
            let parts = match partitions {
                None => None,
                Some(p) if p.len() > MAX_PARTITIONS_PER_TOPIC => {
                    return Err(SelectionError(format!("at most {MAX_PARTITIONS_PER_TOPIC} partitions per topic")));
                }
                Some(p) if p.iter().any(|&n| n < 0) => {
                    return Err(SelectionError(format!("topic `{topic}`: partitions are numbered from 0")));
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
pub(crate) fn check_topic_name(topic: &str) -> Result<(), SelectionError> {
    let ok = !topic.is_empty()
        && topic.len() <= MAX_TOPIC_NAME
        && topic.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(()) } else { Err(SelectionError(format!("`{topic}` is not a valid topic name"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_selection_of_too_many_topics_or_a_bad_name_is_refused() {
        let many: Vec<_> = (0..300).map(|i| TopicSelection { topic: format!("t{i}"), partitions: None }).collect();
        assert!(Selection::new(many).unwrap_err().0.contains("at most"));
        assert!(check_topic_name("bad topic!").is_err());
        assert!(check_topic_name(&"t".repeat(MAX_TOPIC_NAME + 1)).is_err());
        assert!(check_topic_name("telemetry.laps-2_b").is_ok());
    }
}
