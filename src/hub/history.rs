//! Recent history per partition, bounded by record time, by bytes per partition and by
//! bytes in all. Batches are kept as the encoded bytes viewers receive, in both forms
//! (JSON and columnar), so sending history to a new viewer costs no encoding.

use std::collections::{HashMap, VecDeque};

use crate::{protocol::Encoded, selection::Selection, telemetry::TopicPartition};

/// History kept per partition is also bounded in bytes, whatever its time span: at the
/// demo's rate a minute is about 1.5 MB per partition, so this only bites on a flood.
pub(crate) const HISTORY_MAX_BYTES_PER_PARTITION: usize = 16 << 20;
/// History kept across all partitions. The group may read up to 64 topics; this keeps
/// their history within a fixed budget by trimming the largest partitions first.
pub(crate) const HISTORY_MAX_BYTES_TOTAL: usize = 256 << 20;

/// One encoded batch and what it covers.
#[derive(Debug, Clone)]
pub(super) struct Batch {
    pub(super) first_offset: i64,
    pub(super) last_offset: i64,
    pub(super) max_ts: i64,
    pub(super) bytes: Encoded,
}

#[derive(Default)]
struct History {
    batches: VecDeque<Batch>,
    bytes: usize,
    newest_ts: i64,
}

impl History {
    fn prune(&mut self, window_ms: i64) {
        while let Some(front) = self.batches.front() {
            if front.max_ts >= self.newest_ts - window_ms && self.bytes <= HISTORY_MAX_BYTES_PER_PARTITION {
                break;
            }
            self.bytes -= front.bytes.len();
            self.batches.pop_front();
        }
    }
}

pub(super) struct Histories {
    map: HashMap<TopicPartition, History>,
    /// Sum of every partition's history bytes.
    bytes: usize,
    window_ms: i64,
}

impl Histories {
    pub(super) fn new(window_ms: i64) -> Self {
        Self { map: HashMap::new(), bytes: 0, window_ms }
    }

    pub(super) fn enabled(&self) -> bool {
        self.window_ms > 0
    }

    /// The oldest offset held for `tp`.
    pub(super) fn first_offset(&self, tp: &TopicPartition) -> Option<i64> {
        self.map.get(tp).and_then(|h| h.batches.front()).map(|b| b.first_offset)
    }

    /// Adds the newest batch of a partition.
    pub(super) fn append(&mut self, tp: &TopicPartition, batch: Batch) {
        let window_ms = self.window_ms;
        self.update(tp, |h| {
            h.newest_ts = h.newest_ts.max(batch.max_ts);
            h.bytes += batch.bytes.len();
            h.batches.push_back(batch);
            h.prune(window_ms);
        });
    }

    /// Adds batches older than everything held for a partition, oldest first.
    pub(super) fn prepend(&mut self, tp: &TopicPartition, batches: Vec<Batch>) {
        let window_ms = self.window_ms;
        self.update(tp, |h| {
            for b in batches.into_iter().rev() {
                h.newest_ts = h.newest_ts.max(b.max_ts);
                h.bytes += b.bytes.len();
                h.batches.push_front(b);
            }
            h.prune(window_ms);
        });
    }

    /// Drops everything held for a topic's partitions.
    pub(super) fn forget(&mut self, topic: &str) {
        let freed: usize = self.map.iter().filter(|(tp, _)| tp.topic == topic).map(|(_, h)| h.bytes).sum();
        self.map.retain(|tp, _| tp.topic != topic);
        self.bytes -= freed;
    }

    fn update(&mut self, tp: &TopicPartition, change: impl FnOnce(&mut History)) {
        let h = self.map.entry(tp.clone()).or_default();
        let before = h.bytes;
        change(h);
        self.bytes = self.bytes + h.bytes - before;
        while self.bytes > HISTORY_MAX_BYTES_TOTAL {
            let Some(largest) = self.map.values_mut().max_by_key(|h| h.bytes) else { break };
            let Some(b) = largest.batches.pop_front() else { break };
            largest.bytes -= b.bytes.len();
            self.bytes -= b.bytes.len();
        }
    }

    /// Every batch held for the partitions a selection covers.
    pub(super) fn matching(&self, selection: &Selection) -> Vec<Encoded> {
        self.map
            .iter()
            .filter(|(tp, _)| selection.matches(&tp.topic, tp.partition))
            .flat_map(|(_, h)| h.batches.iter().map(|b| b.bytes.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::{Record, Sample};

    fn batch(offset: i64, ts: i64) -> Batch {
        let bytes = Encoded::new("t", 0, &[Record::new(offset, Sample::minimal("1", ts))]);
        Batch { first_offset: offset, last_offset: offset, max_ts: ts, bytes }
    }

    fn held(h: &Histories, tp: &TopicPartition) -> Vec<i64> {
        h.map[tp].batches.iter().map(|b| b.first_offset).collect()
    }

    #[test]
    fn history_keeps_the_window_of_record_time() {
        let tp = TopicPartition::new("t", 0);
        let mut h = Histories::new(60_000);
        h.append(&tp, batch(0, 1_000));
        h.append(&tp, batch(1, 30_000));
        h.append(&tp, batch(2, 62_000));
        assert_eq!(held(&h, &tp), vec![1, 2]);
    }

    #[test]
    fn a_backfill_goes_before_live_batches() {
        let tp = TopicPartition::new("t", 0);
        let mut h = Histories::new(60_000);
        h.prepend(&tp, vec![batch(10, 1_000), batch(11, 2_000)]);
        h.append(&tp, batch(12, 3_000));
        h.prepend(&tp, vec![batch(8, 500)]);
        assert_eq!(held(&h, &tp), vec![8, 10, 11, 12]);
        assert_eq!(h.first_offset(&tp), Some(8));
    }

    #[test]
    fn a_forgotten_topic_frees_its_bytes_and_keeps_the_others() {
        let mut h = Histories::new(60_000);
        h.append(&TopicPartition::new("t", 0), batch(1, 1_000));
        h.append(&TopicPartition::new("u", 0), batch(22, 1_000));
        h.forget("t");
        assert_eq!(h.map.keys().map(|tp| tp.topic.as_str()).collect::<Vec<_>>(), vec!["u"]);
        assert_eq!(h.bytes, batch(22, 1_000).bytes.len());
    }

    #[test]
    fn history_stays_within_its_total_budget() {
        let mut h = Histories::new(i64::MAX / 2);
        let records: Vec<Record> = (0..8_000).map(|o| Record::new(o, Sample::minimal("1", 0))).collect();
        let big = Encoded::new("t", 0, &records);
        assert!(big.len() > 1 << 20);
        for i in 0..300 {
            let tp = TopicPartition::new("t", i % 30);
            h.append(&tp, Batch { first_offset: 0, last_offset: 0, max_ts: 0, bytes: big.clone() });
        }
        assert!(h.bytes <= HISTORY_MAX_BYTES_TOTAL);
        assert_eq!(h.bytes, h.map.values().map(|x| x.bytes).sum::<usize>());
    }
}
