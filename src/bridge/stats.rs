//! What a bridge has done so far: counters the run loop keeps, a snapshot anyone may
//! read while it runs (the tests do), and the progress line made from them.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use super::Game;
use crate::sync::lock;

/// A snapshot of a bridge's counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// The game recognised (or chosen), once known.
    pub game: Option<Game>,
    pub datagrams: u64,
    /// Records made from them and queued for Kafka (after `--hz` thinning).
    pub records: u64,
    /// Records dropped, oldest first, because the queue for Kafka was full.
    pub dropped: u64,
    /// Datagrams that produced nothing, by reason ("not racing", "truncated"...).
    pub unusable: BTreeMap<&'static str, u64>,
    /// The last such reason, in words.
    pub last_unusable: Option<String>,
    /// Records the broker acknowledged.
    pub delivered: u64,
    /// Records librdkafka gave up on or refused.
    pub delivery_errors: u64,
    /// Records still waiting for Kafka when the bridge stopped (queued or in flight).
    pub unsent: u64,
    /// Datagrams `--forward` could not pass on.
    pub forward_errors: u64,
}

impl Counts {
    pub fn unusable_total(&self) -> u64 {
        self.unusable.values().sum()
    }
}

/// The counters, shared between the run loop and readers. A std mutex: held for a few
/// additions, never across an await.
#[derive(Debug, Clone, Default)]
pub struct Stats(Arc<Mutex<Counts>>);

impl Stats {
    pub fn snapshot(&self) -> Counts {
        lock(&self.0).clone()
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut Counts)) {
        f(&mut lock(&self.0));
    }
}

/// The one-line status: format, rates, and what was lost or unusable.
pub(crate) fn status_line(c: &Counts, packets_per_s: f64, records_per_s: f64) -> String {
    let game = c.game.map_or_else(|| "no game recognised yet".to_owned(), |g| g.to_string());
    let mut line = format!(
        "{game}: {packets_per_s:.0} packets/s, {records_per_s:.0} records/s, {} records, {} dropped, {} unusable",
        c.records,
        c.dropped,
        c.unusable_total()
    );
    if !c.unusable.is_empty() {
        let kinds: Vec<String> = c.unusable.iter().map(|(k, n)| format!("{k} {n}")).collect();
        line.push_str(&format!(" ({})", kinds.join(", ")));
    }
    if c.delivery_errors > 0 {
        line.push_str(&format!(", {} delivery errors", c.delivery_errors));
    }
    if c.forward_errors > 0 {
        line.push_str(&format!(", {} not forwarded", c.forward_errors));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_says_format_rates_drops_and_why_datagrams_were_unusable() {
        let mut c = Counts { game: Some(Game::F1), records: 91_234, dropped: 12, ..Counts::default() };
        assert_eq!(
            status_line(&c, 1420.4, 1319.6),
            "F1: 1420 packets/s, 1320 records/s, 91234 records, 12 dropped, 0 unusable"
        );
        c.unusable.insert("not racing", 40);
        c.unusable.insert("truncated", 2);
        c.delivery_errors = 3;
        assert_eq!(
            status_line(&c, 0.0, 0.0),
            "F1: 0 packets/s, 0 records/s, 91234 records, 12 dropped, 42 unusable (not racing 40, truncated 2), \
             3 delivery errors"
        );
        assert!(status_line(&Counts::default(), 0.0, 0.0).starts_with("no game recognised yet: "));
    }
}
