//! What Kafka retains of a selection: each partition's watermarks and the times of its
//! first and last records, for the page's timeline.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rdkafka::{consumer::BaseConsumer, message::Message};

use crate::{
    config::KafkaArgs,
    kafka::{
        KafkaError, admin,
        shared::{
            client::{self, ReaderContext},
            read::{Span, read_spans},
        },
    },
    playback::{PartitionRange, RetainedRange},
    selection::Selection,
    status::TopicInfo,
    telemetry::TopicPartition,
};

/// Records read at each end of a partition: transaction markers and compaction can leave
/// the offsets right at the watermarks without a record.
const PROBE: i64 = 16;
/// The look-up gives up after this long and answers with what it found.
const DEADLINE: Duration = Duration::from_secs(10);

/// Describes the selection's topics, then reads the first and last few records of each
/// chosen partition for their times.
pub(crate) async fn retained(kafka: &KafkaArgs, selection: &Selection) -> Result<RetainedRange, KafkaError> {
    let kafka = kafka.clone();
    let selection = selection.clone();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer<ReaderContext> = client::reader(&kafka, "trackside-range")?;
        let topics = selection.topics().map(|t| admin::describe_topic(&consumer, t)).collect::<Result<Vec<_>, _>>()?;
        drop(consumer);
        let deadline = Instant::now() + DEADLINE;
        let chosen = chosen(&topics, &selection);
        let mut first: HashMap<TopicPartition, i64> = HashMap::new();
        let heads: Vec<Span> = chosen.iter().map(|p| span(p, p.low, (p.low + PROBE).min(p.high))).collect();
        read_spans(&kafka, "trackside-range", &heads, deadline, None, |tp, m| {
            if let Some(ts) = m.timestamp().to_millis() {
                first.entry(tp.clone()).or_insert(ts);
            }
            true
        })?;
        let mut last: HashMap<TopicPartition, i64> = HashMap::new();
        let tails: Vec<Span> = chosen.iter().map(|p| span(p, (p.high - PROBE).max(p.low), p.high)).collect();
        read_spans(&kafka, "trackside-range", &tails, deadline, None, |tp, m| {
            if let Some(ts) = m.timestamp().to_millis() {
                last.insert(tp.clone(), ts);
            }
            true
        })?;
        Ok(summarise(chosen, &first, &last, client::now_ms()))
    })
    .await?
}

fn span(p: &PartitionRange, from: i64, until: i64) -> Span {
    Span { tp: TopicPartition::new(&p.topic, p.partition), from, until }
}

/// The chosen partitions with their watermarks, in topic and partition order.
fn chosen(topics: &[TopicInfo], selection: &Selection) -> Vec<PartitionRange> {
    let mut out: Vec<PartitionRange> = admin::chosen(topics, selection)
        .map(|(topic, p)| PartitionRange {
            topic: topic.to_owned(),
            partition: p.partition,
            low: p.low,
            high: p.high,
            first_ts: None,
            last_ts: None,
        })
        .collect();
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    out
}

/// Puts the times found into each partition and spans them all.
fn summarise(
    mut partitions: Vec<PartitionRange>,
    first: &HashMap<TopicPartition, i64>,
    last: &HashMap<TopicPartition, i64>,
    now_ms: i64,
) -> RetainedRange {
    for p in &mut partitions {
        let tp = TopicPartition::new(&p.topic, p.partition);
        p.first_ts = first.get(&tp).copied();
        p.last_ts = last.get(&tp).copied();
    }
    RetainedRange {
        first_ts: partitions.iter().filter_map(|p| p.first_ts).min(),
        last_ts: partitions.iter().filter_map(|p| p.last_ts).max(),
        now_ms,
        partitions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{selection::TopicSelection, status::PartitionInfo};

    #[test]
    fn the_range_spans_the_earliest_first_record_to_the_latest_last_one_of_the_chosen_partitions() {
        let topics = vec![TopicInfo {
            name: "t".into(),
            partitions: vec![
                PartitionInfo { partition: 0, low: 0, high: 10 },
                PartitionInfo { partition: 1, low: 4, high: 4 },
                PartitionInfo { partition: 2, low: 0, high: 7 },
            ],
        }];
        let selection =
            Selection::new(vec![TopicSelection { topic: "t".into(), partitions: Some(vec![0, 1]) }]).unwrap();
        let chosen = chosen(&topics, &selection);
        assert_eq!(chosen.iter().map(|p| p.partition).collect::<Vec<_>>(), [0, 1]);

        let tp0 = TopicPartition::new("t", 0);
        let first = HashMap::from([(tp0.clone(), 1_000)]);
        let last = HashMap::from([(tp0, 9_000)]);
        let range = summarise(chosen, &first, &last, 10_000);
        assert_eq!((range.first_ts, range.last_ts, range.now_ms), (Some(1_000), Some(9_000), 10_000));
        assert_eq!(range.partitions[1].first_ts, None, "an empty partition has no times");
    }
}
