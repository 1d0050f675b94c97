//! Annotations: notes on the race timeline ("lock-up at turn 4"), kept in Kafka beside
//! the data, in a topic of their own. Here the domain only: a note and the rules a new
//! one or an edit must meet ([`note`]), and the latest state of each note of each topic,
//! bounded ([`store`]). Kafka never rewrites a record, so an edit or a removal is a new
//! record with the same `id`; the store keeps whichever came last.

mod note;
mod store;

pub(crate) use note::{Note, NoteError, NoteRequest, new_id};
pub(crate) use store::{Applied, Notes};

/// The annotations topic's name for a data topic: `template` with `{topic}` replaced.
pub(crate) fn topic_for(template: &str, topic: &str) -> String {
    template.replace(TOPIC_PLACEHOLDER, topic)
}

/// What `--annotations-topic` replaces with the data topic's name.
pub(crate) const TOPIC_PLACEHOLDER: &str = "{topic}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annotations_topic_is_the_template_with_the_data_topic_in_it() {
        assert_eq!(topic_for("{topic}.annotations", "race-1"), "race-1.annotations");
        assert_eq!(topic_for("notes-{topic}", "race-1"), "notes-race-1");
    }
}
