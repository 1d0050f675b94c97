//! The per-topic channel dictionary: each extra channel's name once per topic, and a
//! record's extra channels as (index, value) pairs against it, so a record holds no
//! strings. At most [`MAX_TOPIC_CHANNELS`] names per topic; what the bounds drop is counted.

use std::{
    cell::RefCell,
    collections::{HashMap, HashSet},
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use serde::Serialize;

use super::{
    flatten::Flat,
    shape::{self, REPEATED},
    stats::{ChannelInfo, ChannelList, Stat, V1_CHANNELS},
};
use crate::sync::{read, write};

/// The most distinct extra channels one topic may have; later names are refused.
pub const MAX_TOPIC_CHANNELS: usize = 512;
/// Refused names remembered to count them once each; past this many, only values are counted.
const MAX_REFUSED_NAMES: usize = 4_096;

/// Every topic's dictionary, shared by all that decode records.
#[derive(Debug)]
pub struct Registry {
    /// Unique in the process: what a thread's last topic ([`LAST_TOPIC`]) is of.
    id: u64,
    topics: RwLock<HashMap<String, Arc<Dictionary>>>,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry { id: next_id(), topics: RwLock::default() }
    }
}

thread_local! {
    /// The last topic this thread looked up, in which registry, and its dictionary: a
    /// reader decodes one topic's records one after another, and the map's lock (taken
    /// by both cores in turn) and hash cost a record as much as matching its shape.
    /// Sound because a registry never drops or replaces a topic's dictionary.
    static LAST_TOPIC: RefCell<Option<(u64, String, Arc<Dictionary>)>> = const { RefCell::new(None) };
}

impl Registry {
    /// The topic's dictionary, made empty the first time.
    pub fn topic(&self, topic: &str) -> Arc<Dictionary> {
        let last = LAST_TOPIC.with(|last| match last.try_borrow().as_deref() {
            Ok(Some((id, t, d))) if *id == self.id && t == topic => Some(Arc::clone(d)),
            _ => None,
        });
        if let Some(d) = last {
            return d;
        }
        let d = self.lookup(topic);
        LAST_TOPIC.with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                *last = Some((self.id, topic.to_owned(), Arc::clone(&d)));
            }
        });
        d
    }

    fn lookup(&self, topic: &str) -> Arc<Dictionary> {
        if let Some(d) = read(&self.topics).get(topic) {
            return Arc::clone(d);
        }
        Arc::clone(write(&self.topics).entry(topic.to_owned()).or_default())
    }

    /// The topic's dictionary, if any record of it was decoded.
    pub fn get(&self, topic: &str) -> Option<Arc<Dictionary>> {
        read(&self.topics).get(topic).cloned()
    }

    /// Every topic and its dictionary's version (see [`Dictionary::version`]).
    pub fn versions(&self) -> Vec<(String, u64)> {
        read(&self.topics).iter().map(|(t, d)| (t.clone(), d.version())).collect()
    }
}

/// One topic's channel names, in order of first appearance.
#[derive(Debug)]
pub struct Dictionary {
    /// Unique in the process: what a thread's last [shape](shape) is of.
    id: u64,
    inner: RwLock<Names>,
    /// The v1 fields' counts and ranges, in the order of [`V1_CHANNELS`].
    v1: [Stat; V1_CHANNELS.len()],
    /// Moves on when a channel is first seen: a name added, or a v1 field first carried.
    version: AtomicU64,
    too_long: AtomicU64,
    over_record: AtomicU64,
    over_topic: AtomicU64,
}

/// An id no other registry or dictionary of the process has; never 0.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Default for Dictionary {
    fn default() -> Dictionary {
        Dictionary {
            id: next_id(),
            inner: RwLock::default(),
            v1: Default::default(),
            version: AtomicU64::default(),
            too_long: AtomicU64::default(),
            over_record: AtomicU64::default(),
            over_topic: AtomicU64::default(),
        }
    }
}

#[derive(Debug, Default)]
struct Names {
    /// Shared, so an encoder names a batch's columns without copying each name.
    names: Vec<Arc<str>>,
    stats: Vec<Stat>,
    /// Whether each name is a math channel.
    math: Vec<bool>,
    index: HashMap<Box<str>, u16>,
    refused: HashSet<Box<str>>,
    /// Units a mapping file gives some names, over the table and the suffix convention.
    units: HashMap<Box<str>, &'static str>,
}

/// What a topic's bounds dropped so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// Values whose name was longer than the bound.
    pub name_too_long: u64,
    /// Values beyond a record's bound.
    pub over_record_limit: u64,
    /// Values of channels the topic had no room for.
    pub over_topic_limit: u64,
    /// Distinct channel names the topic had no room for (counted up to 4096 names).
    pub refused_channels: u64,
}

impl Dictionary {
    /// A record's channels against this dictionary: known names by their index, new
    /// ones added while there is room. What `flat` and the topic's bound dropped goes
    /// with the record, and is counted when the live stream [observes](Self::observe) it
    /// (so a replay of the same record does not count it again).
    pub fn intern(self: &Arc<Self>, flat: &Flat) -> Channels {
        Arc::clone(self).intern_into(flat, None)
    }

    /// [`intern`](Self::intern), with the record keeping this handle on the dictionary:
    /// the decoder's own, so a record costs one count of the handle's, not three. With a
    /// `batch`, the values are written into it, and the record holds them once the batch
    /// is shared ([`Channels::attach`]).
    pub fn intern_into(self: Arc<Self>, flat: &Flat, batch: Option<&mut ValueBatch>) -> Channels {
        let mut lost = Lost { too_long: flat.too_long, over_record: flat.too_many, over_topic: 0 };
        let batched = batch.is_some();
        let mut own = Vec::new();
        let out = match batch {
            Some(batch) => &mut batch.values,
            None => {
                own.reserve_exact(flat.len());
                &mut own
            }
        };
        let start = out.len();
        shape::with_last(|last| {
            if last.as_deref().is_some_and(|l| l.values_into(self.id, flat, out)) {
                return;
            }
            let mut slots = Vec::with_capacity(flat.len());
            let mut seen = Seen::default();
            for (i, v) in self.indices(flat).into_iter().zip(flat.values()) {
                match i {
                    Some(i) if seen.insert(i) => {
                        out.push((i, v));
                        slots.push(i);
                    }
                    Some(_) => slots.push(REPEATED),
                    None => lost.over_topic += 1,
                }
            }
            // A record that lost a channel to the topic's bound is not a shape to repeat:
            // the next one is counted by name again.
            if let Some(last) = last
                && slots.len() == flat.len()
            {
                last.remember(self.id, flat, &slots);
            }
        });
        // A batch holds a run of records of at most MAX_RECORD_CHANNELS each: within u32.
        let end = out.len();
        let values = if batched { Values::Pending(start as u32, end as u32) } else { Values::Own(own) };
        Channels { dict: Some(self), values, lost }
    }

    /// Each channel's index, in the record's order: known names by their index, new ones
    /// added while there is room, none for those the topic has no room for.
    fn indices(&self, flat: &Flat) -> Vec<Option<u16>> {
        let mut out = Vec::with_capacity(flat.len());
        {
            let names = read(&self.inner);
            out.extend(flat.iter().map_while(|(name, _)| names.index.get(name).map(|&i| Some(i))));
        }
        if out.len() < flat.len() {
            out.clear();
            let mut names = write(&self.inner);
            let before = names.names.len();
            out.extend(flat.iter().map(|(name, _)| names.find_or_add(name)));
            if names.names.len() > before {
                self.version.fetch_add(1, Ordering::Relaxed);
            }
        }
        out
    }

    /// Counts one record of the live stream: its v1 values (in the order of
    /// [`V1_CHANNELS`]) and its other channels.
    pub fn observe(&self, v1: [Option<f64>; V1_CHANNELS.len()], channels: &Channels) {
        let lost = channels.lost;
        self.too_long.fetch_add(u64::from(lost.too_long), Ordering::Relaxed);
        self.over_record.fetch_add(u64::from(lost.over_record), Ordering::Relaxed);
        self.over_topic.fetch_add(u64::from(lost.over_topic), Ordering::Relaxed);
        let mut new = false;
        for (stat, v) in self.v1.iter().zip(v1) {
            if let Some(v) = v {
                new |= stat.observe(v);
            }
        }
        if !channels.is_empty() {
            let names = read(&self.inner);
            for &(i, v) in channels.values() {
                names.stats[usize::from(i)].observe(v);
            }
        }
        if new {
            self.version.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Registers math channels (`serve --channels`) by name: their indices, none for one
    /// the topic has no room for (counted as refused).
    pub fn add_math(&self, names: &[String]) -> Vec<Option<u16>> {
        let mut inner = write(&self.inner);
        let indices: Vec<Option<u16>> = names.iter().map(|n| inner.find_or_add(n)).collect();
        for i in indices.iter().flatten() {
            inner.math[usize::from(*i)] = true;
        }
        drop(inner);
        self.version.fetch_add(1, Ordering::Relaxed);
        indices
    }

    /// Gives these names their units (a mapping file's), over the table and the suffix
    /// convention; a name is listed only once some record carries it.
    pub fn set_units<'a>(&self, units: impl IntoIterator<Item = (&'a str, &'static str)>) {
        write(&self.inner).units.extend(units.into_iter().map(|(name, unit)| (name.into(), unit)));
    }

    /// Counts a record of the live stream that had no value of math channel `i` (an
    /// input was missing).
    pub fn count_missing(&self, i: u16) {
        if let Some(stat) = read(&self.inner).stats.get(usize::from(i)) {
            stat.miss();
        }
    }

    /// Moves on each time the topic has a channel it did not have.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// The topic's channels with their units, counts and ranges: the v1 fields its
    /// records carried, then the others in order of first appearance.
    pub fn list(&self, topic: &str) -> ChannelList {
        let mut channels: Vec<ChannelInfo> = V1_CHANNELS
            .iter()
            .zip(&self.v1)
            .filter(|(_, stat)| stat.records() > 0)
            .map(|(name, stat)| ChannelInfo::new(name, stat))
            .collect();
        let names = read(&self.inner);
        for ((name, stat), &math) in names.names.iter().zip(&names.stats).zip(&names.math) {
            let mut info = if math { ChannelInfo::math(name, stat) } else { ChannelInfo::new(name, stat) };
            if let Some(&unit) = names.units.get(&**name) {
                info.unit = Some(unit);
            }
            channels.push(info);
        }
        drop(names);
        ChannelList { topic: topic.to_owned(), channels, dropped: self.dropped() }
    }

    /// Every name, by index.
    pub fn names(&self) -> Vec<String> {
        read(&self.inner).names.iter().map(|n| n.to_string()).collect()
    }

    /// Calls `f` with every name, by index, under one lock: what an encoder needs to
    /// name a batch's columns with one look-up.
    pub fn with_names<R>(&self, f: impl FnOnce(&[Arc<str>]) -> R) -> R {
        f(&read(&self.inner).names)
    }

    /// What a thread's memory of a record's layout is of: unique in the process.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The index of `name`, if the topic has it.
    pub fn index_of(&self, name: &str) -> Option<u16> {
        read(&self.inner).index.get(name).copied()
    }

    /// The index of `name`, added while there is room: for a dictionary of names read
    /// back from the wire rather than decoded from Kafka.
    pub fn index_or_add(&self, name: &str) -> Option<u16> {
        if let Some(i) = self.index_of(name) {
            return Some(i);
        }
        let mut names = write(&self.inner);
        let before = names.names.len();
        let i = names.find_or_add(name);
        if names.names.len() > before {
            self.version.fetch_add(1, Ordering::Relaxed);
        }
        i
    }

    pub fn dropped(&self) -> Dropped {
        Dropped {
            name_too_long: self.too_long.load(Ordering::Relaxed),
            over_record_limit: self.over_record.load(Ordering::Relaxed),
            over_topic_limit: self.over_topic.load(Ordering::Relaxed),
            refused_channels: read(&self.inner).refused.len() as u64,
        }
    }
}

impl Names {
    fn find_or_add(&mut self, name: &str) -> Option<u16> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        if self.names.len() >= MAX_TOPIC_CHANNELS {
            if self.refused.len() < MAX_REFUSED_NAMES && !self.refused.contains(name) {
                self.refused.insert(name.into());
            }
            return None;
        }
        let i = self.names.len() as u16;
        self.names.push(name.into());
        self.stats.push(Stat::default());
        self.math.push(false);
        self.index.insert(name.into(), i);
        Some(i)
    }
}

/// Indices already in a record: a name written twice (`{"a":[1],"a.0":2}` or a repeated
/// key) keeps its first value, so a record never names a channel twice.
#[derive(Default)]
struct Seen([u64; MAX_TOPIC_CHANNELS / 64]);

impl Seen {
    /// Whether `i` is new to the record.
    fn insert(&mut self, i: u16) -> bool {
        let (word, bit) = (usize::from(i) / 64, 1u64 << (i % 64));
        let new = self.0[word] & bit == 0;
        self.0[word] |= bit;
        new
    }
}

mod record;

pub use record::{Channels, SharedValues, ValueBatch};
use record::{Lost, Values};

#[cfg(test)]
mod tests;
