//! One replay reader per replaying viewer. It assigns the viewer's partitions at their
//! earliest offsets on a consumer of its own (no group, no commits, so neither the group
//! nor any other viewer notices), hands every record to the viewer's replay feed in
//! offset order, waits when the viewer is slow, reports progress, and once it reaches
//! the end offsets it captured at the start it carries on with new records.

use std::{sync::Arc, time::Duration};

use futures_util::FutureExt;
use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{Consumer, StreamConsumer},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tokio::{
    sync::{OwnedSemaphorePermit, watch},
    task::JoinHandle,
};
use tracing::{debug, info};

use super::{BATCH_LINGER, Batcher, KafkaError, admin, decode_record};
use crate::{
    config::KafkaArgs,
    hub::{Closed, ReplayFeed},
    protocol::{PartitionProgress, ReplayFrom, ReplayProgress, ReplayState, Selection, Speed},
    status::{Status, TopicInfo},
    telemetry::{Malformed, MalformedNote, Record},
};

/// How often progress is reported while a replay runs.
pub(crate) const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// What a replay plays: from where, how fast, whether it starts paused, and the client's
/// id for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Playback {
    pub from: ReplayFrom,
    pub speed: Speed,
    pub paused: bool,
    pub id: Option<u64>,
}

/// A running replay; dropping it stops the reader and frees its slot.
pub(crate) struct Replay {
    paused: watch::Sender<bool>,
    task: JoinHandle<()>,
    slot: Option<OwnedSemaphorePermit>,
    playback: Playback,
}

impl Replay {
    /// Starts replaying `selection` from the earliest offsets into `feed`. `slot` is one
    /// of the server's bounded replay slots, held for as long as the replay lives.
    pub(crate) fn start(
        kafka: KafkaArgs,
        selection: Selection,
        playback: Playback,
        feed: ReplayFeed,
        status: &Status,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        let (paused, paused_rx) = watch::channel(false);
        let gauge = status.replay_guard();
        let task = tokio::spawn(async move {
            let _gauge = gauge;
            let mut reader = Reader::new(feed);
            match reader.run(kafka, selection, paused_rx).await {
                Ok(()) => {}
                Err(ReplayError::Closed(_)) => debug!("replay viewer left"),
                Err(ReplayError::Kafka(e)) => {
                    info!(error = %e, "replay failed");
                    reader.failed(e.to_string());
                }
            }
        });
        Self { paused, task, slot: Some(slot), playback }
    }

    pub(crate) fn set_paused(&self, paused: bool) {
        self.paused.send_replace(paused);
    }

    pub(crate) fn paused(&self) -> bool {
        *self.paused.borrow()
    }

    pub(crate) fn set_speed(&self, _speed: Speed) {}

    pub(crate) fn speed(&self) -> Speed {
        self.playback.speed
    }

    pub(crate) fn step(&self, _ms: i64) {}

    pub(crate) fn position(&self) -> Option<i64> {
        None
    }

    pub(crate) fn id(&self) -> Option<u64> {
        self.playback.id
    }

    /// Stops the reader and hands back its slot, for the replay that replaces it.
    pub(crate) fn into_slot(mut self) -> OwnedSemaphorePermit {
        self.task.abort();
        self.slot.take().expect("a replay holds its slot until dropped")
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug, thiserror::Error)]
enum ReplayError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error(transparent)]
    Closed(#[from] Closed),
}

struct Reader {
    feed: ReplayFeed,
    progress: ReplayProgress,
}

/// Every partition of `topics` that `selection` covers, from its low to its high
/// watermark, in topic and partition order.
fn plan(topics: &[TopicInfo], selection: &Selection) -> Vec<PartitionProgress> {
    topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().filter(|p| selection.matches(&t.name, p.partition)).map(|p| PartitionProgress {
                topic: t.name.clone(),
                partition: p.partition,
                start: p.low,
                offset: p.low,
                end: p.high,
            })
        })
        .collect()
}

impl Reader {
    fn new(feed: ReplayFeed) -> Self {
        Self { feed, progress: ReplayProgress::new(ReplayState::Running) }
    }

    /// Takes the partitions to replay.
    fn begin(&mut self, partitions: Vec<PartitionProgress>) {
        self.progress.total = partitions.iter().map(|p| (p.end - p.start).max(0) as u64).sum();
        self.progress.partitions = partitions;
        self.update_state();
    }

    async fn run(
        &mut self,
        kafka: KafkaArgs,
        selection: Selection,
        mut paused: watch::Receiver<bool>,
    ) -> Result<(), ReplayError> {
        let consumer: StreamConsumer =
            super::client::reader_config(&kafka, "trackside-replay").create().map_err(KafkaError::Create)?;
        let consumer = Arc::new(consumer);

        let topics = {
            let c = consumer.clone();
            let names: Vec<String> = selection.topics().map(str::to_owned).collect();
            tokio::task::spawn_blocking(move || {
                names.iter().map(|t| admin::describe_topic(c.as_ref(), t)).collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(KafkaError::from)??
        };
        self.begin(plan(&topics, &selection));
        let mut tpl = TopicPartitionList::new();
        for p in &self.progress.partitions {
            tpl.add_partition_offset(&p.topic, p.partition, Offset::Beginning).map_err(KafkaError::Assign)?;
        }
        consumer.assign(&tpl).map_err(KafkaError::Assign)?;
        info!(partitions = self.progress.partitions.len(), records = self.progress.total, "replay started");
        self.report();

        let mut batcher = Batcher::default();
        let mut flush = tokio::time::interval(BATCH_LINGER);
        let mut report = tokio::time::interval(PROGRESS_INTERVAL);
        loop {
            if *paused.borrow_and_update() {
                self.flush(&mut batcher).await?;
                self.progress.state = ReplayState::Paused;
                self.report();
                while *paused.borrow_and_update() {
                    if paused.changed().await.is_err() {
                        return Ok(());
                    }
                }
                self.update_state();
                self.report();
            }
            let caught_up = self.progress.state == ReplayState::CaughtUp;
            tokio::select! {
                _ = paused.changed() => {}
                msg = consumer.recv() => {
                    self.take(&consumer, &mut batcher, msg);
                    // Whatever librdkafka already holds is taken without a turn of the
                    // select per record, up to a full batch.
                    while !batcher.is_full() {
                        let Some(msg) = consumer.recv().now_or_never() else { break };
                        self.take(&consumer, &mut batcher, msg);
                    }
                    if batcher.is_full() {
                        self.flush(&mut batcher).await?;
                    }
                }
                _ = flush.tick() => self.flush(&mut batcher).await?,
                _ = report.tick(), if !caught_up => self.report(),
            }
            if !caught_up && self.update_state() == ReplayState::CaughtUp {
                self.flush(&mut batcher).await?;
                info!(records = self.progress.delivered, "replay caught up; streaming on");
                self.report();
            }
        }
    }

    /// Decodes one record into the batch, or notes the end of a partition.
    fn take(
        &mut self,
        consumer: &StreamConsumer,
        batcher: &mut Batcher,
        msg: Result<BorrowedMessage<'_>, RdKafkaError>,
    ) {
        match msg {
            Ok(m) => self.record(batcher, m.topic(), m.partition(), m.offset(), decode_record(&m)),
            Err(RdKafkaError::PartitionEOF(partition)) => {
                // Transaction markers and compaction leave offsets that carry no record, so
                // the last record may sit below the high watermark: at the end of the log,
                // the reader's position says how far it is.
                if let Ok(position) = consumer.position() {
                    self.reached_end(partition, &position);
                }
            }
            Err(e) => debug!(error = %e, "replay consumer error"),
        }
    }

    /// Takes one record read at `offset`: into the batch, or counted as malformed.
    fn record(
        &mut self,
        batcher: &mut Batcher,
        topic: &str,
        partition: i32,
        offset: i64,
        decoded: Result<Record, Malformed>,
    ) {
        match decoded {
            Ok(record) => batcher.push(topic, partition, record),
            Err(reason) => {
                self.progress.malformed += 1;
                self.progress.last_malformed = Some(MalformedNote { offset, reason: reason.to_string() });
            }
        }
        self.advance(topic, partition, offset + 1);
    }

    /// Records that the reader's next offset in a partition is `next`.
    fn advance(&mut self, topic: &str, partition: i32, next: i64) {
        let Some(p) = self.progress.partitions.iter_mut().find(|p| p.partition == partition && p.topic == topic) else {
            return;
        };
        if next > p.offset {
            self.progress.delivered += (next.min(p.end) - p.offset.min(p.end)).max(0) as u64;
            p.offset = next;
        }
    }

    /// The end-of-partition event names only a partition number, so the topic comes
    /// from the reader's positions.
    fn reached_end(&mut self, partition: i32, position: &TopicPartitionList) {
        for e in position.elements().iter().filter(|e| e.partition() == partition) {
            if let Offset::Offset(next) = e.offset() {
                self.advance(e.topic(), partition, next);
            }
        }
    }

    async fn flush(&mut self, batcher: &mut Batcher) -> Result<(), Closed> {
        for (tp, records) in batcher.drain() {
            self.feed.send(&tp, &records).await?;
        }
        Ok(())
    }

    /// Works out running or caught up from the offsets reached.
    fn update_state(&mut self) -> ReplayState {
        let done = self.progress.partitions.iter().all(|p| p.offset >= p.end);
        self.progress.state = if done { ReplayState::CaughtUp } else { ReplayState::Running };
        self.progress.state
    }

    fn report(&mut self) {
        let p = &mut self.progress;
        p.progress = if p.total == 0 { 1.0 } else { (p.delivered as f64 / p.total as f64).min(1.0) };
        if p.state == ReplayState::CaughtUp {
            p.progress = 1.0;
        }
        // A viewer that moved on no longer wants to hear about this replay.
        let _ = self.feed.report(&self.progress);
    }

    fn failed(&mut self, error: String) {
        self.progress.state = ReplayState::Failed;
        self.progress.error = Some(error);
        self.report();
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::Value;

    use super::*;
    use crate::{
        hub::{ClientHandle, Hub, Item},
        protocol::TopicSelection,
        status::PartitionInfo,
        telemetry::Sample,
    };

    fn record(offset: i64) -> Result<Record, Malformed> {
        Ok(Record { offset, sample: Sample::minimal("7", offset) })
    }

    fn partition(number: i32, start: i64, end: i64) -> PartitionProgress {
        PartitionProgress { topic: "t".into(), partition: number, start, offset: start, end }
    }

    /// A viewer of a fresh hub replaying `partitions`, and its reader.
    fn replaying(partitions: Vec<PartitionProgress>) -> (ClientHandle, Reader) {
        let viewer = Hub::new(0, 1 << 20).connect();
        let mut reader = Reader::new(viewer.watch_replay());
        reader.begin(partitions);
        (viewer, reader)
    }

    fn json(bytes: &Bytes) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    /// What the viewer was sent, in order: `(partition, offsets)` for a batch, the state
    /// and progress for a report.
    fn sent(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Item::Replay(b) => {
                    let v = json(b);
                    let offsets: Vec<i64> =
                        v["records"].as_array().unwrap().iter().map(|r| r["offset"].as_i64().unwrap()).collect();
                    format!("p{} {offsets:?}", v["partition"])
                }
                Item::Control(b) => {
                    let v = json(b);
                    format!("{} {}/{} {}", v["state"].as_str().unwrap(), v["delivered"], v["total"], v["progress"])
                }
                Item::History(_) => "history".into(),
            })
            .collect()
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
        assert_eq!(plan(&topics, &one), vec![partition(1, 0, 3)]);
        let other = Selection::new(vec![TopicSelection { topic: "u".into(), partitions: None }]).unwrap();
        assert!(plan(&topics, &other).is_empty());
    }

    #[tokio::test]
    async fn every_record_reaches_the_feed_in_offset_order_and_the_end_is_reported_as_caught_up() {
        let (viewer, mut reader) = replaying(vec![partition(0, 0, 3), partition(1, 10, 12)]);
        reader.report();

        let mut batcher = Batcher::default();
        for (p, offset) in [(0, 0), (1, 10), (0, 1), (0, 2)] {
            reader.record(&mut batcher, "t", p, offset, record(offset));
        }
        assert_eq!(reader.update_state(), ReplayState::Running, "partition 1 still has offset 11 to come");
        reader.flush(&mut batcher).await.unwrap();
        reader.report();
        reader.record(&mut batcher, "t", 1, 11, record(11));
        assert_eq!(reader.update_state(), ReplayState::CaughtUp);
        reader.flush(&mut batcher).await.unwrap();
        reader.report();

        assert_eq!(
            sent(&viewer.outbox().take().items),
            vec!["running 0/5 0.0", "p0 [0, 1, 2]", "p1 [10]", "running 4/5 0.8", "p1 [11]", "caught_up 5/5 1.0"]
        );
    }

    #[tokio::test]
    async fn a_malformed_record_is_counted_with_its_reason_and_skipped_but_the_replay_moves_past_it() {
        let (viewer, mut reader) = replaying(vec![partition(0, 0, 3)]);
        let mut batcher = Batcher::default();
        reader.record(&mut batcher, "t", 0, 0, record(0));
        reader.record(
            &mut batcher,
            "t",
            0,
            1,
            crate::telemetry::decode(Some(b"{oops"), None, 0).map(|sample| Record { offset: 1, sample }),
        );
        reader.record(&mut batcher, "t", 0, 2, record(2));
        assert_eq!(reader.update_state(), ReplayState::CaughtUp);
        reader.flush(&mut batcher).await.unwrap();

        assert_eq!(sent(&viewer.outbox().take().items), vec!["p0 [0, 2]"]);
        assert_eq!(reader.progress.malformed, 1);
        let note = reader.progress.last_malformed.as_ref().unwrap();
        assert_eq!(note.offset, 1);
        assert!(note.reason.starts_with("not JSON"), "{}", note.reason);
    }

    #[tokio::test]
    async fn a_reader_whose_viewer_went_back_to_live_is_shut_out() {
        let (viewer, mut reader) = replaying(vec![partition(0, 0, 3)]);
        viewer.watch_live(Selection::default());
        let mut batcher = Batcher::default();
        reader.record(&mut batcher, "t", 0, 0, record(0));

        assert!(reader.flush(&mut batcher).await.is_err(), "the reader learns it should stop");
        reader.report();
        assert!(sent(&viewer.outbox().take().items).is_empty(), "nothing of the old replay reached the viewer");
    }
}
