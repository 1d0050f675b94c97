//! Partitions held back while the schema registry does not answer: a record whose schema
//! cannot be fetched is not lost to the viewers, its partition is paused and put back to
//! that record, and read again a moment later. Other partitions, and other topics, go
//! on. The wait is bounded: a partition held at the same record for [`HOLD_PATIENCE`]
//! counts it, and every later record whose schema is still unavailable, as malformed
//! and moves on, until one of its records reads again.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{Consumer, ConsumerContext},
};
use tracing::{debug, info};

use crate::telemetry::TopicPartition;

/// How long a held partition waits before it reads its record again. The registry's
/// client asks again at most once a second, so a shorter wait would only re-read.
const RETRY: Duration = Duration::from_millis(500);
/// How long a partition may be held at one record.
pub(super) const HOLD_PATIENCE: Duration = Duration::from_secs(600);

struct Hold {
    offset: i64,
    /// When the partition was first held at this record.
    since: Instant,
    /// When it is read again; none once it has been resumed.
    retry_at: Option<Instant>,
    /// Held too long: until a record of the partition is read, those whose schema is
    /// unavailable are malformed at once.
    gave_up: bool,
}

/// The partitions a group member or the follower holds.
#[derive(Default)]
pub(super) struct Held(HashMap<TopicPartition, Hold>);

impl Held {
    /// Whether records of this partition are to be dropped: it is held, and what the
    /// consumer had fetched past the record is read again once it is resumed.
    pub(super) fn drops(&self, topic: &str, partition: i32) -> bool {
        !self.0.is_empty()
            && self.0.iter().any(|(tp, h)| h.retry_at.is_some() && tp.partition == partition && tp.topic == topic)
    }

    /// Holds the partition at `offset`: pauses it and puts it back to that record.
    /// Returns false when it has been held at that record too long already, and the
    /// record is to be counted as malformed instead.
    pub(super) fn hold<C: ConsumerContext, K: Consumer<C>>(
        &mut self,
        consumer: &K,
        tp: &TopicPartition,
        offset: i64,
    ) -> bool {
        let now = Instant::now();
        let fresh = Hold { offset, since: now, retry_at: None, gave_up: false };
        let hold = self.0.entry(tp.clone()).or_insert(fresh);
        if hold.gave_up {
            return false;
        }
        if hold.offset != offset {
            *hold = Hold { offset, since: now, retry_at: None, gave_up: false };
        }
        if now.duration_since(hold.since) >= HOLD_PATIENCE {
            hold.gave_up = true;
            return false;
        }
        if hold.since == now {
            info!(topic = %tp.topic, partition = tp.partition, offset, "waiting for the schema registry");
        }
        hold.retry_at = Some(now + RETRY);
        let mut list = TopicPartitionList::new();
        list.add_partition(&tp.topic, tp.partition);
        if let Err(e) = consumer.pause(&list) {
            debug!(error = %e, "cannot pause a partition held for its schema");
        }
        // Without waiting: librdkafka drops what it had fetched past the record.
        if let Err(e) = consumer.seek(&tp.topic, tp.partition, Offset::Offset(offset), Duration::ZERO) {
            debug!(error = %e, "cannot seek a partition held for its schema");
        }
        true
    }

    /// Resumes the partitions whose wait is over, to read their record again.
    pub(super) fn resume_due<C: ConsumerContext, K: Consumer<C>>(&mut self, consumer: &K) {
        let now = Instant::now();
        let mut list = TopicPartitionList::new();
        for (tp, hold) in self.0.iter_mut().filter(|(_, h)| h.retry_at.is_some_and(|at| at <= now)) {
            hold.retry_at = None;
            list.add_partition(&tp.topic, tp.partition);
        }
        if list.count() > 0
            && let Err(e) = consumer.resume(&list)
        {
            debug!(error = %e, "cannot resume a partition held for its schema");
        }
    }

    /// Forgets a partition whose held record (or any later one) has now been read.
    pub(super) fn read(&mut self, topic: &str, partition: i32, offset: i64) {
        if !self.0.is_empty() {
            self.0.retain(|tp, h| !(tp.partition == partition && tp.topic == topic && offset >= h.offset));
        }
    }
}
