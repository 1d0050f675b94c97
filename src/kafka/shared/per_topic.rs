//! Always-on readers that run one per topic the server reads (the lap index's, the notes'):
//! a blocking reader started for each topic that joins the set and stopped by a flag when it
//! leaves, and a reader that starts over after a Kafka failure until it is stopped.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::watch;

use crate::kafka::KafkaError;

/// Until `shutdown`, calls `start(topic, stop)` for each topic that joins the union of the
/// `sets` (it spawns the topic's reader, which ends once `stop` is set) and, for each that
/// leaves them all, sets its `stop` and calls `left(topic)`.
pub(crate) async fn each_topic(
    mut sets: Vec<watch::Receiver<BTreeSet<String>>>,
    shutdown: impl Future<Output = ()>,
    mut start: impl FnMut(&str, Arc<AtomicBool>),
    mut left: impl FnMut(&str),
) {
    tokio::pin!(shutdown);
    let mut running = Running::default();
    loop {
        let mut wanted = BTreeSet::new();
        for set in &mut sets {
            wanted.extend(set.borrow_and_update().iter().cloned());
        }
        running.0.retain(|topic, stop| {
            let keep = wanted.contains(topic);
            if !keep {
                stop.store(true, Ordering::Relaxed);
                left(topic);
            }
            keep
        });
        for topic in wanted {
            if running.0.contains_key(&topic) {
                continue;
            }
            let stop = Arc::new(AtomicBool::new(false));
            running.0.insert(topic.clone(), stop.clone());
            start(&topic, stop);
        }
        let changes = sets.iter_mut().map(|set| Box::pin(set.changed()));
        tokio::select! {
            () = &mut shutdown => break,
            (changed, _, _) = futures_util::future::select_all(changes) => if changed.is_err() { break },
        }
    }
}

/// The stop flag of each topic's reader. Dropping it stops them all, so a runtime that
/// is dropped without a shutdown (a test that panics) is not kept waiting for them.
#[derive(Default)]
struct Running(HashMap<String, Arc<AtomicBool>>);

impl Drop for Running {
    fn drop(&mut self) {
        for stop in self.0.values() {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// Runs `read` (blocking) until it returns `Ok` or `stop` is set; after a failure, shown
/// to `failed`, waits `retry` (watching `stop`) and starts it over.
pub(crate) fn until_stopped(
    stop: &AtomicBool,
    retry: Duration,
    mut read: impl FnMut() -> Result<(), KafkaError>,
    failed: impl Fn(&KafkaError),
) {
    while !stop.load(Ordering::Relaxed) {
        match read() {
            Ok(()) => return,
            Err(e) => failed(&e),
        }
        pause_unless_stopped(stop, retry);
    }
}

/// Sleeps (blocking) for `pause`, or less once `stop` is set; false when it was.
pub(crate) fn pause_unless_stopped(stop: &AtomicBool, pause: Duration) -> bool {
    let until = Instant::now() + pause;
    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100).min(until.saturating_duration_since(Instant::now())));
    }
    !stop.load(Ordering::Relaxed)
}
