//! Recent history per partition, bounded by record time, by bytes per partition and by
//! bytes in all. Batches are kept as [`Encoded`]: the records, and each form (JSON,
//! columnar) a viewer has asked for, encoded once. A viewer of a form not asked for yet
//! has the history encoded for it once, and the bytes bound then counts the new form too.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;

use crate::{
    protocol::{DataFormat, Encoded},
    selection::Selection,
    telemetry::TopicPartition,
};

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
    /// The bytes the history counts for it: `bytes.len()` when it was last counted, since
    /// a form encoded outside the hub's lock changes that before the history knows.
    pub(super) counted: usize,
}

impl Batch {
    pub(super) fn new(first_offset: i64, last_offset: i64, max_ts: i64, bytes: Encoded) -> Self {
        Self { first_offset, last_offset, max_ts, bytes, counted: 0 }
    }

    /// Counts what it holds now in `total`, which counted it as `counted` so far.
    fn recount(&mut self, total: &mut usize) {
        let now = self.bytes.len();
        *total = *total + now - self.counted;
        self.counted = now;
    }
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
            self.bytes -= front.counted;
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
    pub(super) fn append(&mut self, tp: &TopicPartition, mut batch: Batch) {
        let window_ms = self.window_ms;
        self.update(tp, |h| {
            h.newest_ts = h.newest_ts.max(batch.max_ts);
            batch.recount(&mut h.bytes);
            h.batches.push_back(batch);
            h.prune(window_ms);
        });
    }

    /// Adds batches older than everything held for a partition, oldest first.
    pub(super) fn prepend(&mut self, tp: &TopicPartition, batches: Vec<Batch>) {
        let window_ms = self.window_ms;
        self.update(tp, |h| {
            for mut b in batches.into_iter().rev() {
                h.newest_ts = h.newest_ts.max(b.max_ts);
                b.recount(&mut h.bytes);
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
        self.trim_total();
    }

    /// Drops the oldest batches of the largest partitions until all fit the total bound.
    fn trim_total(&mut self) {
        while self.bytes > HISTORY_MAX_BYTES_TOTAL {
            let Some(largest) = self.map.values_mut().max_by_key(|h| h.bytes) else { break };
            let Some(b) = largest.batches.pop_front() else { break };
            largest.bytes -= b.counted;
            self.bytes -= b.counted;
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

    /// Every batch held for the partitions a selection covers, in `format`: a form not
    /// encoded yet is encoded now (the hub encodes most of them beforehand, outside its
    /// lock, through [`Histories::matching`]), and the bounds then count it.
    pub(super) fn forms(&mut self, selection: &Selection, format: DataFormat) -> Vec<Bytes> {
        let mut out = Vec::new();
        for (_, h) in self.map.iter_mut().filter(|(tp, _)| selection.matches(&tp.topic, tp.partition)) {
            let before = h.bytes;
            for b in &mut h.batches {
                out.push(b.bytes.get(format).clone());
                b.recount(&mut h.bytes);
            }
            h.prune(self.window_ms);
            self.bytes = self.bytes + h.bytes - before;
        }
        self.trim_total();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::{Record, Sample};

    fn batch(offset: i64, ts: i64) -> Batch {
        let bytes = Encoded::new("t", 0, &[Record::new(offset, Sample::minimal("1", ts))]);
        Batch::new(offset, offset, ts, bytes)
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
    fn a_form_encoded_for_a_later_viewer_is_counted_against_the_bounds() {
        let tp = TopicPartition::new("t", 0);
        let mut h = Histories::new(60_000);
        let b = batch(1, 1_000);
        b.bytes.get(DataFormat::Columnar);
        h.append(&tp, b.clone());
        let before = h.bytes;
        let all =
            Selection::new(vec![crate::selection::TopicSelection { topic: "t".into(), partitions: None }]).unwrap();
        let json = h.forms(&all, DataFormat::Json);
        assert_eq!(json, vec![DataFormat::Json.encode("t", 0, &[Record::new(1, Sample::minimal("1", 1_000))])]);
        // The JSON form is counted now, and the records it was encoded from, let go, no more.
        assert_ne!(h.bytes, before);
        assert_eq!(h.bytes, b.bytes.len());
        assert!(h.bytes > json[0].len() + b.bytes.get(DataFormat::Columnar).len());
        assert_eq!(h.map[&tp].bytes, h.bytes);
        h.forget("t");
        assert_eq!(h.bytes, 0);
    }

    #[test]
    fn history_stays_within_its_total_budget() {
        let mut h = Histories::new(i64::MAX / 2);
        let records: Vec<Record> = (0..8_000).map(|o| Record::new(o, Sample::minimal("1", 0))).collect();
        let big = Encoded::new("t", 0, &records);
        assert!(big.len() > 1 << 20);
        for i in 0..300 {
            let tp = TopicPartition::new("t", i % 30);
            h.append(&tp, Batch::new(0, 0, 0, big.clone()));
        }
        assert!(h.bytes <= HISTORY_MAX_BYTES_TOTAL);
        assert_eq!(h.bytes, h.map.values().map(|x| x.bytes).sum::<usize>());
    }
}
