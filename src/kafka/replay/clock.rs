//! The playback clock: which race time (a record's `ts`, ms since the epoch) is due at
//! which wall time, at a speed, paused or not. Pure: every method takes `now`.

use std::time::Duration;

use tokio::time::Instant;

use crate::playback::Speed;

#[derive(Debug, Clone)]
pub(super) struct Clock {
    speed: Speed,
    paused: bool,
    /// Race time at `at`; `None` until the first record sets it.
    ts: Option<f64>,
    at: Instant,
    /// The newest race time released so far: where `max` and a paused `max` stand.
    last: Option<i64>,
}

impl Clock {
    pub(super) fn new(speed: Speed, paused: bool, now: Instant) -> Self {
        Self { speed, paused, ts: None, at: now, last: None }
    }

    pub(super) fn paused(&self) -> bool {
        self.paused
    }

    /// Whether the clock has been started at a race time.
    pub(super) fn started(&self) -> bool {
        self.ts.is_some() || self.last.is_some()
    }

    /// Starts the clock at race time `ts`, now: records before it are due at once. Later
    /// calls change nothing.
    pub(super) fn start(&mut self, ts: i64, now: Instant) {
        if self.ts.is_none() {
            self.ts = Some(ts as f64);
            self.at = now;
        }
    }

    /// Records with a `ts` before this are due: the playhead at a speed, everything at
    /// `max` (until paused, when it stands where it stopped).
    pub(super) fn due(&self, now: Instant) -> i64 {
        match (self.speed, self.paused) {
            (Speed::Max, false) => i64::MAX,
            (Speed::Max, true) => self.frozen(),
            (Speed::Factor(f), _) => match self.ts {
                None => i64::MIN,
                Some(ts) if self.paused => ts.floor() as i64,
                Some(ts) => (ts + elapsed_ms(self.at, now) * f).floor() as i64,
            },
        }
    }

    /// The playhead to show: the clock at a speed, the newest record released at `max`.
    pub(super) fn position(&self, now: Instant) -> Option<i64> {
        match self.speed {
            Speed::Max => self.last.or(self.ts.map(|t| t as i64)),
            Speed::Factor(_) => self.ts.map(|_| self.due(now)),
        }
    }

    /// The newest race time released so far.
    pub(super) fn newest(&self) -> Option<i64> {
        self.last
    }

    /// Puts the playhead at the newest record released: where a replay that streamed at
    /// the live edge stands when it is paused.
    pub(super) fn move_to_newest(&mut self, now: Instant) {
        if let Some(last) = self.last {
            self.ts = Some(last as f64);
            self.at = now;
        }
    }

    /// A record of race time `ts` was released.
    pub(super) fn released(&mut self, ts: i64) {
        self.last = Some(self.last.map_or(ts, |l| l.max(ts)));
    }

    /// When a record of race time `ts` falls due (the playhead passes it), if the clock
    /// runs at a speed.
    pub(super) fn wake_at(&self, ts: i64) -> Option<Instant> {
        let (Speed::Factor(f), false, Some(at_ts)) = (self.speed, self.paused, self.ts) else { return None };
        let wait = ((ts as f64 + 1.0 - at_ts) / f).max(0.0);
        Some(self.at + Duration::from_secs_f64(wait / 1000.0))
    }

    pub(super) fn set_speed(&mut self, speed: Speed, now: Instant) {
        self.rebase(now);
        self.speed = speed;
    }

    pub(super) fn set_paused(&mut self, paused: bool, now: Instant) {
        self.rebase(now);
        self.paused = paused;
    }

    /// Moves the playhead `ms` of race time forward.
    pub(super) fn advance(&mut self, ms: i64, now: Instant) {
        self.rebase(now);
        self.ts = self.ts.map(|t| t + ms as f64);
    }

    /// Keeps the playhead from running past `ts` while the records after it have not
    /// arrived: playback waits for data rather than skipping through it.
    pub(super) fn hold(&mut self, ts: i64, now: Instant) {
        if let (Speed::Factor(_), false) = (self.speed, self.paused)
            && self.due(now) > ts
        {
            self.ts = Some(ts as f64);
            self.at = now;
        }
    }

    /// Re-anchors the clock at `now`, so a change of speed or pause takes effect from here.
    fn rebase(&mut self, now: Instant) {
        let ts = match self.speed {
            Speed::Max => self.last.map(|l| (l + 1) as f64).or(self.ts),
            Speed::Factor(f) => self.ts.map(|ts| if self.paused { ts } else { ts + elapsed_ms(self.at, now) * f }),
        };
        self.ts = ts;
        self.at = now;
    }

    fn frozen(&self) -> i64 {
        // Past the newest record released, so a step forward adds to what went out.
        self.ts.map(|t| t.floor() as i64).or(self.last.map(|l| l + 1)).unwrap_or(i64::MIN)
    }
}

fn elapsed_ms(at: Instant, now: Instant) -> f64 {
    now.saturating_duration_since(at).as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_764_028_800_000;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn at_2x_five_seconds_of_wall_time_move_the_playhead_ten_and_at_half_speed_four_move_it_two() {
        let s = Instant::now();
        let mut fast = Clock::new(Speed::Factor(2.0), false, s);
        fast.start(T0, s);
        assert_eq!(fast.position(at(s, 5_000)), Some(T0 + 10_000));
        let mut slow = Clock::new(Speed::Factor(0.5), false, s);
        slow.start(T0, s);
        assert_eq!(slow.position(at(s, 4_000)), Some(T0 + 2_000));
        assert_eq!(slow.wake_at(T0 + 1_999), Some(at(s, 4_000)), "a record 2 s in falls due after 4 s");
    }

    #[test]
    fn pausing_stops_the_playhead_and_resuming_carries_on_from_the_same_place() {
        let s = Instant::now();
        let mut c = Clock::new(Speed::Factor(1.0), false, s);
        c.start(T0, s);
        c.set_paused(true, at(s, 1_000));
        assert_eq!(c.due(at(s, 3_000)), T0 + 1_000, "nothing more falls due while paused");
        assert_eq!(c.wake_at(T0 + 1_500), None);
        c.set_paused(false, at(s, 3_000));
        assert_eq!(c.position(at(s, 3_500)), Some(T0 + 1_500));
    }

    #[test]
    fn a_change_of_speed_applies_from_the_playhead_on() {
        let s = Instant::now();
        let mut c = Clock::new(Speed::Factor(1.0), false, s);
        c.start(T0, s);
        c.set_speed(Speed::Factor(10.0), at(s, 1_000));
        assert_eq!(c.position(at(s, 2_000)), Some(T0 + 11_000));
    }

    #[test]
    fn max_releases_everything_and_its_playhead_is_the_newest_record_released() {
        let s = Instant::now();
        let mut c = Clock::new(Speed::Max, false, s);
        assert_eq!(c.due(s), i64::MAX);
        c.released(T0 + 5);
        c.released(T0 + 3);
        assert_eq!(c.position(s), Some(T0 + 5));
        c.set_paused(true, s);
        assert_eq!(c.due(at(s, 10_000)), T0 + 6, "a paused max stands just past the newest record");
        c.advance(100, s);
        assert_eq!(c.due(s), T0 + 106, "a step forward releases 100 ms more");
    }

    #[test]
    fn a_step_moves_a_paused_playhead_forward() {
        let s = Instant::now();
        let mut c = Clock::new(Speed::Factor(1.0), true, s);
        c.start(T0, s);
        c.advance(100, at(s, 5_000));
        assert_eq!(c.due(at(s, 9_000)), T0 + 100);
    }

    #[test]
    fn the_playhead_waits_for_records_that_have_not_arrived() {
        let s = Instant::now();
        let mut c = Clock::new(Speed::Factor(1.0), false, s);
        c.start(T0, s);
        c.hold(T0 + 200, at(s, 1_000));
        assert_eq!(c.position(at(s, 1_000)), Some(T0 + 200));
        assert_eq!(c.position(at(s, 1_100)), Some(T0 + 300), "and runs on from there");
        c.hold(T0 + 10_000, at(s, 1_100));
        assert_eq!(c.position(at(s, 1_100)), Some(T0 + 300), "holding ahead of the playhead changes nothing");
    }

    #[test]
    fn before_its_first_record_a_paced_clock_has_no_playhead_and_releases_nothing() {
        let s = Instant::now();
        let c = Clock::new(Speed::Factor(1.0), false, s);
        assert_eq!((c.position(s), c.due(s), c.started()), (None, i64::MIN, false));
    }
}
