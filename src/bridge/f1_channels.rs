//! F1's channels beyond contract v1, read from CarTelemetry, Motion, LapData, CarStatus and
//! CarDamage after EA's published layouts for 2023, 2024 and 2025, and kept per car: each
//! sample carries the newest of every packet, as the v1 join does.
//!
//! Corner arrays come in the game's order RL, RR, FL, FR.

use serde::Serialize;

use super::{CAR_TELEMETRY, Header, LAP_DATA, MOTION, MOTION_STRIDE, TELEMETRY_STRIDE, slots};
use crate::{
    bridge::packet::{Reader, Unusable},
    telemetry::Tires,
};

const CAR_STATUS: u8 = 7;
const CAR_DAMAGE: u8 = 10;
/// CarStatus kept its 55-byte slot from 2023 to 2025.
const STATUS_STRIDE: usize = 55;

/// CarDamage's slot: F1 25 added four tyre blister bytes (after the wear, which stays first).
fn damage_stride(format: u16) -> usize {
    if format >= 2025 { 46 } else { 42 }
}

/// LapData's car position: F1 24 gave the two time deltas a minutes byte each.
fn position_at(format: u16) -> usize {
    if format >= 2024 { 32 } else { 30 }
}

/// Four values in the game's order RL, RR, FL, FR, as corners.
fn game_order([rl, rr, fl, fr]: [f64; 4]) -> Tires {
    Tires { fl, fr, rl, rr }
}

/// Four f32 in the game's order at `at`, absent unless all are finite.
fn f32_corners(r: &Reader<'_>, at: usize) -> Result<Option<Tires>, Unusable> {
    let [rl, rr, fl, fr] = [at, at + 4, at + 8, at + 12];
    crate::bridge::channels::corners(r, [fl, fr, rl, rr])
}

/// CarTelemetry's channels of one car.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Telemetry {
    pub(crate) brake_temp_c: Tires,
    pub(crate) tire_inner_temp_c: Tires,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tire_pressure_psi: Option<Tires>,
    pub(crate) engine_temp_c: f64,
    /// -1 full left to 1 full right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) steer: Option<f64>,
    /// 0 to 1 (the game sends percent).
    pub(crate) clutch: f64,
    pub(crate) drs: u8,
}

/// Motion's g-forces of one car.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Motion {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) g_lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) g_long: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) g_vert: Option<f64>,
}

/// CarStatus's channels of one car.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Status {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fuel_kg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fuel_laps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ers_store_j: Option<f64>,
    pub(crate) tire_age_laps: u8,
}

/// CarDamage's channels of one car.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Damage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tire_wear_pct: Option<Tires>,
}

/// One car's channels from the newest packet of each kind; a kind not received yet is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub(crate) struct Car {
    #[serde(flatten)]
    pub(crate) telemetry: Option<Telemetry>,
    #[serde(flatten)]
    pub(crate) motion: Option<Motion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) position: Option<u8>,
    #[serde(flatten)]
    pub(crate) status: Option<Status>,
    #[serde(flatten)]
    pub(crate) damage: Option<Damage>,
}

/// One packet's channels, 22 slots.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Telemetry(Vec<Telemetry>),
    Motion(Vec<Motion>),
    Positions(Vec<u8>),
    Status(Vec<Status>),
    Damage(Vec<Damage>),
}

/// Reads the channels of one packet whose header is `h`; `None` for packets that have none.
pub(crate) fn parse(h: &Header, datagram: &[u8]) -> Result<Option<Part>, Unusable> {
    Ok(Some(match h.id {
        CAR_TELEMETRY => Part::Telemetry(
            slots(datagram, "F1 CarTelemetry", TELEMETRY_STRIDE)?
                .map(|(r, at)| {
                    let u16s = |from: usize| -> Result<[f64; 4], Unusable> {
                        Ok([r.u16(from)?, r.u16(from + 2)?, r.u16(from + 4)?, r.u16(from + 6)?].map(f64::from))
                    };
                    let inner = [r.u8(at + 34)?, r.u8(at + 35)?, r.u8(at + 36)?, r.u8(at + 37)?].map(f64::from);
                    Ok(Telemetry {
                        brake_temp_c: game_order(u16s(at + 22)?),
                        tire_inner_temp_c: game_order(inner),
                        tire_pressure_psi: f32_corners(&r, at + 40)?,
                        engine_temp_c: f64::from(r.u16(at + 38)?),
                        steer: r.finite(at + 6)?,
                        clutch: f64::from(r.u8(at + 14)?) / 100.0,
                        drs: r.u8(at + 18)?,
                    })
                })
                .collect::<Result<_, Unusable>>()?,
        ),
        MOTION => Part::Motion(
            slots(datagram, "F1 Motion", MOTION_STRIDE)?
                .map(|(r, at)| {
                    Ok(Motion { g_lat: r.finite(at + 36)?, g_long: r.finite(at + 40)?, g_vert: r.finite(at + 44)? })
                })
                .collect::<Result<_, Unusable>>()?,
        ),
        LAP_DATA => {
            let stride = super::layout(h.format)?.lap_stride;
            let position = position_at(h.format);
            Part::Positions(
                slots(datagram, "F1 LapData", stride)?
                    .map(|(r, at)| r.u8(at + position))
                    .collect::<Result<_, Unusable>>()?,
            )
        }
        CAR_STATUS => Part::Status(
            slots(datagram, "F1 CarStatus", STATUS_STRIDE)?
                .map(|(r, at)| {
                    Ok(Status {
                        fuel_kg: r.finite(at + 5)?,
                        fuel_laps: r.finite(at + 13)?,
                        ers_store_j: r.finite(at + 37)?,
                        tire_age_laps: r.u8(at + 27)?,
                    })
                })
                .collect::<Result<_, Unusable>>()?,
        ),
        CAR_DAMAGE => Part::Damage(
            slots(datagram, "F1 CarDamage", damage_stride(h.format))?
                .map(|(r, at)| Ok(Damage { tire_wear_pct: f32_corners(&r, at)? }))
                .collect::<Result<_, Unusable>>()?,
        ),
        _ => return Ok(None),
    }))
}

/// The newest channels of each packet kind in this session.
#[derive(Debug, Default)]
pub(crate) struct Latest {
    telemetry: Vec<Telemetry>,
    motion: Vec<Motion>,
    positions: Vec<u8>,
    status: Vec<Status>,
    damage: Vec<Damage>,
}

impl Latest {
    pub(crate) fn keep(&mut self, part: Part) {
        match part {
            Part::Telemetry(t) => self.telemetry = t,
            Part::Motion(m) => self.motion = m,
            Part::Positions(p) => self.positions = p,
            Part::Status(s) => self.status = s,
            Part::Damage(d) => self.damage = d,
        }
    }

    /// Car `i`'s channels (slot `i` of each packet).
    pub(crate) fn car(&self, i: usize) -> Car {
        Car {
            telemetry: self.telemetry.get(i).copied(),
            motion: self.motion.get(i).copied(),
            position: self.positions.get(i).copied(),
            status: self.status.get(i).copied(),
            damage: self.damage.get(i).copied(),
        }
    }
}

#[cfg(test)]
#[path = "f1_channels_tests.rs"]
pub(crate) mod tests;
