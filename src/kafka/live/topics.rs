//! The set of topics Kafka is read for: those `--topics` names, and those viewers watch.
//! A topic no viewer has watched for `--topic-idle-secs` leaves the set; watched again,
//! it comes back, and its readers start at the history window again.
//!
//! The set goes out on one watch channel, which everything that reads the live topics
//! follows (the group member, its follower); the hub is told first, so no reader delivers
//! a topic the hub does not take.

use std::{
    collections::{BTreeSet, HashMap},
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::watch;
use tracing::info;

use crate::{hub::Hub, sync::lock, tick};

/// Most topics watched at once. Each topic read costs fetches and history, and viewers
/// choose topics, so the set is bounded: a topic no viewer watches any longer makes room
/// at once (the one unwatched longest first); when every topic in the set has a viewer or
/// was named by `--topics`, a new one is refused.
pub(crate) const MAX_TOPICS: usize = 64;

/// How often idle topics are looked for, at most: a quarter of the idle time, so a topic
/// leaves within 1.25 times it, but at least this often.
const SWEEP_MAX: Duration = Duration::from_secs(10);
const SWEEP_MIN: Duration = Duration::from_millis(100);

/// Lets viewers watch topics, and so have them read. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Topics {
    inner: Arc<Inner>,
}

struct Inner {
    tx: watch::Sender<BTreeSet<String>>,
    hub: Hub,
    /// How long a topic stays read after its last viewer stopped watching it.
    idle: Duration,
    // A std mutex: held for a few map operations, never across an await.
    watched: Mutex<Watched>,
}

/// Who watches what, for the decisions below (pure functions of it).
#[derive(Debug, Default)]
struct Watched {
    /// Named by `--topics`: read always.
    pinned: BTreeSet<String>,
    /// Viewers watching each topic now; a topic with none is not a key.
    viewers: HashMap<String, usize>,
    /// When the last viewer of each read, unpinned topic with no viewer left it.
    unwatched_since: HashMap<String, Instant>,
}

/// Why a topic could not be added.
#[derive(Debug, thiserror::Error)]
#[error(
    "{MAX_TOPICS} topics are watched at once, the most this server reads; a topic makes room \
     once no viewer watches it"
)]
pub(crate) struct TooManyTopics;

/// Viewers' interest in some topics: they stay read while it lives, and for the idle
/// time after it is dropped.
#[must_use = "the topics are only watched while this lives"]
pub(crate) struct Watching {
    topics: Topics,
    names: BTreeSet<String>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.topics.release(&self.names, Instant::now());
    }
}

impl Topics {
    /// The set starts as `pinned`, which never leave it.
    pub(crate) fn new(pinned: &[String], idle: Duration, hub: Hub) -> (Self, watch::Receiver<BTreeSet<String>>) {
        let pinned: BTreeSet<String> = pinned.iter().filter(|t| !t.is_empty()).cloned().collect();
        hub.read_topics(&pinned);
        let (tx, rx) = watch::channel(pinned.clone());
        let watched = Mutex::new(Watched { pinned, ..Watched::default() });
        (Self { inner: Arc::new(Inner { tx, hub, idle, watched }) }, rx)
    }

    /// Makes sure `topics` are read for as long as the returned value lives.
    pub(crate) fn watch<'a>(&self, topics: impl IntoIterator<Item = &'a str>) -> Result<Watching, TooManyTopics> {
        let names: BTreeSet<String> = topics.into_iter().map(str::to_owned).collect();
        let mut watched = lock(&self.inner.watched);
        let read = self.current();
        let evicted = make_room(&watched, &read, &names)?;
        for name in &names {
            *watched.viewers.entry(name.clone()).or_default() += 1;
            watched.unwatched_since.remove(name);
        }
        for name in &evicted {
            watched.unwatched_since.remove(name);
        }
        if !evicted.is_empty() {
            info!(topics = ?evicted, "unwatched topics leave the subscription to make room");
        }
        let mut next = read;
        next.retain(|t| !evicted.contains(t));
        next.extend(names.iter().cloned());
        self.publish(next);
        drop(watched);
        Ok(Watching { topics: self.clone(), names })
    }

    fn release(&self, names: &BTreeSet<String>, now: Instant) {
        let mut watched = lock(&self.inner.watched);
        for name in names {
            let Some(n) = watched.viewers.get_mut(name) else { continue };
            *n -= 1;
            if *n == 0 {
                watched.viewers.remove(name);
                if !watched.pinned.contains(name) {
                    watched.unwatched_since.insert(name.clone(), now);
                }
            }
        }
    }

    /// Takes out the topics no viewer has watched for the idle time.
    fn expire(&self, now: Instant) {
        let mut watched = lock(&self.inner.watched);
        let gone = idle_topics(&watched, now, self.inner.idle);
        if gone.is_empty() {
            return;
        }
        for name in &gone {
            watched.unwatched_since.remove(name);
        }
        info!(topics = ?gone, idle = ?self.inner.idle, "topics no viewer watched leave the subscription");
        let mut next = self.current();
        next.retain(|t| !gone.contains(t));
        self.publish(next);
    }

    /// The hub first, then the readers: see the module's doc.
    fn publish(&self, next: BTreeSet<String>) {
        if next != *self.inner.tx.borrow() {
            self.inner.hub.read_topics(&next);
            self.inner.tx.send_replace(next);
        }
    }

    pub(crate) fn current(&self) -> BTreeSet<String> {
        self.inner.tx.borrow().clone()
    }

    /// Takes idle topics out of the set until `shutdown`.
    pub(crate) async fn expire_idle(self, shutdown: impl Future<Output = ()>) {
        let period = (self.inner.idle / 4).clamp(SWEEP_MIN, SWEEP_MAX);
        tick::every(tick::ticker(period), shutdown, || self.expire(Instant::now())).await;
    }
}

/// The topics to take out of `read` so that `wanted` fits within [`MAX_TOPICS`]: those no
/// viewer watches, unwatched longest first. Refused when they are not enough.
fn make_room(
    watched: &Watched,
    read: &BTreeSet<String>,
    wanted: &BTreeSet<String>,
) -> Result<Vec<String>, TooManyTopics> {
    let adding = wanted.iter().filter(|t| !read.contains(*t)).count();
    let over = (read.len() + adding).saturating_sub(MAX_TOPICS);
    if over == 0 {
        return Ok(Vec::new());
    }
    let mut idle: Vec<(&String, &Instant)> =
        watched.unwatched_since.iter().filter(|(t, _)| read.contains(*t) && !wanted.contains(*t)).collect();
    if idle.len() < over {
        return Err(TooManyTopics);
    }
    idle.sort_by_key(|(t, since)| (**since, (*t).clone()));
    Ok(idle.into_iter().take(over).map(|(t, _)| t.clone()).collect())
}

/// The topics no viewer has watched for `idle` by `now`; never one `--topics` named.
fn idle_topics(watched: &Watched, now: Instant, idle: Duration) -> Vec<String> {
    let mut gone: Vec<String> = watched
        .unwatched_since
        .iter()
        .filter(|(t, since)| !watched.pinned.contains(*t) && now.saturating_duration_since(**since) >= idle)
        .map(|(t, _)| t.clone())
        .collect();
    gone.sort();
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_secs(600);

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn topics(pinned: &[&str]) -> (Topics, watch::Receiver<BTreeSet<String>>) {
        Topics::new(&pinned.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), IDLE, Hub::new(0, 1 << 20))
    }

    #[test]
    fn a_topic_leaves_once_no_viewer_has_watched_it_for_the_idle_time_and_a_pinned_one_never() {
        let t0 = Instant::now();
        let watched = Watched {
            pinned: names(&["telemetry"]),
            viewers: [("busy".to_owned(), 2)].into(),
            unwatched_since: [("quiet".to_owned(), t0), ("recent".to_owned(), t0 + Duration::from_secs(300))].into(),
        };
        assert!(idle_topics(&watched, t0 + Duration::from_secs(599), IDLE).is_empty());
        assert_eq!(idle_topics(&watched, t0 + IDLE, IDLE), vec!["quiet"]);
        assert_eq!(idle_topics(&watched, t0 + Duration::from_secs(900), IDLE), vec!["quiet", "recent"]);
    }

    #[test]
    fn a_full_set_makes_room_from_unwatched_topics_oldest_first_and_refuses_when_all_are_watched() {
        let t0 = Instant::now();
        let read: BTreeSet<String> = (0..MAX_TOPICS).map(|i| format!("t{i}")).collect();
        let mut watched = Watched::default();
        watched.unwatched_since.insert("t5".into(), t0 + Duration::from_secs(1));
        watched.unwatched_since.insert("t9".into(), t0);
        assert_eq!(make_room(&watched, &read, &names(&["t1"])).unwrap(), Vec::<String>::new(), "already read");
        assert_eq!(make_room(&watched, &read, &names(&["new"])).unwrap(), vec!["t9"]);
        assert_eq!(make_room(&watched, &read, &names(&["new", "other"])).unwrap(), vec!["t9", "t5"]);
        // A topic being asked for again is not evicted to make room for its neighbour.
        assert_eq!(make_room(&watched, &read, &names(&["new", "t9"])).unwrap(), vec!["t5"]);
        let refused = make_room(&watched, &read, &names(&["a", "b", "c"])).unwrap_err();
        assert!(refused.to_string().contains("64 topics are watched at once"), "{refused}");
    }

    #[test]
    fn watching_adds_topics_and_the_last_viewer_leaving_starts_the_idle_clock() {
        let (topics, rx) = topics(&["telemetry"]);
        let a = topics.watch(["pit", "telemetry"]).unwrap();
        let b = topics.watch(["pit"]).unwrap();
        assert_eq!(*rx.borrow(), names(&["pit", "telemetry"]));
        let now = Instant::now();
        drop(a);
        topics.expire(now + IDLE);
        assert_eq!(*rx.borrow(), names(&["pit", "telemetry"]), "still watched by b");
        drop(b);
        topics.expire(Instant::now() + IDLE / 2);
        assert_eq!(*rx.borrow(), names(&["pit", "telemetry"]), "not idle long enough");
        topics.expire(Instant::now() + IDLE);
        assert_eq!(*rx.borrow(), names(&["telemetry"]), "the pinned topic stays");
        let _again = topics.watch(["pit"]).unwrap();
        assert_eq!(*rx.borrow(), names(&["pit", "telemetry"]));
    }

    #[test]
    fn the_bound_is_on_topics_watched_at_once() {
        let (topics, rx) = topics(&[]);
        let many: Vec<String> = (0..MAX_TOPICS).map(|i| format!("t{i}")).collect();
        let all = topics.watch(many.iter().map(String::as_str)).unwrap();
        assert!(topics.watch(["one-more"]).is_err());
        drop(all);
        let _one_more = topics.watch(["one-more"]).unwrap();
        assert_eq!(rx.borrow().len(), MAX_TOPICS);
        assert!(rx.borrow().contains("one-more"));
    }
}
