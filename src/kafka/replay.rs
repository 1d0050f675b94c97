//! One replay reader per replaying viewer. It assigns the viewer's partitions at their
//! earliest offsets on a consumer of its own (no group, no commits, so neither the group
//! nor any other viewer notices), streams every record to the viewer's outbox in
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

use super::{BATCH_LINGER, Batcher, KafkaError, admin};
use crate::{
    config::KafkaArgs,
    hub::{Closed, Outbox},
    protocol::{self, PartitionProgress, ReplayProgress, ReplayState, Selection, ServerMessage},
    status::Status,
    telemetry::MalformedNote,
};

/// How often progress is reported while a replay runs.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// A running replay; dropping it stops the reader and frees its slot.
pub struct Replay {
    paused: watch::Sender<bool>,
    task: JoinHandle<()>,
    _slot: OwnedSemaphorePermit,
}

impl Replay {
    /// Starts replaying `selection` from the earliest offsets into `outbox`. `slot` is
    /// one of the server's bounded replay slots, held for as long as the replay lives.
    pub fn start(
        kafka: KafkaArgs,
        selection: Selection,
        outbox: Arc<Outbox>,
        status: &Status,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        let (paused, paused_rx) = watch::channel(false);
        let gauge = status.replay_guard();
        let epoch = outbox.epoch();
        let task = tokio::spawn(async move {
            let _gauge = gauge;
            let mut reader = Reader::new(outbox, epoch);
            match reader.run(kafka, selection, paused_rx).await {
                Ok(()) => {}
                Err(ReplayError::Closed(_)) => debug!("replay viewer left"),
                Err(ReplayError::Kafka(e)) => {
                    info!(error = %e, "replay failed");
                    reader.failed(e.to_string());
                }
            }
        });
        Self { paused, task, _slot: slot }
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.send_replace(paused);
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
    outbox: Arc<Outbox>,
    epoch: u64,
    progress: ReplayProgress,
}

impl Reader {
    fn new(outbox: Arc<Outbox>, epoch: u64) -> Self {
        let progress = ReplayProgress::new(ReplayState::Running);
        Self { outbox, epoch, progress }
    }

    async fn run(
        &mut self,
        kafka: KafkaArgs,
        selection: Selection,
        mut paused: watch::Receiver<bool>,
    ) -> Result<(), ReplayError> {
        let consumer: StreamConsumer =
            super::reader_config(&kafka, "trackside-replay").create().map_err(KafkaError::Create)?;
        let consumer = Arc::new(consumer);

        let plan = {
            let c = consumer.clone();
            let topics: Vec<String> = selection.topics().map(str::to_owned).collect();
            tokio::task::spawn_blocking(move || {
                topics.iter().map(|t| admin::describe_topic(c.as_ref(), t)).collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(KafkaError::from)??
        };
        let mut tpl = TopicPartitionList::new();
        for topic in &plan {
            for p in topic.partitions.iter().filter(|p| selection.matches(&topic.name, p.partition)) {
                self.progress.partitions.push(PartitionProgress {
                    topic: topic.name.clone(),
                    partition: p.partition,
                    start: p.low,
                    offset: p.low,
                    end: p.high,
                });
                tpl.add_partition_offset(&topic.name, p.partition, Offset::Beginning).map_err(KafkaError::Assign)?;
            }
        }
        self.progress.total = self.progress.partitions.iter().map(|p| (p.end - p.start).max(0) as u64).sum();
        consumer.assign(&tpl).map_err(KafkaError::Assign)?;
        info!(partitions = self.progress.partitions.len(), records = self.progress.total, "replay started");
        self.update_state();
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
            Ok(m) => {
                if let Err(reason) = batcher.push_message(&m) {
                    self.progress.malformed += 1;
                    self.progress.last_malformed =
                        Some(MalformedNote { offset: m.offset(), reason: reason.to_string() });
                }
                self.advance(m.topic(), m.partition(), m.offset() + 1);
            }
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
            self.outbox.push_replay(self.epoch, protocol::encode_batch(&tp.topic, tp.partition, &records)).await?;
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
        let _ = self.outbox.push_replay_control(self.epoch, ServerMessage::Replay(&self.progress).encode());
    }

    fn failed(&mut self, error: String) {
        self.progress.state = ReplayState::Failed;
        self.progress.error = Some(error);
        self.report();
    }
}
