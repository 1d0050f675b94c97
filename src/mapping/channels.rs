//! A mapping's channels beyond the contract's fields (`[mapping.channels]`): pointers,
//! each to one number with its unit, and pass-throughs (`"*"`), each keeping every other
//! number of an object as a channel by its own dotted name. Checked whole at start-up;
//! read from each car into the record's channels by the contract's flattening and bounds.

use std::collections::BTreeMap;

use serde::de::{DeserializeSeed, IntoDeserializer, value::F64Deserializer};
use serde_json::Value;

use super::{
    apply::{kind, lookup, misfit},
    compile::{Path, path},
    spec::Number as NumberSpec,
};
use crate::{
    channels::{
        flatten::{Flat, MAX_NAME_BYTES, MAX_RECORD_CHANNELS, Walk},
        stats::V1_CHANNELS,
    },
    telemetry::Malformed,
};

/// The longest unit a mapping may give a channel, in bytes.
pub(crate) const MAX_UNIT_BYTES: usize = 32;

/// A channel read from one pointer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pointer {
    pub(crate) name: String,
    pub(crate) path: Path,
    /// What `/api/channels` says, over the name's suffix; none leaves the suffix's.
    pub(crate) unit: Option<&'static str>,
    pub(crate) scale: f64,
    pub(crate) offset: f64,
}

/// Every number under one object, each a channel named by its path from it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PassThrough {
    /// `brakes` for `"brakes.*"`, empty for `"*"`.
    pub(crate) prefix: String,
    pub(crate) path: Path,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MappedChannels {
    /// By name.
    pub(crate) pointers: Vec<Pointer>,
    pub(crate) passes: Vec<PassThrough>,
}

/// The names a record's channels may not take: the contract's fields, which a mapping
/// maps under `fields` and the wire carries outside `channels`.
fn reserved(name: &str) -> bool {
    name == "ts" || V1_CHANNELS.contains(&name)
}

/// `[mapping.channels]` checked; `fields` is how many channels the entry's `fields` give
/// a record, which share the record's bound with these.
pub(super) fn compile(spec: BTreeMap<String, NumberSpec>, fields: usize) -> Result<MappedChannels, String> {
    let mut out = MappedChannels::default();
    for (key, spec) in spec {
        let checked = match key.strip_suffix('*') {
            Some(prefix) => pass_through(prefix, spec).map(|p| out.passes.push(p)),
            None => pointer(&key, spec).map(|p| out.pointers.push(p)),
        };
        checked.map_err(|reason| format!("channel `{key}`: {reason}"))?;
    }
    if out.pointers.len() + fields > MAX_RECORD_CHANNELS {
        return Err(format!(
            "`channels` and `fields` map {} channels, over a record's {MAX_RECORD_CHANNELS}",
            out.pointers.len() + fields
        ));
    }
    Ok(out)
}

fn pass_through(prefix: &str, spec: NumberSpec) -> Result<PassThrough, String> {
    let prefix = match prefix {
        "" => "",
        p => p
            .strip_suffix('.')
            .filter(|p| !p.is_empty() && !p.contains('*'))
            .ok_or("`*` stands alone (`\"*\"`) or ends a group's name (`\"brakes.*\"`)".to_owned())?,
    };
    if prefix.len() + 2 > MAX_NAME_BYTES {
        return Err(format!("the group's name leaves no room under the {MAX_NAME_BYTES}-byte bound of a name"));
    }
    if spec.unit.is_some() || spec.scale.is_some() || spec.offset.is_some() {
        return Err("a pass-through takes only `path`: its channels' units come from their names".into());
    }
    Ok(PassThrough { prefix: prefix.to_owned(), path: path(&spec.path)? })
}

fn pointer(name: &str, spec: NumberSpec) -> Result<Pointer, String> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(format!("a channel's name is 1 to {MAX_NAME_BYTES} bytes"));
    }
    if reserved(name) {
        return Err("a field of the contract: map it under `fields`".into());
    }
    if name.contains('*') {
        return Err("`*` ends a pass-through's name only".into());
    }
    let unit = match spec.unit {
        None => None,
        Some(u) if u.is_empty() || u.len() > MAX_UNIT_BYTES => {
            return Err(format!("a unit is 1 to {MAX_UNIT_BYTES} bytes"));
        }
        // A mapping is read once, at start-up: its few units live as long as the server,
        // as the listed units of every other channel do.
        Some(u) => Some(&*Box::leak(u.into_boxed_str())),
    };
    let (scale, offset) = (spec.scale.unwrap_or(1.0), spec.offset.unwrap_or(0.0));
    if !scale.is_finite() || !offset.is_finite() {
        return Err("scale and offset must be finite".into());
    }
    Ok(Pointer { name: name.to_owned(), path: path(&spec.path)?, unit, scale, offset })
}

impl MappedChannels {
    pub(crate) fn is_empty(&self) -> bool {
        self.pointers.is_empty() && self.passes.is_empty()
    }

    /// Each pointer's name and the unit the file gives it.
    pub(crate) fn units(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.pointers.iter().filter_map(|p| Some((p.name.as_str(), p.unit?)))
    }

    /// The channels of one car, at most `cap`: the pointers', then the pass-throughs',
    /// leaving out the values in `mapped` (the fields, the car, the cars' array), each
    /// given as its address in `root`, sorted.
    pub(super) fn read(&self, root: &Value, el: &Value, cap: usize, mapped: &[usize]) -> Result<Flat, Malformed> {
        let mut flat = Flat::with_cap(cap);
        let mut name = String::new();
        for p in &self.pointers {
            let Some(raw) = lookup(root, el, &p.path) else { continue };
            let v = number(raw).ok_or_else(|| {
                misfit(format!("`{}` (channel `{}`) is {}, not a number", p.path.text, p.name, kind(raw)))
            })?;
            let v = v * p.scale + p.offset;
            if !v.is_finite() {
                return Err(misfit(format!("`{}` (channel `{}`) is not a finite number", p.path.text, p.name)));
            }
            name.clone_from(&p.name);
            let number: F64Deserializer<serde::de::value::Error> = v.into_deserializer();
            // Through the flattening's own entry, so the record's bound counts alike.
            let _ = Walk { flat: &mut flat, path: &mut name }.deserialize(number);
        }
        let mut pointed: Vec<usize> = Vec::new();
        if !self.passes.is_empty() {
            pointed.extend(self.pointers.iter().filter_map(|p| lookup(root, el, &p.path)).map(address));
            pointed.extend_from_slice(mapped);
            pointed.sort_unstable();
        }
        for p in &self.passes {
            let Some(object) = lookup(root, el, &p.path) else { continue };
            if !matches!(object, Value::Object(_) | Value::Array(_)) {
                let what = kind(object);
                return Err(misfit(format!("`{}` (pass-through) is {what}, not an object or an array", p.path.text)));
            }
            name.clone_from(&p.prefix);
            pass(object, &mut name, &pointed, &mut flat);
        }
        Ok(flat)
    }
}

/// A value's address, to know it again in the same parsed record.
pub(super) fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        v => v.as_f64(),
    }
}

/// Every number under `v` as a channel named by its path from the pass-through's object
/// (the contract's flattening: dotted, arrays by index, booleans 1 and 0), but those in
/// `skip` and those named as a contract field. Under a name past the bound, the value goes
/// whole to the flattening, which skips it and counts it once.
fn pass(v: &Value, name: &mut String, skip: &[usize], flat: &mut Flat) {
    if skip.binary_search(&address(v)).is_ok() {
        return;
    }
    let enter = |name: &mut String, segment: &str| {
        let len = name.len();
        if len > 0 {
            name.push('.');
        }
        name.push_str(segment);
        len
    };
    match v {
        Value::Object(fields) if name.len() <= MAX_NAME_BYTES => {
            for (key, child) in fields {
                let len = enter(name, key);
                pass(child, name, skip, flat);
                name.truncate(len);
            }
        }
        Value::Array(items) if name.len() <= MAX_NAME_BYTES => {
            for (i, child) in items.iter().enumerate() {
                let len = enter(name, &i.to_string());
                pass(child, name, skip, flat);
                name.truncate(len);
            }
        }
        _ if reserved(name) => {}
        _ => {
            let _ = Walk { flat, path: name }.deserialize(v);
        }
    }
}
