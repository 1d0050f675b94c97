//! What the bridge produces beyond contract v1: each game's extra channels beside the v1
//! fields of one record, and the unit of every channel the bridge sends.
//!
//! Contract v2 names a channel by its dotted path, so a corner group such as
//! `brake_temp_c: {fl, fr, rl, rr}` is the four channels `brake_temp_c.fl` … `.rr`.

use std::ops::{Deref, DerefMut};

use serde::Serialize;

use super::packet::{Reader, Unusable};
use crate::telemetry::{Sample, Tires};

/// One record as produced: the v1 sample, and the game's extra channels written beside its
/// fields in the same JSON object (v1 consumers ignore them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Reading {
    #[serde(flatten)]
    pub(crate) sample: Sample,
    #[serde(flatten)]
    pub(crate) channels: Channels,
}

/// A reading is read as its sample wherever only the v1 fields matter (thinning by car,
/// stamping `ts`, the contract's checks), so those places need not know about channels.
impl Deref for Reading {
    type Target = Sample;
    fn deref(&self) -> &Sample {
        &self.sample
    }
}

impl DerefMut for Reading {
    fn deref_mut(&mut self) -> &mut Sample {
        &mut self.sample
    }
}

/// A game's extra channels for one car: a struct per game, so a record costs no map and
/// no allocation; absent channels are not written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Channels {
    F1(super::f1::channels::Car),
    Forza(super::forza::Channels),
    OutGauge(super::outgauge::Channels),
}

/// The four corners at `at` (FL, FR, RL, RR), absent when any of them is not finite: an
/// extra channel the game garbled is left out rather than costing the whole record.
pub(crate) fn corners(r: &Reader<'_>, [fl, fr, rl, rr]: [usize; 4]) -> Result<Option<Tires>, Unusable> {
    Ok(match (r.finite(fl)?, r.finite(fr)?, r.finite(rl)?, r.finite(rr)?) {
        (Some(fl), Some(fr), Some(rl), Some(rr)) => Some(Tires { fl, fr, rl, rr }),
        _ => None,
    })
}

/// The unit a name's suffix gives it, by the contract's convention.
pub fn suffix_unit(name: &str) -> Option<&'static str> {
    const SUFFIXES: &[(&str, &str)] = &[
        ("_c", "°C"),
        ("_kph", "km/h"),
        ("_psi", "psi"),
        ("_bar", "bar"),
        ("_kg", "kg"),
        ("_m", "m"),
        ("_j", "J"),
        ("_pct", "%"),
        ("_g", "g"),
        ("_w", "W"),
        ("_nm", "N·m"),
    ];
    SUFFIXES.iter().find(|(suffix, _)| name.ends_with(suffix)).map(|&(_, unit)| unit)
}

/// Every channel the bridge sends and its unit; `.*` stands for the four corners
/// `.fl`, `.fr`, `.rl`, `.rr`. Dimensionless channels say what their numbers count:
/// `ratio` (0 to 1, or -1 to 1 for `steer`, left negative), `on/off` (0 or 1),
/// `place` (1 is leading), `laps`, `gear` (-1 reverse, 0 neutral).
pub const UNITS: &[(&str, &str)] = &[
    // Contract v1, from every game.
    ("speed_kph", "km/h"),
    ("rpm", "rpm"),
    ("tire_temp_c.*", "°C"),
    ("lap", "laps"),
    ("gear", "gear"),
    ("throttle", "ratio"),
    ("brake", "ratio"),
    ("x", "m"),
    ("y", "m"),
    ("lap_distance_m", "m"),
    // F1.
    ("brake_temp_c.*", "°C"),
    ("tire_inner_temp_c.*", "°C"),
    ("tire_pressure_psi.*", "psi"),
    ("engine_temp_c", "°C"),
    ("steer", "ratio"),
    ("clutch", "ratio"),
    ("drs", "on/off"),
    ("g_lat", "g"),
    ("g_long", "g"),
    ("g_vert", "g"),
    ("position", "place"),
    ("fuel_kg", "kg"),
    ("fuel_laps", "laps"),
    ("ers_store_j", "J"),
    ("tire_wear_pct.*", "%"),
    ("tire_age_laps", "laps"),
    // Forza (and g_lat, g_long above).
    ("boost", "psi"),
    ("fuel", "ratio"),
    ("suspension_travel_m.*", "m"),
    ("suspension_norm.*", "ratio"),
    ("tire_slip_ratio.*", "ratio"),
    ("power_w", "W"),
    ("torque_nm", "N·m"),
    ("race_position", "place"),
    ("tire_wear.*", "ratio"),
    // OutGauge (and engine_temp_c, fuel above).
    ("turbo_bar", "bar"),
    ("oil_pressure_bar", "bar"),
    ("oil_temp_c", "°C"),
];

/// The unit of a channel the bridge sends, by its dotted name (`brake_temp_c.fl`).
pub fn unit(name: &str) -> Option<&'static str> {
    let corner_of = name.rsplit_once('.').and_then(|(group, c)| ["fl", "fr", "rl", "rr"].contains(&c).then_some(group));
    UNITS
        .iter()
        .find(|(n, _)| match corner_of {
            Some(group) => n.strip_suffix(".*") == Some(group),
            None => *n == name,
        })
        .map(|&(_, unit)| unit)
}

#[cfg(test)]
#[path = "channels_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "captures_tests.rs"]
mod captures;
