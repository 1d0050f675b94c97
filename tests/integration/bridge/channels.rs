//! The bridge's channels beyond contract v1 (issue 20): byte-built F1 and Forza datagrams
//! in, the exact extra fields of the records on the topic out.

use serde_json::Value;

use super::{RunningBridge, car_telemetry, f1_packet, forza, game, lap_data, participants, put, read_topic};
use crate::helpers::*;

/// The fields of contract v1; every other field of a record is a channel.
const V1: [&str; 13] = [
    "car",
    "ts",
    "speed_kph",
    "rpm",
    "tire_temp_c",
    "lap",
    "gear",
    "throttle",
    "brake",
    "driver",
    "x",
    "y",
    "lap_distance_m",
];

/// CarTelemetry of `car_telemetry` plus, for every car: steer 0.25, clutch 50 %, DRS open,
/// brakes RL 400, RR 410, FL 520, FR 530 °C, inner RL 85, RR 86, FL 97, FR 98 °C, engine
/// 108 °C, pressures RL 21.5, RR 21.5, FL 23.5, FR 23.5 psi.
fn car_telemetry_with_channels(frame: u32) -> Vec<u8> {
    let mut d = car_telemetry(frame);
    for i in 0..22 {
        let at = 29 + i * 60;
        put(&mut d, at + 6, &0.25f32.to_le_bytes());
        d[at + 14] = 50;
        d[at + 18] = 1;
        for (k, t) in [400u16, 410, 520, 530].iter().enumerate() {
            put(&mut d, at + 22 + 2 * k, &t.to_le_bytes());
        }
        put(&mut d, at + 34, &[85, 86, 97, 98]);
        put(&mut d, at + 38, &108u16.to_le_bytes());
        for (k, p) in [21.5f32, 21.5, 23.5, 23.5].iter().enumerate() {
            put(&mut d, at + 40 + 4 * k, &p.to_le_bytes());
        }
    }
    d
}

/// Motion: every car pulls 2.5 g lateral, -1.25 g longitudinal, 0.5 g vertical.
fn motion_with_g(frame: u32) -> Vec<u8> {
    let mut d = f1_packet(29 + 22 * 60, 0, frame);
    for i in 0..22 {
        for (k, g) in [2.5f32, -1.25, 0.5].iter().enumerate() {
            put(&mut d, 29 + i * 60 + 36 + 4 * k, &g.to_le_bytes());
        }
    }
    d
}

/// CarStatus: car `i` carries 30 + i kg of fuel for 10.5 laps, 2 MJ stored, tyres 3 laps old.
fn car_status(frame: u32) -> Vec<u8> {
    let mut d = f1_packet(29 + 22 * 55, 7, frame);
    for i in 0..22 {
        let at = 29 + i * 55;
        put(&mut d, at + 5, &(30.0 + i as f32).to_le_bytes());
        put(&mut d, at + 13, &10.5f32.to_le_bytes());
        d[at + 27] = 3;
        put(&mut d, at + 37, &2.0e6f32.to_le_bytes());
    }
    d
}

/// LapData of `lap_data` with car `i` in position `i + 1`.
fn lap_data_with_positions(frame: u32) -> Vec<u8> {
    let mut d = lap_data(frame);
    for i in 0..22 {
        d[29 + i * 57 + 32] = i as u8 + 1;
    }
    d
}

/// CarDamage (F1 25's 46-byte slots): tyre wear RL 5, RR 6, FL 7.5, FR 8.5 %.
fn car_damage(frame: u32) -> Vec<u8> {
    let mut d = f1_packet(29 + 22 * 46, 10, frame);
    for i in 0..22 {
        for (k, w) in [5.0f32, 6.0, 7.5, 8.5].iter().enumerate() {
            put(&mut d, 29 + i * 46 + 4 * k, &w.to_le_bytes());
        }
    }
    d
}

#[tokio::test]
async fn f1_and_forza_datagrams_put_their_extra_channels_in_the_kafka_record_exactly() {
    let f1_topic = create_topic(1).await;
    let bridge = RunningBridge::start(&brokers(), &f1_topic, &[]).await;
    let game = game().await;
    for packet in [participants(), car_status(1), car_damage(1), motion_with_g(1), lap_data_with_positions(1)] {
        game.send_to(&packet, bridge.addr).await.unwrap();
    }
    game.send_to(&car_telemetry_with_channels(1), bridge.addr).await.unwrap();
    let got = read_topic(&f1_topic, 22).await;
    bridge.finish().await;
    assert_eq!(got.len(), 22);
    let car3 = got.iter().find(|r| r["car"] == "3").unwrap();
    let channels: serde_json::Map<String, Value> = car3
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !V1.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let corners = |fl: f64, fr: f64, rl: f64, rr: f64| serde_json::json!({"fl": fl, "fr": fr, "rl": rl, "rr": rr});
    let expected = serde_json::json!({
        "brake_temp_c": corners(520.0, 530.0, 400.0, 410.0),
        "tire_inner_temp_c": corners(97.0, 98.0, 85.0, 86.0),
        "tire_pressure_psi": corners(23.5, 23.5, 21.5, 21.5),
        "engine_temp_c": 108.0, "steer": 0.25, "clutch": 0.5, "drs": 1,
        "g_lat": 2.5, "g_long": -1.25, "g_vert": 0.5,
        "position": 3,
        "fuel_kg": 32.0, "fuel_laps": 10.5, "ers_store_j": 2.0e6, "tire_age_laps": 3,
        "tire_wear_pct": corners(7.5, 8.5, 5.0, 6.0),
    });
    assert_eq!(Value::Object(channels), expected);
    assert_eq!((car3["speed_kph"].as_f64(), car3["driver"].as_str()), (Some(202.0), Some("Driver 3")), "v1 as before");

    // Forza Motorsport 7: the Sled part's accelerations, suspension and slip, the Dash's
    // power, torque, boost, fuel and position.
    let forza_topic = create_topic(1).await;
    let bridge = RunningBridge::start(&brokers(), &forza_topic, &["--format", "forza"]).await;
    let mut d = forza(30.0, 0.0);
    put(&mut d, 20, &(1.5f32 * 9.806_65).to_le_bytes());
    put(&mut d, 28, &(-0.75f32 * 9.806_65).to_le_bytes());
    for (k, v) in [0.25f32, 0.5, 0.75, 1.0].iter().enumerate() {
        put(&mut d, 68 + 4 * k, &v.to_le_bytes());
        put(&mut d, 84 + 4 * k, &(v - 0.5).to_le_bytes());
        put(&mut d, 196 + 4 * k, &(v / 8.0).to_le_bytes());
    }
    for (at, v) in [(248, 250_000.0f32), (252, 480.0), (272, 12.5), (276, 0.5)] {
        put(&mut d, at, &v.to_le_bytes());
    }
    d[302] = 2;
    game.send_to(&d, bridge.addr).await.unwrap();
    let got = read_topic(&forza_topic, 1).await;
    bridge.finish().await;
    let r = &got[0];
    let g = |a: f32| f64::from(a * 9.806_65) / 9.806_65;
    assert_eq!((r["g_lat"].as_f64(), r["g_long"].as_f64()), (Some(g(1.5)), Some(g(-0.75))));
    assert_eq!(r["suspension_norm"], corners(0.25, 0.5, 0.75, 1.0));
    assert_eq!(r["tire_slip_ratio"], corners(-0.25, 0.0, 0.25, 0.5));
    assert_eq!(r["suspension_travel_m"], corners(0.03125, 0.0625, 0.09375, 0.125));
    let dash = ["power_w", "torque_nm", "boost", "fuel", "race_position"].map(|k| r[k].as_f64());
    assert_eq!(dash, [Some(250_000.0), Some(480.0), Some(12.5), Some(0.5), Some(2.0)]);
    assert!(r.get("tire_wear").is_none(), "FM7 has no tire wear");
    assert_eq!(r["speed_kph"].as_f64(), Some(108.0), "v1 as before");
}
