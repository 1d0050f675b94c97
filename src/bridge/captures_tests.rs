//! The decoders against real recordings made by other people, read in place from
//! `../shared/captures` beside the project (`TRACKSIDE_CAPTURES` names another folder).
//! Those files are never copied into this repository; without them these tests say they
//! skipped and pass. The folder's SOURCES.md says what each file is and what its source
//! asserts.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bridge::{
    channels::{Channels, Reading},
    forza, outgauge,
};

#[path = "captures_f1_tests.rs"]
mod f1;

/// The captures folder, or `None` (saying so) when it is absent.
fn captures() -> Option<PathBuf> {
    let dir = std::env::var_os("TRACKSIDE_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"));
    if dir.join("manifest.json").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A z0mt3c JSON-lines file: each line's number (from 1), its datagram, and the source's
/// own parse of it.
fn z0mt3c(dir: &Path, file: &str) -> Vec<(usize, Vec<u8>, Value)> {
    let text = String::from_utf8(read(dir, file)).unwrap();
    let lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    lines
        .map(|(i, line)| {
            let mut o: Value = serde_json::from_str(line).unwrap();
            let message = o["message"].get("data").unwrap_or(&o["message"]);
            let bytes =
                message.as_array().unwrap().iter().map(|b| u8::try_from(b.as_u64().unwrap()).unwrap()).collect();
            (i + 1, bytes, o["parsed"].take())
        })
        .collect()
}

fn forza_channels(r: &Reading) -> forza::Channels {
    match r.channels {
        Channels::Forza(c) => c,
        _ => panic!("{r:?}"),
    }
}

#[test]
fn the_forza_motorsport_2023_recording_decodes_to_its_anchors_with_channels_in_range() {
    let Some(dir) = captures() else { return };
    let bytes = read(&dir, "forza_fm2023/esqvr_fmdatasport_sample_data_1793x331.bin");
    let mut laps = forza::LapDistance::default();
    let readings: Vec<Reading> = bytes
        .chunks(331)
        .map(|d| {
            let dash = forza::parse(d).unwrap();
            forza::reading(&dash, laps.advance(dash.lap, dash.position), "1", None)
        })
        .collect();
    assert_eq!(readings.len(), 1793);

    // The anchors SOURCES.md decoded by hand (to the digits it prints).
    let near = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance;
    let (first, last) = (&readings[0], &readings[1792]);
    assert!(near(first.speed_kph / 3.6, 33.18495, 5e-6) && near(first.rpm, 5686.428, 5e-4), "{first:?}");
    assert_eq!((first.gear, first.throttle, first.brake), (Some(3), Some(0.0), Some(24.0 / 255.0)));
    assert!(near(first.x.unwrap(), -202.127, 5e-4) && near(first.y.unwrap(), 912.734, 5e-4), "{first:?}");
    assert!(near(forza_channels(first).fuel.unwrap(), 0.994914, 5e-7), "{first:?}");
    assert!(near(last.speed_kph / 3.6, 60.12533, 5e-6) && near(last.rpm, 6252.067, 5e-4), "{last:?}");
    assert_eq!((last.gear, last.throttle), (Some(5), Some(1.0)));
    assert!(readings.iter().all(|r| r.lap == Some(1)), "LapNumber 0 throughout");
    let mut gears = std::collections::BTreeMap::new();
    for r in &readings {
        *gears.entry(r.gear.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(gears.keys().copied().collect::<Vec<_>>(), [0, 3, 4, 5], "3rd to 5th, and 11 (neutral) in shifts");
    assert_eq!(gears[&0], 26, "gear 11 in 26 datagrams");

    // The new channels: in range, and as a car driven for 30 s behaves.
    let all: Vec<forza::Channels> = readings.iter().map(forza_channels).collect();
    let corners = |t: Option<crate::telemetry::Tires>| {
        let t = t.unwrap();
        [t.fl, t.fr, t.rl, t.rr]
    };
    for (i, c) in all.iter().enumerate() {
        assert_eq!(c.race_position, 1, "datagram {i}");
        let fuel = c.fuel.unwrap();
        assert!((0.0..=1.0).contains(&fuel), "datagram {i}: {c:?}");
        assert!(c.g_lat.unwrap().abs() < 5.0 && c.g_long.unwrap().abs() < 5.0, "datagram {i}: {c:?}");
        assert!(corners(c.suspension_norm).iter().all(|s| (0.0..=1.0).contains(s)), "datagram {i}: {c:?}");
        assert!(corners(c.suspension_travel_m).iter().all(|s| s.abs() < 0.5), "datagram {i}: {c:?}");
        assert!(corners(c.tire_wear).iter().all(|w| (0.0..=1.0).contains(w)), "datagram {i}: {c:?}");
        assert!(corners(c.tire_slip_ratio).iter().all(|s| s.abs() < 5.0), "datagram {i}: {c:?}");
        assert!(c.power_w.unwrap().abs() < 1e6 && c.torque_nm.unwrap().abs() < 2000.0, "datagram {i}: {c:?}");
        assert!(c.boost.unwrap().abs() < 50.0, "datagram {i}: {c:?}");
    }
    let fuel: Vec<f64> = all.iter().map(|c| c.fuel.unwrap()).collect();
    assert!(fuel.windows(2).all(|w| w[1] <= w[0]) && fuel[1792] < fuel[0], "fuel burns: {fuel:?}");
    let wear = |c: &forza::Channels| corners(c.tire_wear).iter().sum::<f64>();
    assert!(wear(&all[1792]) > wear(&all[0]), "tires wear");
    // Full throttle at the end: the engine gives power and torque, and the turbo boost.
    let end = &all[1792];
    assert!(end.power_w.unwrap() > 100_000.0 && end.torque_nm.unwrap() > 100.0 && end.boost.unwrap() > 0.0, "{end:?}");
}

#[test]
fn the_live_for_speed_test_vectors_decode_to_the_values_node_insim_asserts() {
    let Some(dir) = captures() else { return };
    for file in [
        "outgauge_lfs/node-insim_outgauge_xrt_92.bin",
        "outgauge_lfs/node-insim_outgauge_xrt_with_id_96.bin",
        "outgauge_lfs/insim-rs_outgauge_xrt_with_id10_96.bin",
    ] {
        let r = outgauge::reading(&read(&dir, file), "XRT", None).unwrap();
        assert_eq!(r.speed_kph, 11.197486877441406 * 3.6, "{file}");
        assert_eq!((r.rpm, r.gear), (2450.390625, Some(2)), "{file}: raw 3 is second gear");
        assert_eq!((r.throttle, r.brake), (Some(0.009347498416900635), Some(0.000009544251952320337)), "{file}");
        let Channels::OutGauge(c) = r.channels else { panic!("{r:?}") };
        assert_eq!(c.turbo_bar, Some(-0.9999896883964539), "{file}");
        assert_eq!(c.fuel, Some(0.9998521208763123), "{file}");
        // Live for Speed leaves these at zero.
        assert_eq!((c.engine_temp_c, c.oil_pressure_bar, c.oil_temp_c), (Some(0.0), Some(0.0), Some(0.0)), "{file}");
    }
}
