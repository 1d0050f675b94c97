//! An export's channel columns, fixed before its first row is written, and how each
//! record fills them: its v1 fields by their place, its other channels by their index in
//! the topic's dictionary (looked up by name once per index, not once per record).

use std::{collections::HashMap, sync::Arc};

use super::{FIXED, Unlisted};
use crate::{
    channels::{dictionary::Dictionary, stats::V1_CHANNELS, units::unit_of},
    telemetry::Record,
};

/// `lap` is a v1 channel, and one of the columns every row begins with: never twice.
const LAP: &str = "lap";

/// One channel column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Channel {
    pub name: String,
    pub unit: Option<&'static str>,
}

/// The channel columns of a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Columns {
    pub channels: Vec<Channel>,
    /// The columns are every channel (no `channels=`): a channel a record carries that
    /// they lack is counted in [`Unlisted`]. When the user chose them, the others are
    /// left out by choice.
    pub every: bool,
}

/// How the columns are chosen when the first rows are in.
#[derive(Debug, Clone)]
pub(crate) struct ChannelRule {
    /// `channels=`: exactly these names, in this order.
    pub chosen: Option<Vec<String>>,
    /// The topic's dictionary, when any record of it was decoded: its channels as
    /// `/api/channels` lists them, and their units.
    pub dictionary: Option<Arc<Dictionary>>,
}

impl ChannelRule {
    /// The columns: the chosen names; else every channel the topic lists as carried by
    /// some record, then any other that `first` (the first rows of the export) carries,
    /// v1 fields first in the contract's order.
    pub(crate) fn columns<'a>(&self, topic: &str, first: impl Iterator<Item = &'a Record> + Clone) -> Columns {
        let dictionary =
            self.dictionary.clone().or_else(|| first.clone().find_map(|r| r.channels.dictionary().cloned()));
        let listed = dictionary.map(|d| d.list(topic).channels).unwrap_or_default();
        let unit = |name: &str| listed.iter().find(|c| c.name == name).map_or_else(|| unit_of(name), |c| c.unit);
        if let Some(chosen) = &self.chosen {
            let channels = chosen.iter().map(|name| Channel { name: name.clone(), unit: unit(name) }).collect();
            return Columns { channels, every: false };
        }
        let mut names: Vec<String> = Vec::new();
        let mut seen_v1 = [false; V1_CHANNELS.len()];
        for r in first.clone() {
            for (k, v) in r.sample.v1_values().iter().enumerate() {
                seen_v1[k] |= v.is_some();
            }
        }
        for (k, name) in V1_CHANNELS.iter().enumerate() {
            if *name != LAP && (seen_v1[k] || listed.iter().any(|c| c.name == *name && c.records > 0)) {
                names.push((*name).to_owned());
            }
        }
        let v1 = |n: &str| V1_CHANNELS.contains(&n);
        names.extend(listed.iter().filter(|c| c.records > 0 && !v1(&c.name)).map(|c| c.name.clone()));
        for r in first {
            r.channels.for_each(|name, _| {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            });
        }
        // A channel named as a fixed column (a numeric field `offset`) would be a second
        // column of that name: it has none, so its values are counted as unlisted.
        names.retain(|n| !FIXED.contains(&n.as_str()));
        let channels = names.into_iter().map(|name| Channel { unit: unit(&name), name }).collect();
        Columns { channels, every: true }
    }
}

/// Where one dictionary index's values go.
#[derive(Debug, Clone)]
enum Place {
    Column(usize),
    /// No column, and the columns are every channel: counted by this name.
    Unlisted(Arc<str>),
    /// No column, by the user's choice.
    Unchosen,
}

/// Fills a row's channel values from a record.
pub(super) struct Filler {
    columns: Columns,
    v1: [Option<usize>; V1_CHANNELS.len()],
    /// By dictionary index, found the first time a record carries it.
    places: Vec<Option<Place>>,
    by_name: HashMap<String, usize>,
    values: Vec<Option<f64>>,
}

impl Filler {
    pub(super) fn new(columns: Columns) -> Filler {
        let by_name: HashMap<String, usize> =
            columns.channels.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
        let v1 = V1_CHANNELS.map(|name| by_name.get(name).copied());
        let values = vec![None; columns.channels.len()];
        Filler { columns, v1, places: Vec::new(), by_name, values }
    }

    /// The record's values in column order; what it carries that no column takes is
    /// counted in `unlisted` when the columns are every channel.
    pub(super) fn fill(&mut self, r: &Record, unlisted: &mut Unlisted) -> &[Option<f64>] {
        self.values.fill(None);
        for (k, v) in r.sample.v1_values().into_iter().enumerate() {
            let Some(v) = v else { continue };
            match self.v1[k] {
                Some(c) => self.values[c] = Some(v),
                None if self.columns.every && V1_CHANNELS[k] != LAP => unlisted.add(V1_CHANNELS[k]),
                None => {}
            }
        }
        for &(i, v) in r.channels.values() {
            let i = usize::from(i);
            if self.places.get(i).is_none_or(Option::is_none) {
                let place = self.place_of(r, i);
                if self.places.len() <= i {
                    self.places.resize(i + 1, None);
                }
                self.places[i] = Some(place);
            }
            match &self.places[i] {
                Some(Place::Column(c)) => self.values[*c] = Some(v),
                Some(Place::Unlisted(name)) => unlisted.add(name),
                Some(Place::Unchosen) | None => {}
            }
        }
        &self.values
    }

    fn place_of(&self, r: &Record, i: usize) -> Place {
        let name = r.channels.dictionary().and_then(|d| d.with_names(|names| names.get(i).cloned()));
        match name {
            Some(name) => match self.by_name.get(&*name) {
                Some(&c) => Place::Column(c),
                None if self.columns.every => Place::Unlisted(name),
                None => Place::Unchosen,
            },
            None => Place::Unchosen,
        }
    }
}
