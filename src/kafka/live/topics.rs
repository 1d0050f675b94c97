//! The set of topics the group reads, which viewers grow by choosing topics in the page.

use std::collections::BTreeSet;

use tokio::sync::watch;

/// Most topics the group will read at once. Each topic costs fetches and history, and
/// viewers can add topics, so the set is bounded.
pub(crate) const MAX_TOPICS: usize = 64;

/// Lets viewers add topics to what the group reads.
#[derive(Clone)]
pub(crate) struct Topics {
    tx: watch::Sender<BTreeSet<String>>,
}

/// Why a topic could not be added.
#[derive(Debug, thiserror::Error)]
#[error("the server already reads {MAX_TOPICS} topics, the most it will")]
pub(crate) struct TooManyTopics;

impl Topics {
    pub(crate) fn new(initial: &[String]) -> (Self, watch::Receiver<BTreeSet<String>>) {
        let set = initial.iter().filter(|t| !t.is_empty()).cloned().collect();
        let (tx, rx) = watch::channel(set);
        (Self { tx }, rx)
    }

    /// Makes sure the group reads `topics`.
    pub(crate) fn ensure<'a>(&self, topics: impl IntoIterator<Item = &'a str>) -> Result<(), TooManyTopics> {
        let mut result = Ok(());
        self.tx.send_if_modified(|set| {
            let mut changed = false;
            for t in topics {
                if set.contains(t) {
                    continue;
                }
                if set.len() >= MAX_TOPICS {
                    result = Err(TooManyTopics);
                    break;
                }
                set.insert(t.to_owned());
                changed = true;
            }
            changed
        });
        result
    }

    pub(crate) fn current(&self) -> BTreeSet<String> {
        self.tx.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_grow_on_demand_up_to_the_bound() {
        let (topics, rx) = Topics::new(&["telemetry".to_owned()]);
        topics.ensure(["a", "telemetry"]).unwrap();
        assert_eq!(rx.borrow().iter().map(String::as_str).collect::<Vec<_>>(), vec!["a", "telemetry"]);
        let many: Vec<String> = (0..MAX_TOPICS).map(|i| format!("t{i}")).collect();
        assert!(topics.ensure(many.iter().map(String::as_str)).is_err());
        assert_eq!(topics.current().len(), MAX_TOPICS);
    }
}
