//! One note, as it is kept in Kafka and sent to viewers, and the rules a request to
//! write one must meet. Counted in characters, not bytes, so a note in Japanese gets the
//! same 1,000 as one in English.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Longest text of a note, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 1_000;
/// Longest author name, in characters.
pub(crate) const MAX_AUTHOR_CHARS: usize = 64;
/// Longest car name a note may name, in characters (as long as an author).
const MAX_CAR_CHARS: usize = 64;
/// Longest id a request may name: the server's own are 30 characters.
const MAX_ID_CHARS: usize = 64;
/// Race times before 1970 or after 9999 are surely a unit mistake (seconds, µs).
const TS_RANGE: std::ops::RangeInclusive<i64> = 0..=253_402_300_799_999;

/// A note: the record value in the annotations topic (keyed by `id`), and the body of
/// the `annotation` message with `topic` beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Note {
    /// Made by the server that first wrote the note; every later state keeps it.
    pub id: String,
    /// Race time, ms since the epoch: where the note sits on the timeline.
    pub ts: i64,
    #[serde(default)]
    pub car: Option<String>,
    #[serde(default)]
    pub lap: Option<u32>,
    pub text: String,
    pub author: String,
    /// When this state of the note was written (the server's clock, ms since the epoch).
    pub written_at: i64,
    /// A removal: the last state of a note, marked so.
    #[serde(default)]
    pub deleted: bool,
}

/// `POST /api/annotations`: a new note (no `id`), an edit (`id` and the whole new
/// note), or a removal (`id` and `"deleted": true`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteRequest {
    pub topic: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub ts: Option<i64>,
    #[serde(default)]
    pub car: Option<String>,
    #[serde(default)]
    pub lap: Option<u32>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub deleted: bool,
}

/// Why a request to write a note was refused, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NoteError {
    #[error("`{0}` is missing")]
    Missing(&'static str),
    #[error("a note needs some text")]
    EmptyText,
    #[error("a note's text is at most {MAX_TEXT_CHARS} characters; this one has {0}")]
    TextTooLong(usize),
    #[error("a note needs an author name")]
    EmptyAuthor,
    #[error("an author name is at most {MAX_AUTHOR_CHARS} characters")]
    AuthorTooLong,
    #[error("a car is named by 1 to {MAX_CAR_CHARS} characters")]
    BadCar,
    #[error("`ts` must be race time in ms since the epoch, between 1970 and 9999")]
    BadTs,
    #[error("`{0}` is not a note id")]
    BadId(String),
    #[error("a new note cannot be deleted: name the `id` of the note to remove")]
    DeleteWithoutId,
    #[error("no note `{0}` on this topic")]
    Unknown(String),
    #[error("author names and cars may not hold control characters")]
    ControlCharacter,
}

impl NoteRequest {
    /// The id this request edits or removes, checked; `None` for a new note.
    pub(crate) fn target(&self) -> Result<Option<&str>, NoteError> {
        match &self.id {
            None if self.deleted => Err(NoteError::DeleteWithoutId),
            None => Ok(None),
            Some(id) if is_id(id) => Ok(Some(id)),
            Some(id) => Err(NoteError::BadId(id.chars().take(MAX_ID_CHARS).collect())),
        }
    }

    /// The note to write: a new one under `new_id`, or the next state of `existing`
    /// (which the caller found under [`target`](Self::target)'s id).
    pub(crate) fn into_note(self, existing: Option<&Note>, new_id: String, now_ms: i64) -> Result<Note, NoteError> {
        let id = match (self.target()?, existing) {
            (None, _) => new_id,
            (Some(id), Some(old)) if old.id == id => id.to_owned(),
            (Some(id), _) => return Err(NoteError::Unknown(id.to_owned())),
        };
        if self.deleted {
            // A removal keeps the note as it was, so the record says what went.
            let old = existing.ok_or_else(|| NoteError::Unknown(id.clone()))?;
            return Ok(Note { written_at: now_ms, deleted: true, ..old.clone() });
        }
        let ts = self.ts.ok_or(NoteError::Missing("ts"))?;
        let text = self.text.ok_or(NoteError::Missing("text"))?;
        let author = self.author.ok_or(NoteError::Missing("author"))?;
        let note = Note {
            id,
            ts,
            car: self.car,
            lap: self.lap,
            text,
            author: author.trim().to_owned(),
            written_at: now_ms,
            deleted: false,
        };
        note.check()?;
        Ok(note)
    }
}

impl Note {
    /// Whether the note keeps the rules: what the server writes always does, and a record
    /// someone else wrote into the topic that does not is skipped by readers.
    pub(crate) fn check(&self) -> Result<(), NoteError> {
        if !is_id(&self.id) {
            return Err(NoteError::BadId(self.id.chars().take(MAX_ID_CHARS).collect()));
        }
        if !TS_RANGE.contains(&self.ts) {
            return Err(NoteError::BadTs);
        }
        if self.text.trim().is_empty() {
            return Err(NoteError::EmptyText);
        }
        let chars = self.text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(NoteError::TextTooLong(chars));
        }
        if self.author.trim().is_empty() {
            return Err(NoteError::EmptyAuthor);
        }
        if self.author.chars().count() > MAX_AUTHOR_CHARS {
            return Err(NoteError::AuthorTooLong);
        }
        if let Some(car) = &self.car
            && (car.is_empty() || car.chars().count() > MAX_CAR_CHARS)
        {
            return Err(NoteError::BadCar);
        }
        let names = std::iter::once(self.author.as_str()).chain(self.car.as_deref());
        if names.flat_map(str::chars).any(char::is_control) {
            return Err(NoteError::ControlCharacter);
        }
        Ok(())
    }
}

/// Ids are what [`new_id`] makes, or at least as tame: 1 to 64 of `[A-Za-z0-9_-]`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A new note id: the time in ms and 64 random bits, both in hex (`18c2f0a1b2c-…`).
/// Unique across replicas without asking anyone: two notes in the same millisecond
/// differ by their random part (std's `RandomState` is seeded from the OS per process,
/// and the counter makes every call differ within one).
pub(crate) fn new_id(now_ms: i64) -> String {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let random = RandomState::new().hash_one((now_ms, CALLS.fetch_add(1, Ordering::Relaxed)));
    format!("{now_ms:x}-{random:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str, author: &str) -> NoteRequest {
        NoteRequest {
            topic: "t".into(),
            ts: Some(1_700_000_000_000),
            text: Some(text.into()),
            author: Some(author.into()),
            ..NoteRequest::default()
        }
    }

    #[test]
    fn a_new_note_gets_the_new_id_and_keeps_its_text_exactly() {
        let text = "<script>alert(1)</script> & <img src=x onerror=alert(2)>";
        let note = request(text, " Ana ").into_note(None, "id-1".into(), 5).unwrap();
        assert_eq!((note.id.as_str(), note.text.as_str(), note.author.as_str()), ("id-1", text, "Ana"));
        assert_eq!((note.written_at, note.deleted), (5, false));
    }

    #[test]
    fn text_is_counted_in_characters_not_bytes() {
        let kanji = "車".repeat(MAX_TEXT_CHARS);
        assert!(kanji.len() > MAX_TEXT_CHARS, "more bytes than characters");
        assert!(request(&kanji, "a").into_note(None, "i".into(), 0).is_ok());
        let over = format!("{kanji}x");
        assert_eq!(request(&over, "a").into_note(None, "i".into(), 0), Err(NoteError::TextTooLong(1001)));
    }

    #[test]
    fn empty_text_or_author_and_long_authors_are_refused() {
        assert_eq!(request("  \n", "a").into_note(None, "i".into(), 0), Err(NoteError::EmptyText));
        assert_eq!(request("x", " ").into_note(None, "i".into(), 0), Err(NoteError::EmptyAuthor));
        let long = "a".repeat(MAX_AUTHOR_CHARS + 1);
        assert_eq!(request("x", &long).into_note(None, "i".into(), 0), Err(NoteError::AuthorTooLong));
        assert!(request("x", &"é".repeat(MAX_AUTHOR_CHARS)).into_note(None, "i".into(), 0).is_ok());
        assert_eq!(request("x", "a\u{7}b").into_note(None, "i".into(), 0), Err(NoteError::ControlCharacter));
        assert!(request("two\nlines", "a").into_note(None, "i".into(), 0).is_ok(), "text may have newlines");
    }

    #[test]
    fn missing_fields_a_bad_time_a_bad_car_and_a_bad_id_are_named() {
        let mut r = request("x", "a");
        r.ts = None;
        assert_eq!(r.into_note(None, "i".into(), 0), Err(NoteError::Missing("ts")));
        let mut r = request("x", "a");
        r.ts = Some(-1);
        assert_eq!(r.into_note(None, "i".into(), 0), Err(NoteError::BadTs));
        let mut r = request("x", "a");
        r.car = Some(String::new());
        assert_eq!(r.into_note(None, "i".into(), 0), Err(NoteError::BadCar));
        let mut r = request("x", "a");
        r.id = Some("../etc".into());
        assert_eq!(r.target(), Err(NoteError::BadId("../etc".into())));
    }

    #[test]
    fn an_edit_keeps_the_id_and_a_removal_keeps_the_last_state() {
        let first = request("first", "a").into_note(None, "n1".into(), 1).unwrap();
        let mut edit = request("second", "b");
        edit.id = Some("n1".into());
        let second = edit.into_note(Some(&first), "unused".into(), 2).unwrap();
        assert_eq!((second.id.as_str(), second.text.as_str(), second.written_at), ("n1", "second", 2));
        let remove = NoteRequest { topic: "t".into(), id: Some("n1".into()), deleted: true, ..NoteRequest::default() };
        let gone = remove.into_note(Some(&second), "unused".into(), 3).unwrap();
        assert_eq!(gone, Note { deleted: true, written_at: 3, ..second });
    }

    #[test]
    fn an_edit_of_an_unknown_note_or_a_removal_without_an_id_is_refused() {
        let mut edit = request("x", "a");
        edit.id = Some("nope".into());
        assert_eq!(edit.into_note(None, "i".into(), 0), Err(NoteError::Unknown("nope".into())));
        let remove = NoteRequest { topic: "t".into(), deleted: true, ..NoteRequest::default() };
        assert_eq!(remove.target(), Err(NoteError::DeleteWithoutId));
    }

    #[test]
    fn new_ids_differ_even_in_the_same_millisecond_and_are_valid_ids() {
        let (a, b) = (new_id(1_700_000_000_000), new_id(1_700_000_000_000));
        assert_ne!(a, b);
        assert!(is_id(&a) && a.starts_with("18bcfe56800-"), "{a}");
    }
}
