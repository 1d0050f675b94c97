//! F1 packets built byte by byte from the published offsets, for each supported year.

use super::*;
use crate::bridge::packet::Datagram;

pub(crate) fn with_header(len: usize, format: u16, id: u8, session: u64, frame: u32) -> Datagram {
    let mut d = Datagram::zeros(len);
    d.u16(0, format).u8(6, id).put(7, &session.to_le_bytes()).f32(15, 12.5).u32(19, frame).u8(27, 0);
    d
}

/// Car `i`'s telemetry: speed 200 + i km/h, throttle 0.75, brake 0.25, gear 6, 11000 rpm,
/// surface temperatures RL 90, RR 91, FL 100 + i, FR 101.
pub(crate) fn car_telemetry(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let mut d = with_header(HEADER + CARS * 60 + 3, format, CAR_TELEMETRY, session, frame);
    for i in 0..CARS {
        let at = HEADER + i * 60;
        d.u16(at, 200 + i as u16).f32(at + 2, 0.75).f32(at + 10, 0.25).u8(at + 15, 6).u16(at + 16, 11_000);
        d.put(at + 30, &[90, 91, 100 + i as u8, 101]);
    }
    d.0
}

/// Car `i` on lap 3, `100 * i + 0.5` m into it; car 21 retired (status 7).
pub(crate) fn lap_data(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let l = layout(format).unwrap();
    let (distance, number, status) = l.lap_fields;
    let mut d = with_header(HEADER + CARS * l.lap_stride + 2, format, LAP_DATA, session, frame);
    for i in 0..CARS {
        let at = HEADER + i * l.lap_stride;
        d.f32(at + distance, 100.0 * i as f32 + 0.5).u8(at + number, 3).u8(at + status, if i == 21 { 7 } else { 2 });
    }
    d.0
}

/// Car `i` at X = i, Y = 5 (up), Z = -i metres.
pub(crate) fn motion(format: u16, session: u64, frame: u32) -> Vec<u8> {
    let mut d = with_header(HEADER + CARS * 60, format, MOTION, session, frame);
    for i in 0..CARS {
        let at = HEADER + i * 60;
        d.f32(at, i as f32).f32(at + 4, 5.0).f32(at + 8, -(i as f32));
    }
    d.0
}

/// `active` cars; car `i` wears number `i + 2` and is called "Driver i".
pub(crate) fn participants(format: u16, session: u64, active: u8) -> Vec<u8> {
    let l = layout(format).unwrap();
    let mut d = with_header(HEADER + 1 + CARS * l.participant_stride, format, PARTICIPANTS, session, 0);
    d.u8(HEADER, active);
    for i in 0..CARS {
        let at = HEADER + 1 + i * l.participant_stride;
        d.u8(at + 5, i as u8 + 2).put(at + 7, format!("Driver {i}").as_bytes());
    }
    d.0
}

fn expected(i: usize) -> Sample {
    Sample {
        car: (i + 2).to_string(),
        ts: None,
        speed_kph: 200.0 + i as f64,
        rpm: 11_000.0,
        tire_temp_c: Some(Tires { fl: 100.0 + i as f64, fr: 101.0, rl: 90.0, rr: 91.0 }),
        lap: Some(3),
        gear: Some(6),
        throttle: Some(0.75),
        brake: Some(0.25),
        driver: Some(format!("Driver {i}")),
        x: Some(i as f64),
        y: Some(-(i as f64)),
        lap_distance_m: Some(100.0 * i as f64 + 0.5),
    }
}

fn a_full_frame_gives_one_exact_sample_per_active_car(format: u16) {
    let mut join = Join::default();
    assert_eq!(join.push(&participants(format, 9, 22)), Ok(vec![]));
    assert_eq!(join.push(&motion(format, 9, 100)), Ok(vec![]));
    assert_eq!(join.push(&lap_data(format, 9, 100)), Ok(vec![]));
    let samples = join.push(&car_telemetry(format, 9, 100)).unwrap();
    assert_eq!(samples.len(), 21, "car 21 retired");
    for (i, s) in samples.iter().enumerate() {
        assert_eq!(s, &expected(i), "car {i} of F1 {format}");
    }
}

#[test]
fn f1_25_car_telemetry_lap_data_motion_and_participants_join_into_samples() {
    a_full_frame_gives_one_exact_sample_per_active_car(2025);
}

#[test]
fn f1_24_car_telemetry_lap_data_motion_and_participants_join_into_samples() {
    a_full_frame_gives_one_exact_sample_per_active_car(2024);
}

#[test]
fn f1_23_car_telemetry_lap_data_motion_and_participants_join_into_samples() {
    a_full_frame_gives_one_exact_sample_per_active_car(2023);
}

#[test]
fn each_packet_reads_its_own_fields() {
    let (h, p) = parse(&car_telemetry(2025, 1, 7)).unwrap();
    assert_eq!(h, Header { format: 2025, id: 6, session: 1, frame: 7 });
    let Packet::CarTelemetry(t) = p else { panic!("{p:?}") };
    assert_eq!(
        t[3],
        Telemetry { speed_kph: 203, throttle: 0.75, brake: 0.25, gear: 6, rpm: 11_000, tires: [90, 91, 103, 101] }
    );
    let Packet::LapData(l) = parse(&lap_data(2024, 1, 7)).unwrap().1 else { panic!() };
    assert_eq!((l[4], l[21].status), (Lap { distance_m: 400.5, number: 3, status: 2 }, 7));
    let Packet::Motion(m) = parse(&motion(2024, 1, 7)).unwrap().1 else { panic!() };
    assert_eq!(m[2], [2.0, 5.0, -2.0]);
    for format in [2024, 2025] {
        let Packet::Participants { active, cars } = parse(&participants(format, 1, 20)).unwrap().1 else { panic!() };
        assert_eq!((active, &cars[21]), (20, &Participant { race_number: 23, name: "Driver 21".into() }));
    }
}

#[test]
fn a_long_f1_24_name_is_read_whole_and_f1_25_stops_at_32_characters() {
    let name = "A".repeat(40);
    let mut p24 = participants(2024, 1, 1);
    p24[HEADER + 1 + 7..HEADER + 1 + 47].copy_from_slice(name.as_bytes());
    let Packet::Participants { cars, .. } = parse(&p24).unwrap().1 else { panic!() };
    assert_eq!(cars[0].name, name);
    let mut p25 = participants(2025, 1, 1);
    p25[HEADER + 1 + 7..HEADER + 1 + 39].copy_from_slice(&name.as_bytes()[..32]);
    let Packet::Participants { cars, .. } = parse(&p25).unwrap().1 else { panic!() };
    assert_eq!(cars[0].name, name[..32]);
}

#[test]
fn only_the_active_cars_are_produced_and_none_before_the_driver_list() {
    let mut join = Join::default();
    assert_eq!(join.push(&car_telemetry(2025, 1, 1)), Err(Unusable::NoParticipants));
    join.push(&participants(2025, 1, 2)).unwrap();
    let cars: Vec<String> = join.push(&car_telemetry(2025, 1, 2)).unwrap().into_iter().map(|s| s.car).collect();
    assert_eq!(cars, ["2", "3"]);
}

#[test]
fn a_flashback_produces_no_moment_twice_and_a_new_session_starts_afresh() {
    let mut join = Join::default();
    join.push(&participants(2025, 1, 1)).unwrap();
    assert_eq!(join.push(&car_telemetry(2025, 1, 50)).unwrap().len(), 1);
    assert_eq!(join.push(&car_telemetry(2025, 1, 50)), Err(Unusable::Replayed { frame: 50 }));
    assert_eq!(join.push(&car_telemetry(2025, 1, 20)), Err(Unusable::Replayed { frame: 20 }));
    assert_eq!(join.push(&car_telemetry(2025, 1, 51)).unwrap().len(), 1, "past the old moment it carries on");
    assert_eq!(join.push(&car_telemetry(2025, 2, 1)), Err(Unusable::NoParticipants), "a new session");
}

#[test]
fn packets_are_told_apart_by_format_and_id_not_by_length() {
    let mut other_year = car_telemetry(2025, 1, 1);
    other_year[..2].copy_from_slice(&2022u16.to_le_bytes());
    assert_eq!(parse(&other_year), Err(Unusable::F1Format(2022)));
    let mut session = car_telemetry(2025, 1, 1);
    session[6] = 1;
    assert_eq!(parse(&session).map(|(_, p)| p), Ok(Packet::Other), "same length, another packet");
    let mut unknown = car_telemetry(2025, 1, 1);
    unknown[6] = 99;
    assert!(matches!(parse(&unknown), Err(Unusable::Unknown { .. })));
    let short = &car_telemetry(2025, 1, 1)[..500];
    assert!(matches!(parse(short), Err(Unusable::Truncated { need: 1349, .. })), "{:?}", parse(short));
}
