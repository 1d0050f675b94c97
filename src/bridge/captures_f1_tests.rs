//! F1 recordings: z0mt3c's, each packet with the source's own parse (compared field by
//! field, for every car, with everything the bridge sends), and GamesDat's, F1 25 sending
//! each of the three formats (no parse: decoded into readings whose channels must be sane).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{captures, read, z0mt3c};
use crate::{
    bridge::{
        channels::{Channels, Reading},
        f1::{self, Join, Packet, channels::Part},
    },
    telemetry::Tires,
};

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A corner array of the source's parse, in the game's order RL, RR, FL, FR.
fn corners(v: &Value) -> Tires {
    Tires { fl: num(&v[2]), fr: num(&v[3]), rl: num(&v[0]), rr: num(&v[1]) }
}

/// Compares one packet's decode with the source's parse, car by car; returns its kind
/// when it is one the bridge reads.
fn compare(line: usize, bytes: &[u8], parsed: &Value) -> Option<&'static str> {
    let (h, packet) = f1::parse(bytes).unwrap_or_else(|e| panic!("line {line}: {e}"));
    let header = &parsed["m_header"];
    assert_eq!(f64::from(h.format), num(&header["m_packetFormat"]), "line {line}");
    assert_eq!(f64::from(h.id), num(&header["m_packetId"]), "line {line}");
    assert_eq!(f64::from(h.frame), num(&header["m_frameIdentifier"]), "line {line}");
    let part = f1::channels::parse(&h, bytes).unwrap_or_else(|e| panic!("line {line}: {e}"));
    let cars = |key: &str| parsed[key].as_array().map(Vec::len);
    let kind = match (packet, part) {
        (Packet::CarTelemetry(v1), Some(Part::Telemetry(extra))) => {
            assert_eq!(cars("m_carTelemetryData"), Some(22));
            for (i, (t, c)) in v1.iter().zip(&extra).enumerate() {
                let p = &parsed["m_carTelemetryData"][i];
                let at = format!("line {line} car {i}");
                assert_eq!(f64::from(t.speed_kph), num(&p["m_speed"]), "{at}");
                assert_eq!((t.throttle, t.brake), (num(&p["m_throttle"]), num(&p["m_brake"])), "{at}");
                assert_eq!((f64::from(t.gear), f64::from(t.rpm)), (num(&p["m_gear"]), num(&p["m_engineRPM"])), "{at}");
                let surface = corners(&p["m_tyresSurfaceTemperature"]);
                assert_eq!(t.tires.map(f64::from), [surface.rl, surface.rr, surface.fl, surface.fr], "{at}");
                assert_eq!(c.brake_temp_c, corners(&p["m_brakesTemperature"]), "{at}");
                assert_eq!(c.tire_inner_temp_c, corners(&p["m_tyresInnerTemperature"]), "{at}");
                assert_eq!(c.tire_pressure_psi, Some(corners(&p["m_tyresPressure"])), "{at}");
                assert_eq!(c.engine_temp_c, num(&p["m_engineTemperature"]), "{at}");
                assert_eq!(c.steer, Some(num(&p["m_steer"])), "{at}");
                assert_eq!(c.clutch, num(&p["m_clutch"]) / 100.0, "{at}");
                assert_eq!(f64::from(c.drs), num(&p["m_drs"]), "{at}");
            }
            "CarTelemetry"
        }
        (Packet::Motion(v1), Some(Part::Motion(extra))) => {
            assert_eq!(cars("m_carMotionData"), Some(22));
            for (i, (xyz, c)) in v1.iter().zip(&extra).enumerate() {
                let p = &parsed["m_carMotionData"][i];
                let at = format!("line {line} car {i}");
                let world = ["m_worldPositionX", "m_worldPositionY", "m_worldPositionZ"].map(|k| num(&p[k]));
                assert_eq!(*xyz, world, "{at}");
                assert_eq!(c.g_lat, Some(num(&p["m_gForceLateral"])), "{at}");
                assert_eq!(c.g_long, Some(num(&p["m_gForceLongitudinal"])), "{at}");
                assert_eq!(c.g_vert, Some(num(&p["m_gForceVertical"])), "{at}");
            }
            "Motion"
        }
        (Packet::LapData(v1), Some(Part::Positions(positions))) => {
            assert_eq!(cars("m_lapData"), Some(22));
            for (i, (l, position)) in v1.iter().zip(&positions).enumerate() {
                let p = &parsed["m_lapData"][i];
                let at = format!("line {line} car {i}");
                assert_eq!(l.distance_m, num(&p["m_lapDistance"]), "{at}");
                assert_eq!(f64::from(l.number), num(&p["m_currentLapNum"]), "{at}");
                assert_eq!(f64::from(l.status), num(&p["m_resultStatus"]), "{at}");
                assert_eq!(f64::from(*position), num(&p["m_carPosition"]), "{at}");
            }
            "LapData"
        }
        (Packet::Other, Some(Part::Status(status))) => {
            assert_eq!(cars("m_carStatusData"), Some(22));
            for (i, s) in status.iter().enumerate() {
                let p = &parsed["m_carStatusData"][i];
                let at = format!("line {line} car {i}");
                assert_eq!(s.fuel_kg, Some(num(&p["m_fuelInTank"])), "{at}");
                assert_eq!(s.fuel_laps, Some(num(&p["m_fuelRemainingLaps"])), "{at}");
                assert_eq!(s.ers_store_j, Some(num(&p["m_ersStoreEnergy"])), "{at}");
                assert_eq!(f64::from(s.tire_age_laps), num(&p["m_tyresAgeLaps"]), "{at}");
            }
            "CarStatus"
        }
        (Packet::Other, Some(Part::Damage(damage))) => {
            assert_eq!(cars("m_carDamageData"), Some(22));
            for (i, d) in damage.iter().enumerate() {
                let wear = corners(&parsed["m_carDamageData"][i]["m_tyresWear"]);
                assert_eq!(d.tire_wear_pct, Some(wear), "line {line} car {i}");
            }
            "CarDamage"
        }
        (Packet::Participants { active, cars: who }, None) => {
            assert_eq!(f64::from(active), num(&parsed["m_numActiveCars"]), "line {line}");
            for (i, w) in who.iter().enumerate() {
                let p = &parsed["m_participants"][i];
                assert_eq!(f64::from(w.race_number), num(&p["m_raceNumber"]), "line {line} car {i}");
                assert_eq!(Some(w.name.as_str()), p["m_name"].as_str().map(str::trim), "line {line} car {i}");
            }
            "Participants"
        }
        (Packet::Other, None) => return None,
        (packet, part) => panic!("line {line}: {packet:?} with {part:?}"),
    };
    Some(kind)
}

fn z0mt3c_year_matches_the_sources_parse(file: &str, format: u16) {
    let Some(dir) = captures() else { return };
    let mut compared = BTreeMap::new();
    for (line, bytes, parsed) in z0mt3c(&dir, file) {
        assert_eq!(f1::header(&bytes).map(|h| h.format), Ok(format), "line {line}");
        if let Some(kind) = compare(line, &bytes, &parsed) {
            *compared.entry(kind).or_insert(0) += 1;
        }
    }
    let kinds: Vec<&str> = compared.keys().copied().collect();
    assert_eq!(kinds, ["CarDamage", "CarStatus", "CarTelemetry", "LapData", "Motion", "Participants"], "{file}");
}

#[test]
fn f1_23_recordings_decode_to_the_sources_parse_for_every_car_and_channel() {
    z0mt3c_year_matches_the_sources_parse("f1_23/z0mt3c_mocks_2023.jsonl", 2023);
}

#[test]
fn f1_24_recordings_decode_to_the_sources_parse_for_every_car_and_channel() {
    z0mt3c_year_matches_the_sources_parse("f1_24/z0mt3c_mocks_2024.jsonl", 2024);
}

#[test]
fn f1_25_recordings_decode_to_the_sources_parse_for_every_car_and_channel() {
    z0mt3c_year_matches_the_sources_parse("f1_25/z0mt3c_mocks_2025.jsonl", 2025);
}

/// GamesDat's packets of one format that the bridge reads, through the join (the driver
/// list first, CarTelemetry last): the readings of the frame. (Its event and final
/// classification packets belong to other sessions, so they are not joined.)
fn gamesdat_frame(folder: &str, format: u16) -> Option<Vec<Reading>> {
    let dir = captures()?;
    let mut join = Join::default();
    for id in [4, 0, 2, 7, 10, 6] {
        let bytes = read(&dir.join(folder), &format!("packet-{id}.bin"));
        let h = f1::header(&bytes).unwrap();
        assert_eq!((h.format, h.id), (format, id), "{folder} packet {id}");
        let readings = join.take(&bytes).unwrap_or_else(|e| panic!("{folder} packet {id}: {e}"));
        if id == 6 {
            return Some(readings);
        }
        assert_eq!(readings, [], "{folder} packet {id}");
    }
    panic!("{folder}: no CarTelemetry")
}

fn sane(folder: &str, readings: &[Reading]) {
    assert!(!readings.is_empty(), "{folder}");
    for r in readings {
        let Channels::F1(c) = r.channels else { panic!("{r:?}") };
        let at = format!("{folder} car {}", r.car);
        let (t, m, s, d) = (c.telemetry.unwrap(), c.motion.unwrap(), c.status.unwrap(), c.damage.unwrap());
        let all =
            |x: Tires, range: std::ops::RangeInclusive<f64>| [x.fl, x.fr, x.rl, x.rr].iter().all(|v| range.contains(v));
        assert!(all(t.brake_temp_c, 0.0..=1500.0) && all(t.tire_inner_temp_c, 0.0..=200.0), "{at}: {t:?}");
        assert!(all(t.tire_pressure_psi.unwrap(), 10.0..=40.0), "{at}: {t:?}");
        assert!((0.0..=200.0).contains(&t.engine_temp_c) && t.steer.unwrap().abs() <= 1.0, "{at}: {t:?}");
        assert!((0.0..=1.0).contains(&t.clutch) && t.drs <= 1, "{at}: {t:?}");
        assert!([m.g_lat, m.g_long, m.g_vert].iter().all(|g| g.unwrap().abs() < 10.0), "{at}: {m:?}");
        assert!(c.position.is_some_and(|p| (1..=22).contains(&p)), "{at}: {c:?}");
        assert!((0.0..=120.0).contains(&s.fuel_kg.unwrap()) && s.fuel_laps.unwrap().abs() < 100.0, "{at}: {s:?}");
        assert!((0.0..=4.0e6).contains(&s.ers_store_j.unwrap()) && s.tire_age_laps < 100, "{at}: {s:?}");
        assert!(all(d.tire_wear_pct.unwrap(), 0.0..=100.0), "{at}: {d:?}");
    }
}

#[test]
fn f1_25_sending_each_format_gives_readings_with_sane_channels_and_the_hand_decoded_player() {
    // The player's CarTelemetry SOURCES.md decoded by hand: (car index, speed, gear, rpm).
    for (folder, format, player) in [
        ("f1_23/gamesdat_format2023_emitted_by_f1_25", 2023, (0, 264.0, 7, 10378.0)),
        ("f1_24/gamesdat_format2024_emitted_by_f1_25", 2024, (0, 104.0, 2, 9115.0)),
        ("f1_25/gamesdat_f1_25", 2025, (19, 305.0, 8, 10926.0)),
    ] {
        let Some(readings) = gamesdat_frame(folder, format) else { return };
        sane(folder, &readings);
        let dir = captures().unwrap();
        let Packet::CarTelemetry(t) = f1::parse(&read(&dir.join(folder), "packet-6.bin")).unwrap().1 else { panic!() };
        let p = &t[player.0];
        assert_eq!((f64::from(p.speed_kph), p.gear, f64::from(p.rpm)), (player.1, player.2, player.3), "{folder}");
    }
}
