//! Work done on a period: a ticker that, after a stall, carries on at its period rather
//! than firing the missed ticks in a rush, and a loop that runs a step on every tick
//! until shutdown.

use std::{future::Future, time::Duration};

use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

/// Ticks at once, then every `period`; a late tick delays the ones after it.
pub(crate) fn ticker(period: Duration) -> Interval {
    ticker_from(Instant::now(), period)
}

/// Ticks first at `start`, then every `period`; a late tick delays the ones after it.
pub(crate) fn ticker_from(start: Instant, period: Duration) -> Interval {
    let mut tick = interval_at(start, period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick
}

/// Runs `step` on every tick of `ticker` until `shutdown` completes.
pub(crate) async fn every(mut ticker: Interval, shutdown: impl Future<Output = ()>, mut step: impl FnMut()) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticker.tick() => step(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    };

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_step_runs_at_once_then_each_period_until_shutdown() {
        let steps = Arc::new(AtomicU32::new(0));
        let counted = steps.clone();
        let shutdown = tokio::time::sleep(Duration::from_millis(2_500));
        every(ticker(Duration::from_secs(1)), shutdown, move || {
            counted.fetch_add(1, Ordering::Relaxed);
        })
        .await;
        assert_eq!(steps.load(Ordering::Relaxed), 3, "at 0 s, 1 s and 2 s");
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_stall_the_ticker_keeps_its_period_instead_of_catching_up() {
        let mut tick = ticker_from(Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
        let start = Instant::now();
        tick.tick().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1), "the first tick waits for its start");
        tokio::time::sleep(Duration::from_millis(3_500)).await;
        tick.tick().await;
        let late = start.elapsed();
        tick.tick().await;
        assert_eq!(start.elapsed() - late, Duration::from_secs(1), "one period after the late tick, not at once");
    }
}
