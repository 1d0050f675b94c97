//! The annotations topics: one reader per topic the server reads, which reads that
//! topic's notes (`--annotations-topic`, by default `<topic>.annotations`) from the
//! earliest offset and follows them, with a consumer of its own and no group, so every
//! replica has every note, those written before it started included ([`follow`]); and,
//! with `--annotations`, the one writer `serve` ever has ([`write`]).

mod write;

pub(crate) use write::{Annotator, WriteError};

use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    error::KafkaError as RdKafkaError,
    message::{BorrowedMessage, Message},
};
use tokio::sync::watch;
use tracing::debug;

use super::{
    KafkaError, admin,
    shared::{
        client::{self, ReaderContext},
        per_topic,
    },
};
use crate::{
    annotations::{self, Applied, Note, Notes},
    config::KafkaArgs,
    hub::Hub,
    status::Status,
};

/// Wait before looking for an annotations topic again: most topics have none until the
/// first note is written. (The replica that writes a note shows it at once; another
/// replica finds the new topic within this.)
const RETRY: Duration = Duration::from_secs(1);
/// A small prefetch: notes are a few hundred bytes, and one reader runs per topic read.
const PREFETCH_KBYTES: &str = "1024";

/// Where the readers read and what they tell.
#[derive(Clone)]
pub(crate) struct NoteReaders {
    pub kafka: KafkaArgs,
    /// `--annotations-topic`.
    pub template: String,
    pub notes: Notes,
    pub hub: Hub,
    pub status: Status,
}

/// Keeps one notes reader per topic in `topics` until `shutdown`; a topic that leaves
/// the set stops its reader and drops its notes.
pub(crate) async fn follow(
    readers: NoteReaders,
    topics: watch::Receiver<BTreeSet<String>>,
    shutdown: impl Future<Output = ()>,
) {
    let start = |topic: &str, stop: Arc<AtomicBool>| {
        readers.notes.follow(topic);
        let (readers, topic) = (readers.clone(), topic.to_owned());
        tokio::task::spawn_blocking(move || {
            // Starting over after a Kafka failure.
            let notes_topic = annotations::topic_for(&readers.template, &topic);
            per_topic::until_stopped(
                &stop,
                RETRY,
                || read(&readers, &topic, &notes_topic, &stop),
                |e| debug!(topic = notes_topic, error = %e, "annotations: cannot read the topic yet"),
            );
        });
    };
    per_topic::each_topic(vec![topics], shutdown, start, |topic| readers.notes.forget(topic)).await;
}

fn read(readers: &NoteReaders, topic: &str, notes_topic: &str, stop: &AtomicBool) -> Result<(), KafkaError> {
    let config = client::reader_config_with(
        &readers.kafka,
        "trackside-annotations",
        &[("queued.max.messages.kbytes", PREFETCH_KBYTES)],
    );
    let consumer: BaseConsumer<ReaderContext> =
        config.create_with_context(ReaderContext).map_err(KafkaError::Create)?;
    // Most topics have no notes, and so no annotations topic, until the first is written:
    // the same consumer looks again each RETRY (one metadata request, no new client).
    let info = loop {
        match admin::describe_topic(&consumer, notes_topic) {
            Ok(info) => break info,
            Err(KafkaError::UnknownTopic(_)) => {}
            Err(e) => return Err(e),
        }
        if !per_topic::pause_unless_stopped(stop, RETRY) {
            return Ok(());
        }
    };
    let mut assign = TopicPartitionList::new();
    for p in &info.partitions {
        assign.add_partition_offset(notes_topic, p.partition, Offset::Beginning).map_err(KafkaError::Assign)?;
    }
    consumer.assign(&assign).map_err(KafkaError::Assign)?;
    debug!(topic = notes_topic, partitions = info.partitions.len(), "annotations: reading");
    while !stop.load(Ordering::Relaxed) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => apply(readers, topic, &m),
            Some(Err(RdKafkaError::PartitionEOF(_))) | None => {}
            Some(Err(e)) => debug!(topic = notes_topic, error = %e, "annotations reader"),
        }
    }
    Ok(())
}

/// One record of the annotations topic: a note's state, told to the topic's viewers when
/// it is news. A record that is not a note by the rules is skipped.
fn apply(readers: &NoteReaders, topic: &str, m: &BorrowedMessage<'_>) {
    let note = match m.payload().map(serde_json::from_slice::<Note>) {
        Some(Ok(note)) => note,
        Some(Err(e)) => return debug!(topic, offset = m.offset(), error = %e, "annotations: not a note, skipped"),
        None => return,
    };
    if let Err(e) = note.check() {
        return debug!(topic, offset = m.offset(), error = %e, "annotations: a note breaking the rules, skipped");
    }
    announce(readers, topic, m.partition(), m.offset(), note);
}

/// Keeps a note's state read (or just written) at `partition`/`offset`, and tells the
/// topic's viewers when it is news.
pub(crate) fn announce(readers: &NoteReaders, topic: &str, partition: i32, offset: i64, note: Note) {
    if let Applied::Changed { evicted } = readers.notes.apply(topic, partition, offset, note.clone()) {
        readers.hub.announce_annotation(topic, &note);
        if evicted {
            readers.status.count_annotation_evicted();
        }
    }
}
