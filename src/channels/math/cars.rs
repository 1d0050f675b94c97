//! Each car's `d()` memory for one topic, bounded: at most [`MAX_CARS_PER_TOPIC`] cars,
//! the least recently seen one forgotten to make room for a new one.

use std::collections::HashMap;

use super::MathChannels;

/// The most cars whose `d()` memory one topic keeps. A grid is 20 to 40 cars; a topic
/// with more distinct car ids is most likely keyed by something else, and a forgotten
/// car only costs its next record's derivatives (absent, as on a car's first record).
pub const MAX_CARS_PER_TOPIC: usize = 256;

/// One car's memory: the previous value and time of every `d()` of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct CarState {
    pub(crate) previous: Vec<Option<(f64, i64)>>,
}

/// The `d()` memory of every car of one topic.
#[derive(Debug)]
pub struct Cars {
    max: usize,
    /// Counts records, so that the least recently seen car is the one with the lowest.
    clock: u64,
    cars: HashMap<String, (u64, CarState)>,
    forgotten: u64,
}

impl Default for Cars {
    fn default() -> Cars {
        Cars::new(MAX_CARS_PER_TOPIC)
    }
}

impl Cars {
    pub fn new(max: usize) -> Cars {
        Cars { max: max.max(1), clock: 0, cars: HashMap::new(), forgotten: 0 }
    }

    /// How many cars were forgotten to make room, for the topic's counters.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }

    /// [`MathChannels::compute`] for `car`, with that car's memory. Allocates only for a
    /// car not seen before (or forgotten since).
    pub fn compute<F: Fn(usize) -> Option<f64>>(
        &mut self,
        channels: &MathChannels,
        car: &str,
        time_ms: i64,
        input: F,
        out: &mut [Option<f64>],
    ) {
        self.clock += 1;
        let clock = self.clock;
        if let Some((seen, state)) = self.cars.get_mut(car) {
            *seen = clock;
            channels.compute(state, time_ms, input, out);
            return;
        }
        if self.cars.len() >= self.max {
            // A scan, not an ordered index: it runs only when a new car meets a full table.
            let oldest = self.cars.iter().min_by_key(|(_, (seen, _))| *seen).map(|(name, _)| name.clone());
            if let Some(oldest) = oldest {
                self.cars.remove(&oldest);
                self.forgotten += 1;
            }
        }
        let (_, state) = self.cars.entry(car.to_owned()).or_insert((clock, channels.new_car()));
        channels.compute(state, time_ms, input, out);
    }
}
