//! The race model, pure and deterministic: a closed circuit, a field of cars with their own
//! pace, speed that follows the corners, an 8-speed gearbox, pedals, and a first-order
//! thermal model per tire, with the gauges that read brakes, fuel and wear. No clock and
//! no I/O: the producer decides when to step it.

mod car;
pub mod gauges;
#[cfg(test)]
mod gauges_tests;
mod seed;
#[cfg(test)]
mod tests;

#[cfg(test)]
use car::gear_ratio;
use car::{Car, Pit};
use gauges::{Gauges, Record};
use seed::{SURNAMES, SplitMix64};

use super::track::Track;
use crate::telemetry::{Sample, Tires};

/// Longest physics step. [`Race::step`] splits a longer tick into steps of at most this,
/// so a 1 Hz feed drives the same way as a 100 Hz one.
const MAX_STEP: f64 = 0.01;

// The car. Numbers are per kilogram, so forces are accelerations (m/s²).
const TOP_SPEED: f64 = 320.0 / 3.6;
/// Power at the wheels per kilogram (W/kg): with [`DRAG`] it sets the top speed.
const POWER: f64 = 950.0;
/// Drag deceleration per (m/s)², chosen so that power and drag balance at [`TOP_SPEED`].
const DRAG: f64 = POWER / (TOP_SPEED * TOP_SPEED * TOP_SPEED);
const ROLLING: f64 = 0.15;
/// The rear tires cannot put down more than this, whatever the engine makes.
const TRACTION: f64 = 12.0;
/// Brake deceleration grows with downforce: base plus a term in v².
const BRAKE_BASE: f64 = 22.0;
const BRAKE_AERO: f64 = 0.0022;
/// Drivers plan braking on this share of what the brakes can do, keeping a margin.
const BRAKE_MARGIN: f64 = 0.9;
/// Lateral grip: faster (wider) corners carry more downforce, so more g, up to a limit.
const GRIP_BASE: f64 = 25.0;
const GRIP_PER_M: f64 = 0.06;
const GRIP_MAX: f64 = 48.0;
/// Pedal rates (full travel per second): lifting is quick, squeezing the throttle is not.
const THROTTLE_RISE: f64 = 4.0;
const THROTTLE_FALL: f64 = 20.0;
const BRAKE_RISE: f64 = 15.0;
const BRAKE_FALL: f64 = 6.0;

// The gearbox.
/// Speed (km/h) at 12,000 rpm in each gear; sets the ratios.
const GEAR_KPH_AT_12K: [f64; 8] = [92.0, 128.0, 160.0, 191.0, 222.0, 253.0, 285.0, 330.0];
/// The engine never reads below this while racing (a race engine idles high).
pub const IDLE_RPM: f64 = 4_000.0;
/// The rev limiter cuts drive here.
pub const LIMITER_RPM: f64 = 12_500.0;
pub const UPSHIFT_RPM: f64 = 11_800.0;
/// Shift down when the lower gear would land at or below this.
const DOWNSHIFT_RPM: f64 = 10_000.0;
/// A shift takes time; no second shift before this has passed.
const SHIFT_GAP: f64 = 0.1;

// The tires (°C). Heat inputs are power per kilogram (W/kg) times a coefficient.
const TIRE_START: f64 = 80.0;
/// What a tire cools toward: the air over a hot track surface.
const TIRE_AMBIENT: f64 = 45.0;
/// Cooling rate (1/s): still air, plus airflow growing with speed.
const COOL_BASE: f64 = 0.010;
const COOL_PER_MPS: f64 = 0.000_25;
const HEAT_BRAKING: f64 = 0.0090;
const HEAT_CORNERING: f64 = 0.0065;
const HEAT_TRACTION: f64 = 0.0015;
/// How braking heat splits over fl, fr, rl, rr: the fronts do most of the stopping.
const BRAKING_SPLIT: [f64; 4] = [0.34, 0.34, 0.16, 0.16];
/// How cornering heat splits over outside front, outside rear, inside front, inside rear:
/// load transfers to the outside of the turn.
const CORNERING_SPLIT: [f64; 4] = [0.33, 0.29, 0.20, 0.18];

/// Engine rpm per m/s in `gear` (1 to 8).
/// Fuel at the start and burnt per lap, kg; a full tank costs 3% of pace, an empty one
/// nothing, so laps get quicker through a stint.
const FUEL_START_KG: f64 = 100.0;
const FUEL_PER_LAP_KG: f64 = 1.6;
const PACE_PER_KG: f64 = 0.000_3;
/// Grip lost on fully worn tires.
const WEAR_GRIP: f64 = 0.06;
/// Below this mean tire temperature grip falls, by [`COLD_GRIP`] at 25 °C below it.
const TIRE_WORKING: f64 = 80.0;
const COLD_GRIP: f64 = 0.04;
/// Pit lane: the speed limit, where it begins before the line, where the box is
/// before the line, and where it ends after the line.
const PIT_LIMIT: f64 = 80.0 / 3.6;
const PIT_ENTRY_M: f64 = 450.0;
const PIT_BOX_M: f64 = 200.0;
const PIT_EXIT_M: f64 = 250.0;
/// Chance per lap, from lap [`RETIRE_FROM_LAP`], that a car retires and stops sending.
const RETIRE_PER_LAP: f64 = 0.003;
const RETIRE_FROM_LAP: u32 = 5;

/// A field of cars on the circuit.
#[derive(Debug, Clone)]
pub struct Race {
    track: Track,
    cars: Vec<Car>,
    rng: SplitMix64,
    time: f64,
    /// Whether cars retire (see [`RETIRE_PER_LAP`]).
    retirements: bool,
}

impl Race {
    /// A grid of `cars` cars, staggered behind the pole sitter just past the line, all
    /// on lap 1 and standing still. The same seed gives the same race.
    pub fn new(cars: u16, seed: u64) -> Race {
        let track = Track::circuit();
        let mut rng = SplitMix64(seed);
        let n = usize::from(cars);
        // Distinct numbers: a shuffled pool of 1..=99 (more, for a field that large).
        let mut numbers: Vec<usize> = (1..=n.max(99)).collect();
        for i in (1..numbers.len()).rev() {
            numbers.swap(i, rng.below(i + 1));
        }
        let (surname_offset, initial_offset) = (rng.below(SURNAMES.len()), rng.below(26));
        let gap = (0.8 * track.length_m() / n.max(1) as f64).min(8.0);
        let cars = (0..n)
            .map(|i| {
                let surname = SURNAMES[(i + surname_offset) % SURNAMES.len()];
                // Steps of 5 vary the initials through the field; the `i / 24` term keeps every
                // (initial, surname) pair distinct up to 624 cars (a test checks 500).
                let initial = char::from(b'A' + ((5 * i + i / SURNAMES.len() + initial_offset) % 26) as u8);
                let car = Car {
                    id: numbers[i].to_string(),
                    driver: format!("{initial}. {surname}"),
                    pace: rng.range(0.955, 1.0),
                    form: 1.0,
                    lap: 1,
                    s: gap * (n - i) as f64,
                    v: 0.0,
                    gear: 1,
                    rpm: IDLE_RPM,
                    throttle: 0.0,
                    brake: 0.0,
                    braking: false,
                    since_shift: SHIFT_GAP,
                    tires: [0; 4].map(|_| TIRE_START + rng.range(-2.0, 2.0)),
                    lap_started: 0.0,
                    last_lap: None,
                    fuel_kg: FUEL_START_KG,
                    // Some start on tires used in qualifying, so stops come early for them.
                    wear: rng.range(0.0, 0.45),
                    wear_per_lap: rng.range(0.035, 0.06),
                    pit_at: rng.range(0.5, 0.8),
                    pit: Pit::Racing,
                    retired: false,
                    gauges: Gauges::new(0.0),
                };
                Car { gauges: Gauges::new(car.wear), ..car }
            })
            .collect();
        Race { track, cars, rng, time: 0.0, retirements: true }
    }

    /// The same race with no car retiring: a fill of a number of records (`--count`) is
    /// that many records of the whole field, over the time it planned for. With cars
    /// retiring, a long fill ran past its planned time (Kafka refuses records stamped over
    /// an hour ahead) and, once the field was gone, never ended.
    pub fn without_retirements(mut self) -> Race {
        self.retirements = false;
        self
    }

    /// Advances the race by `dt_secs` (ignored unless finite and positive).
    pub fn step(&mut self, dt_secs: f64) {
        if !(dt_secs.is_finite() && dt_secs > 0.0) {
            return;
        }
        let steps = (dt_secs / MAX_STEP).ceil().max(1.0);
        let h = dt_secs / steps;
        for _ in 0..steps as u64 {
            self.time += h;
            for car in &mut self.cars {
                if car.advance(&self.track, h) {
                    car.lap += 1;
                    car.last_lap = Some(self.time - car.lap_started);
                    car.lap_started = self.time;
                    car.form = 1.0 + self.rng.range(-0.004, 0.004);
                    car.fuel_kg = (car.fuel_kg - FUEL_PER_LAP_KG).max(0.0);
                    car.wear += car.wear_per_lap * self.rng.range(0.9, 1.1);
                    let (stop_secs, retire) = (self.rng.range(2.8, 4.5), self.rng.range(0.0, 1.0));
                    if car.pit == Pit::Racing && car.wear >= car.pit_at {
                        car.pit = Pit::In { stop_secs };
                    }
                    car.retired = self.retirements && car.lap >= RETIRE_FROM_LAP && retire < RETIRE_PER_LAP;
                }
            }
        }
    }

    /// Every car's current reading, stamped `ts_ms`, with every optional field set.
    pub fn samples(&self, ts_ms: i64) -> impl Iterator<Item = Sample> + '_ {
        self.cars.iter().filter(|car| !car.retired).map(move |car| car.sample(&self.track, ts_ms))
    }

    /// Every car's current record: its sample and the channels beyond contract v1.
    pub fn records(&self, ts_ms: i64) -> impl Iterator<Item = Record> + '_ {
        self.cars.iter().filter(|car| !car.retired).map(move |car| car.record(&self.track, ts_ms))
    }

    /// Seconds of race time so far.
    pub fn time_secs(&self) -> f64 {
        self.time
    }

    /// The lap the leader (the car furthest round) is on.
    pub fn leader_lap(&self) -> u32 {
        let progress = |c: &Car| f64::from(c.lap) * self.track.length_m() + c.s;
        self.cars
            .iter()
            .filter(|c| !c.retired)
            .map(|c| (progress(c), c.lap))
            .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
            .1
    }

    pub fn track(&self) -> &Track {
        &self.track
    }
}
