//! What the bridge produces beyond contract v1: each game's extra channels beside the v1
//! fields of one record, and the unit of every channel the bridge sends.
//!
//! Contract v2 names a channel by its dotted path, so a corner group such as
//! `brake_temp_c: {fl, fr, rl, rr}` is the four channels `brake_temp_c.fl` … `.rr`.

use std::ops::{Deref, DerefMut};

use serde::Serialize;

use super::packet::{Reader, Unusable};
use crate::telemetry::{Sample, Tires};

/// One record as produced: the v1 sample, and the game's extra channels written beside its
/// fields in the same JSON object (v1 consumers ignore them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Reading {
    #[serde(flatten)]
    pub(crate) sample: Sample,
    #[serde(flatten)]
    pub(crate) channels: Channels,
}

/// A reading is read as its sample wherever only the v1 fields matter (thinning by car,
/// stamping `ts`, the contract's checks), so those places need not know about channels.
impl Deref for Reading {
    type Target = Sample;
    fn deref(&self) -> &Sample {
        &self.sample
    }
}

impl DerefMut for Reading {
    fn deref_mut(&mut self) -> &mut Sample {
        &mut self.sample
    }
}

/// A game's extra channels for one car: a struct per game, so a record costs no map and
/// no allocation; absent channels are not written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Channels {
    F1(super::f1::channels::Car),
    Forza(super::forza::Channels),
    OutGauge(super::outgauge::Channels),
}

/// The four corners at `at` (FL, FR, RL, RR), absent when any of them is not finite: an
/// extra channel the game garbled is left out rather than costing the whole record.
pub(crate) fn corners(r: &Reader<'_>, [fl, fr, rl, rr]: [usize; 4]) -> Result<Option<Tires>, Unusable> {
    Ok(match (r.finite(fl)?, r.finite(fr)?, r.finite(rl)?, r.finite(rr)?) {
        (Some(fl), Some(fr), Some(rl), Some(rr)) => Some(Tires { fl, fr, rl, rr }),
        _ => None,
    })
}

/// The units live with the channels, so the server's channel list uses the same table.
pub use crate::channels::units::{UNITS, suffix_unit, unit};

#[cfg(test)]
#[path = "channels_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "captures_tests.rs"]
mod captures;
