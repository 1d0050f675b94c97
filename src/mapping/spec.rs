//! The mapping file: TOML naming, for some topics, where each contract field and each
//! other channel is in their JSON and in what unit. Read once at start-up and checked whole, so that a mistake in
//! the file is reported then, with its place, rather than as every record malformed.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) mapping: Vec<Entry>,
}

/// One `[[mapping]]`: the topics it applies to and how to read their records.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Entry {
    pub(super) topics: Vec<String>,
    /// A JSON pointer to an array: each element is one car. Paths in `car`, `driver` and
    /// `fields` are then relative to the element; `$` starts a path at the record's root.
    pub(super) cars: Option<String>,
    pub(super) car: Text,
    pub(super) driver: Option<Text>,
    pub(super) fields: BTreeMap<String, Number>,
    /// Channels beyond the contract's fields, by name: a pointer each, or (a name ending
    /// in `*`) a pass-through of a whole object. Only `path` for a pass-through.
    #[serde(default)]
    pub(super) channels: BTreeMap<String, Number>,
}

/// Where a string comes from. Exactly one of these.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Text {
    /// The record's key.
    #[serde(default)]
    pub(super) key: bool,
    /// The position of the car in `cars`, from 0.
    #[serde(default)]
    pub(super) index: bool,
    /// A field (a string or a number).
    pub(super) path: Option<String>,
    /// A constant.
    pub(super) value: Option<String>,
}

/// Where a number comes from, and how it becomes the contract's unit: first `unit`, then
/// `× scale + offset`. For a channel, `unit` is only its label.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Number {
    pub(super) path: String,
    pub(super) unit: Option<String>,
    pub(super) scale: Option<f64>,
    pub(super) offset: Option<f64>,
}
