//! Topics the lap index reads because someone asked for their laps (a reference lap from
//! another session), beside the topics the group reads. Bounded: at most
//! [`MAX_ON_DEMAND`] at once, each dropped after [`IDLE`] without a request. The set is
//! published on a watch channel that `kafka::laps::follow` reads with the group's topics.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::watch;

use super::{IndexInfo, LapTable};
use crate::{sync::lock, tick};

/// Topics indexed on demand at once: each is a reader and its laps, as a watched topic's.
pub(crate) const MAX_ON_DEMAND: usize = 8;
/// A topic nobody asked about for this long is dropped, and its laps with it.
pub(crate) const IDLE: Duration = Duration::from_secs(600);
/// A topic asked about this recently is never dropped to make room for another, so that
/// eight people comparing do not take each other's readers away in turn.
pub(crate) const MIN_KEEP: Duration = Duration::from_secs(60);
/// How often idle topics are looked for.
const SWEEP: Duration = Duration::from_secs(15);

/// Why a topic cannot be indexed now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the server indexes at most {max} topics besides the ones it watches, and each was asked for in the last minute; \
     try again shortly",
    max = MAX_ON_DEMAND
)]
pub(crate) struct Full;

/// What admitting a topic does to the set.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Admit {
    Known,
    Add,
    /// The least recently asked topic makes room.
    Replace(String),
    Full,
}

/// Cheap to clone; every clone is the same set.
#[derive(Clone)]
pub(crate) struct OnDemand {
    // A std mutex: held for a look at a handful of entries, never across an await.
    asked: Arc<Mutex<HashMap<String, Instant>>>,
    tx: Arc<watch::Sender<BTreeSet<String>>>,
}

impl OnDemand {
    /// An empty set, and the receiver the lap index's readers follow.
    pub(crate) fn new() -> (Self, watch::Receiver<BTreeSet<String>>) {
        let (tx, rx) = watch::channel(BTreeSet::new());
        (Self { asked: Arc::default(), tx: Arc::new(tx) }, rx)
    }

    /// Someone asked about `topic` (known to exist): indexed from now on, until idle.
    pub(crate) fn ask(&self, topic: &str, now: Instant) -> Result<(), Full> {
        let mut asked = lock(&self.asked);
        match admit(&asked, topic, now) {
            Admit::Known | Admit::Add => {}
            Admit::Replace(old) => {
                asked.remove(&old);
            }
            Admit::Full => return Err(Full),
        }
        asked.insert(topic.to_owned(), now);
        self.publish(&asked);
        Ok(())
    }

    pub(crate) fn contains(&self, topic: &str) -> bool {
        lock(&self.asked).contains_key(topic)
    }

    /// Drops the topics not asked about for [`IDLE`].
    fn expire(&self, now: Instant) {
        let mut asked = lock(&self.asked);
        asked.retain(|_, at| now.duration_since(*at) < IDLE);
        self.publish(&asked);
    }

    fn publish(&self, asked: &HashMap<String, Instant>) {
        let set: BTreeSet<String> = asked.keys().cloned().collect();
        self.tx.send_if_modified(|old| {
            let changed = *old != set;
            if changed {
                *old = set;
            }
            changed
        });
    }

    /// Drops idle topics until `shutdown`.
    pub(crate) async fn expire_idle(self, shutdown: impl Future<Output = ()>) {
        tick::every(tick::ticker(SWEEP), shutdown, || self.expire(Instant::now())).await;
    }
}

/// Whether `topic` joins `asked` now, and what makes room for it.
fn admit(asked: &HashMap<String, Instant>, topic: &str, now: Instant) -> Admit {
    if asked.contains_key(topic) {
        return Admit::Known;
    }
    if asked.len() < MAX_ON_DEMAND {
        return Admit::Add;
    }
    match asked.iter().min_by_key(|(_, at)| **at) {
        Some((oldest, at)) if now.duration_since(*at) >= MIN_KEEP => Admit::Replace(oldest.clone()),
        _ => Admit::Full,
    }
}

/// The table of a topic whose reader has not begun yet: reading, nothing read of nothing.
pub(crate) fn pending_table(topic: &str) -> LapTable {
    LapTable {
        topic: topic.to_owned(),
        full: true,
        index: IndexInfo { state: "reading", read: 0, total: 0, records_read: 0, bound: None },
        track: None,
        cars: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rx: &watch::Receiver<BTreeSet<String>>) -> Vec<String> {
        rx.borrow().iter().cloned().collect()
    }

    #[test]
    fn a_topic_asked_for_is_published_until_it_goes_idle() {
        let (on_demand, rx) = OnDemand::new();
        let t0 = Instant::now();
        on_demand.ask("quali", t0).unwrap();
        assert_eq!(set(&rx), ["quali"]);
        // Asked again later: its idle time starts again.
        on_demand.ask("quali", t0 + IDLE / 2).unwrap();
        on_demand.expire(t0 + IDLE);
        assert!(on_demand.contains("quali"));
        on_demand.expire(t0 + IDLE / 2 + IDLE);
        assert!(set(&rx).is_empty());
    }

    #[test]
    fn a_ninth_topic_replaces_the_least_recently_asked_once_it_has_had_its_minute() {
        let (on_demand, rx) = OnDemand::new();
        let t0 = Instant::now();
        for i in 0..MAX_ON_DEMAND {
            on_demand.ask(&format!("t{i}"), t0 + Duration::from_secs(i as u64)).unwrap();
        }
        assert_eq!(on_demand.ask("late", t0 + Duration::from_secs(30)), Err(Full));
        assert_eq!(set(&rx).len(), MAX_ON_DEMAND);
        on_demand.ask("late", t0 + MIN_KEEP).unwrap();
        assert!(!on_demand.contains("t0") && on_demand.contains("t1") && on_demand.contains("late"));
        assert_eq!(set(&rx).len(), MAX_ON_DEMAND);
    }
}
