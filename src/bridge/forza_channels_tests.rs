//! Forza's extra channels from datagrams built byte by byte, for each Dash layout: the Sled
//! part (accelerations, suspension, slip) sits at the same offsets in all of them, the Dash
//! part 12 bytes later in the Horizon games.

use super::*;
use crate::bridge::{channels::Channels as Any, packet::Datagram};

/// Accelerations (m/s²) whose quotient by 9.80665 is the g the decoder must give.
const ACCEL_X: f32 = 19.6133;
const ACCEL_Z: f32 = -4.903_325;

/// The v1 datagram of `tests::dash` with a distinct value in every extra field.
pub(crate) fn dash_with_channels(len: usize, shift: usize) -> Vec<u8> {
    let mut d = Datagram(tests::dash(len, shift, 50.0, -120.5, 44.25, 2));
    d.f32(20, ACCEL_X).f32(24, 3.0).f32(28, ACCEL_Z);
    for (k, v) in [0.25f32, 0.5, 0.75, 1.0].into_iter().enumerate() {
        d.f32(68 + 4 * k, v).f32(84 + 4 * k, v * 2.0 - 1.0).f32(196 + 4 * k, v / 4.0);
    }
    d.f32(248 + shift, 350_000.0).f32(252 + shift, 612.5).f32(272 + shift, 14.5).f32(276 + shift, 0.75);
    d.u8(302 + shift, 3);
    if len == 331 {
        for (k, v) in [0.125f32, 0.25, 0.375, 0.5].into_iter().enumerate() {
            d.f32(311 + 4 * k, v);
        }
    }
    d.0
}

fn expected(tire_wear: Option<Tires>) -> Channels {
    Channels {
        g_lat: Some(f64::from(ACCEL_X) / 9.806_65),
        g_long: Some(f64::from(ACCEL_Z) / 9.806_65),
        boost: Some(14.5),
        fuel: Some(0.75),
        suspension_travel_m: Some(Tires { fl: 0.0625, fr: 0.125, rl: 0.1875, rr: 0.25 }),
        suspension_norm: Some(Tires { fl: 0.25, fr: 0.5, rl: 0.75, rr: 1.0 }),
        tire_slip_ratio: Some(Tires { fl: -0.5, fr: 0.0, rl: 0.5, rr: 1.0 }),
        power_w: Some(350_000.0),
        torque_nm: Some(612.5),
        race_position: 3,
        tire_wear,
    }
}

#[test]
fn an_fm7_dash_datagram_sends_g_forces_boost_fuel_suspension_slip_power_torque_and_position() {
    let d = parse(&dash_with_channels(311, 0)).unwrap();
    assert_eq!(d.channels, expected(None));
    assert_eq!(d.channels.g_lat.map(|g| (g * 1e4).round() / 1e4), Some(2.0), "m/s² become g");
}

#[test]
fn a_horizon_datagram_shifts_only_the_dash_channels_and_has_no_tire_wear() {
    assert_eq!(parse(&dash_with_channels(324, 12)).unwrap().channels, expected(None));
}

#[test]
fn an_fm_2023_datagram_also_sends_tire_wear() {
    let wear = Tires { fl: 0.125, fr: 0.25, rl: 0.375, rr: 0.5 };
    assert_eq!(parse(&dash_with_channels(331, 0)).unwrap().channels, expected(Some(wear)));
}

#[test]
fn the_record_keeps_the_v1_fields_and_adds_the_channels_by_their_contract_names() {
    let d = parse(&dash_with_channels(331, 0)).unwrap();
    let reading = reading(&d, 0.0, "7", Some("Ada"));
    assert_eq!(reading.sample, sample(&d, 0.0, "7", Some("Ada")));
    assert!(matches!(reading.channels, Any::Forza(c) if c == d.channels));
    let json = serde_json::to_value(&reading).unwrap();
    assert_eq!(json["speed_kph"], 180.0);
    assert_eq!(json["suspension_norm"], serde_json::json!({"fl": 0.25, "fr": 0.5, "rl": 0.75, "rr": 1.0}));
    assert_eq!(json["tire_wear"]["rr"], 0.5);
    assert_eq!((json["power_w"].as_f64(), json["race_position"].as_u64()), (Some(350_000.0), Some(3)));
}

#[test]
fn a_garbled_extra_is_left_out_and_the_sample_still_made() {
    let mut bytes = dash_with_channels(311, 0);
    bytes[272..276].copy_from_slice(&f32::NAN.to_le_bytes());
    bytes[84..88].copy_from_slice(&f32::INFINITY.to_le_bytes());
    let d = parse(&bytes).unwrap();
    assert_eq!((d.channels.boost, d.channels.tire_slip_ratio, d.channels.fuel), (None, None, Some(0.75)));
}
