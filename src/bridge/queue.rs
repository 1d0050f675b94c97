//! The two pure policies between decoding and Kafka: `--hz` thinning per car, and the
//! bounded queue of records waiting for Kafka, which drops its oldest when full.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

/// Most cars whose pace is tracked; a stream naming more (F1 has 22) is noise, and the
/// table starts over rather than grow.
const MAX_CARS: usize = 1_000;

/// Lets through at most `hz` samples per second per car, evenly: each car has a next due
/// time that advances by the period, so 60 Hz thinned to 20 keeps every third sample even
/// with jitter, and a car silent for a while starts again at once.
#[derive(Debug)]
pub(crate) struct Thinner {
    period: Option<Duration>,
    due: HashMap<String, Duration>,
}

impl Thinner {
    pub(crate) fn new(hz: Option<f64>) -> Thinner {
        Thinner { period: hz.map(|hz| Duration::from_secs_f64(1.0 / hz)), due: HashMap::new() }
    }

    /// Whether car `car`'s sample at `t` (time since the bridge started) goes on.
    pub(crate) fn admit(&mut self, car: &str, t: Duration) -> bool {
        let Some(period) = self.period else { return true };
        // A tenth of a period of slack: a packet a little early for its slot (network
        // jitter) still fills it, one a whole game tick early does not.
        let slack = period / 10;
        match self.due.get_mut(car) {
            Some(due) if t + slack < *due => false,
            Some(due) => {
                // Behind by more than a period (the car was silent): start from now.
                *due = if t > *due + period { t + period } else { *due + period };
                true
            }
            None => {
                if self.due.len() >= MAX_CARS {
                    self.due.clear();
                }
                self.due.insert(car.to_owned(), t + period);
                true
            }
        }
    }
}

/// A record ready for Kafka.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pending {
    pub(crate) key: String,
    pub(crate) value: Vec<u8>,
    pub(crate) ts: i64,
}

/// Records waiting for Kafka. Bound: `capacity` records; when full, the oldest goes (a
/// live chart wants the newest), and is counted.
#[derive(Debug)]
pub(crate) struct Queue {
    records: VecDeque<Pending>,
    capacity: usize,
    dropped: u64,
}

impl Queue {
    pub(crate) fn new(capacity: usize) -> Queue {
        Queue { records: VecDeque::with_capacity(capacity.min(4096)), capacity: capacity.max(1), dropped: 0 }
    }

    pub(crate) fn push(&mut self, record: Pending) {
        if self.records.len() >= self.capacity {
            self.records.pop_front();
            self.dropped += 1;
        }
        self.records.push_back(record);
    }

    pub(crate) fn front(&self) -> Option<&Pending> {
        self.records.front()
    }

    pub(crate) fn pop(&mut self) -> Option<Pending> {
        self.records.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn sixty_hertz_thinned_to_twenty_keeps_every_third_sample_despite_jitter() {
        let mut t = Thinner::new(Some(20.0));
        let kept: Vec<u64> = (0..12u64)
            .map(|i| i * 1000 / 60 + if i % 2 == 0 { 2 } else { 0 })
            .filter(|&at| t.admit("1", ms(at)))
            .collect();
        assert_eq!(kept.len(), 4, "{kept:?}");
        assert!(kept.windows(2).all(|w| (45..=55).contains(&(w[1] - w[0]))), "{kept:?}");
    }

    #[test]
    fn each_car_is_thinned_on_its_own_and_no_rate_keeps_everything() {
        let mut t = Thinner::new(Some(10.0));
        assert!(t.admit("1", ms(0)) && t.admit("2", ms(1)));
        assert!(!t.admit("1", ms(20)) && !t.admit("2", ms(21)));
        assert!(t.admit("1", ms(5000)), "after a silence a car starts again at once");
        assert!(!t.admit("1", ms(5010)));
        let mut all = Thinner::new(None);
        assert!((0..100).all(|i| all.admit("1", ms(i))));
    }

    #[test]
    fn a_full_queue_drops_its_oldest_and_counts_them() {
        let mut q = Queue::new(3);
        for ts in 0..5 {
            q.push(Pending { key: "1".into(), value: vec![], ts });
        }
        assert_eq!((q.len(), q.dropped()), (3, 2));
        let left: Vec<i64> = std::iter::from_fn(|| q.pop()).map(|p| p.ts).collect();
        assert_eq!(left, [2, 3, 4]);
    }
}
