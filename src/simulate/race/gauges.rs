//! What a car's instruments read beyond contract v1: steering, g-forces, brake disc
//! temperatures, tire pressures, fuel and wear at each corner. They observe the race's
//! physics and never feed back into it, so a seed drives the same race, with the same v1
//! fields, as before they were sent.

use serde::Serialize;

use super::{BRAKING_SPLIT, FUEL_START_KG};
use crate::telemetry::Sample;

/// Standard gravity (m/s²): accelerations are sent in g.
pub const G: f64 = 9.806_65;

// Steering: the road-wheel angle a corner needs (Ackermann) plus understeer that grows
// with lateral g, over the angle at full lock.
const WHEELBASE_M: f64 = 3.6;
const UNDERSTEER_RAD_PER_G: f64 = 0.015;
const FULL_LOCK_RAD: f64 = 0.35;

// Brake discs (°C): carbon brakes heat by hundreds of degrees in one stop and cool in the
// airflow, which grows with speed. Heat in is braking power per kilogram (W/kg) times
// [`BRAKE_HEAT`], shared over the corners like the tires' braking heat ([`BRAKING_SPLIT`]).
/// Where discs start: warmed on the formation lap.
const BRAKE_START_C: f64 = 250.0;
/// What a disc cools toward: the air.
const BRAKE_AMBIENT_C: f64 = 30.0;
const BRAKE_HEAT: f64 = 0.42;
/// Braking into a corner loads the outside wheels: each g of lateral acceleration moves
/// this share of a wheel's braking to the outside one (and its heat with it).
const BRAKE_LOAD_PER_G: f64 = 0.06;
/// Cooling rate (1/s): still air, plus the brake ducts' flow growing with speed.
const BRAKE_COOL_BASE: f64 = 0.01;
const BRAKE_COOL_PER_MPS: f64 = 0.000_6;

// Tire pressures: set cold in the blankets, then rising with the gas's temperature.
/// Gauge pressure (psi) set at [`PRESSURE_SET_C`], fl, fr, rl, rr: fronts a little higher.
const COLD_PSI: [f64; 4] = [22.5, 22.5, 21.5, 21.5];
const PRESSURE_SET_C: f64 = 50.0;
const ATMOSPHERE_PSI: f64 = 14.696;
const KELVIN: f64 = 273.15;

/// Fuel flow at full throttle (kg/s), about 88 kg/h: a lap of this circuit has about 65 s
/// of full throttle, so the gauge burns the race's [`super::FUEL_PER_LAP_KG`] a lap on
/// average (a test keeps the two within a lap's fuel of each other).
const FUEL_FLOW_KG_S: f64 = 1.6 / 65.1;

/// A lap's tire heat input (the time integral of the W/kg a tire is heated with), the
/// mean over the four corners, measured on this circuit: a corner that takes this much
/// in a lap wears by the car's `wear_per_lap`, so the gauges' mean wear keeps up with
/// the race's, and the corners that work harder (the left-hand ones, outside in the
/// circuit's right-handers) wear faster.
const HEAT_PER_LAP: f64 = 100.0;

/// Four values, one per corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Corners<T = f64> {
    pub fl: T,
    pub fr: T,
    pub rl: T,
    pub rr: T,
}

impl<T> Corners<T> {
    fn new([fl, fr, rl, rr]: [T; 4]) -> Corners<T> {
        Corners { fl, fr, rl, rr }
    }

    pub fn values(self) -> [T; 4] {
        [self.fl, self.fr, self.rl, self.rr]
    }
}

/// The channels the simulator sends beyond contract v1. Corners are JSON objects, so
/// contract v2 names them `brake_temp_c.fl` and so on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channels {
    /// -1 (full lock left) to 1 (full lock right), as F1 sends it.
    pub steer: f64,
    /// Lateral acceleration in g, positive to the right, like `steer`.
    pub g_lat: f64,
    /// Longitudinal acceleration in g, positive when speeding up.
    pub g_long: f64,
    /// Whole degrees, written as integers: shorter, and quicker to format than floats.
    pub brake_temp_c: Corners<i32>,
    pub tire_pressure_psi: Corners,
    pub fuel_kg: f64,
    /// 0 on new tires; the team calls the car in at 50 to 80.
    pub tire_wear_pct: Corners,
}

/// One record as the simulator writes it: the v1 sample, then the other channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    #[serde(flatten)]
    pub sample: Sample,
    #[serde(flatten)]
    pub channels: Channels,
}

/// What a car's instruments integrate over time.
#[derive(Debug, Clone)]
pub(super) struct Gauges {
    /// fl, fr, rl, rr, °C.
    pub(super) brakes: [f64; 4],
    /// fl, fr, rl, rr, percent.
    pub(super) wear: [f64; 4],
    /// Fuel burnt since the start: there is no refuelling, as in F1 since 2010.
    pub(super) burnt_kg: f64,
    /// The last physics step's change of speed per second (m/s²).
    pub(super) accel: f64,
}

/// What happened to a car over one physics step, as the gauges see it.
pub(super) struct Step {
    pub(super) h: f64,
    pub(super) v: f64,
    /// Lateral acceleration, g, positive to the right.
    pub(super) g_lat: f64,
    pub(super) throttle: f64,
    /// Braking power per kilogram (W/kg).
    pub(super) brake_power: f64,
    /// Each tire's heat input (W/kg): the work that wears it.
    pub(super) tire_heat: [f64; 4],
    /// The car's tire wear per lap (0 to 1).
    pub(super) wear_per_lap: f64,
}

impl Gauges {
    /// Gauges on the grid, on tires already `wear` (0 to 1) worn.
    pub(super) fn new(wear: f64) -> Gauges {
        Gauges { brakes: [BRAKE_START_C; 4], wear: [100.0 * wear; 4], burnt_kg: 0.0, accel: 0.0 }
    }

    pub(super) fn step(&mut self, s: &Step) {
        // Accelerating to the right loads the left-hand wheels.
        let left = BRAKE_LOAD_PER_G * s.g_lat.clamp(-5.0, 5.0);
        let shift = [left, -left, left, -left];
        for (i, t) in self.brakes.iter_mut().enumerate() {
            *t = brake_temp(*t, s.brake_power * BRAKING_SPLIT[i] * (1.0 + shift[i]), s.v, s.h);
        }
        let rate = 100.0 * s.wear_per_lap / HEAT_PER_LAP;
        for (w, heat) in self.wear.iter_mut().zip(s.tire_heat) {
            *w = (*w + rate * heat * s.h).min(100.0);
        }
        self.burnt_kg += FUEL_FLOW_KG_S * s.throttle * s.h;
    }

    /// The channels of a car at `v` m/s on track of `curvature`, with `tires` (°C).
    pub(super) fn channels(&self, curvature: f64, v: f64, tires: &[f64; 4]) -> Channels {
        let pressures = [0, 1, 2, 3].map(|i| tire_pressure_psi(COLD_PSI[i], tires[i]));
        Channels {
            steer: tidy(steer(curvature, v), 3),
            g_lat: tidy(g_lat(curvature, v), 2),
            g_long: tidy(self.accel / G, 2),
            brake_temp_c: Corners::new(self.brakes.map(|t| t.round() as i32)),
            tire_pressure_psi: Corners::new(pressures.map(|p| tidy(p, 1))),
            fuel_kg: tidy(fuel_kg(self.burnt_kg), 2),
            tire_wear_pct: Corners::new(self.wear.map(|w| tidy(w, 2))),
        }
    }
}

/// Lateral g at `v` m/s on track of `curvature` (1/m, positive to the left), positive
/// to the right.
pub(super) fn g_lat(curvature: f64, v: f64) -> f64 {
    -v * v * curvature / G
}

/// The steering that holds a car at `v` m/s on track of `curvature`: -1 (full lock
/// left) to 1 (full lock right).
pub(super) fn steer(curvature: f64, v: f64) -> f64 {
    let angle = -WHEELBASE_M * curvature + UNDERSTEER_RAD_PER_G * g_lat(curvature, v);
    (angle / FULL_LOCK_RAD).clamp(-1.0, 1.0)
}

/// A brake disc at `temp_c` after `h` seconds taking `power` W/kg at `v` m/s.
pub(super) fn brake_temp(temp_c: f64, power: f64, v: f64, h: f64) -> f64 {
    let cooling = BRAKE_COOL_BASE + BRAKE_COOL_PER_MPS * v;
    temp_c + h * (BRAKE_HEAT * power - cooling * (temp_c - BRAKE_AMBIENT_C))
}

/// The gauge pressure of a tire set to `cold_psi` at [`PRESSURE_SET_C`], now at `temp_c`:
/// the gas law at constant volume.
pub(super) fn tire_pressure_psi(cold_psi: f64, temp_c: f64) -> f64 {
    (cold_psi + ATMOSPHERE_PSI) * (temp_c + KELVIN) / (PRESSURE_SET_C + KELVIN) - ATMOSPHERE_PSI
}

/// Fuel in the tank after burning `burnt_kg`: never below empty.
pub(super) fn fuel_kg(burnt_kg: f64) -> f64 {
    (FUEL_START_KG - burnt_kg).max(0.0)
}

/// Rounds to `decimals` places, and never reads `-0`: a car on a straight pulls 0 g.
fn tidy(v: f64, decimals: i32) -> f64 {
    super::car::round(v, decimals) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tire_reads_its_cold_setting_when_cold_and_about_27_psi_at_working_temperature() {
        assert!((tire_pressure_psi(22.5, PRESSURE_SET_C) - 22.5).abs() < 1e-9);
        let hot = tire_pressure_psi(22.5, 95.0);
        assert!((26.0..=28.5).contains(&hot), "{hot} psi at 95 °C");
        assert!(tire_pressure_psi(22.5, 105.0) > hot && tire_pressure_psi(21.5, 95.0) < hot);
    }

    #[test]
    fn a_brake_disc_heats_with_power_and_cools_toward_the_air_faster_at_speed() {
        assert!(brake_temp(400.0, 3_000.0, 80.0, 0.01) > 400.0);
        let (parked, flat_out) = (brake_temp(600.0, 0.0, 0.0, 1.0), brake_temp(600.0, 0.0, 90.0, 1.0));
        assert!(flat_out < parked && parked < 600.0, "{flat_out} and {parked} °C");
        assert_eq!(brake_temp(BRAKE_AMBIENT_C, 0.0, 90.0, 1.0), BRAKE_AMBIENT_C);
    }

    #[test]
    fn steer_is_zero_on_a_straight_right_positive_and_stops_at_full_lock() {
        assert_eq!(steer(0.0, 80.0), 0.0);
        let (hairpin, kink) = (steer(-1.0 / 18.0, 22.0), steer(-1.0 / 400.0, 85.0));
        assert!(hairpin > kink && kink > 0.0, "right-handers: hairpin {hairpin}, kink {kink}");
        assert_eq!(steer(1.0 / 18.0, 22.0), -hairpin, "a left-hander mirrors it");
        assert_eq!(steer(1.0, 30.0), -1.0);
    }

    #[test]
    fn lateral_g_is_v_squared_over_the_radius() {
        let g = g_lat(-1.0 / 100.0, 50.0);
        assert!((g - 2_500.0 / 100.0 / G).abs() < 1e-12, "{g}");
        assert_eq!(g_lat(1.0 / 100.0, 50.0), -g);
    }

    #[test]
    fn the_tank_starts_full_and_never_reads_below_empty() {
        assert_eq!(fuel_kg(0.0), FUEL_START_KG);
        assert_eq!(fuel_kg(FUEL_START_KG + 5.0), 0.0);
    }
}
