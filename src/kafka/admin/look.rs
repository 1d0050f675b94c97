//! One look at the cluster: its topics from one metadata request, and the watermarks of
//! only the topics asked for. Asking every partition of every topic cost a busy broker's
//! idle server a tenth of a core, for figures nobody was reading; the ones not asked keep
//! what the last look that asked found ([`keep_watermarks`]).

use std::collections::HashSet;

use rdkafka::{
    Offset,
    consumer::{Consumer, ConsumerContext},
    metadata::Metadata,
};

use super::offsets;
use crate::{
    kafka::METADATA_TIMEOUT,
    status::{PartitionInfo, TopicInfo},
};

/// Which topics' watermarks a look asks for.
pub(crate) enum Asked<'a> {
    /// Every topic: for the whole list (`/api/topics`) or a single topic's description.
    All,
    /// These topics, and any the last look did not list (so a new topic never shows
    /// without its counts); the others keep what an earlier look found. The first look
    /// (nothing `known`) asks only the topics read: on a broker of a couple of thousand
    /// topics, asking every one took seconds under load, and the group's rows and lag
    /// waited for it.
    Some { wanted: &'a HashSet<String>, known: &'a [TopicInfo] },
}

impl Asked<'_> {
    pub(crate) fn asks(&self, topic: &str) -> bool {
        match self {
            Asked::All => true,
            Asked::Some { wanted, known } => {
                wanted.contains(topic)
                    || (!known.is_empty() && known.binary_search_by(|t| t.name.as_str().cmp(topic)).is_err())
            }
        }
    }
}

/// The topics `metadata` lists (Kafka's internal ones left out), sorted by name, with the
/// watermarks of the partitions of the topics `asked` names; the others' are -1 until
/// [`keep_watermarks`] fills them in. Blocking.
pub(crate) fn topics_with_watermarks<X: ConsumerContext>(
    client: &impl Consumer<X>,
    metadata: &Metadata,
    asked: &Asked<'_>,
) -> Vec<TopicInfo> {
    let listed: Vec<(&str, i32)> = metadata
        .topics()
        .iter()
        .filter(|t| !t.name().starts_with("__") && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(move |p| (t.name(), p.id())))
        .collect();
    let ask: Vec<(&str, i32)> = listed.iter().copied().filter(|(t, _)| asked.asks(t)).collect();
    let (lows, highs) = if ask.is_empty() {
        Default::default()
    } else {
        (
            offsets(client, &ask, Offset::Beginning, METADATA_TIMEOUT),
            offsets(client, &ask, Offset::End, METADATA_TIMEOUT),
        )
    };
    let mut topics: Vec<TopicInfo> = Vec::new();
    for (topic, partition) in listed {
        if topics.last().is_none_or(|t: &TopicInfo| t.name != topic) {
            topics.push(TopicInfo { name: topic.to_owned(), partitions: Vec::new() });
        }
        let key = (topic.to_owned(), partition);
        let low = lows.get(&key).copied().unwrap_or(-1);
        let high = highs.get(&key).copied().unwrap_or(-1);
        if let Some(t) = topics.last_mut() {
            t.partitions.push(PartitionInfo { partition, low, high });
        }
    }
    for t in &mut topics {
        t.partitions.sort_by_key(|p| p.partition);
    }
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    topics
}

/// `looked` (sorted by name), with each partition of a topic the look did not ask for
/// given the watermarks `before` holds for it; a partition `before` does not know keeps
/// -1. Pure.
pub(crate) fn keep_watermarks(mut looked: Vec<TopicInfo>, asked: &Asked<'_>, before: &[TopicInfo]) -> Vec<TopicInfo> {
    for topic in looked.iter_mut().filter(|t| !asked.asks(&t.name)) {
        let Ok(i) = before.binary_search_by(|b| b.name.cmp(&topic.name)) else { continue };
        for p in &mut topic.partitions {
            if let Some(old) = before[i].partitions.iter().find(|o| o.partition == p.partition) {
                (p.low, p.high) = (old.low, old.high);
            }
        }
    }
    looked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(name: &str, partitions: &[(i32, i64, i64)]) -> TopicInfo {
        let partitions = partitions.iter().map(|&(partition, low, high)| PartitionInfo { partition, low, high });
        TopicInfo { name: name.into(), partitions: partitions.collect() }
    }

    #[test]
    fn a_look_asks_for_the_topics_read_and_the_new_ones_only() {
        let known = vec![topic("idle", &[(0, 0, 5)]), topic("read", &[(0, 0, 5)])];
        let wanted = HashSet::from(["read".to_owned()]);
        let asked = Asked::Some { wanted: &wanted, known: &known };
        assert!(asked.asks("read"));
        assert!(!asked.asks("idle"), "an idle topic listed before is not asked again");
        assert!(asked.asks("new"), "a topic the last look did not list is asked, so it never shows without counts");
        assert!(Asked::All.asks("idle"));
    }

    #[test]
    fn the_first_look_asks_for_the_topics_read_only() {
        let wanted = HashSet::from(["read".to_owned()]);
        let first = Asked::Some { wanted: &wanted, known: &[] };
        assert!(first.asks("read"));
        assert!(!first.asks("other"), "every topic is new to the first look; only those read are asked");
    }

    #[test]
    fn a_topic_not_asked_keeps_the_watermarks_an_earlier_look_found() {
        let before = vec![topic("idle", &[(0, 3, 9), (1, 0, 4)]), topic("read", &[(0, 0, 5)])];
        // This look found idle's partitions (one more than before) without their
        // watermarks, read's with them, and a topic created since.
        let looked = vec![
            topic("idle", &[(0, -1, -1), (1, -1, -1), (2, -1, -1)]),
            topic("new", &[(0, 0, 1)]),
            topic("read", &[(0, 0, 8)]),
        ];
        let wanted = HashSet::from(["read".to_owned()]);
        let merged = keep_watermarks(looked, &Asked::Some { wanted: &wanted, known: &before }, &before);
        assert_eq!(
            merged,
            vec![
                topic("idle", &[(0, 3, 9), (1, 0, 4), (2, -1, -1)]),
                topic("new", &[(0, 0, 1)]),
                topic("read", &[(0, 0, 8)]),
            ]
        );
    }

    #[test]
    fn a_look_that_asked_everything_keeps_nothing_old() {
        let before = vec![topic("t", &[(0, 3, 9)])];
        let looked = vec![topic("t", &[(0, 4, 12)])];
        assert_eq!(keep_watermarks(looked.clone(), &Asked::All, &before), looked);
    }
}
