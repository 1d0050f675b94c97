//! Where each partition of a replay starts, for each kind of `from`: offsets for every
//! chosen partition, and the race time before which records are skipped.

use std::{
    collections::{BTreeSet, HashMap},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use rdkafka::{
    Offset,
    consumer::{Consumer, ConsumerContext},
};

use crate::kafka::{
    KafkaError, METADATA_TIMEOUT, admin,
    shared::{
        decode_record,
        read::{Span, read_spans},
    },
};
use crate::{
    config::KafkaArgs,
    laps::{LapIndex, Missing},
    mapping::Decoder,
    playback::{LapRef, PartitionProgress, ReplayFrom, StartOffset},
    selection::Selection,
    status::TopicInfo,
    telemetry::TopicPartition,
};

/// How long a seek to a lap waits for the lap index to read what Kafka retains.
const LAP_WAIT: Duration = Duration::from_secs(60);
/// Records read at a named offset to find its time (markers can leave offsets empty).
const PROBE: i64 = 16;

/// A partition's start: its progress (start offset, watermark end) and the race time
/// before which its records are skipped.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lane {
    pub progress: PartitionProgress,
    pub skip_before: Option<i64>,
}

/// Where a replay starts: each partition, and the playhead when `from` names a time
/// (records from before it, the preroll, go out at once).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Start {
    pub lanes: Vec<Lane>,
    pub playhead: Option<i64>,
}

/// Why a replay could not start where it was asked to.
#[derive(Debug, thiserror::Error)]
pub(super) enum StartError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error("{0}")]
    NotFound(String),
}

/// Every partition of `topics` that `selection` covers, from its low to its high
/// watermark.
pub(super) fn plan(topics: &[TopicInfo], selection: &Selection) -> Vec<PartitionProgress> {
    admin::chosen(topics, selection)
        .map(|(topic, p)| PartitionProgress {
            topic: topic.to_owned(),
            partition: p.partition,
            start: p.low,
            offset: p.low,
            end: p.high,
        })
        .collect()
}

/// Starts every planned partition at `offsets` (kept within its watermarks; a partition
/// missing from it starts at its high watermark, the live edge), skipping records before
/// `skip_before`; a partition in `exact` starts at its offset with nothing skipped.
fn place(
    plan: Vec<PartitionProgress>,
    offsets: &HashMap<(String, i32), i64>,
    skip_before: Option<i64>,
    exact: &HashMap<(String, i32), i64>,
) -> Vec<Lane> {
    plan.into_iter()
        .map(|mut p| {
            let key = (p.topic.clone(), p.partition);
            let (at, skip) = match exact.get(&key) {
                Some(&o) => (o, None),
                None => (offsets.get(&key).copied().unwrap_or(p.end), skip_before),
            };
            p.start = at.clamp(p.start, p.end);
            p.offset = p.start;
            Lane { progress: p, skip_before: skip }
        })
        .collect()
}

/// What finding a start reads besides the partitions themselves.
#[derive(Clone, Copy)]
pub(super) struct Sources<'a> {
    pub kafka: &'a KafkaArgs,
    /// How records decode (a topic's mapping, or the contract).
    pub decoder: &'a Decoder,
    /// Where each car's laps begin.
    pub laps: &'a LapIndex,
}

/// Resolves `from` over the planned partitions, with `preroll` ms of race time before a
/// named time. Blocking: call it from `spawn_blocking`.
pub(super) fn resolve<X: ConsumerContext>(
    sources: Sources<'_>,
    client: &impl Consumer<X>,
    plan: Vec<PartitionProgress>,
    from: &ReplayFrom,
    preroll: i64,
    stop: &AtomicBool,
) -> Result<Start, StartError> {
    let Sources { kafka, decoder, laps } = sources;
    let none = HashMap::new();
    let at = |ts: i64, exact: &HashMap<(String, i32), i64>, plan| Start {
        lanes: at_time(client, plan, (ts - preroll).max(0), exact),
        playhead: Some(ts),
    };
    match from {
        ReplayFrom::Earliest => Ok(Start {
            lanes: plan.into_iter().map(|progress| Lane { progress, skip_before: None }).collect(),
            playhead: None,
        }),
        ReplayFrom::Timestamp(ts) => Ok(at(*ts, &none, plan)),
        ReplayFrom::Offsets(list) => {
            let exact: HashMap<(String, i32), i64> =
                list.iter().map(|o| ((o.topic.clone(), o.partition), o.offset)).collect();
            let unknown: Vec<&StartOffset> = list
                .iter()
                .filter(|o| !plan.iter().any(|p| p.topic == o.topic && p.partition == o.partition))
                .collect();
            if let Some(o) = unknown.first() {
                return Err(StartError::NotFound(format!(
                    "partition {} of `{}` is not in the selection",
                    o.partition, o.topic
                )));
            }
            match first_time(kafka, decoder, &plan, &exact)? {
                Some(ts) => Ok(at(ts, &exact, plan)),
                // Nothing at the named offsets yet: every partition starts at the live edge.
                None => Ok(Start { lanes: place(plan, &none, None, &exact), playhead: None }),
            }
        }
        ReplayFrom::Lap(lap) => {
            let ts = lap_start(laps, &plan, lap, stop)?;
            Ok(at(ts, &none, plan))
        }
    }
}

/// Every partition at its first record at or after `ts` (offsets-for-times), but those in
/// `exact`.
fn at_time<X: ConsumerContext>(
    client: &impl Consumer<X>,
    plan: Vec<PartitionProgress>,
    ts: i64,
    exact: &HashMap<(String, i32), i64>,
) -> Vec<Lane> {
    let list: Vec<(&str, i32)> = plan.iter().map(|p| (p.topic.as_str(), p.partition)).collect();
    let offsets = admin::offsets(client, &list, Offset::Offset(ts), METADATA_TIMEOUT);
    place(plan, &offsets, Some(ts), exact)
}

/// The earliest record time at the named offsets.
fn first_time(
    kafka: &KafkaArgs,
    decoder: &Decoder,
    plan: &[PartitionProgress],
    exact: &HashMap<(String, i32), i64>,
) -> Result<Option<i64>, KafkaError> {
    let spans: Vec<Span> = plan
        .iter()
        .filter_map(|p| {
            let &o = exact.get(&(p.topic.clone(), p.partition))?;
            let from = o.clamp(p.start, p.end);
            Some(Span { tp: TopicPartition::new(&p.topic, p.partition), from, until: (from + PROBE).min(p.end) })
        })
        .collect();
    let mut first: Option<i64> = None;
    read_spans(kafka, "trackside-replay-start", &spans, Instant::now() + METADATA_TIMEOUT * 3, None, |_, m| {
        for r in decode_record(decoder, m).into_iter().flatten() {
            let ts = r.sample.ts.unwrap_or_default();
            first = Some(first.map_or(ts, |f| f.min(ts)));
        }
        true
    })?;
    Ok(first)
}

/// When `car` began lap `lap`, from the lap index of the selection's topics. While the
/// index is still reading what Kafka retains, it is waited for.
fn lap_start(laps: &LapIndex, plan: &[PartitionProgress], lap: &LapRef, stop: &AtomicBool) -> Result<i64, StartError> {
    let topics: BTreeSet<&str> = plan.iter().map(|p| p.topic.as_str()).collect();
    let deadline = Instant::now() + LAP_WAIT;
    loop {
        let mut missing = Vec::new();
        for topic in &topics {
            match laps.lap_start(topic, &lap.car, lap.lap) {
                // The first whole millisecond of the lap: the sample before the line is
                // always earlier (see `timing::crossing`).
                Ok(ts) => return Ok(ts.ceil() as i64),
                Err(e) => missing.push(e),
            }
        }
        // What is most telling: a lap the car lacks, then a car the topics lack.
        missing.sort_by_key(|m| match m {
            Missing::Lap { .. } => 0,
            Missing::Car(_) => 1,
            Missing::Reading { .. } => 2,
            Missing::Topic(_) => 3,
        });
        let Some(first) = missing.into_iter().next() else {
            return Err(StartError::NotFound("the selection has no partitions".into()));
        };
        let waiting = matches!(first, Missing::Reading { .. } | Missing::Topic(_));
        if !waiting || Instant::now() >= deadline || stop.load(Ordering::Relaxed) {
            return Err(StartError::NotFound(first.to_string()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{selection::TopicSelection, status::PartitionInfo};

    fn progress(partition: i32, start: i64, end: i64) -> PartitionProgress {
        PartitionProgress { topic: "t".into(), partition, start, offset: start, end }
    }

    #[test]
    fn a_replay_covers_the_chosen_partitions_from_low_to_high_watermark() {
        let topics = vec![TopicInfo {
            name: "t".into(),
            partitions: vec![
                PartitionInfo { partition: 0, low: 5, high: 9 },
                PartitionInfo { partition: 1, low: 0, high: 3 },
            ],
        }];
        let one = Selection::new(vec![TopicSelection { topic: "t".into(), partitions: Some(vec![1]) }]).unwrap();
        assert_eq!(plan(&topics, &one), vec![progress(1, 0, 3)]);
        let other = Selection::new(vec![TopicSelection { topic: "u".into(), partitions: None }]).unwrap();
        assert!(plan(&topics, &other).is_empty());
    }

    #[test]
    fn a_time_past_the_end_starts_at_the_live_edge_and_an_offset_is_kept_within_the_log() {
        let plan = vec![progress(0, 10, 50), progress(1, 0, 20), progress(2, 0, 30)];
        let found = HashMap::from([(("t".to_owned(), 0), 42)]);
        let exact = HashMap::from([(("t".to_owned(), 2), 99)]);
        let lanes = place(plan, &found, Some(1_000), &exact);
        let starts: Vec<(i64, Option<i64>)> = lanes.iter().map(|l| (l.progress.start, l.skip_before)).collect();
        assert_eq!(starts, [(42, Some(1_000)), (20, Some(1_000)), (30, None)]);
        assert!(lanes.iter().all(|l| l.progress.offset == l.progress.start));
    }

    /// Planning against a cluster in the process: real watermarks, real records.
    mod against_a_mock_cluster {
        use rdkafka::consumer::BaseConsumer;

        use super::*;
        use crate::kafka::{
            mock::MockKafka,
            shared::client::{ReaderContext, reader},
        };

        const T0: i64 = 1_764_028_800_000;

        /// Topic `r`: partition 0 holds ten records 100 ms apart from `T0`, partition 1
        /// four; and a reader of it.
        fn a_topic_with_records(mock: &MockKafka) -> (BaseConsumer<ReaderContext>, Vec<TopicInfo>) {
            mock.topic("r", 2);
            mock.produce("r", 0, &(0..10).map(|i| T0 + i * 100).collect::<Vec<_>>());
            mock.produce("r", 1, &(0..4).map(|i| T0 + 50 + i * 100).collect::<Vec<_>>());
            let c: BaseConsumer<ReaderContext> = reader(&mock.kafka, "test").unwrap();
            let topics = vec![admin::describe_topic(&c, "r").unwrap()];
            (c, topics)
        }

        fn resolved(
            mock: &MockKafka,
            c: &BaseConsumer<ReaderContext>,
            plan: Vec<PartitionProgress>,
            from: ReplayFrom,
        ) -> Result<Start, StartError> {
            let (decoder, laps) = (Decoder::default(), LapIndex::default());
            let sources = Sources { kafka: &mock.kafka, decoder: &decoder, laps: &laps };
            resolve(sources, c, plan, &from, 0, &AtomicBool::new(false))
        }

        #[test]
        fn a_replay_from_the_earliest_plays_each_chosen_partition_from_its_first_record_to_its_end() {
            let mock = MockKafka::new();
            let (c, topics) = a_topic_with_records(&mock);
            let every = Selection::new(vec![TopicSelection { topic: "r".into(), partitions: None }]).unwrap();
            let start = resolved(&mock, &c, plan(&topics, &every), ReplayFrom::Earliest).unwrap();
            let spans: Vec<(i32, i64, i64)> =
                start.lanes.iter().map(|l| (l.progress.partition, l.progress.start, l.progress.end)).collect();
            assert_eq!(spans, [(0, 0, 10), (1, 0, 4)]);
            assert_eq!(start.playhead, None, "the clock starts at the first record");
            let one = Selection::new(vec![TopicSelection { topic: "r".into(), partitions: Some(vec![1]) }]).unwrap();
            assert_eq!(
                plan(&topics, &one),
                vec![PartitionProgress { topic: "r".into(), partition: 1, start: 0, offset: 0, end: 4 }]
            );
        }

        #[test]
        fn a_replay_from_an_offset_starts_there_with_the_playhead_at_that_records_time() {
            let mock = MockKafka::new();
            let (c, topics) = a_topic_with_records(&mock);
            let every = Selection::new(vec![TopicSelection { topic: "r".into(), partitions: None }]).unwrap();
            let from = ReplayFrom::Offsets(vec![StartOffset { topic: "r".into(), partition: 0, offset: 3 }]);
            let start = resolved(&mock, &c, plan(&topics, &every), from).unwrap();
            let lane = &start.lanes[0];
            assert_eq!((lane.progress.start, lane.skip_before), (3, None), "exactly there, nothing skipped");
            assert_eq!(start.playhead, Some(T0 + 300), "the time of the record at offset 3");
        }

        #[test]
        fn a_replay_from_an_offset_of_a_partition_not_chosen_is_refused_saying_which() {
            let mock = MockKafka::new();
            let (c, topics) = a_topic_with_records(&mock);
            let one = Selection::new(vec![TopicSelection { topic: "r".into(), partitions: Some(vec![1]) }]).unwrap();
            let from = ReplayFrom::Offsets(vec![StartOffset { topic: "r".into(), partition: 0, offset: 3 }]);
            let refused = resolved(&mock, &c, plan(&topics, &one), from).unwrap_err().to_string();
            assert_eq!(refused, "partition 0 of `r` is not in the selection");
        }
    }
}
