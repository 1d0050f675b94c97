//! The per-partition rows of a snapshot, worked out from the cluster's watermarks, the
//! group's assignment and what the group has read: a pure function of the three.

use std::collections::BTreeMap;

use super::TopicInfo;
use crate::{
    protocol::{GroupInfo, PartitionStats, ReadBy},
    telemetry::{MalformedNote, TopicPartition},
};

/// Per-partition traffic seen by the live consumer.
#[derive(Debug, Clone, Default)]
pub(super) struct Traffic {
    pub(super) consumed: u64,
    pub(super) malformed: u64,
    pub(super) last_offset: Option<i64>,
    pub(super) last_malformed: Option<MalformedNote>,
    /// The group's next offset to read, which moves past transaction markers that no
    /// record shows.
    pub(super) position: Option<i64>,
}

impl Traffic {
    /// Notes that the group has read the partition through `offset`. Its own position,
    /// copied once a second, may say more; the two move together so that one row's high,
    /// last offset and lag agree.
    pub(super) fn read_through(&mut self, offset: i64) {
        self.last_offset = Some(self.last_offset.map_or(offset, |o| o.max(offset)));
        self.position = Some(self.position.map_or(offset + 1, |p| p.max(offset + 1)));
    }
}

/// A row for every partition of the group's topics (so a quiet partition shows too) and
/// for every partition the group has read, in topic and partition order.
pub(super) fn partition_rows(
    topics: &[TopicInfo],
    group: &GroupInfo,
    traffic: &BTreeMap<TopicPartition, Traffic>,
) -> Vec<PartitionStats> {
    let mut rows: BTreeMap<TopicPartition, PartitionStats> = BTreeMap::new();
    // Rows for every partition of the group's topics, so a quiet partition shows too.
    for topic in topics.iter().filter(|t| group.topics.contains(&t.name)) {
        for p in &topic.partitions {
            let tp = TopicPartition::new(&topic.name, p.partition);
            rows.insert(tp.clone(), empty_row(&tp));
        }
    }
    for tp in traffic.keys() {
        rows.entry(tp.clone()).or_insert_with(|| empty_row(tp));
    }
    for (tp, row) in rows.iter_mut() {
        if let Some(p) = topics
            .iter()
            .find(|t| t.name == tp.topic)
            .and_then(|t| t.partitions.iter().find(|p| p.partition == tp.partition))
        {
            row.low = Some(p.low);
            row.high = Some(p.high);
        }
        if let Some(t) = traffic.get(tp) {
            row.consumed = t.consumed;
            row.malformed = t.malformed;
            row.last_offset = t.last_offset;
            row.last_malformed = t.last_malformed.clone();
            // Watermarks are looked up every couple of seconds while records arrive
            // continuously; a partition holds at least what the group has read of it.
            if let (Some(high), Some(read)) = (row.high, t.position.or(t.last_offset.map(|o| o + 1))) {
                row.high = Some(high.max(read));
            }
        }
        row.read_by = if group.assignment.contains(tp) {
            Some(ReadBy::Group)
        } else if group.followed.contains(tp) {
            Some(ReadBy::Follower)
        } else {
            None
        };
        // Lag only where this replica reads and has a position: where it starts (set in
        // the rebalance or by the follower) or how far it read. A partition it has no
        // position in is not behind by its whole length.
        if row.read_by.is_some()
            && let Some(next) = traffic.get(tp).and_then(|t| t.position)
        {
            row.lag = row.high.map(|h| (h - next).max(0));
        }
    }
    rows.into_values().collect()
}

fn empty_row(tp: &TopicPartition) -> PartitionStats {
    PartitionStats {
        topic: tp.topic.clone(),
        partition: tp.partition,
        low: None,
        high: None,
        last_offset: None,
        lag: None,
        read_by: None,
        consumed: 0,
        malformed: 0,
        last_malformed: None,
    }
}
