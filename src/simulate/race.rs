//! The race model, pure and deterministic: a closed circuit, a field of cars with their own
//! pace, speed that follows the corners, an 8-speed gearbox, pedals, and a first-order
//! thermal model per tire. No clock and no I/O: the producer decides when to step it.

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

/// Where a car is in a pit stop.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pit {
    Racing,
    /// Stopping at the end of this lap, for `stop_secs` in the box.
    In {
        stop_secs: f64,
    },
    Box {
        left_secs: f64,
    },
    /// From the box to the end of the pit lane, under the limit.
    Out,
}

fn gear_ratio(gear: u8) -> f64 {
    12_000.0 / (GEAR_KPH_AT_12K[usize::from(gear.clamp(1, 8)) - 1] / 3.6)
}

/// SplitMix64 (Steele, Lea and Flood, 2014). Written here rather than taken from a crate so
/// that a seed gives the same race whatever versions the lock file holds.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`, from the top 53 bits.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant at these sizes.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Fictional drivers; with 26 initials they give 624 distinct names, more than a field.
const SURNAMES: [&str; 24] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Castellano",
    "Brennan",
    "Novak",
    "Haddad",
    "Fischer",
    "Oyelaran",
    "Ferreira",
    "Kowalczyk",
    "Dubois",
    "Nakamura",
    "Reyes",
    "Andersen",
    "Petrov",
    "Marchetti",
    "Quinn",
    "Varga",
    "Iwasaki",
    "Mendes",
    "Holm",
    "Ibarra",
];

#[derive(Debug, Clone)]
struct Car {
    id: String,
    driver: String,
    /// Skill, 0.965 to 1: scales grip, braking and power.
    pace: f64,
    /// This lap's small variation on `pace`, drawn at each crossing of the line.
    form: f64,
    lap: u32,
    /// Lap distance, 0 to the track length.
    s: f64,
    v: f64,
    gear: u8,
    rpm: f64,
    throttle: f64,
    brake: f64,
    /// In a braking phase; kept until the speed is down, so the pedals do not chatter.
    braking: bool,
    since_shift: f64,
    /// fl, fr, rl, rr.
    tires: [f64; 4],
    lap_started: f64,
    last_lap: Option<f64>,
    fuel_kg: f64,
    /// 0 for new tires, 1 for worn out.
    wear: f64,
    /// Wear per lap: how hard this driver is on tires.
    wear_per_lap: f64,
    /// The wear at which the team calls the car in.
    pit_at: f64,
    pit: Pit,
    /// Stopped for good: no more samples.
    retired: bool,
}

/// What the driver wants from the pedals at this instant.
struct Demand {
    throttle: f64,
    brake: f64,
}

impl Car {
    fn skill(&self) -> f64 {
        let mean = self.tires.iter().sum::<f64>() / 4.0;
        let cold = ((TIRE_WORKING - mean) / 25.0).clamp(0.0, 1.0);
        let tires = (1.0 - WEAR_GRIP * self.wear.min(1.0)) * (1.0 - COLD_GRIP * cold);
        self.pace * self.form * tires * (1.0 - PACE_PER_KG * self.fuel_kg)
    }

    /// The highest speed the pit lane allows here, when the car is in it.
    fn pit_limit(&self, track: &Track) -> Option<f64> {
        let length = track.length_m();
        match self.pit {
            Pit::In { .. } if self.s >= length - PIT_ENTRY_M => {
                let to_box = length - PIT_BOX_M - self.s;
                Some(if to_box > 0.0 { PIT_LIMIT.min(self.braking_speed(0.0, to_box)) } else { 0.0 })
            }
            Pit::Out => Some(PIT_LIMIT),
            _ => None,
        }
    }

    fn ratio(&self) -> f64 {
        gear_ratio(self.gear)
    }

    fn drive_cap(&self, v: f64) -> f64 {
        self.skill().sqrt() * TRACTION.min(POWER / v.max(1.0))
    }

    fn brake_cap(&self, v: f64) -> f64 {
        self.skill() * (BRAKE_BASE + BRAKE_AERO * v * v)
    }

    fn resistance(v: f64) -> f64 {
        DRAG * v * v + if v > 0.0 { ROLLING } else { 0.0 }
    }

    fn corner_speed(&self, radius: f64) -> f64 {
        (self.skill() * (GRIP_BASE + GRIP_PER_M * radius).min(GRIP_MAX) * radius).sqrt()
    }

    /// The deceleration the driver plans on at speed v: `b0 + c·v²`.
    fn planned_decel(&self) -> (f64, f64) {
        let b0 = BRAKE_MARGIN * self.skill() * BRAKE_BASE + ROLLING;
        let c = BRAKE_MARGIN * self.skill() * BRAKE_AERO + DRAG;
        (b0, c)
    }

    /// The fastest speed from which the car still slows to `vc` in `d` metres, solving
    /// v dv/ds = -(b0 + c·v²) backwards from the corner.
    fn braking_speed(&self, vc: f64, d: f64) -> f64 {
        let (b0, c) = self.planned_decel();
        (((b0 + c * vc * vc) * (2.0 * c * d.min(2_000.0)).exp() - b0) / c).sqrt()
    }

    fn demand(&mut self, track: &Track) -> Demand {
        let v = self.v;
        let here = track.corner_at(self.s);
        // Past the middle of a corner the driver unwinds the wheel and opens the throttle.
        let v_here = here.map_or(TOP_SPEED * 1.1, |c| {
            let f = (self.s - c.entry_m) / c.len_m;
            self.corner_speed(c.radius_m) * (1.0 + 0.15 * ((f - 0.6) / 0.4).clamp(0.0, 1.0))
        });
        let v_brake = track
            .corners()
            .iter()
            .filter(|c| here.is_none_or(|h| !std::ptr::eq(h, *c)))
            .map(|c| (c, (c.entry_m - self.s).rem_euclid(track.length_m())))
            .filter(|&(_, d)| d < 1_500.0)
            .map(|(c, d)| self.braking_speed(self.corner_speed(c.radius_m), d))
            .fold(f64::INFINITY, f64::min);
        let mut target = v_here.min(v_brake);
        match self.pit_limit(track) {
            Some(limit) => target = target.min(limit),
            None if matches!(self.pit, Pit::In { .. }) => {
                let to_entry = track.length_m() - PIT_ENTRY_M - self.s;
                target = target.min(self.braking_speed(PIT_LIMIT, to_entry.max(0.0)));
            }
            None => {}
        }
        let v_brake = v_brake.min(target);
        let stay = self.braking && v > target - 1.5;
        self.braking = v >= v_brake || v > v_here + 1.5 || stay;
        if self.braking {
            let (b0, c) = self.planned_decel();
            let planned = if v_brake <= v_here { b0 + c * v * v } else { 0.0 };
            let want = planned + 4.0 * (v - target) - Self::resistance(v);
            Demand { throttle: 0.0, brake: (want / self.brake_cap(v)).clamp(0.0, 1.0) }
        } else {
            let want = 2.0 * (target - v) + Self::resistance(v);
            Demand { throttle: (want / self.drive_cap(v)).clamp(0.0, 1.0), brake: 0.0 }
        }
    }

    /// Moves the pedals toward the demand at their rates. Throttle only rises once the
    /// brake is (nearly) off, and the brake only rises once the throttle is (nearly) shut,
    /// so the two are never pressed hard together.
    fn pedals(&mut self, want: Demand, h: f64) {
        let toward = |now: f64, want: f64, rise: f64, fall: f64| {
            if want > now { (now + rise * h).min(want) } else { (now - fall * h).max(want) }
        };
        let throttle = toward(self.throttle, want.throttle, THROTTLE_RISE, THROTTLE_FALL);
        let brake = toward(self.brake, want.brake, BRAKE_RISE, BRAKE_FALL);
        if throttle <= self.throttle || self.brake < 0.05 {
            self.throttle = throttle;
        }
        if brake <= self.brake || self.throttle < 0.1 {
            self.brake = brake;
        }
    }

    fn shift(&mut self, h: f64) {
        self.since_shift += h;
        if self.since_shift < SHIFT_GAP {
            return;
        }
        if self.gear < 8 && self.v * self.ratio() >= UPSHIFT_RPM {
            self.gear += 1;
            self.since_shift = 0.0;
        } else if self.gear > 1 && self.v * gear_ratio(self.gear - 1) <= DOWNSHIFT_RPM {
            self.gear -= 1;
            self.since_shift = 0.0;
        }
    }

    /// First-order model per tire: heat from braking, cornering and traction, and
    /// cooling toward [`TIRE_AMBIENT`] that grows with airflow.
    fn heat_tires(&mut self, curvature: f64, drive: f64, h: f64) {
        let v = self.v;
        let braking = HEAT_BRAKING * self.brake * self.brake_cap(v) * v;
        let cornering = HEAT_CORNERING * v * v * curvature.abs() * v;
        // Wheelspin heat: slip grows with force over load, and downforce adds load with speed.
        let push = (drive - Self::resistance(v)).max(0.0);
        let traction = HEAT_TRACTION * push * push * v / (1.0 + (v / 40.0).powi(2));
        // A left turn loads the right-hand tires, a right turn the left-hand ones.
        let [of, or, inf, inr] = CORNERING_SPLIT;
        let corner = if curvature > 0.0 { [inf, of, inr, or] } else { [of, inf, or, inr] };
        let cooling = COOL_BASE + COOL_PER_MPS * v;
        for (i, t) in self.tires.iter_mut().enumerate() {
            let rear = if i >= 2 { 0.5 } else { 0.0 };
            let heat = braking * BRAKING_SPLIT[i] + cornering * corner[i] + traction * rear;
            *t += h * (heat - cooling * (*t - TIRE_AMBIENT));
        }
    }

    /// Advances the car by `h` seconds; returns true when it crossed the line.
    fn advance(&mut self, track: &Track, h: f64) -> bool {
        if self.retired {
            return false;
        }
        if let Pit::Box { left_secs } = &mut self.pit {
            *left_secs -= h;
            (self.v, self.throttle, self.brake, self.gear, self.rpm) = (0.0, 0.0, 0.0, 1, IDLE_RPM);
            if *left_secs <= 0.0 {
                // New tires, warmed in blankets but not yet to working temperature.
                self.tires = [72.0; 4];
                self.wear = 0.0;
                self.pit = Pit::Out;
            }
            self.heat_tires(track.curvature_at(self.s), 0.0, h);
            return false;
        }
        let want = self.demand(track);
        self.pedals(want, h);
        let cut = self.v * self.ratio() >= LIMITER_RPM;
        let drive = if cut { 0.0 } else { self.throttle * self.drive_cap(self.v) };
        let accel = drive - self.brake * self.brake_cap(self.v) - Self::resistance(self.v);
        self.v = (self.v + accel * h).max(0.0);
        self.s += self.v * h;
        self.shift(h);
        self.rpm = (self.v * self.ratio()).clamp(IDLE_RPM, LIMITER_RPM);
        let crossed = self.s >= track.length_m();
        if crossed {
            self.s -= track.length_m();
        }
        match self.pit {
            Pit::In { stop_secs }
                if self.s >= track.length_m() - PIT_BOX_M - 2.0
                    || (self.v < 0.5 && self.s > track.length_m() - PIT_ENTRY_M) =>
            {
                self.v = 0.0;
                self.pit = Pit::Box { left_secs: stop_secs };
            }
            Pit::Out if self.s >= PIT_EXIT_M && self.s < track.length_m() / 2.0 => self.pit = Pit::Racing,
            _ => {}
        }
        self.heat_tires(track.curvature_at(self.s), drive, h);
        crossed
    }

    fn sample(&self, track: &Track, ts_ms: i64) -> Sample {
        let (x, y) = track.position(self.s);
        let [fl, fr, rl, rr] = self.tires.map(|t| round(t, 1));
        Sample {
            car: self.id.clone(),
            ts: Some(ts_ms),
            speed_kph: round(self.v * 3.6, 1),
            rpm: self.rpm.round(),
            tire_temp_c: Some(Tires { fl, fr, rl, rr }),
            lap: Some(self.lap),
            gear: Some(self.gear as i8),
            throttle: Some(round(self.throttle, 2)),
            brake: Some(round(self.brake, 2)),
            driver: Some(self.driver.clone()),
            x: Some(round(x, 1)),
            y: Some(round(y, 1)),
            lap_distance_m: Some(round(self.s, 1)),
        }
    }
}

/// Rounds to `decimals` places by dividing, so 0.3 prints as `0.3`, not `0.30000000000000004`.
fn round(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

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
                Car {
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
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a race for `secs` at `hz`, calling `check(race, before, after)` each tick with
    /// every car's sample before and after it.
    fn watch(cars: u16, secs: f64, hz: f64, mut check: impl FnMut(&Race, &[Sample], &[Sample])) {
        let mut race = Race::new(cars, 7);
        let mut before: Vec<Sample> = race.samples(0).collect();
        for tick in 1..=(secs * hz) as i64 {
            race.step(1.0 / hz);
            let after: Vec<Sample> = race.samples(tick).collect();
            check(&race, &before, &after);
            before = after;
        }
    }

    /// Runs a race, calling `check(track, before, after)` for every car and tick with the
    /// unrounded state of the car, for the thermal laws that rounding would blur.
    fn watch_cars(cars: u16, secs: f64, mut check: impl FnMut(&Track, &Car, &Car)) {
        let mut race = Race::new(cars, 11);
        for _ in 0..(secs * 50.0) as u32 {
            let before = race.cars.clone();
            race.step(0.02);
            for (b, a) in before.iter().zip(&race.cars) {
                check(&race.track, b, a);
            }
        }
    }

    fn rises(b: &Car, a: &Car) -> [f64; 4] {
        [0, 1, 2, 3].map(|i| a.tires[i] - b.tires[i])
    }

    #[test]
    fn splitmix64_matches_the_published_sequence() {
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn the_same_seed_gives_the_same_race_and_another_seed_does_not() {
        let run = |seed| {
            let mut race = Race::new(6, seed);
            (0..1_200)
                .flat_map(|t| {
                    race.step(0.05);
                    race.samples(t).collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn every_sample_sets_every_field_with_finite_compact_values() {
        watch(5, 60.0, 5.0, |_, _, after| {
            for s in after {
                let json = serde_json::to_string(s).unwrap();
                let back = crate::telemetry::decode(Some(json.as_bytes()), None, 0).unwrap();
                assert_eq!(&back, s);
                assert!(json.len() < 320, "{} bytes: {json}", json.len());
                let optional = [s.lap.is_some(), s.gear.is_some(), s.throttle.is_some(), s.brake.is_some()];
                let more = [s.driver.is_some(), s.x.is_some(), s.y.is_some(), s.lap_distance_m.is_some()];
                assert!(optional.iter().chain(&more).all(|set| *set), "{json}");
            }
        });
    }

    #[test]
    fn a_full_field_has_distinct_numbers_and_drivers() {
        let race = Race::new(500, 3);
        let mut ids: Vec<_> = race.cars.iter().map(|c| c.id.as_str()).collect();
        let mut names: Vec<_> = race.cars.iter().map(|c| c.driver.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!((ids.len(), names.len()), (500, 500));
    }

    #[test]
    fn speed_stays_between_standstill_and_top_speed_and_the_lap_has_both_ends() {
        let (mut top, mut hairpin) = (0.0_f64, f64::MAX);
        watch(4, 200.0, 20.0, |race, _, after| {
            for s in after {
                assert!((0.0..=340.0).contains(&s.speed_kph), "{s:?}");
                if race.time_secs() > 100.0 {
                    top = top.max(s.speed_kph);
                    hairpin = hairpin.min(s.speed_kph);
                }
            }
        });
        assert!((290.0..=325.0).contains(&top), "top speed {top}");
        assert!((50.0..=100.0).contains(&hairpin), "slowest corner {hairpin}");
    }

    #[test]
    fn rpm_stays_between_idle_and_limiter_and_matches_speed_times_the_gear_ratio() {
        watch(4, 200.0, 20.0, |_, _, after| {
            for s in after {
                let gear = s.gear.unwrap();
                assert!((1..=8).contains(&gear), "gear {gear} while racing");
                assert!((IDLE_RPM..=LIMITER_RPM).contains(&s.rpm), "{s:?}");
                let expected = (s.speed_kph / 3.6 * gear_ratio(gear as u8)).clamp(IDLE_RPM, LIMITER_RPM);
                assert!((s.rpm - expected).abs() < 10.0, "{} rpm at {} km/h in {gear}", s.rpm, s.speed_kph);
            }
        });
    }

    #[test]
    fn upshifts_come_near_the_shift_point_and_use_every_gear() {
        let mut upshifts = [0; 9];
        watch(3, 120.0, 100.0, |_, before, after| {
            for (b, a) in before.iter().zip(after) {
                let (from, to) = (b.gear.unwrap(), a.gear.unwrap());
                if to > from {
                    assert_eq!(to, from + 1, "skipped a gear");
                    assert!((11_500.0..=12_500.0).contains(&b.rpm), "upshift to {to} at {} rpm", b.rpm);
                    assert!(a.rpm < b.rpm);
                    upshifts[to as usize] += 1;
                }
            }
        });
        assert!(upshifts[2..].iter().all(|&n| n > 0), "upshifts into each gear: {upshifts:?}");
    }

    #[test]
    fn throttle_and_brake_are_never_pressed_hard_together() {
        let (mut braked, mut floored) = (false, false);
        watch(6, 300.0, 20.0, |_, _, after| {
            for s in after {
                let (t, b) = (s.throttle.unwrap(), s.brake.unwrap());
                assert!((0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&b));
                assert!(!(t > 0.2 && b > 0.2), "throttle {t} and brake {b} together");
                braked |= b > 0.8;
                floored |= t == 1.0;
            }
        });
        assert!(braked && floored);
    }

    #[test]
    fn under_braking_the_front_tires_heat_faster_than_the_rears() {
        let (mut ticks, mut fronts, mut rears) = (0, 0.0, 0.0);
        watch_cars(4, 300.0, |track, b, a| {
            if a.brake > 0.5 && track.curvature_at(a.s) == 0.0 {
                let [fl, fr, rl, rr] = rises(b, a);
                assert!(fl > rl && fr > rr, "fronts {fl:.4} {fr:.4}, rears {rl:.4} {rr:.4}");
                assert!(fl > 0.0 && fr > 0.0);
                (ticks, fronts, rears) = (ticks + 1, fronts + fl + fr, rears + rl + rr);
            }
        });
        assert!(ticks > 100, "only {ticks} braking ticks");
        assert!(fronts > 1.5 * rears, "fronts rose {fronts:.1} °C, rears {rears:.1} °C");
    }

    #[test]
    fn in_a_corner_the_outside_tires_heat_faster_than_the_inside_ones() {
        let (mut rights, mut lefts) = (0, 0);
        watch_cars(4, 300.0, |track, b, a| {
            let [fl, fr, rl, rr] = rises(b, a);
            match track.corner_at(a.s).zip(track.corner_at(b.s)) {
                Some((c, _)) if !c.left => {
                    assert!(fl > fr && rl > rr, "right-hander: left {fl:.4} {rl:.4}, right {fr:.4} {rr:.4}");
                    rights += 1;
                }
                Some((c, _)) if c.left => {
                    assert!(fr > fl && rr > rl, "left-hander: left {fl:.4} {rl:.4}, right {fr:.4} {rr:.4}");
                    lefts += 1;
                }
                _ => {}
            }
        });
        assert!(rights > 100 && lefts > 100, "{rights} right-hand and {lefts} left-hand ticks");
    }

    #[test]
    fn tires_cool_flat_out_on_the_main_straight() {
        let mut ticks = 0;
        watch_cars(4, 300.0, |track, b, a| {
            let on_main_straight = a.s < 450.0 || a.s > track.length_m() - 250.0;
            if on_main_straight && b.s < a.s && a.throttle == 1.0 && a.v * 3.6 > 250.0 {
                let rises = rises(b, a);
                assert!(rises.iter().all(|r| *r < 0.0), "{rises:?} at {:.0} m", a.s);
                ticks += 1;
            }
        });
        assert!(ticks > 100, "only {ticks} ticks flat out on the main straight");
    }

    #[test]
    fn tire_temperatures_stay_in_a_racing_window() {
        watch(10, 600.0, 2.0, |race, _, after| {
            for s in after.iter().filter(|_| race.time_secs() > 90.0) {
                let t = s.tire_temp_c.expect("the simulator's cars have tires");
                for temp in [t.fl, t.fr, t.rl, t.rr] {
                    assert!((65.0..=120.0).contains(&temp), "{temp} °C: {s:?}");
                }
            }
        });
    }

    #[test]
    fn laps_count_up_at_the_line_and_lap_distance_wraps() {
        let mut crossings = 0;
        watch(5, 300.0, 20.0, |race, before, after| {
            let length = race.track().length_m();
            for (b, a) in before.iter().zip(after) {
                let d = a.lap_distance_m.unwrap();
                assert!((0.0..=length).contains(&d), "{d}");
                if d < b.lap_distance_m.unwrap() {
                    assert_eq!(a.lap, b.lap.map(|l| l + 1));
                    crossings += 1;
                } else {
                    assert_eq!(a.lap, b.lap);
                }
            }
        });
        assert!(crossings >= 5 * 3, "{crossings} crossings of the line");
    }

    #[test]
    fn cars_stay_on_the_outline() {
        let outline = Track::circuit().outline(1.0);
        let off = |x: f64, y: f64| {
            let seg = |(a, b): (&(f64, f64), &(f64, f64))| {
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let t = (((x - a.0) * dx + (y - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                (x - a.0 - t * dx).hypot(y - a.1 - t * dy)
            };
            outline.iter().zip(&outline[1..]).map(seg).fold(f64::MAX, f64::min)
        };
        watch(4, 200.0, 1.0, |_, _, after| {
            for s in after {
                let d = off(s.x.unwrap(), s.y.unwrap());
                assert!(d < 0.5, "{d:.2} m off the track at {:?}", s.lap_distance_m);
            }
        });
    }

    #[test]
    fn cars_differ_in_pace() {
        let mut race = Race::new(20, 5);
        race.step(300.0);
        let laps: Vec<f64> = race.cars.iter().filter_map(|c| c.last_lap).collect();
        assert_eq!(laps.len(), 20);
        let (fast, slow) = laps.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        assert!((70.0..110.0).contains(&fast), "fastest lap {fast:.2} s");
        assert!(slow - fast > 0.3, "laps from {fast:.2} to {slow:.2} s");
    }

    /// Each car's distance raced (laps and metres), in grid order.
    fn progress(race: &Race) -> Vec<f64> {
        let length = race.track().length_m();
        race.cars.iter().map(|c| f64::from(c.lap) * length + c.s).collect()
    }

    #[test]
    fn over_a_long_race_the_field_spreads_cars_overtake_pit_under_the_limit_and_lap_times_vary() {
        let mut race = Race::new(10, 3);
        let mut order_changes = 0;
        let mut standing: Vec<f64> = vec![0.0; 10];
        let mut longest_stop: f64 = 0.0;
        let mut laps: Vec<Vec<f64>> = vec![Vec::new(); 10];
        let order = |p: &[f64]| {
            let mut idx: Vec<usize> = (0..p.len()).collect();
            idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
            idx
        };
        let mut last_order = order(&progress(&race));
        for _ in 0..(25 * 60 * 4) {
            let before: Vec<(u32, f64)> = race.cars.iter().map(|c| (c.lap, c.v)).collect();
            race.step(0.25);
            for (i, c) in race.cars.iter().enumerate() {
                if c.v == 0.0 && !c.retired {
                    standing[i] += 0.25;
                    longest_stop = longest_stop.max(standing[i]);
                    let to_line = race.track().length_m() - c.s;
                    assert!(to_line < PIT_ENTRY_M, "stopped only in the pit lane, not {to_line:.0} m before the line");
                } else {
                    standing[i] = 0.0;
                }
                if matches!(c.pit, Pit::Out)
                    || (matches!(c.pit, Pit::In { .. }) && race.track().length_m() - c.s < PIT_ENTRY_M - 50.0)
                {
                    assert!(c.v <= PIT_LIMIT + 0.5, "{:.0} km/h in the pit lane", c.v * 3.6);
                }
                if c.lap > before[i].0 {
                    laps[i].extend(c.last_lap);
                }
            }
            let now = order(&progress(&race));
            order_changes += usize::from(now != last_order);
            last_order = now;
        }
        assert!(longest_stop >= 2.5, "a pit stop stands the car still for seconds, longest {longest_stop} s");
        assert!(order_changes > 10, "{order_changes} changes of running order");
        let p = progress(&race);
        let spread = p.iter().copied().fold(f64::MIN, f64::max) - p.iter().copied().fold(f64::MAX, f64::min);
        assert!(spread > 0.5 * race.track().length_m(), "the field spreads over {spread:.0} m");
        // One car's laps after the first differ from each other by tenths, not nothing.
        let mine = &laps[0][1..];
        let (lo, hi) = mine.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        assert!(hi - lo > 0.2, "laps from {lo:.2} to {hi:.2} s");
    }

    #[test]
    fn without_retirements_the_whole_field_races_on() {
        // 12 laps of 20 cars: with retirements, two cars of this seed's race have retired.
        let running_at_lap_12 = |race: Race| {
            let mut race = race;
            while race.leader_lap() < 12 {
                race.step(0.5);
            }
            race.samples(0).count()
        };
        assert_eq!(running_at_lap_12(Race::new(20, 2)), 18, "with retirements");
        assert_eq!(running_at_lap_12(Race::new(20, 2).without_retirements()), 20);
    }

    #[test]
    fn a_retired_car_sends_nothing_more_and_is_not_the_leader() {
        let mut race = Race::new(3, 1);
        race.step(10.0);
        let leader = race.cars.iter().enumerate().max_by(|a, b| progress(&race)[a.0].total_cmp(&progress(&race)[b.0]));
        let leader = leader.map(|(i, _)| i).unwrap();
        race.cars[leader].retired = true;
        race.step(10.0);
        let ids: Vec<String> = race.samples(0).map(|s| s.car).collect();
        assert_eq!(ids.len(), 2);
        assert!(!ids.contains(&race.cars[leader].id));
    }

    #[test]
    fn a_slow_feed_drives_the_same_race_as_a_fast_one() {
        let (mut slow, mut fast) = (Race::new(3, 9), Race::new(3, 9));
        for _ in 0..60 {
            slow.step(1.0);
        }
        for _ in 0..6_000 {
            fast.step(0.01);
        }
        for (a, b) in slow.cars.iter().zip(&fast.cars) {
            assert!((a.s - b.s).abs() < 1.0 && a.lap == b.lap, "{} vs {} m", a.s, b.s);
        }
    }

    #[test]
    fn a_step_that_is_not_a_positive_finite_time_is_ignored() {
        let mut race = Race::new(2, 1);
        for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            race.step(dt);
        }
        assert_eq!(race.time_secs(), 0.0);
        assert_eq!(race.leader_lap(), 1);
    }
}
