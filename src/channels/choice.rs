//! A viewer's choice of channels: which of a record's channels a replay sends it, by the
//! names `/api/channels` gives them (a v1 field by its channel name, any other by its
//! dotted path, a math channel by its own), and the bounds a list of names is checked
//! against. The encoders ask it, per v1 field and per dictionary index, whether to write
//! a value; which indices a dictionary's names are at is looked up once per version of
//! the dictionary, not once per record.

use std::sync::Arc;

use super::{dictionary::Dictionary, flatten::MAX_NAME_BYTES, stats::V1_CHANNELS};

/// Most channels a replay's `channels` may name: as many as a topic has at most.
pub(crate) const MAX_CHOSEN_CHANNELS: usize = super::dictionary::MAX_TOPIC_CHANNELS;

/// Whether `channels`, as a request names them, are 1 to `max` distinct names of 1 to
/// [`MAX_NAME_BYTES`] bytes; the text says what is not.
pub(crate) fn check_names(channels: &[String], max: usize) -> Result<(), String> {
    if channels.is_empty() || channels.len() > max {
        return Err(format!("`channels` names 1 to {max} channels"));
    }
    if let Some(bad) = channels.iter().find(|c| c.is_empty() || c.len() > MAX_NAME_BYTES) {
        let shown: String = bad.chars().take(40).collect();
        return Err(format!("a channel name is 1 to {MAX_NAME_BYTES} bytes, not `{shown}`"));
    }
    // Sorted copies find a repeat in n log n: 512 names compared pairwise is 130,000.
    let mut sorted: Vec<(&str, usize)> = channels.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    sorted.sort_unstable();
    // Of the names given twice, the one whose second mention comes first.
    if let Some(w) = sorted.windows(2).filter(|w| w[0].0 == w[1].0).min_by_key(|w| w[1].1) {
        return Err(format!("`channels` names `{}` twice (at {})", w[0].0, w[1].1));
    }
    Ok(())
}

/// The v1 fields a choice keeps, by their place in [`V1_CHANNELS`].
pub(crate) type V1Kept = [bool; V1_CHANNELS.len()];

/// Every v1 field: what a viewer that chose nothing gets.
pub(crate) const ALL_V1: V1Kept = [true; V1_CHANNELS.len()];

/// The four tire corners' places in [`V1_CHANNELS`]: `tire_temp_c` is all four or none.
const TIRES: std::ops::Range<usize> = 2..6;

/// The channels a viewer chose.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    v1: V1Kept,
    /// The chosen names that are not v1 fields.
    others: Vec<String>,
    /// Per dictionary met, as of which version, whether each index is chosen.
    resolved: Vec<Resolved>,
}

#[derive(Debug, Clone)]
struct Resolved {
    dict: Arc<Dictionary>,
    version: u64,
    keep: Vec<bool>,
}

impl Choice {
    /// The channels `names` (checked by [`check_names`]). A tire corner chosen keeps the
    /// other three, as a record has `tire_temp_c` whole or not at all.
    pub(crate) fn new(names: &[String]) -> Choice {
        let mut v1 = [false; V1_CHANNELS.len()];
        let mut others = Vec::new();
        for name in names {
            match V1_CHANNELS.iter().position(|v| v == name) {
                Some(k) if TIRES.contains(&k) => v1[TIRES].fill(true),
                Some(k) => v1[k] = true,
                None => others.push(name.clone()),
            }
        }
        Choice { v1, others, resolved: Vec::new() }
    }

    /// Which v1 fields are kept.
    pub(crate) fn v1(&self) -> &V1Kept {
        &self.v1
    }

    /// Looks up where the chosen names are in `dict` when it is new to the choice or has
    /// names it did not have: before [`keeps`](Self::keeps) is asked about its indices.
    pub(crate) fn resolve(&mut self, dict: &Arc<Dictionary>) {
        let version = dict.version();
        let k = match self.resolved.iter().position(|r| Arc::ptr_eq(&r.dict, dict)) {
            Some(k) if self.resolved[k].version == version => return,
            Some(k) => k,
            None => {
                let dict = Arc::clone(dict);
                self.resolved.push(Resolved { dict, version, keep: Vec::new() });
                self.resolved.len() - 1
            }
        };
        let r = &mut self.resolved[k];
        r.version = version;
        r.keep.clear();
        for name in &self.others {
            if let Some(i) = r.dict.index_of(name) {
                let i = usize::from(i);
                if r.keep.len() <= i {
                    r.keep.resize(i + 1, false);
                }
                r.keep[i] = true;
            }
        }
    }

    /// Whether index `i` of `dict` is a chosen channel; false for a dictionary not
    /// [resolved](Self::resolve), or an index it had not when it was.
    pub(crate) fn keeps(&self, dict: &Arc<Dictionary>, i: u16) -> bool {
        self.resolved
            .iter()
            .find(|r| Arc::ptr_eq(&r.dict, dict))
            .is_some_and(|r| r.keep.get(usize::from(i)).copied().unwrap_or(false))
    }

    /// Whether the choice names any channel that is not a v1 field.
    pub(crate) fn has_others(&self) -> bool {
        !self.others.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_list_is_1_to_max_distinct_names_of_at_most_128_bytes() {
        assert_eq!(check_names(&names(&["speed_kph", "g.lat"]), 512), Ok(()));
        let long = "x".repeat(129);
        for (list, max, why) in [
            (vec![], 512, "`channels` names 1 to 512 channels"),
            (vec!["a", "b", "c"], 2, "names 1 to 2 channels"),
            (vec!["a", ""], 512, "a channel name is 1 to 128 bytes, not ``"),
            (vec!["a", long.as_str()], 512, "1 to 128 bytes"),
            (vec!["b", "a", "c", "a", "b"], 512, "`channels` names `a` twice (at 3)"),
        ] {
            let e = check_names(&names(&list), max).unwrap_err();
            assert!(e.contains(why), "{list:?}: {e}");
        }
        let most: Vec<String> = (0..512).map(|i| format!("c{i}")).collect();
        assert_eq!(check_names(&most, 512), Ok(()));
    }

    #[test]
    fn v1_fields_are_chosen_by_channel_name_and_a_tire_corner_keeps_all_four() {
        let c = Choice::new(&names(&["speed_kph", "tire_temp_c.rl", "x", "g.lat"]));
        let kept: Vec<&str> = V1_CHANNELS.iter().zip(c.v1()).filter(|(_, k)| **k).map(|(n, _)| *n).collect();
        assert_eq!(kept, ["speed_kph", "tire_temp_c.fl", "tire_temp_c.fr", "tire_temp_c.rl", "tire_temp_c.rr", "x"]);
        assert!(c.has_others());
        assert!(!Choice::new(&names(&["lap", "y"])).has_others());
    }

    #[test]
    fn other_channels_are_kept_by_index_once_resolved_and_a_later_name_is_found_anew() {
        let dict = Arc::new(Dictionary::default());
        let g = dict.index_or_add("g.lat").unwrap();
        let brake = dict.index_or_add("brake_temp_c.fl").unwrap();
        let mut c = Choice::new(&names(&["brake_temp_c.fl", "late"]));
        assert!(!c.keeps(&dict, brake), "nothing is kept before the dictionary is resolved");
        c.resolve(&dict);
        assert_eq!((c.keeps(&dict, g), c.keeps(&dict, brake)), (false, true));
        let late = dict.index_or_add("late").unwrap();
        assert!(!c.keeps(&dict, late));
        c.resolve(&dict);
        assert!(c.keeps(&dict, late), "a chosen name the topic gets later is kept from then on");
        let other = Arc::new(Dictionary::default());
        other.index_or_add("late").unwrap();
        assert!(!c.keeps(&other, 0));
        c.resolve(&other);
        assert!(c.keeps(&other, 0) && c.keeps(&dict, brake), "each dictionary by its own indices");
    }
}
