//! One car of the race: its pace, what the driver wants from the pedals, the gearbox,
//! tire temperatures and wear, pit stops, and its sample and record at an instant.

use super::*;
use gauges::{Gauges, Record, Step};

/// Where a car is in a pit stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Pit {
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

pub(super) fn gear_ratio(gear: u8) -> f64 {
    12_000.0 / (GEAR_KPH_AT_12K[usize::from(gear.clamp(1, 8)) - 1] / 3.6)
}

#[derive(Debug, Clone)]
pub(super) struct Car {
    pub(super) id: String,
    pub(super) driver: String,
    /// Skill, 0.965 to 1: scales grip, braking and power.
    pub(super) pace: f64,
    /// This lap's small variation on `pace`, drawn at each crossing of the line.
    pub(super) form: f64,
    pub(super) lap: u32,
    /// Lap distance, 0 to the track length.
    pub(super) s: f64,
    pub(super) v: f64,
    pub(super) gear: u8,
    pub(super) rpm: f64,
    pub(super) throttle: f64,
    pub(super) brake: f64,
    /// In a braking phase; kept until the speed is down, so the pedals do not chatter.
    pub(super) braking: bool,
    pub(super) since_shift: f64,
    /// fl, fr, rl, rr.
    pub(super) tires: [f64; 4],
    pub(super) lap_started: f64,
    pub(super) last_lap: Option<f64>,
    pub(super) fuel_kg: f64,
    /// 0 for new tires, 1 for worn out.
    pub(super) wear: f64,
    /// Wear per lap: how hard this driver is on tires.
    pub(super) wear_per_lap: f64,
    /// The wear at which the team calls the car in.
    pub(super) pit_at: f64,
    pub(super) pit: Pit,
    /// Stopped for good: no more samples.
    pub(super) retired: bool,
    pub(super) gauges: Gauges,
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
    /// cooling toward [`TIRE_AMBIENT`] that grows with airflow. Returns each tire's heat input.
    fn heat_tires(&mut self, curvature: f64, drive: f64, h: f64) -> [f64; 4] {
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
        let mut heats = [0.0; 4];
        for (i, t) in self.tires.iter_mut().enumerate() {
            let rear = if i >= 2 { 0.5 } else { 0.0 };
            let heat = braking * BRAKING_SPLIT[i] + cornering * corner[i] + traction * rear;
            *t += h * (heat - cooling * (*t - TIRE_AMBIENT));
            heats[i] = heat;
        }
        heats
    }

    /// Steps the gauges over what the physics just did.
    fn read_gauges(&mut self, curvature: f64, tire_heat: [f64; 4], h: f64) {
        let brake_power = self.brake * self.brake_cap(self.v) * self.v;
        let (v, throttle, wear_per_lap) = (self.v, self.throttle, self.wear_per_lap);
        let g_lat = gauges::g_lat(curvature, v);
        self.gauges.step(&Step { h, v, g_lat, throttle, brake_power, tire_heat, wear_per_lap });
    }

    /// Advances the car by `h` seconds; returns true when it crossed the line.
    pub(super) fn advance(&mut self, track: &Track, h: f64) -> bool {
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
                self.gauges.wear = [0.0; 4];
                self.pit = Pit::Out;
            }
            let curvature = track.curvature_at(self.s);
            let heat = self.heat_tires(curvature, 0.0, h);
            self.read_gauges(curvature, heat, h);
            self.gauges.accel = 0.0;
            return false;
        }
        let want = self.demand(track);
        self.pedals(want, h);
        let cut = self.v * self.ratio() >= LIMITER_RPM;
        let drive = if cut { 0.0 } else { self.throttle * self.drive_cap(self.v) };
        let accel = drive - self.brake * self.brake_cap(self.v) - Self::resistance(self.v);
        let v = self.v;
        self.v = (self.v + accel * h).max(0.0);
        self.gauges.accel = (self.v - v) / h;
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
        let curvature = track.curvature_at(self.s);
        let heat = self.heat_tires(curvature, drive, h);
        self.read_gauges(curvature, heat, h);
        crossed
    }

    pub(super) fn sample(&self, track: &Track, ts_ms: i64) -> Sample {
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

    /// The sample with every other channel the car's instruments read.
    pub(super) fn record(&self, track: &Track, ts_ms: i64) -> Record {
        let curvature = track.curvature_at(self.s);
        let channels = self.gauges.channels(curvature, self.v, &self.tires);
        Record { sample: self.sample(track, ts_ms), channels }
    }
}

/// Rounds to `decimals` places by dividing, so 0.3 prints as `0.3`, not `0.30000000000000004`.
pub(super) fn round(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}
