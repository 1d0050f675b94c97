//! Flattening (contract v2): every numeric value of a record's JSON, at any depth, is a
//! channel named by its dotted path. Read straight from the JSON text by a serde visitor,
//! so nothing is built but the names and values themselves.
//!
//! `true`/`false` are 1/0; an array's elements are `name.0`, `name.1`…; strings and nulls
//! are not channels. Names longer than [`MAX_NAME_BYTES`] and channels beyond
//! [`MAX_RECORD_CHANNELS`] are dropped and counted, never silently; a value nested under
//! a name already past the bound is skipped whole and counted once.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The longest channel name kept, in bytes.
pub const MAX_NAME_BYTES: usize = 128;
/// The most channels one record may carry.
pub const MAX_RECORD_CHANNELS: usize = 256;

/// The channels of one record, in the order of its JSON: names back to back in one
/// string (one allocation for a record of any width) and each value with its name's span.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flat {
    names: String,
    leaves: Vec<(u32, u32, f64)>,
    /// Values whose name was longer than [`MAX_NAME_BYTES`], dropped.
    pub too_long: u32,
    /// Values beyond the record's bound, dropped.
    pub too_many: u32,
    /// The most channels this record may keep (the v1 fields take their share).
    cap: usize,
}

impl Flat {
    /// An empty record that keeps at most `cap` channels.
    pub fn with_cap(cap: usize) -> Flat {
        Flat { cap, ..Flat::default() }
    }

    /// Empties the record for the next one, which keeps at most `cap` channels. What it
    /// allocated stays, so a decoder that reuses one allocates nothing per record.
    pub fn reset(&mut self, cap: usize) {
        self.names.clear();
        self.leaves.clear();
        (self.too_long, self.too_many, self.cap) = (0, 0, cap);
    }

    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// Each channel's name and value, in the order of the JSON.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.leaves.iter().map(|&(a, b, v)| (&self.names[a as usize..b as usize], v))
    }

    /// Every name, back to back: with [`ends`](Self::ends), the record's shape.
    pub(super) fn names(&self) -> &str {
        &self.names
    }

    /// Where each name ends in [`names`](Self::names).
    pub(super) fn ends(&self) -> impl Iterator<Item = u32> {
        self.leaves.iter().map(|&(_, end, _)| end)
    }

    /// Each channel's value, in the order of the JSON.
    pub(super) fn values(&self) -> impl Iterator<Item = f64> {
        self.leaves.iter().map(|&(_, _, v)| v)
    }

    /// Keeps the first `keep` channels and counts the rest as over the record's bound.
    pub fn truncate(&mut self, keep: usize) {
        if let Some(&(start, _, _)) = self.leaves.get(keep) {
            self.too_many += (self.leaves.len() - keep) as u32;
            self.leaves.truncate(keep);
            self.names.truncate(start as usize);
        }
    }

    fn push(&mut self, name: &str, value: f64) {
        if name.len() > MAX_NAME_BYTES {
            self.too_long += 1;
        } else if self.leaves.len() >= self.cap {
            self.too_many += 1;
        } else {
            let start = self.names.len() as u32;
            self.names.push_str(name);
            self.leaves.push((start, self.names.len() as u32, value));
        }
    }
}

/// Every channel of a JSON object, with the record's bound. Fails when the text is not
/// JSON or not an object.
pub fn flatten(json: &[u8]) -> Result<Flat, serde_json::Error> {
    let mut flat = Flat::with_cap(MAX_RECORD_CHANNELS);
    let mut path = String::new();
    let mut de = serde_json::Deserializer::from_slice(json);
    de.deserialize_map(Walk { flat: &mut flat, path: &mut path })?;
    de.end()?;
    Ok(flat)
}

/// Reads one JSON value into `flat` as the channels under `path` (empty at the top).
/// The record decoder calls it for each field that is not a v1 field.
pub struct Walk<'a> {
    pub flat: &'a mut Flat,
    pub path: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // Every channel under a name already over the bound would be dropped: skip the
        // whole value (serde_json skips without recursion, so no nesting depth is refused)
        // and count it once.
        if self.path.len() > MAX_NAME_BYTES {
            self.flat.too_long += 1;
            return d.deserialize_ignored_any(de::IgnoredAny).map(|_| ());
        }
        d.deserialize_any(self)
    }
}

impl Walk<'_> {
    fn leaf(self, v: f64) {
        self.flat.push(self.path, v);
    }

    /// `path` with `.segment` added (no dot at the top), for one child.
    fn enter(path: &mut String, segment: impl fmt::Display) -> usize {
        use fmt::Write;
        let len = path.len();
        if len > 0 {
            path.push('.');
        }
        let _ = write!(path, "{segment}");
        len
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.leaf(if v { 1.0 } else { 0.0 });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.leaf(v as f64);
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.leaf(v as f64);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.leaf(v);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let len = Walk::enter(self.path, i);
            let more = seq.next_element_seed(Walk { flat: &mut *self.flat, path: &mut *self.path })?;
            self.path.truncate(len);
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            let len = self.path.len();
            if len > 0 {
                self.path.push('.');
            }
            if map.next_key_seed(KeyInto(&mut *self.path))?.is_none() {
                self.path.truncate(len);
                return Ok(());
            }
            map.next_value_seed(Walk { flat: &mut *self.flat, path: &mut *self.path })?;
            self.path.truncate(len);
        }
    }
}

/// A key appended to the path as it is read, with no string of its own.
pub struct KeyInto<'a>(pub &'a mut String);

impl<'de> DeserializeSeed<'de> for KeyInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channels(json: &str) -> Vec<(String, f64)> {
        flatten(json.as_bytes()).unwrap().iter().map(|(n, v)| (n.to_owned(), v)).collect()
    }

    fn named(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect()
    }

    #[test]
    fn nested_objects_are_channels_named_by_their_dotted_path() {
        let got = channels(r#"{"g":{"lat":1.25,"long":-0.5},"brake_temp_c":{"fl":512,"deep":{"er":{"x":3}}}}"#);
        assert_eq!(
            got,
            named(&[("g.lat", 1.25), ("g.long", -0.5), ("brake_temp_c.fl", 512.0), ("brake_temp_c.deep.er.x", 3.0)])
        );
    }

    #[test]
    fn arrays_of_numbers_are_numbered_from_zero_and_nest_too() {
        let got = channels(r#"{"wear":[0.1,0.2,0.3],"m":[[1,2],{"a":5}]}"#);
        assert_eq!(
            got,
            named(&[("wear.0", 0.1), ("wear.1", 0.2), ("wear.2", 0.3), ("m.0.0", 1.0), ("m.0.1", 2.0), ("m.1.a", 5.0)])
        );
    }

    #[test]
    fn booleans_are_one_and_zero_and_strings_and_nulls_are_not_channels() {
        let got = channels(r#"{"drs":true,"pit":false,"team":"x","n":null,"o":{"s":"y","b":true},"e":[],"f":{}}"#);
        assert_eq!(got, named(&[("drs", 1.0), ("pit", 0.0), ("o.b", 1.0)]));
    }

    #[test]
    fn escaped_keys_and_large_integers_are_read_as_written() {
        assert_eq!(
            channels(r#"{"a\"b":{"\u00e9":18446744073709551615}}"#),
            named(&[("a\"b.é", 18446744073709551615.0)])
        );
    }

    #[test]
    fn a_name_of_128_bytes_is_kept_and_one_of_129_is_dropped_and_counted() {
        let at = "n".repeat(MAX_NAME_BYTES);
        let over = "n".repeat(MAX_NAME_BYTES + 1);
        let nested_over = format!("{}.x", "n".repeat(MAX_NAME_BYTES - 1));
        let json = format!(r#"{{"{at}":1,"{over}":2,"{}":{{"x":3}}}}"#, &nested_over[..MAX_NAME_BYTES - 1]);
        let flat = flatten(json.as_bytes()).unwrap();
        assert_eq!(flat.iter().map(|(n, _)| n.len()).collect::<Vec<_>>(), vec![MAX_NAME_BYTES]);
        assert_eq!(flat.too_long, 2, "the long name and the nested one that grew past the bound");
    }

    #[test]
    fn a_record_keeps_256_channels_and_counts_the_rest() {
        let fields: Vec<String> = (0..300).map(|i| format!(r#""c{i}":{i}"#)).collect();
        let flat = flatten(format!("{{{}}}", fields.join(",")).as_bytes()).unwrap();
        assert_eq!((flat.len(), flat.too_many), (MAX_RECORD_CHANNELS, 300 - MAX_RECORD_CHANNELS as u32));
        assert_eq!(flat.iter().last(), Some(("c255", 255.0)), "the first ones in the record are kept");
    }

    #[test]
    fn a_value_nested_past_the_name_bound_is_skipped_at_any_depth_and_counted_once() {
        let deep = format!(r#"{{"a":1,"x":{}{}}}"#, "[".repeat(30_000), "]".repeat(30_000));
        let flat = flatten(deep.as_bytes()).unwrap();
        assert_eq!((flat.iter().collect::<Vec<_>>(), flat.too_long), (vec![("a", 1.0)], 1));
    }

    #[test]
    fn text_that_is_not_a_json_object_is_refused() {
        for bad in ["[1,2]", "3", "{\"a\":1", "{\"a\":1} x", "not json"] {
            assert!(flatten(bad.as_bytes()).is_err(), "{bad} was accepted");
        }
    }
}
