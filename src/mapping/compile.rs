//! A mapping file's entry checked and made ready to apply: every field name known, every
//! unit one that fits its field, every path a JSON pointer.

use super::{
    channels::{self, MappedChannels},
    spec::{Entry, Number as NumberSpec, Text as TextSpec},
};

/// A JSON pointer, from the car's element or (written with a leading `$`) the root.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    /// As written in the file, for reasons.
    pub(crate) text: String,
    pub(crate) pointer: String,
    pub(crate) from_root: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Text {
    Key,
    Index,
    Path(Path),
    Value(String),
}

/// A contract field a number can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    Ts,
    Speed,
    Rpm,
    /// FL, FR, RL, RR.
    Tire(usize),
    Lap,
    Gear,
    Throttle,
    Brake,
    X,
    Y,
    LapDistance,
}

pub(crate) const TIRES: [&str; 4] = ["tire_temp_c.fl", "tire_temp_c.fr", "tire_temp_c.rl", "tire_temp_c.rr"];

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "ts" => Field::Ts,
        "speed_kph" => Field::Speed,
        "rpm" => Field::Rpm,
        "lap" => Field::Lap,
        "gear" => Field::Gear,
        "throttle" => Field::Throttle,
        "brake" => Field::Brake,
        "x" => Field::X,
        "y" => Field::Y,
        "lap_distance_m" => Field::LapDistance,
        other => Field::Tire(TIRES.iter().position(|t| *t == other)?),
    })
}

/// A unit conversion into the contract's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unit {
    Same,
    /// × this.
    Factor(f64),
    Fahrenheit,
    Kelvin,
}

impl Unit {
    pub(crate) fn apply(self, v: f64) -> f64 {
        match self {
            Unit::Same => v,
            Unit::Factor(f) => v * f,
            Unit::Fahrenheit => (v - 32.0) * 5.0 / 9.0,
            Unit::Kelvin => v - 273.15,
        }
    }
}

fn unit(field: Field, unit: &str) -> Option<Unit> {
    Some(match (field, unit) {
        (Field::Speed, "km/h" | "kph") => Unit::Same,
        (Field::Speed, "m/s") => Unit::Factor(3.6),
        (Field::Speed, "mph") => Unit::Factor(1.609_344),
        (Field::Tire(_), "°C" | "C") => Unit::Same,
        (Field::Tire(_), "°F" | "F") => Unit::Fahrenheit,
        (Field::Tire(_), "K") => Unit::Kelvin,
        (Field::Ts, "ms") => Unit::Same,
        (Field::Ts, "s") => Unit::Factor(1000.0),
        (Field::X | Field::Y | Field::LapDistance, "m") => Unit::Same,
        (Field::Throttle | Field::Brake, "%") => Unit::Factor(0.01),
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    pub(crate) field: Field,
    /// The contract's name, for reasons.
    pub(crate) name: String,
    pub(crate) path: Path,
    pub(crate) unit: Unit,
    pub(crate) scale: f64,
    pub(crate) offset: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mapping {
    pub(crate) cars: Option<Path>,
    pub(crate) car: Text,
    pub(crate) driver: Option<Text>,
    /// Sorted by field.
    pub(crate) numbers: Vec<Number>,
    pub(crate) channels: MappedChannels,
}

pub(super) fn compile(entry: Entry) -> Result<Mapping, String> {
    if entry.topics.is_empty() {
        return Err("`topics` names no topic".into());
    }
    let cars = entry.cars.as_deref().map(path).transpose()?;
    let car = text(entry.car, "car")?;
    if car == Text::Index && cars.is_none() {
        return Err("`car = { index = true }` needs `cars`, the array of cars".into());
    }
    let driver = entry.driver.map(|d| text(d, "driver")).transpose()?;
    let mut numbers = Vec::new();
    for (name, spec) in entry.fields {
        numbers.push(number(&name, spec)?);
    }
    numbers.sort_by_key(|n| n.field);
    let tires = numbers.iter().filter(|n| matches!(n.field, Field::Tire(_))).count();
    if tires != 0 && tires != 4 {
        return Err("`fields` maps some tire corners but not all four".into());
    }
    let fields = numbers.iter().filter(|n| n.field != Field::Ts).count();
    let channels = channels::compile(entry.channels, fields)?;
    // Contract v2: no field is required, but a mapping must give a record some channel.
    if fields == 0 && channels.is_empty() {
        return Err("the mapping reads no channel: `fields` or `channels` must name one".into());
    }
    Ok(Mapping { cars, car, driver, numbers, channels })
}

fn number(name: &str, spec: NumberSpec) -> Result<Number, String> {
    let field = field(name).ok_or_else(|| format!("`{name}` is no field of the contract"))?;
    let unit = match spec.unit.as_deref() {
        None => Unit::Same,
        Some(u) => unit(field, u).ok_or_else(|| format!("unit `{u}` does not fit `{name}`"))?,
    };
    let (scale, offset) = (spec.scale.unwrap_or(1.0), spec.offset.unwrap_or(0.0));
    if !scale.is_finite() || !offset.is_finite() {
        return Err(format!("`{name}`: scale and offset must be finite"));
    }
    Ok(Number { field, name: name.to_owned(), path: path(&spec.path)?, unit, scale, offset })
}

fn text(spec: TextSpec, name: &str) -> Result<Text, String> {
    let given = [spec.key, spec.index, spec.path.is_some(), spec.value.is_some()].iter().filter(|g| **g).count();
    if given != 1 {
        return Err(format!("`{name}` needs exactly one of `key = true`, `index = true`, `path` or `value`"));
    }
    Ok(match (spec.key, spec.index, spec.path, spec.value) {
        (true, ..) => Text::Key,
        (_, true, ..) => Text::Index,
        (_, _, Some(p), _) => Text::Path(path(&p)?),
        (_, _, _, Some(v)) if !v.is_empty() => Text::Value(v),
        _ => return Err(format!("`{name}`: the value is empty")),
    })
}

/// `/a/0/b` from the element, `$/a/0/b` from the root; `$` alone is the root itself.
pub(super) fn path(text: &str) -> Result<Path, String> {
    let (from_root, pointer) = match text.strip_prefix('$') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!("`{text}` is not a JSON pointer (it starts with `/`, or `$/` for the record's root)"));
    }
    Ok(Path { text: text.to_owned(), pointer: pointer.to_owned(), from_root })
}
