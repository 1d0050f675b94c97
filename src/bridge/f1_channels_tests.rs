//! F1's extra channels from packets built byte by byte at EA's offsets, for each year: each
//! field carries a distinct value and must arrive under its name, at its corner.

use super::*;
use crate::bridge::f1::{
    Join,
    tests::{car_telemetry, lap_data, motion, participants, with_header},
};

const HEADER: usize = 29;
const CARS: usize = 22;

/// CarTelemetry with the v1 values of `f1::tests::car_telemetry` and, for car `i`: steer
/// -0.5, clutch 40 %, DRS open, brakes RL 500 + i, RR 510, FL 620, FR 630 °C, inner
/// temperatures RL 80, RR 81, FL 92, FR 93 °C, engine 105 °C, pressures RL 21.5, RR 21.75,
/// FL 23, FR 23.25 psi.
fn telemetry_with_channels(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let mut d = crate::bridge::packet::Datagram(car_telemetry(format, session, frame));
    for i in 0..CARS {
        let at = HEADER + i * 60;
        d.f32(at + 6, -0.5).u8(at + 14, 40).u8(at + 18, 1);
        for (k, t) in [500 + i as u16, 510, 620, 630].into_iter().enumerate() {
            d.u16(at + 22 + 2 * k, t);
        }
        d.put(at + 34, &[80, 81, 92, 93]).u16(at + 38, 105);
        for (k, p) in [21.5f32, 21.75, 23.0, 23.25].into_iter().enumerate() {
            d.f32(at + 40 + 4 * k, p);
        }
    }
    d.0
}

/// Motion with car `i` pulling 1.5 + i g lateral, -2.25 g longitudinal, 0.125 g vertical.
fn motion_with_channels(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let mut d = crate::bridge::packet::Datagram(motion(format, session, frame));
    for i in 0..CARS {
        let at = HEADER + i * 60;
        d.f32(at + 36, 1.5 + i as f32).f32(at + 40, -2.25).f32(at + 44, 0.125);
    }
    d.0
}

/// LapData with car `i` in position 22 - i; the position byte is 30 into a 50-byte slot in
/// 2023, 32 into a 57-byte slot since 2024.
fn laps_with_positions(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let (stride, at) = if format == 2023 { (50, 30) } else { (57, 32) };
    let mut d = crate::bridge::packet::Datagram(lap_data(format, session, frame));
    for i in 0..CARS {
        d.u8(HEADER + i * stride + at, 22 - i as u8);
    }
    d.0
}

/// CarStatus (55-byte slots every year): car `i` has 42.5 + i kg of fuel for 12.25 laps,
/// 3.5 MJ in its store and tyres 7 laps old.
fn car_status(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let mut d = with_header(HEADER + CARS * 55, format, 7, session, frame);
    for i in 0..CARS {
        let at = HEADER + i * 55;
        d.f32(at + 5, 42.5 + i as f32).f32(at + 9, 110.0).f32(at + 13, 12.25).u8(at + 27, 7).f32(at + 37, 3.5e6);
    }
    d.0
}

/// CarDamage (42-byte slots, 46 in 2025): tyre wear RL 10.5, RR 11.5, FL 20.5 + i, FR 21.5 %.
fn car_damage(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let stride = if format == 2025 { 46 } else { 42 };
    let mut d = with_header(HEADER + CARS * stride, format, 10, session, frame);
    for i in 0..CARS {
        let at = HEADER + i * stride;
        d.f32(at, 10.5).f32(at + 4, 11.5).f32(at + 8, 20.5 + i as f32).f32(at + 12, 21.5);
        d.put(at + 16, &[99; 8]); // tyre and brake damage: not wear
    }
    d.0
}

fn expected(i: usize) -> Car {
    let f = |fl, fr, rl, rr| Tires { fl, fr, rl, rr };
    Car {
        telemetry: Some(Telemetry {
            brake_temp_c: f(620.0, 630.0, 500.0 + i as f64, 510.0),
            tire_inner_temp_c: f(92.0, 93.0, 80.0, 81.0),
            tire_pressure_psi: Some(f(23.0, 23.25, 21.5, 21.75)),
            engine_temp_c: 105.0,
            steer: Some(-0.5),
            clutch: 0.4,
            drs: 1,
        }),
        motion: Some(Motion { g_lat: Some(1.5 + i as f64), g_long: Some(-2.25), g_vert: Some(0.125) }),
        position: Some(22 - i as u8),
        status: Some(Status {
            fuel_kg: Some(42.5 + i as f64),
            fuel_laps: Some(12.25),
            ers_store_j: Some(3.5e6),
            tire_age_laps: 7,
        }),
        damage: Some(Damage { tire_wear_pct: Some(f(20.5 + i as f64, 21.5, 10.5, 11.5)) }),
    }
}

/// A frame of every packet with channels, for 22 active cars; the CarTelemetry comes last.
pub(crate) fn full_frame(format: u16) -> [Vec<u8>; 6] {
    [
        participants(format, 5, 22),
        car_status(format, 5, 40),
        car_damage(format, 5, 40),
        motion_with_channels(format, 5, 41),
        laps_with_positions(format, 5, 41),
        telemetry_with_channels(format, 5, 41),
    ]
}

fn every_packet_gives_each_car_its_channels_exactly(format: u16) {
    let mut join = Join::default();
    let [frame @ .., telemetry] = full_frame(format);
    for packet in frame {
        assert_eq!(join.take(&packet), Ok(vec![]));
    }
    let readings = join.take(&telemetry).unwrap();
    assert_eq!(readings.len(), 21, "car 21 retired");
    for (i, r) in readings.iter().enumerate() {
        assert_eq!(r.channels, crate::bridge::channels::Channels::F1(expected(i)), "car {i} of F1 {format}");
    }
}

#[test]
fn f1_25_sends_brakes_tires_engine_inputs_g_forces_position_fuel_ers_and_wear_per_car() {
    every_packet_gives_each_car_its_channels_exactly(2025);
}

#[test]
fn f1_24_sends_brakes_tires_engine_inputs_g_forces_position_fuel_ers_and_wear_per_car() {
    every_packet_gives_each_car_its_channels_exactly(2024);
}

#[test]
fn f1_23_sends_brakes_tires_engine_inputs_g_forces_position_fuel_ers_and_wear_per_car() {
    every_packet_gives_each_car_its_channels_exactly(2023);
}

#[test]
fn the_channels_are_written_beside_the_v1_fields_which_keep_their_bytes() {
    let mut join = Join::default();
    join.take(&participants(2025, 5, 1)).unwrap();
    join.take(&car_status(2025, 5, 2)).unwrap();
    let reading = join.take(&telemetry_with_channels(2025, 5, 3)).unwrap().remove(0);
    let v1 = serde_json::to_string(&reading.sample).unwrap();
    let json = serde_json::to_string(&reading).unwrap();
    assert_eq!(
        json.strip_prefix(v1.trim_end_matches('}')),
        Some(
            ",\"brake_temp_c\":{\"fl\":620.0,\"fr\":630.0,\"rl\":500.0,\"rr\":510.0},\
             \"tire_inner_temp_c\":{\"fl\":92.0,\"fr\":93.0,\"rl\":80.0,\"rr\":81.0},\
             \"tire_pressure_psi\":{\"fl\":23.0,\"fr\":23.25,\"rl\":21.5,\"rr\":21.75},\
             \"engine_temp_c\":105.0,\"steer\":-0.5,\"clutch\":0.4,\"drs\":1,\
             \"fuel_kg\":42.5,\"fuel_laps\":12.25,\"ers_store_j\":3500000.0,\"tire_age_laps\":7}"
        ),
        "{json}"
    );
}

#[test]
fn status_and_damage_are_the_latest_received_and_a_new_session_forgets_them() {
    let mut join = Join::default();
    join.take(&participants(2024, 5, 1)).unwrap();
    join.take(&car_status(2024, 5, 2)).unwrap();
    let mut emptier = car_status(2024, 5, 3);
    emptier[HEADER + 5..HEADER + 9].copy_from_slice(&1.25f32.to_le_bytes());
    join.take(&emptier).unwrap();
    let r = join.take(&telemetry_with_channels(2024, 5, 4)).unwrap().remove(0);
    let crate::bridge::channels::Channels::F1(car) = r.channels else { panic!("{r:?}") };
    assert_eq!(car.status.and_then(|s| s.fuel_kg), Some(1.25));
    assert_eq!((car.motion, car.damage, car.position), (None, None, None), "not received yet");

    join.take(&participants(2024, 6, 1)).unwrap();
    let r = join.take(&telemetry_with_channels(2024, 6, 2)).unwrap().remove(0);
    let crate::bridge::channels::Channels::F1(car) = r.channels else { panic!("{r:?}") };
    assert_eq!(car.status, None, "another session's fuel is not this one's");
}

#[test]
fn a_garbled_extra_is_left_out_and_costs_neither_the_packet_nor_the_car() {
    let mut join = Join::default();
    join.take(&participants(2025, 5, 1)).unwrap();
    let mut status = car_status(2025, 5, 2);
    status[HEADER + 5..HEADER + 9].copy_from_slice(&f32::NAN.to_le_bytes());
    join.take(&status).unwrap();
    let mut telemetry = telemetry_with_channels(2025, 5, 3);
    telemetry[HEADER + 48..HEADER + 52].copy_from_slice(&f32::INFINITY.to_le_bytes());
    let r = join.take(&telemetry).unwrap().remove(0);
    let crate::bridge::channels::Channels::F1(car) = r.channels else { panic!("{r:?}") };
    let (t, s) = (car.telemetry.unwrap(), car.status.unwrap());
    assert_eq!((t.tire_pressure_psi, t.steer), (None, Some(-0.5)));
    assert_eq!((s.fuel_kg, s.fuel_laps), (None, Some(12.25)));
}

#[test]
fn a_short_car_status_or_damage_packet_is_truncated() {
    let short = &car_status(2025, 5, 2)[..1000];
    assert!(matches!(
        parse(&crate::bridge::f1::header(short).unwrap(), short),
        Err(Unusable::Truncated { need: 1239, .. })
    ));
    let short = &car_damage(2025, 5, 2)[..1000];
    assert!(matches!(
        parse(&crate::bridge::f1::header(short).unwrap(), short),
        Err(Unusable::Truncated { need: 1041, .. })
    ));
}
