//! What a topic's channels have carried so far: for each, the records that carried it and
//! its minimum and maximum, updated by the live stream as it decodes (atomics, no lock to
//! take); and the list `/api/channels` and the `channels` message send.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::{
    dictionary::Dropped,
    units::{by_suffix, unit_of},
};

/// The v1 fields that are channels, in the order [`crate::telemetry::Sample::v1_values`]
/// gives their values.
pub const V1_CHANNELS: [&str; 13] = [
    "speed_kph",
    "rpm",
    "tire_temp_c.fl",
    "tire_temp_c.fr",
    "tire_temp_c.rl",
    "tire_temp_c.rr",
    "lap",
    "gear",
    "throttle",
    "brake",
    "x",
    "y",
    "lap_distance_m",
];

/// One channel's count and range.
#[derive(Debug)]
pub struct Stat {
    records: AtomicU64,
    /// A math channel's records that lacked an input.
    missing: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
}

impl Default for Stat {
    fn default() -> Stat {
        Stat {
            records: AtomicU64::new(0),
            missing: AtomicU64::new(0),
            min: AtomicU64::new(f64::INFINITY.to_bits()),
            max: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
        }
    }
}

impl Stat {
    /// Counts one record carrying `v`; true when it is the channel's first.
    pub fn observe(&self, v: f64) -> bool {
        let first = self.records.fetch_add(1, Ordering::Relaxed) == 0;
        let _ = self
            .min
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |m| (v < f64::from_bits(m)).then(|| v.to_bits()));
        let _ = self
            .max
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |m| (v > f64::from_bits(m)).then(|| v.to_bits()));
        first
    }

    /// Counts one record that had no value of this math channel.
    pub fn miss(&self) {
        self.missing.fetch_add(1, Ordering::Relaxed);
    }

    pub fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }

    /// The minimum and maximum so far, none before the first record.
    fn range(&self) -> (Option<f64>, Option<f64>) {
        let finite = |a: &AtomicU64| Some(f64::from_bits(a.load(Ordering::Relaxed))).filter(|v| v.is_finite());
        (finite(&self.min), finite(&self.max))
    }
}

/// One channel as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelInfo {
    pub name: String,
    /// None when neither the table nor the name's suffix gives one.
    pub unit: Option<&'static str>,
    /// Records of the live stream that carried it.
    pub records: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Computed by the server from other channels (`serve --channels`).
    pub math: bool,
    /// Records that lacked an input, so had no value of this math channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_inputs: Option<u64>,
}

impl ChannelInfo {
    pub(crate) fn new(name: &str, stat: &Stat) -> ChannelInfo {
        let (min, max) = stat.range();
        ChannelInfo {
            name: name.to_owned(),
            unit: unit_of(name),
            records: stat.records(),
            min,
            max,
            math: false,
            missing_inputs: None,
        }
    }

    /// A math channel: its unit by its name's suffix alone, and its records without a value.
    pub(crate) fn math(name: &str, stat: &Stat) -> ChannelInfo {
        ChannelInfo {
            unit: by_suffix(name),
            math: true,
            missing_inputs: Some(stat.missing.load(Ordering::Relaxed)),
            ..ChannelInfo::new(name, stat)
        }
    }
}

/// A topic's channels: the v1 fields its records carried, then the others in order of
/// first appearance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelList {
    pub topic: String,
    pub channels: Vec<ChannelInfo>,
    /// What the bounds dropped so far.
    pub dropped: Dropped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_counts_records_and_keeps_the_range_and_says_when_it_is_the_first() {
        let s = Stat::default();
        assert_eq!((s.records(), s.range()), (0, (None, None)));
        assert!(s.observe(3.5));
        assert!(!s.observe(-1.0));
        assert!(!s.observe(2.0));
        assert_eq!((s.records(), s.range()), (3, (Some(-1.0), Some(3.5))));
    }

    #[test]
    fn a_listed_channel_has_its_unit_by_table_or_suffix() {
        let s = Stat::default();
        s.observe(512.0);
        let info = ChannelInfo::new("brake_temp_c.fl", &s);
        assert_eq!((info.unit, info.records, info.min, info.max), (Some("°C"), 1, Some(512.0), Some(512.0)));
        assert_eq!(ChannelInfo::new("g.lat", &s).unit, None);
    }
}
