//! A record's channels beyond the v1 fields, as values against its topic's
//! [`Dictionary`]: what a decoded record carries to every reader, without a string.
//!
//! A reader of a whole span decodes its records in runs on several threads and frees
//! them on another; the values of a run's records lie in one allocation they share
//! ([`ValueBatch`]), so that nothing is allocated or freed record by record across
//! threads (glibc then takes the other thread's arena lock for each: 8% of a replay).

use std::{fmt, sync::Arc};

use super::Dictionary;
use crate::sync::read;

/// A record's extra channels: values by their index in the topic's dictionary.
#[derive(Clone, Default)]
pub struct Channels {
    pub(super) dict: Option<Arc<Dictionary>>,
    pub(super) values: Values,
    pub(super) lost: Lost,
}

/// Where a record's (index, value) pairs are.
#[derive(Clone)]
pub(super) enum Values {
    /// In an allocation of its own.
    Own(Vec<(u16, f64)>),
    /// `start..end` of the values of the records decoded with it.
    Shared(Arc<[(u16, f64)]>, u32, u32),
    /// `start..end` of a [`ValueBatch`] still being filled; [`Channels::attach`] makes
    /// them [`Values::Shared`] before anything reads them.
    Pending(u32, u32),
}

impl Default for Values {
    fn default() -> Values {
        Values::Own(Vec::new())
    }
}

impl Values {
    fn as_slice(&self) -> &[(u16, f64)] {
        match self {
            Values::Own(v) => v,
            Values::Shared(all, start, end) => all.get(*start as usize..*end as usize).unwrap_or_default(),
            Values::Pending(..) => {
                debug_assert!(false, "a record's values were read before its batch was shared");
                &[]
            }
        }
    }
}

/// The channel values of records decoded one after another, written back to back; once
/// [shared](Self::share), each record [attached](Channels::attach) to it holds its part.
#[derive(Debug, Default)]
pub struct ValueBatch {
    pub(super) values: Vec<(u16, f64)>,
}

/// A [`ValueBatch`]'s values, in one allocation, freed with the last record holding them.
#[derive(Debug, Clone)]
pub struct SharedValues(Arc<[(u16, f64)]>);

impl ValueBatch {
    /// The values written so far, in one allocation of their size.
    pub fn share(self) -> SharedValues {
        SharedValues(Arc::from(self.values))
    }
}

/// Values a record lost to each bound.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Lost {
    pub(super) too_long: u32,
    pub(super) over_record: u32,
    pub(super) over_topic: u32,
}

impl Channels {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        match self.values {
            Values::Own(ref v) => v.len(),
            Values::Shared(_, start, end) | Values::Pending(start, end) => (end - start) as usize,
        }
    }

    /// Points a record decoded into a [`ValueBatch`] at the batch's shared values; a
    /// record of values of its own is left as it is.
    pub fn attach(&mut self, shared: &SharedValues) {
        if let Values::Pending(start, end) = self.values {
            self.values = Values::Shared(Arc::clone(&shared.0), start, end);
        }
    }

    /// Calls `f` with each channel's name and value, in the record's order, looking the
    /// names up once for the whole record.
    pub fn for_each(&self, mut f: impl FnMut(&str, f64)) {
        let Some(dict) = &self.dict else { return };
        let names = read(&dict.inner);
        for &(i, v) in self.values() {
            f(&names.names[usize::from(i)], v);
        }
    }

    /// The dictionary the record's indices are in; none for a record without channels.
    pub fn dictionary(&self) -> Option<&Arc<Dictionary>> {
        self.dict.as_ref()
    }

    /// The (index, value) pairs, in the record's order.
    pub fn values(&self) -> &[(u16, f64)] {
        self.values.as_slice()
    }

    /// The channels as (name, value) pairs.
    pub fn to_vec(&self) -> Vec<(String, f64)> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each(|n, v| out.push((n.to_owned(), v)));
        out
    }

    /// A record's channels from (index, value) pairs against `dict`, each index once:
    /// for a reader of the wire, which knows how many a record has before it builds them.
    pub fn from_values(dict: &Arc<Dictionary>, values: Vec<(u16, f64)>) -> Channels {
        Channels { dict: Some(Arc::clone(dict)), values: Values::Own(values), lost: Lost::default() }
    }

    /// A record's channels that `write` adds by index (a decoder that knew the record's
    /// layout): to `batch`'s values when there is one, else to values of its own. None,
    /// and nothing added, when `write` says None.
    pub fn write_known<T>(
        dict: &Arc<Dictionary>,
        batch: Option<&mut ValueBatch>,
        write: impl FnOnce(&mut Vec<(u16, f64)>) -> Option<T>,
    ) -> Option<(T, Channels)> {
        let (got, values) = match batch {
            Some(batch) => {
                let start = batch.values.len();
                let got = write(&mut batch.values)?;
                // A batch holds a run of records of at most MAX_RECORD_CHANNELS each: within u32.
                (got, Values::Pending(start as u32, batch.values.len() as u32))
            }
            None => {
                let mut own = Vec::new();
                (write(&mut own)?, Values::Own(own))
            }
        };
        Some((got, Channels { dict: Some(Arc::clone(dict)), values, lost: Lost::default() }))
    }

    /// Adds a value (a math channel's) by its index in `dict`, the record's dictionary.
    pub fn push(&mut self, dict: &Arc<Dictionary>, i: u16, v: f64) {
        if self.dict.is_none() {
            self.dict = Some(Arc::clone(dict));
        }
        if !matches!(self.values, Values::Own(_)) {
            self.values = Values::Own(self.values().to_vec());
        }
        if let Values::Own(values) = &mut self.values {
            values.push((i, v));
        }
    }

    /// The value of one channel, if the record has it.
    pub fn get(&self, name: &str) -> Option<f64> {
        let dict = self.dict.as_ref()?;
        let i = *read(&dict.inner).index.get(name)?;
        self.values().iter().find(|&&(j, _)| j == i).map(|&(_, v)| v)
    }
}

impl PartialEq for Channels {
    fn eq(&self, other: &Self) -> bool {
        self.to_vec() == other.to_vec()
    }
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.to_vec()).finish()
    }
}
