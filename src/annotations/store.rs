//! The latest state of every note of each topic the server reads, fed by the readers of
//! the annotations topics and by this server's own writes. Kafka keeps a note's states
//! in order within its partition (the record key is the note's id), so a state at an
//! offset no later than the one kept is old news: a write this server made is applied as
//! soon as Kafka acknowledges it, and the reader that reads it again later changes nothing.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use super::Note;
use crate::sync::lock;

/// Most notes (removed ones included, as their removal must stay known) kept per topic.
/// A session with more notes than this is far beyond what a timeline can show; past it,
/// the note changed longest ago goes first, and the eviction is counted.
pub(crate) const MAX_NOTES_PER_TOPIC: usize = 10_000;
/// Most bytes of notes' text kept per topic, whichever bound comes first: 10,000 notes of
/// 1,000 four-byte characters would be 40 MB a topic. Notes are some 100 bytes, so for
/// real sessions the count binds first.
pub(crate) const MAX_NOTE_BYTES_PER_TOPIC: usize = 4 << 20;

/// Cheap to clone; every clone is the same store.
#[derive(Clone, Default)]
pub(crate) struct Notes {
    // A std mutex: held for a few map operations, never across an await.
    topics: Arc<Mutex<HashMap<String, TopicNotes>>>,
}

#[derive(Default)]
struct TopicNotes {
    by_id: HashMap<String, Entry>,
    /// Ids by when they last changed, oldest first: the eviction order.
    changed: BTreeMap<u64, String>,
    next_change: u64,
    /// The size of the notes kept, as [`size`] counts it.
    bytes: usize,
}

/// What a note costs the store, roughly: its strings.
fn size(note: &Note) -> usize {
    note.id.len() + note.text.len() + note.author.len() + note.car.as_ref().map_or(0, String::len)
}

struct Entry {
    note: Note,
    /// Where this state was read from (partition, offset).
    at: (i32, i64),
    change: u64,
}

/// What applying a state did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    /// The note changed (or is new): viewers should hear of it.
    Changed { evicted: bool },
    /// Already known, or older than what is known; or the topic is not followed.
    Unchanged,
}

impl Notes {
    /// Starts keeping the notes of `topic` (its reader started).
    pub(crate) fn follow(&self, topic: &str) {
        lock(&self.topics).entry(topic.to_owned()).or_default();
    }

    /// Forgets `topic` (no longer read), so the store is bounded by the topics read.
    pub(crate) fn forget(&self, topic: &str) {
        lock(&self.topics).remove(topic);
    }

    /// Applies the state of a note read at `partition`/`offset` of `topic`'s
    /// annotations. A topic not followed keeps nothing.
    pub(crate) fn apply(&self, topic: &str, partition: i32, offset: i64, note: Note) -> Applied {
        let mut topics = lock(&self.topics);
        let Some(notes) = topics.get_mut(topic) else { return Applied::Unchanged };
        if let Some(old) = notes.by_id.get(&note.id)
            && ((old.at.0 == partition && old.at.1 >= offset) || old.note == note)
        {
            return Applied::Unchanged;
        }
        let change = notes.next_change;
        notes.next_change += 1;
        let id = note.id.clone();
        notes.bytes += size(&note);
        let old = notes.by_id.insert(id.clone(), Entry { note, at: (partition, offset), change });
        if let Some(old) = old {
            notes.changed.remove(&old.change);
            notes.bytes -= size(&old.note);
        }
        notes.changed.insert(change, id);
        let mut evicted = false;
        while notes.by_id.len() > MAX_NOTES_PER_TOPIC || notes.bytes > MAX_NOTE_BYTES_PER_TOPIC {
            let Some((_, oldest)) = notes.changed.pop_first() else { break };
            if let Some(gone) = notes.by_id.remove(&oldest) {
                notes.bytes -= size(&gone.note);
            }
            evicted = true;
        }
        Applied::Changed { evicted }
    }

    /// The note `id` of `topic`, unless it was removed.
    pub(crate) fn get(&self, topic: &str, id: &str) -> Option<Note> {
        let topics = lock(&self.topics);
        topics.get(topic)?.by_id.get(id).map(|e| e.note.clone()).filter(|n| !n.deleted)
    }

    /// Whether `topic`'s notes are kept (its reader runs).
    pub(crate) fn follows(&self, topic: &str) -> bool {
        lock(&self.topics).contains_key(topic)
    }

    /// The notes of `topic` that were not removed, by race time.
    pub(crate) fn list(&self, topic: &str) -> Vec<Note> {
        let topics = lock(&self.topics);
        let mut list: Vec<Note> = topics
            .get(topic)
            .map(|t| t.by_id.values().filter(|e| !e.note.deleted).map(|e| e.note.clone()).collect())
            .unwrap_or_default();
        list.sort_by(|a, b| (a.ts, &a.id).cmp(&(b.ts, &b.id)));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: &str, text: &str) -> Note {
        Note {
            id: id.into(),
            ts: 1_700_000_000_000,
            car: Some("7".into()),
            lap: Some(3),
            text: text.into(),
            author: "a".into(),
            written_at: 0,
            deleted: false,
        }
    }

    #[test]
    fn the_latest_state_of_each_note_is_kept_and_older_ones_change_nothing() {
        let notes = Notes::default();
        notes.follow("t");
        assert_eq!(notes.apply("t", 0, 0, note("a", "one")), Applied::Changed { evicted: false });
        assert_eq!(notes.apply("t", 0, 1, note("a", "two")), Applied::Changed { evicted: false });
        // The reader reads the first state again after this server's write applied the second.
        assert_eq!(notes.apply("t", 0, 0, note("a", "one")), Applied::Unchanged);
        assert_eq!(notes.apply("t", 0, 1, note("a", "two")), Applied::Unchanged);
        assert_eq!(notes.list("t").iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), ["two"]);
    }

    #[test]
    fn a_removed_note_is_listed_no_more_and_stays_removed() {
        let notes = Notes::default();
        notes.follow("t");
        notes.apply("t", 0, 0, note("a", "one"));
        notes.apply("t", 0, 1, Note { deleted: true, ..note("a", "one") });
        assert!(notes.list("t").is_empty() && notes.get("t", "a").is_none());
        assert_eq!(notes.apply("t", 0, 0, note("a", "one")), Applied::Unchanged, "an older state brings nothing back");
    }

    #[test]
    fn notes_are_listed_by_race_time_and_only_for_followed_topics() {
        let notes = Notes::default();
        assert_eq!(notes.apply("t", 0, 0, note("a", "x")), Applied::Unchanged);
        notes.follow("t");
        notes.apply("t", 0, 0, Note { ts: 20, ..note("late", "x") });
        notes.apply("t", 0, 1, Note { ts: 10, ..note("early", "x") });
        let ids: Vec<String> = notes.list("t").into_iter().map(|n| n.id).collect();
        assert_eq!(ids, ["early", "late"]);
        notes.forget("t");
        assert!(notes.list("t").is_empty() && !notes.follows("t"));
    }

    #[test]
    fn past_the_bound_the_note_changed_longest_ago_goes() {
        let notes = Notes::default();
        notes.follow("t");
        for i in 0..MAX_NOTES_PER_TOPIC {
            notes.apply("t", 0, i as i64, note(&format!("n{i}"), "x"));
        }
        // Touching n0 makes n1 the oldest.
        notes.apply("t", 0, MAX_NOTES_PER_TOPIC as i64, note("n0", "edited"));
        let last = notes.apply("t", 0, MAX_NOTES_PER_TOPIC as i64 + 1, note("new", "x"));
        assert_eq!(last, Applied::Changed { evicted: true });
        assert_eq!(notes.list("t").len(), MAX_NOTES_PER_TOPIC);
        assert!(notes.get("t", "n1").is_none() && notes.get("t", "n0").is_some() && notes.get("t", "new").is_some());
    }

    #[test]
    fn past_the_byte_bound_the_oldest_notes_go_too() {
        let notes = Notes::default();
        notes.follow("t");
        let long = "車".repeat(1_000);
        let fits = MAX_NOTE_BYTES_PER_TOPIC / size(&note("n0000", &long));
        for i in 0..fits {
            assert_eq!(
                notes.apply("t", 0, i as i64, note(&format!("n{i:04}"), &long)),
                Applied::Changed { evicted: false }
            );
        }
        let last = notes.apply("t", 0, fits as i64, note("n9999", &long));
        assert_eq!(last, Applied::Changed { evicted: true });
        assert_eq!(notes.list("t").len(), fits);
        assert!(notes.get("t", "n0000").is_none() && notes.get("t", "n9999").is_some());
    }
}
