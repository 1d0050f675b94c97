//! Waiting in tests: one patience for every wait on Kafka or the server, and one
//! [`eventually`] that polls a check until it holds and otherwise fails the test saying
//! what it last saw.

use std::time::Duration;

/// How long any wait for Kafka or the server may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// How often [`eventually`] looks again: often enough that a latency a test measures
/// stays honest, rarely enough that polling a local server costs nothing.
const POLL: Duration = Duration::from_millis(50);

/// What a check given to [`eventually`] answers: done, with a value to hand back, or not
/// yet, with what it saw (for the failure message).
pub trait Verdict {
    type Done;
    fn verdict(self) -> Result<Self::Done, String>;
}

impl Verdict for bool {
    type Done = ();
    fn verdict(self) -> Result<(), String> {
        if self { Ok(()) } else { Err("false".into()) }
    }
}

impl<T> Verdict for Option<T> {
    type Done = T;
    fn verdict(self) -> Result<T, String> {
        self.ok_or_else(|| "None".into())
    }
}

/// `Err` carries what the check observed, so a failure shows it.
impl<T, E: std::fmt::Display> Verdict for Result<T, E> {
    type Done = T;
    fn verdict(self) -> Result<T, String> {
        self.map_err(|seen| seen.to_string())
    }
}

/// Runs `check` every [`POLL`] until it says done, and returns what it returned. After
/// [`PATIENCE`] (a check that hangs counts too) fails the test, naming `what` and the
/// last thing the check observed.
///
/// `check` is a closure returning a future (`|| async { .. }`) rather than an async
/// closure: an async closure's future cannot yet be proven `Send`, and a wait inside
/// `tokio::spawn` must be. A check that keeps state between calls keeps it in a `Mutex`.
/// Not an `async fn`, so that a failure can name the line that waited.
#[track_caller]
pub fn eventually<V: Verdict, F: Future<Output = V>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> impl Future<Output = V::Done> {
    let caller = std::panic::Location::caller();
    async move {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut last = String::from("nothing, the first check never finished");
        loop {
            match tokio::time::timeout_at(deadline, check()).await.map(Verdict::verdict) {
                Ok(Ok(done)) => return done,
                Ok(Err(seen)) => last = seen,
                Err(_) => break,
            }
            if tokio::time::Instant::now() + POLL >= deadline {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        panic!("{caller}: waited {PATIENCE:?} for {what}; last observed: {last}");
    }
}
