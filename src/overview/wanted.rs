//! Which channels an overview summarises, and where each record's values of them are:
//! a v1 field by its place in the sample, any other channel (math channels included) by
//! its index in the record's topic dictionary, looked up once per dictionary rather than
//! once per record.

use std::sync::Arc;

use crate::channels::{
    choice::check_names,
    dictionary::{Channels, Dictionary, MAX_TOPIC_CHANNELS},
    stats::V1_CHANNELS,
};
use crate::telemetry::Sample;

/// Most channels one overview may ask for: with `MAX_OVERVIEW_CARS` and `MAX_BUCKETS`,
/// this bounds what it keeps and the size of its answer.
pub(crate) const MAX_OVERVIEW_CHANNELS: usize = 16;
/// What an overview summarises when the request names no channels: what it always has,
/// so clients that name none get the answer they always got.
pub(crate) const DEFAULT_CHANNELS: [&str; 8] =
    ["speed_kph", "rpm", "tire_temp_c.fl", "tire_temp_c.fr", "tire_temp_c.rl", "tire_temp_c.rr", "throttle", "brake"];

/// Whether `channels`, as a request names them, are within the protocol's bounds; the
/// text says what is not.
pub(crate) fn check(channels: &[String]) -> Result<(), String> {
    check_names(channels, MAX_OVERVIEW_CHANNELS)
}

/// A place in the record's dictionary no wanted channel is at.
const UNWANTED: u8 = u8::MAX;

/// The channels summarised, and how each record's values of them are found.
pub(super) struct Wanted {
    names: Vec<String>,
    /// (slot, index in `V1_CHANNELS`) of each wanted v1 field.
    v1: Vec<(usize, usize)>,
    /// (slot, name) of each other wanted channel.
    others: Vec<(usize, String)>,
    /// Per dictionary met, as of which version, the slot of each of its indices.
    resolved: Vec<Resolved>,
}

struct Resolved {
    dict: Arc<Dictionary>,
    version: u64,
    slots: Vec<u8>,
}

impl Wanted {
    /// The channels `names` (at most [`MAX_OVERVIEW_CHANNELS`]), in their order.
    pub(super) fn new(names: &[String]) -> Wanted {
        let names: Vec<String> = names.iter().take(MAX_OVERVIEW_CHANNELS).cloned().collect();
        let mut v1 = Vec::new();
        let mut others = Vec::new();
        for (slot, name) in names.iter().enumerate() {
            match V1_CHANNELS.iter().position(|v| v == name) {
                Some(i) => v1.push((slot, i)),
                None => others.push((slot, name.clone())),
            }
        }
        Wanted { names, v1, others, resolved: Vec::new() }
    }

    pub(super) fn names(&self) -> &[String] {
        &self.names
    }

    /// How many channels are summarised.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// The record's value of each wanted channel, in order, into `out`; NaN where it has
    /// none, which no comparison lets into a minimum or maximum.
    pub(super) fn values(&mut self, sample: &Sample, channels: &Channels, out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = f64::NAN);
        if !self.v1.is_empty() {
            let v1 = sample.v1_values();
            for &(slot, i) in &self.v1 {
                out[slot] = v1[i].unwrap_or(f64::NAN);
            }
        }
        if self.others.is_empty() || channels.is_empty() {
            return;
        }
        let Some(dict) = channels.dictionary() else { return };
        let slots = self.slots(dict);
        for &(i, v) in channels.values() {
            if let Some(&slot) = slots.get(usize::from(i))
                && slot != UNWANTED
            {
                out[usize::from(slot)] = v;
            }
        }
    }

    /// The slot of each index of `dict`, looked up again when the topic has new names.
    fn slots(&mut self, dict: &Arc<Dictionary>) -> &[u8] {
        let version = dict.version();
        let k = match self.resolved.iter().position(|r| Arc::ptr_eq(&r.dict, dict)) {
            Some(k) => k,
            None => {
                let dict = Arc::clone(dict);
                self.resolved.push(Resolved { dict, version: version.wrapping_add(1), slots: Vec::new() });
                self.resolved.len() - 1
            }
        };
        let r = &mut self.resolved[k];
        if r.version != version {
            r.version = version;
            r.slots = vec![UNWANTED; MAX_TOPIC_CHANNELS];
            for (slot, name) in &self.others {
                if let Some(i) = r.dict.index_of(name) {
                    // At most MAX_OVERVIEW_CHANNELS slots, within u8.
                    r.slots[usize::from(i)] = *slot as u8;
                }
            }
        }
        &r.slots
    }
}

/// Whether summarising `names` needs each record's other channels, or its v1 fields only.
pub(crate) fn needs_others(names: &[String]) -> bool {
    names.iter().any(|n| !V1_CHANNELS.contains(&n.as_str()))
}

#[cfg(test)]
mod tests {
    use crate::{channels::dictionary::Dictionary, overview::Summary};

    #[test]
    fn any_channel_asked_for_is_summarised_by_name_and_one_no_record_carries_is_null() {
        let dict = std::sync::Arc::new(Dictionary::default());
        let asked: Vec<String> = ["brake_temp_c.fl", "gear", "g_lat", "late", "nowhere"].map(String::from).to_vec();
        let mut s = Summary::new(0, 20, 2, None, &asked);
        for (ts, json) in [
            (1, r#"{"car":"1","g_lat":1.5,"brake_temp_c":{"fl":500}}"#),
            (2, r#"{"car":"1","gear":3,"brake_temp_c":{"fl":520.25}}"#),
            // A channel first seen mid-read is found from then on.
            (11, r#"{"car":"1","late":7,"g_lat":-0.5}"#),
        ] {
            let (sample, channels) =
                crate::telemetry::decode_channels(Some(json.as_bytes()), Some(ts), 0, || dict.clone()).unwrap();
            s.add("t", 0, ts, &sample, &channels);
        }
        let msg = s.finish();
        let car = &msg.summary.cars[0];
        let names: Vec<&str> = car.channels.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["brake_temp_c.fl", "gear", "g_lat", "late", "nowhere"], "in the order asked");
        let brake = car.channels.get("brake_temp_c.fl").unwrap();
        assert_eq!((brake.min.clone(), brake.max.clone()), (vec![Some(500.0), None], vec![Some(520.25), None]));
        assert_eq!(car.channels.get("gear").unwrap().max, vec![Some(3.0), None]);
        let g = car.channels.get("g_lat").unwrap();
        assert_eq!((g.min.clone(), g.max.clone()), (vec![Some(1.5), Some(-0.5)], vec![Some(1.5), Some(-0.5)]));
        assert_eq!(car.channels.get("late").unwrap().min, vec![None, Some(7.0)]);
        let nowhere = car.channels.get("nowhere").unwrap();
        assert_eq!((nowhere.min.clone(), nowhere.max.clone()), (vec![None, None], vec![None, None]));
        assert_eq!(car.count, vec![2, 1]);
        let text = serde_json::to_string(&car.channels).unwrap();
        assert!(text.starts_with(r#"{"brake_temp_c.fl":{"min":[500.0,null],"#), "in the order asked: {text}");
        let json = serde_json::to_value(&car.channels).unwrap();
        assert_eq!(json["g_lat"], serde_json::json!({"min": [1.5, -0.5], "max": [1.5, -0.5]}));
    }
}
