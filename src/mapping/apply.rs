//! A mapping applied to one record's JSON: the samples it holds with their channels, or
//! the path that does not fit.

use serde_json::Value;

use super::{
    channels::address,
    compile::{Field, Mapping, Number, Path, Text},
};
use crate::{
    channels::flatten::{Flat, MAX_RECORD_CHANNELS},
    telemetry::{self, Malformed, Sample, Tires},
};

/// Most cars one record may hold; a bigger array is malformed, not a flood of samples.
pub(crate) const MAX_CARS: usize = 256;

pub(super) fn misfit(reason: String) -> Malformed {
    Malformed::Contract(format!("mapping: {reason}"))
}

/// Each car's sample and its channels beyond the contract's fields.
pub(super) fn apply(m: &Mapping, root: &Value, key: Option<&[u8]>, ts: i64) -> Result<Vec<(Sample, Flat)>, Malformed> {
    let elements: Vec<&Value> = match &m.cars {
        None => vec![root],
        Some(p) => match lookup(root, root, p) {
            Some(Value::Array(cars)) if cars.len() <= MAX_CARS => cars.iter().collect(),
            Some(Value::Array(cars)) => {
                return Err(misfit(format!("`{}` holds {} cars, over {MAX_CARS}", p.text, cars.len())));
            }
            Some(other) => return Err(misfit(format!("`{}` is {}, not an array", p.text, kind(other)))),
            None => return Err(misfit(format!("`{}` is missing", p.text))),
        },
    };
    elements
        .into_iter()
        .enumerate()
        .map(|(i, el)| {
            let s = sample(m, root, el, i, key, ts)?;
            let flat = if m.channels.is_empty() { Flat::default() } else { car_channels(m, &s, root, el)? };
            // As the contract's decoder: values the bounds dropped count as channels sent.
            let sent = flat.len() + (flat.too_long + flat.too_many) as usize;
            if sent == 0 && s.v1_values().iter().all(Option::is_none) {
                return Err(Malformed::NoChannel);
            }
            Ok((s, flat))
        })
        .collect()
}

/// A car's channels, within what its sample leaves of the record's bound; a pass-through
/// leaves out what the mapping reads otherwise.
fn car_channels(m: &Mapping, s: &Sample, root: &Value, el: &Value) -> Result<Flat, Malformed> {
    let mut mapped = Vec::new();
    if !m.channels.passes.is_empty() {
        let texts = [Some(&m.car), m.driver.as_ref()].into_iter().flatten();
        let paths = texts.filter_map(|t| if let Text::Path(p) = t { Some(p) } else { None });
        let values = m.numbers.iter().map(|n| lookup(root, el, &n.path)).chain(paths.map(|p| lookup(root, el, p)));
        let cars = m.cars.as_ref().map(|p| lookup(root, root, p));
        mapped.extend(values.chain(cars).flatten().map(address));
    }
    let cap = MAX_RECORD_CHANNELS.saturating_sub(s.v1_values().iter().flatten().count());
    m.channels.read(root, el, cap, &mapped)
}

fn sample(m: &Mapping, root: &Value, el: &Value, i: usize, key: Option<&[u8]>, ts: i64) -> Result<Sample, Malformed> {
    let car = text(&m.car, root, el, i, key)?.ok_or_else(|| match &m.car {
        Text::Path(p) => misfit(format!("`{}` (the car) is missing", p.text)),
        _ => misfit("the record has no key to name the car by".into()),
    })?;
    let driver = m.driver.as_ref().map(|d| text(d, root, el, i, key)).transpose()?.flatten();
    // Every number absent unless mapped and present: contract v2 requires none of them.
    let mut s = Sample { ts: Some(ts), driver, ..Sample::blank(car) };
    let mut tires = [None; 4];
    for n in &m.numbers {
        let Some(v) = number(n, root, el)? else { continue };
        match n.field {
            Field::Ts => s.ts = Some(integer(n, v, i64::MIN, i64::MAX)?),
            Field::Speed => s.speed_kph = v,
            Field::Rpm => s.rpm = v,
            Field::Tire(c) => tires[c] = Some(v),
            Field::Lap => s.lap = Some(u32::try_from(integer(n, v, 0, i64::from(u32::MAX))?).unwrap_or(0)),
            Field::Gear => s.gear = Some(i8::try_from(integer(n, v, -1, i64::from(i8::MAX))?).unwrap_or(0)),
            Field::Throttle => s.throttle = Some(v),
            Field::Brake => s.brake = Some(v),
            Field::X => s.x = Some(v),
            Field::Y => s.y = Some(v),
            Field::LapDistance => s.lap_distance_m = Some(v),
        }
    }
    s.tire_temp_c = match tires {
        [Some(fl), Some(fr), Some(rl), Some(rr)] => Some(Tires { fl, fr, rl, rr }),
        [None, None, None, None] => None,
        _ => {
            let missing = m.numbers.iter().find(|n| matches!(n.field, Field::Tire(c) if tires[c].is_none()));
            return Err(misfit(format!("`{}` is missing", missing.map_or("a tire corner", |n| n.path.text.as_str()))));
        }
    };
    telemetry::check_sample(&s)?;
    Ok(s)
}

pub(super) fn lookup<'a>(root: &'a Value, el: &'a Value, p: &Path) -> Option<&'a Value> {
    (if p.from_root { root } else { el }).pointer(&p.pointer).filter(|v| !v.is_null())
}

/// The number at the field's path in the contract's unit; `None` when absent or null.
fn number(n: &Number, root: &Value, el: &Value) -> Result<Option<f64>, Malformed> {
    let Some(v) = lookup(root, el, &n.path) else { return Ok(None) };
    let raw =
        v.as_f64().ok_or_else(|| misfit(format!("`{}` ({}) is {}, not a number", n.path.text, n.name, kind(v))))?;
    let value = n.unit.apply(raw) * n.scale + n.offset;
    if !value.is_finite() {
        return Err(misfit(format!("`{}` ({}) is not a finite number", n.path.text, n.name)));
    }
    Ok(Some(value))
}

fn integer(n: &Number, v: f64, min: i64, max: i64) -> Result<i64, Malformed> {
    if v.fract() != 0.0 || v < min as f64 || v > max as f64 {
        return Err(misfit(format!("`{}` ({}) is {v}, not a whole number from {min} to {max}", n.path.text, n.name)));
    }
    Ok(v as i64)
}

fn text(t: &Text, root: &Value, el: &Value, i: usize, key: Option<&[u8]>) -> Result<Option<String>, Malformed> {
    Ok(match t {
        Text::Key => key.map(|k| String::from_utf8_lossy(k).into_owned()),
        Text::Index => Some(i.to_string()),
        Text::Value(v) => Some(v.clone()),
        Text::Path(p) => match lookup(root, el, p) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => return Err(misfit(format!("`{}` is {}, not a string or a number", p.text, kind(other)))),
        },
    }
    .filter(|s| !s.is_empty()))
}

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
