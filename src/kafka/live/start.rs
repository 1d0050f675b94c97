//! Where the group starts reading a partition it is assigned.
//!
//! Left to itself, librdkafka starts a partition with no committed offset at
//! `auto.offset.reset`, and "latest" is resolved only when the first fetch goes out:
//! records written between the assignment and that fetch are never read, and the history
//! window before it has to come from somewhere else. So the group decides itself, inside
//! the rebalance, with offsets it has looked up:
//!
//! - a partition with a committed offset resumes there, as Kafka users expect; when that
//!   offset lies inside the history window, what precedes it is backfilled;
//! - any other partition starts at the first record of the history window (or at the high
//!   watermark read before that look-up, when the window is empty or history is off), so
//!   the group itself delivers the window, in order, to history and to every viewer
//!   already watching.
//!
//! Every start is a concrete offset before the assignment is reported, so a record
//! produced once the page shows the partition assigned is always read.
//!
//! A partition this replica already reads (its follower had it, or the group had it
//! before a rebalance) goes on from what the hub holds, or from the committed offset
//! when that is earlier: so it has no gap, and the hub leaves out what it already has.
//! The follower starts the partitions it takes by the same rules, with no commit.

use std::{collections::HashMap, time::Duration};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{Consumer, ConsumerContext},
};
use tracing::warn;

use crate::kafka::{admin, shared::client::now_ms};
use crate::telemetry::TopicPartition;

/// Timeout of each look-up made during a rebalance. The rebalance waits for them, so they
/// are short; a broker that is there answers in milliseconds.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// Where one partition starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// At the group's committed offset. Records from `backfill_from` up to it are in the
    /// history window and are read separately into history.
    Committed { at: i64, backfill_from: Option<i64> },
    /// At this offset: where the hub's records end, or with no commit, the start of the
    /// history window.
    At(i64),
    /// Nothing could be looked up; librdkafka's own rules apply.
    Unknown,
}

impl Start {
    /// The group's position once this start is in force, if it is known.
    pub(super) fn position(self) -> Option<i64> {
        match self {
            Start::Committed { at, .. } | Start::At(at) => Some(at),
            Start::Unknown => None,
        }
    }
}

/// What was found for one partition: its committed offset, the first offset of the
/// history window, the high watermark read before the window was looked up, and the
/// offset after the newest record the hub holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) committed: Option<i64>,
    pub(super) window: Option<i64>,
    pub(super) high: Option<i64>,
    pub(super) held: Option<i64>,
}

/// What a partition without a committed offset starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reset {
    /// The start of the history window: Trackside's own choice, for `latest` (the
    /// default of `auto.offset.reset`).
    Window,
    /// What the user set `auto.offset.reset` to (`earliest`, say): librdkafka applies it.
    Librdkafka,
}

impl Reset {
    /// The policy for a consumer configured with `auto.offset.reset` = `value`.
    pub(super) fn from_property(value: Option<&str>) -> Self {
        match value {
            None | Some("latest" | "largest" | "end") => Reset::Window,
            Some(_) => Reset::Librdkafka,
        }
    }
}

/// Decides where a partition starts from what was found (see the module's doc).
pub(super) fn decide(found: Found, reset: Reset) -> Start {
    let Found { committed, window, high, held } = found;
    if let Some(held) = held {
        return Start::At(committed.map_or(held, |c| c.min(held)));
    }
    if let Some(at) = committed {
        return Start::Committed { at, backfill_from: window.filter(|w| *w < at) };
    }
    if reset == Reset::Librdkafka {
        return Start::Unknown;
    }
    // The window's first record is never past the high watermark read before it; if a
    // record with an older timestamp landed in between, the watermark is the safe start.
    match (window, high) {
        (Some(w), Some(h)) => Start::At(w.min(h)),
        (Some(at), None) | (None, Some(at)) => Start::At(at),
        (None, None) => Start::Unknown,
    }
}

/// Looks up what [`decide`] needs for every partition in `tpl` but what the hub holds.
/// Blocking. A committed offset that cannot be read leaves every partition to
/// librdkafka, since starting elsewhere could skip what the group committed.
pub(super) fn find<C: ConsumerContext>(
    consumer: &impl Consumer<C>,
    tpl: &TopicPartitionList,
    history: Duration,
) -> HashMap<TopicPartition, Found> {
    let committed = match consumer.committed_offsets(tpl.clone(), LOOKUP_TIMEOUT) {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "cannot read the group's committed offsets; librdkafka chooses where to start");
            return HashMap::new();
        }
    };
    let partitions: Vec<TopicPartition> =
        tpl.elements().iter().map(|e| TopicPartition::new(e.topic(), e.partition())).collect();
    let mut found = find_window(consumer, &partitions, history);
    for e in committed.elements() {
        if let (Offset::Offset(o), Some(f)) =
            (e.offset(), found.get_mut(&TopicPartition::new(e.topic(), e.partition())))
            && o >= 0
        {
            f.committed = Some(o);
        }
    }
    found
}

/// The high watermark and the first offset of the history window of each partition, for
/// a start with no commit. Blocking.
pub(super) fn find_window<C: ConsumerContext>(
    consumer: &impl Consumer<C>,
    partitions: &[TopicPartition],
    history: Duration,
) -> HashMap<TopicPartition, Found> {
    let list: Vec<(&str, i32)> = partitions.iter().map(|tp| (tp.topic.as_str(), tp.partition)).collect();
    // The watermark first: a window look-up that finds nothing then means nothing newer
    // than the window existed before the watermark was read.
    let highs = admin::offsets(consumer, &list, Offset::End, LOOKUP_TIMEOUT);
    let windows = if history.is_zero() {
        HashMap::new()
    } else {
        let since = now_ms().saturating_sub(i64::try_from(history.as_millis()).unwrap_or(i64::MAX));
        admin::offsets(consumer, &list, Offset::Offset(since), LOOKUP_TIMEOUT)
    };
    partitions
        .iter()
        .map(|tp| {
            let key = (tp.topic.clone(), tp.partition);
            let found =
                Found { window: windows.get(&key).copied(), high: highs.get(&key).copied(), ..Found::default() };
            (tp.clone(), found)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_without_a_commit_starts_at_the_first_record_of_the_history_window() {
        let found = Found { committed: None, window: Some(40), high: Some(100), held: None };
        assert_eq!(decide(found, Reset::Window), Start::At(40));
    }

    #[test]
    fn a_reset_the_user_chose_is_left_to_librdkafka() {
        let found = Found { window: Some(40), high: Some(100), ..Found::default() };
        assert_eq!(decide(found, Reset::from_property(Some("earliest"))), Start::Unknown);
        assert_eq!(Reset::from_property(Some("latest")), Reset::Window);
        assert_eq!(Reset::from_property(None), Reset::Window);
        let committed = Found { committed: Some(70), ..found };
        assert_eq!(decide(committed, Reset::Librdkafka), Start::Committed { at: 70, backfill_from: Some(40) });
    }

    #[test]
    fn a_partition_with_nothing_in_the_window_starts_at_the_watermark_read_before_the_look_up() {
        assert_eq!(decide(Found { high: Some(100), ..Found::default() }, Reset::Window), Start::At(100));
        // A record with an old timestamp written between the two look-ups is not skipped.
        assert_eq!(
            decide(Found { window: Some(103), high: Some(100), ..Found::default() }, Reset::Window),
            Start::At(100)
        );
    }

    #[test]
    fn a_committed_partition_resumes_there_and_backfills_only_what_precedes_it_in_the_window() {
        let inside = Found { committed: Some(70), window: Some(40), high: Some(100), held: None };
        assert_eq!(decide(inside, Reset::Window), Start::Committed { at: 70, backfill_from: Some(40) });
        let older = Found { committed: Some(20), ..inside };
        assert_eq!(decide(older, Reset::Window), Start::Committed { at: 20, backfill_from: None });
        let no_history = Found { window: None, ..inside };
        assert_eq!(decide(no_history, Reset::Window), Start::Committed { at: 70, backfill_from: None });
    }

    #[test]
    fn nothing_found_leaves_the_start_to_librdkafka_and_no_position_is_claimed() {
        assert_eq!(decide(Found::default(), Reset::Window), Start::Unknown);
        assert_eq!(Start::Unknown.position(), None);
        assert_eq!(Start::At(5).position(), Some(5));
    }

    #[test]
    fn a_partition_this_replica_already_reads_goes_on_where_the_hub_ends_or_at_an_earlier_commit() {
        let held = Found { committed: None, window: Some(40), high: Some(100), held: Some(90) };
        assert_eq!(decide(held, Reset::Window), Start::At(90), "no gap, no repeat, no backfill");
        assert_eq!(decide(held, Reset::Librdkafka), Start::At(90));
        // The member that owned it committed less than this replica holds: the records in
        // between are read again and the hub leaves them out.
        assert_eq!(decide(Found { committed: Some(85), ..held }, Reset::Window), Start::At(85));
        // It committed more than this replica holds: what this replica lacks is read.
        assert_eq!(decide(Found { committed: Some(95), ..held }, Reset::Window), Start::At(90));
    }

    /// The I/O around [`decide`], against a cluster in the process. (librdkafka's mock
    /// finds no offset by time, as a broker does when no record is that recent, so these
    /// records are all older than the history window.)
    mod against_a_mock_cluster {
        use rdkafka::consumer::{BaseConsumer, CommitMode};

        use super::*;
        use crate::kafka::{mock::MockKafka, shared::client::consumer_config};

        /// Topic `t` of two partitions, each with ten records from two hours ago; a member
        /// of group `g`, which committed offset 7 of partition 0.
        fn a_group_that_committed_partition_0(mock: &MockKafka) -> BaseConsumer {
            mock.topic("t", 2);
            let two_hours_ago = now_ms() - 7_200_000;
            let ts: Vec<i64> = (0..10).map(|i| two_hours_ago + i).collect();
            mock.produce("t", 0, &ts);
            mock.produce("t", 1, &ts);
            let member: BaseConsumer = consumer_config(&mock.kafka, &[("group.id", "g")]).create().unwrap();
            let mut commit = TopicPartitionList::new();
            commit.add_partition_offset("t", 0, Offset::Offset(7)).unwrap();
            member.commit(&commit, CommitMode::Sync).unwrap();
            member
        }

        fn both_partitions() -> TopicPartitionList {
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition("t", 0);
            tpl.add_partition("t", 1);
            tpl
        }

        #[test]
        fn a_committed_partition_resumes_at_its_commit_and_one_without_starts_at_the_live_edge() {
            let mock = MockKafka::new();
            let member = a_group_that_committed_partition_0(&mock);
            for history in [Duration::from_secs(3600), Duration::ZERO] {
                let found = find(&member, &both_partitions(), history);
                let start = |p| decide(found[&TopicPartition::new("t", p)], Reset::Window);
                assert_eq!(start(0), Start::Committed { at: 7, backfill_from: None }, "history {history:?}");
                assert_eq!(start(1), Start::At(10), "nothing in the window: a record produced next is read");
            }
        }

        #[test]
        fn with_earliest_set_only_the_committed_partition_gets_a_start_of_the_groups_choosing() {
            let mock = MockKafka::new();
            let member = a_group_that_committed_partition_0(&mock);
            let found = find(&member, &both_partitions(), Duration::from_secs(3600));
            let start = |p| decide(found[&TopicPartition::new("t", p)], Reset::from_property(Some("earliest")));
            assert_eq!(start(0), Start::Committed { at: 7, backfill_from: None });
            assert_eq!(start(1), Start::Unknown, "librdkafka starts it at the earliest record");
        }

        #[test]
        fn the_follower_starts_where_the_group_would_without_a_commit_whatever_the_group_committed() {
            let mock = MockKafka::new();
            let member = a_group_that_committed_partition_0(&mock);
            let found = find_window(&member, &[TopicPartition::new("t", 0)], Duration::from_secs(3600));
            assert_eq!(found[&TopicPartition::new("t", 0)].committed, None, "the follower never commits");
            assert_eq!(decide(found[&TopicPartition::new("t", 0)], Reset::Window), Start::At(10));
        }
    }
}
