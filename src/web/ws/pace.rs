//! A viewer's frame pacing: at most `--max-frame-rate` frames a second, and no wait a
//! viewer does not need. A frame goes one period after the last one started (the time
//! sending took counts in the period), at once after an idle gap, and a wake-up that
//! found nothing to send starts no period. Each wait beyond that was latency a live
//! record paid on top of the one frame of batching a 60 Hz page needs.

use std::time::Duration;

use tokio::time::Instant;

pub(super) struct Pace {
    period: Duration,
    /// The earliest the next frame may go.
    next: Instant,
}

impl Pace {
    pub(super) fn new(frames_per_sec: u32) -> Self {
        Self { period: Duration::from_secs(1) / frames_per_sec.max(1), next: Instant::now() }
    }

    /// Waits until the next frame may go.
    pub(super) async fn ready(&self) {
        tokio::time::sleep_until(self.next).await;
    }

    /// A frame started going at `started`. `full` says it was a whole frame's worth,
    /// which needs no batching (a replay's backlog, usually): waiting then would only hold
    /// the replay reader back, and the socket paces it instead.
    pub(super) fn sent(&mut self, started: Instant, full: bool) {
        self.next = if full { started } else { started + self.period };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn frames_go_a_period_apart_but_at_once_after_an_idle_gap() {
        let t0 = Instant::now();
        let mut pace = Pace::new(50); // 20 ms
        pace.ready().await;
        assert_eq!(t0.elapsed(), Duration::ZERO, "the first frame goes at once");
        // A frame that took 5 ms to send: the next may go 20 ms after it started, not 25.
        pace.sent(Instant::now(), false);
        tokio::time::sleep(Duration::from_millis(5)).await;
        pace.ready().await;
        assert_eq!(t0.elapsed(), Duration::from_millis(20));
        // Nothing for a while: the frame after the gap goes as soon as it is ready.
        pace.sent(Instant::now(), false);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let woke = Instant::now();
        pace.ready().await;
        assert_eq!(woke.elapsed(), Duration::ZERO);
        // A whole frame's worth sets no period.
        pace.sent(Instant::now(), true);
        let full = Instant::now();
        pace.ready().await;
        assert_eq!(full.elapsed(), Duration::ZERO);
    }
}
