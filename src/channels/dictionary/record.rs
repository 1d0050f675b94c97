//! A record's channels beyond the v1 fields, as values against its topic's
//! [`Dictionary`]: what a decoded record carries to every reader, without a string.

use std::{fmt, sync::Arc};

use super::Dictionary;
use crate::sync::read;

/// A record's extra channels: values by their index in the topic's dictionary.
#[derive(Clone, Default)]
pub struct Channels {
    pub(super) dict: Option<Arc<Dictionary>>,
    pub(super) values: Vec<(u16, f64)>,
    pub(super) lost: Lost,
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
        self.values.is_empty()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Calls `f` with each channel's name and value, in the record's order, looking the
    /// names up once for the whole record.
    pub fn for_each(&self, mut f: impl FnMut(&str, f64)) {
        let Some(dict) = &self.dict else { return };
        let names = read(&dict.inner);
        for &(i, v) in &self.values {
            f(&names.names[usize::from(i)], v);
        }
    }

    /// The dictionary the record's indices are in; none for a record without channels.
    pub fn dictionary(&self) -> Option<&Arc<Dictionary>> {
        self.dict.as_ref()
    }

    /// The (index, value) pairs, in the record's order.
    pub fn values(&self) -> &[(u16, f64)] {
        &self.values
    }

    /// The channels as (name, value) pairs.
    pub fn to_vec(&self) -> Vec<(String, f64)> {
        let mut out = Vec::with_capacity(self.values.len());
        self.for_each(|n, v| out.push((n.to_owned(), v)));
        out
    }

    /// A record's channels from (index, value) pairs against `dict`, each index once:
    /// for a reader of the wire, which knows how many a record has before it builds them.
    pub fn from_values(dict: &Arc<Dictionary>, values: Vec<(u16, f64)>) -> Channels {
        Channels { dict: Some(Arc::clone(dict)), values, lost: Lost::default() }
    }

    /// Adds a value (a math channel's) by its index in `dict`, the record's dictionary.
    pub fn push(&mut self, dict: &Arc<Dictionary>, i: u16, v: f64) {
        if self.dict.is_none() {
            self.dict = Some(Arc::clone(dict));
        }
        self.values.push((i, v));
    }

    /// The value of one channel, if the record has it.
    pub fn get(&self, name: &str) -> Option<f64> {
        let dict = self.dict.as_ref()?;
        let i = *read(&dict.inner).index.get(name)?;
        self.values.iter().find(|&&(j, _)| j == i).map(|&(_, v)| v)
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
