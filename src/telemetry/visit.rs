//! A record read in one pass: the v1 fields into [`Sample`] with their types and checks,
//! every other field flattened into channels ([`Flat`]) as it goes. Written by hand, as
//! serde's derive would write it, because `#[serde(flatten)]` buffers the whole object.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{Sample, Tires};
use crate::channels::flatten::{Flat, Walk};

/// Reads a record's JSON object into a sample, and its other fields into `flat`; `path`
/// (empty) holds each one's name as it is read.
pub(super) struct RecordSeed<'a> {
    pub(super) flat: &'a mut Flat,
    pub(super) path: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Sample;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Sample, D::Error> {
        d.deserialize_map(self)
    }
}

/// A top-level key: a v1 field, or another one whose name went into the path.
#[derive(Clone, Copy)]
enum Field {
    Car,
    Ts,
    Speed,
    Rpm,
    Tires,
    Lap,
    Gear,
    Throttle,
    Brake,
    Driver,
    X,
    Y,
    LapDistance,
    Other,
}

struct Key<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Field;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(match v {
            "car" => Field::Car,
            "ts" => Field::Ts,
            "speed_kph" => Field::Speed,
            "rpm" => Field::Rpm,
            "tire_temp_c" => Field::Tires,
            "lap" => Field::Lap,
            "gear" => Field::Gear,
            "throttle" => Field::Throttle,
            "brake" => Field::Brake,
            "driver" => Field::Driver,
            "x" => Field::X,
            "y" => Field::Y,
            "lap_distance_m" => Field::LapDistance,
            _ => {
                self.0.push_str(v);
                Field::Other
            }
        })
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Sample;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a telemetry record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sample, A::Error> {
        let mut car: Option<String> = None;
        let mut ts: Option<Option<i64>> = None;
        let mut speed: Option<f64> = None;
        let mut rpm: Option<f64> = None;
        let mut tires: Option<Option<Tires>> = None;
        let mut lap: Option<Option<u32>> = None;
        let mut gear: Option<Option<i8>> = None;
        let mut throttle: Option<Option<f64>> = None;
        let mut brake: Option<Option<f64>> = None;
        let mut driver: Option<Option<String>> = None;
        let mut x: Option<Option<f64>> = None;
        let mut y: Option<Option<f64>> = None;
        let mut dist: Option<Option<f64>> = None;
        let path = self.path;

        /// Reads a v1 field's value once; a second one is an error, as with serde's derive.
        macro_rules! once {
            ($slot:ident, $name:literal) => {{
                if $slot.is_some() {
                    return Err(de::Error::duplicate_field($name));
                }
                $slot = Some(map.next_value()?);
            }};
        }
        while let Some(field) = map.next_key_seed(Key(&mut *path))? {
            match field {
                Field::Car => once!(car, "car"),
                Field::Ts => once!(ts, "ts"),
                Field::Speed => once!(speed, "speed_kph"),
                Field::Rpm => once!(rpm, "rpm"),
                Field::Tires => once!(tires, "tire_temp_c"),
                Field::Lap => once!(lap, "lap"),
                Field::Gear => once!(gear, "gear"),
                Field::Throttle => once!(throttle, "throttle"),
                Field::Brake => once!(brake, "brake"),
                Field::Driver => once!(driver, "driver"),
                Field::X => once!(x, "x"),
                Field::Y => once!(y, "y"),
                Field::LapDistance => once!(dist, "lap_distance_m"),
                Field::Other => {
                    map.next_value_seed(Walk { flat: &mut *self.flat, path: &mut *path })?;
                    path.clear();
                }
            }
        }
        Ok(Sample {
            car: car.ok_or_else(|| de::Error::missing_field("car"))?,
            ts: ts.flatten(),
            speed_kph: speed.unwrap_or(f64::NAN),
            rpm: rpm.unwrap_or(f64::NAN),
            tire_temp_c: tires.flatten(),
            lap: lap.flatten(),
            gear: gear.flatten(),
            throttle: throttle.flatten(),
            brake: brake.flatten(),
            driver: driver.flatten(),
            x: x.flatten(),
            y: y.flatten(),
            lap_distance_m: dist.flatten(),
        })
    }
}
