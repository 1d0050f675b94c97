//! Forza's "Data Out" UDP telemetry. There is no version field: the layout is told apart
//! by the datagram's length. Little-endian throughout; offsets are those of Forza
//! Motorsport's Dash layout, which the Horizon games shift 12 bytes later.

use serde::Serialize;

use super::{
    channels::{self, Reading, corners},
    packet::{Reader, Unusable},
};
use crate::telemetry::{Sample, Tires};

/// The Sled layout: the first 232 bytes of every other layout.
const SLED: usize = 232;
/// Forza Motorsport 7, Dash.
const FM7_DASH: usize = 311;
/// Forza Horizon 4, 5 and 6: a 12-byte block at 232..244 shifts every Dash field.
const FH_DASH: usize = 324;
/// Forza Motorsport (2023), Dash: tire wear ×4 and a track id appended.
const FM23_DASH: usize = 331;
/// Standard gravity, m/s², for accelerations in g.
const G: f64 = 9.806_65;

/// The lengths this decoder knows, for format detection.
pub(crate) const LENGTHS: [usize; 4] = [SLED, FM7_DASH, FH_DASH, FM23_DASH];

/// A position step longer than this between two packets is a teleport (a rewind, a reset
/// to the track), not driving: it does not count towards the lap distance. 100 m in one
/// packet is 360 km/h at 1 packet/s, the slowest Data Out sends.
const MAX_STEP_M: f64 = 100.0;

/// The Dash fields Trackside uses, in the game's units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dash {
    pub(crate) rpm: f64,
    /// x, y (up), z: metres.
    pub(crate) position: [f64; 3],
    pub(crate) speed_mps: f64,
    /// FL, FR, RL, RR: °F.
    pub(crate) tires_f: [f64; 4],
    /// Counted from 0.
    pub(crate) lap: u16,
    pub(crate) accel: u8,
    pub(crate) brake: u8,
    /// 0 is reverse, 11 neutral.
    pub(crate) gear: u8,
    pub(crate) channels: Channels,
}

/// The channels beyond contract v1, in the contract's names. Corners are FL, FR, RL, RR,
/// the game's order too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Channels {
    /// AccelerationX (to the car's right) in g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) g_lat: Option<f64>,
    /// AccelerationZ (forwards) in g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) g_long: Option<f64>,
    /// psi, as the game sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) boost: Option<f64>,
    /// 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fuel: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) suspension_travel_m: Option<Tires>,
    /// 0 fully stretched to 1 fully compressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) suspension_norm: Option<Tires>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tire_slip_ratio: Option<Tires>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) power_w: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) torque_nm: Option<f64>,
    pub(crate) race_position: u8,
    /// 0 to 1; only Forza Motorsport (2023) sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tire_wear: Option<Tires>,
}

/// Reads one datagram. `Err(RaceOff)` for menus and pause, `Err(Sled)` for the layout
/// that has no speed.
pub(crate) fn parse(datagram: &[u8]) -> Result<Dash, Unusable> {
    let r = Reader::new(datagram, "Forza datagram");
    let shift = match r.len() {
        FM7_DASH | FM23_DASH => 0,
        FH_DASH => 12,
        SLED => {
            return Err(if r.i32(0)? == 0 { Unusable::RaceOff } else { Unusable::Sled });
        }
        len => return Err(Unusable::Length { format: "Forza", len }),
    };
    if r.i32(0)? == 0 {
        return Err(Unusable::RaceOff);
    }
    let at = |offset: usize| offset + shift;
    let tire = |i: usize, name| r.f32(at(256 + 4 * i), name);
    let four = |from: usize| [from, from + 4, from + 8, from + 12];
    let channels = Channels {
        g_lat: r.finite(20)?.map(|a| a / G),
        g_long: r.finite(28)?.map(|a| a / G),
        boost: r.finite(at(272))?,
        fuel: r.finite(at(276))?,
        suspension_travel_m: corners(&r, four(196))?,
        suspension_norm: corners(&r, four(68))?,
        tire_slip_ratio: corners(&r, four(84))?,
        power_w: r.finite(at(248))?,
        torque_nm: r.finite(at(252))?,
        race_position: r.u8(at(302))?,
        tire_wear: if r.len() == FM23_DASH { corners(&r, four(311))? } else { None },
    };
    Ok(Dash {
        rpm: r.f32(16, "rpm")?,
        position: [r.f32(at(232), "x")?, r.f32(at(236), "y")?, r.f32(at(240), "z")?],
        speed_mps: r.f32(at(244), "speed")?,
        tires_f: [tire(0, "tire fl")?, tire(1, "tire fr")?, tire(2, "tire rl")?, tire(3, "tire rr")?],
        lap: r.u16(at(300))?,
        accel: r.u8(at(303))?,
        brake: r.u8(at(304))?,
        gear: r.u8(at(307))?,
        channels,
    })
}

/// Distance driven within the current lap: position steps summed over the ground plane,
/// back to zero when the lap number changes. Forza sends no lap distance of its own.
#[derive(Debug, Default)]
pub(crate) struct LapDistance {
    last: Option<(u16, [f64; 3])>,
    metres: f64,
}

impl LapDistance {
    pub(crate) fn advance(&mut self, lap: u16, position: [f64; 3]) -> f64 {
        match self.last {
            Some((last_lap, _)) if last_lap != lap => self.metres = 0.0,
            Some((_, p)) => {
                // x and z are the ground plane; y points up.
                let step = (position[0] - p[0]).hypot(position[2] - p[2]);
                if step <= MAX_STEP_M {
                    self.metres += step;
                }
            }
            None => {}
        }
        self.last = Some((lap, position));
        self.metres
    }
}

fn celsius(f: f64) -> f64 {
    (f - 32.0) * 5.0 / 9.0
}

/// The record for one Dash reading of the player's car: its sample and its channels.
pub(crate) fn reading(d: &Dash, lap_distance_m: f64, car: &str, driver: Option<&str>) -> Reading {
    Reading { sample: sample(d, lap_distance_m, car, driver), channels: channels::Channels::Forza(d.channels) }
}

/// The contract's sample for one Dash reading of the player's car.
pub(crate) fn sample(d: &Dash, lap_distance_m: f64, car: &str, driver: Option<&str>) -> Sample {
    let [fl, fr, rl, rr] = d.tires_f.map(celsius);
    let gear = match d.gear {
        0 => -1,
        11 => 0,
        g => i8::try_from(g).unwrap_or(i8::MAX),
    };
    Sample {
        car: car.to_owned(),
        ts: None,
        speed_kph: d.speed_mps * 3.6,
        rpm: d.rpm,
        tire_temp_c: Some(Tires { fl, fr, rl, rr }),
        lap: Some(u32::from(d.lap) + 1),
        gear: Some(gear),
        throttle: Some(f64::from(d.accel) / 255.0),
        brake: Some(f64::from(d.brake) / 255.0),
        driver: driver.map(str::to_owned),
        x: Some(d.position[0]),
        y: Some(d.position[2]),
        lap_distance_m: Some(lap_distance_m),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bridge::packet::Datagram;

    /// A Dash datagram of `len` bytes with known values; `shift` is 12 for Horizon.
    pub(crate) fn dash(len: usize, shift: usize, speed_mps: f32, x: f32, z: f32, lap: u16) -> Vec<u8> {
        let mut d = Datagram::zeros(len);
        d.u32(0, 1).f32(16, 7250.0);
        d.f32(232 + shift, x).f32(236 + shift, 3.0).f32(240 + shift, z).f32(244 + shift, speed_mps);
        d.f32(256 + shift, 212.0).f32(260 + shift, 194.0).f32(264 + shift, 176.0).f32(268 + shift, 32.0);
        d.f32(292 + shift, 61.5).u16(300 + shift, lap).u8(302 + shift, 4);
        d.u8(303 + shift, 255).u8(304 + shift, 51).u8(307 + shift, 5);
        d.0
    }

    fn expected(car: &str) -> Sample {
        Sample {
            car: car.into(),
            ts: None,
            speed_kph: 180.0,
            rpm: 7250.0,
            tire_temp_c: Some(Tires { fl: 100.0, fr: 90.0, rl: 80.0, rr: 0.0 }),
            lap: Some(3),
            gear: Some(5),
            throttle: Some(1.0),
            brake: Some(0.2),
            driver: Some("Ada".into()),
            x: Some(-120.5),
            y: Some(44.25),
            lap_distance_m: Some(0.0),
        }
    }

    #[test]
    fn an_fm7_dash_datagram_converts_to_the_contract() {
        let d = parse(&dash(311, 0, 50.0, -120.5, 44.25, 2)).unwrap();
        assert_eq!(sample(&d, 0.0, "7", Some("Ada")), expected("7"));
    }

    #[test]
    fn a_horizon_datagram_has_every_dash_field_twelve_bytes_later() {
        let d = parse(&dash(324, 12, 50.0, -120.5, 44.25, 2)).unwrap();
        assert_eq!(sample(&d, 0.0, "7", Some("Ada")), expected("7"));
        // Read at FM offsets, the same bytes would be wrong: the shift matters.
        assert!(parse(&dash(324, 0, 50.0, -120.5, 44.25, 2)).map(|d| d.speed_mps) != Ok(50.0));
    }

    #[test]
    fn an_fm_2023_dash_datagram_converts_to_the_contract() {
        let d = parse(&dash(331, 0, 50.0, -120.5, 44.25, 2)).unwrap();
        assert_eq!(sample(&d, 0.0, "7", Some("Ada")), expected("7"));
    }

    #[test]
    fn a_sled_datagram_is_unusable_and_says_to_choose_dash() {
        let mut sled = Datagram::zeros(232);
        sled.u32(0, 1).f32(16, 7000.0);
        assert_eq!(parse(&sled.0), Err(Unusable::Sled));
        assert!(Unusable::Sled.to_string().contains("Dash"));
    }

    #[test]
    fn menus_and_pause_are_not_racing_and_other_lengths_are_refused() {
        let mut paused = dash(311, 0, 50.0, 0.0, 0.0, 0);
        paused[..4].copy_from_slice(&0i32.to_le_bytes());
        assert_eq!(parse(&paused), Err(Unusable::RaceOff));
        assert_eq!(parse(&[0; 232]), Err(Unusable::RaceOff));
        assert_eq!(parse(&[1; 300]), Err(Unusable::Length { format: "Forza", len: 300 }));
    }

    #[test]
    fn reverse_is_minus_one_and_neutral_zero() {
        let mut d = parse(&dash(311, 0, 1.0, 0.0, 0.0, 0)).unwrap();
        d.gear = 0;
        assert_eq!(sample(&d, 0.0, "1", None).gear, Some(-1));
        d.gear = 11;
        assert_eq!(sample(&d, 0.0, "1", None).gear, Some(0));
    }

    #[test]
    fn lap_distance_sums_ground_steps_and_restarts_with_each_lap() {
        let mut laps = LapDistance::default();
        assert_eq!(laps.advance(0, [0.0, 0.0, 0.0]), 0.0);
        assert_eq!(laps.advance(0, [3.0, 50.0, 4.0]), 5.0, "height is not distance");
        assert_eq!(laps.advance(0, [6.0, 0.0, 8.0]), 10.0);
        assert_eq!(laps.advance(0, [6.0, 0.0, 5008.0]), 10.0, "a teleport is not driving");
        assert_eq!(laps.advance(1, [6.0, 0.0, 5010.0]), 0.0, "a new lap starts at zero");
        assert_eq!(laps.advance(1, [6.0, 0.0, 5012.0]), 2.0);
    }
}

#[cfg(test)]
#[path = "forza_channels_tests.rs"]
pub(crate) mod channels_tests;
