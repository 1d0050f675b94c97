//! JSON lines: one `data`-shaped record a line (docs/protocol.md), with its `topic` and
//! `partition` before its `offset`. Every channel of the record, unless `channels=` chose
//! some: then the chosen ones only (a tire corner chosen keeps `tire_temp_c` whole, as
//! the contract has it), beside `car`, `ts`, `lap` and `driver`.

use std::io::Write;

use super::{Columns, Row, RowWriter, Summary};
use crate::{
    channels::{dictionary::Channels, stats::V1_CHANNELS},
    protocol::batch::write_record_line,
    telemetry::Record,
};

pub(super) struct JsonlWriter {
    out: Box<dyn Write + Send>,
    line: Vec<u8>,
    /// With `channels=`: which v1 fields are kept, by their place in [`V1_CHANNELS`].
    chosen_v1: Option<[bool; V1_CHANNELS.len()]>,
    names: Vec<String>,
}

impl JsonlWriter {
    pub(super) fn new(out: Box<dyn Write + Send>, columns: &Columns) -> JsonlWriter {
        let chosen_v1 = (!columns.every).then(|| V1_CHANNELS.map(|n| columns.channels.iter().any(|c| c.name == n)));
        let names = columns.channels.iter().map(|c| c.name.clone()).collect();
        JsonlWriter { out, line: Vec::with_capacity(1024), chosen_v1, names }
    }

    /// The record with only the chosen channels.
    fn chosen(&self, keep: &[bool; V1_CHANNELS.len()], row: &Row<'_>) -> Record {
        let mut s = row.record.sample.clone();
        let kept = |name: &str| V1_CHANNELS.iter().position(|n| *n == name).is_some_and(|k| keep[k]);
        if !kept("speed_kph") {
            s.speed_kph = f64::NAN;
        }
        if !kept("rpm") {
            s.rpm = f64::NAN;
        }
        if !["tire_temp_c.fl", "tire_temp_c.fr", "tire_temp_c.rl", "tire_temp_c.rr"].iter().any(|n| kept(n)) {
            s.tire_temp_c = None;
        }
        let drop_unkept = |name: &str, v: &mut Option<f64>| {
            if !kept(name) {
                *v = None;
            }
        };
        drop_unkept("throttle", &mut s.throttle);
        drop_unkept("brake", &mut s.brake);
        drop_unkept("x", &mut s.x);
        drop_unkept("y", &mut s.y);
        drop_unkept("lap_distance_m", &mut s.lap_distance_m);
        if !kept("gear") {
            s.gear = None;
        }
        let mut channels = Channels::default();
        if let Some(dict) = row.record.channels.dictionary() {
            for (name, v) in self.names.iter().zip(row.values) {
                if let (Some(v), false, Some(i)) = (v, V1_CHANNELS.contains(&name.as_str()), dict.index_of(name)) {
                    channels.push(dict, i, *v);
                }
            }
        }
        Record { offset: row.record.offset, sample: s, channels }
    }
}

impl RowWriter for JsonlWriter {
    fn row(&mut self, row: &Row<'_>) -> std::io::Result<()> {
        self.line.clear();
        let written = match &self.chosen_v1 {
            None => write_record_line(&mut self.line, row.topic, row.partition, row.record),
            Some(keep) => {
                let record = self.chosen(keep, row);
                write_record_line(&mut self.line, row.topic, row.partition, &record)
            }
        };
        written.map_err(std::io::Error::other)?;
        self.out.write_all(&self.line)
    }

    fn buffered(&self) -> usize {
        0
    }

    fn finish(mut self: Box<Self>, _: &Summary) -> std::io::Result<()> {
        // Every channel of a record is on its line, so nothing is ever unlisted here.
        self.out.flush()
    }
}
