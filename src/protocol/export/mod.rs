//! The files of `/api/export`: a span of a topic, one row per record, as CSV, Parquet or
//! JSON lines. Which columns a file has and how a record fills them ([`columns`]), what a
//! record carried that the columns lack ([`Unlisted`]), and the three writers. Pure: the
//! export reader (`kafka::lookup::export`) hands records to an [`Exporter`], through the
//! web layer, and it writes bytes to whatever `Write` it is given.

pub(crate) mod columns;
mod csv;
mod jsonl;
mod parquet;

use std::{collections::BTreeMap, io::Write};

use serde::Serialize;

use columns::Filler;
pub(crate) use columns::{ChannelRule, Columns};

use crate::telemetry::Record;

/// The columns every row begins with, before its channels.
pub(crate) const FIXED: [&str; 7] = ["ts", "car", "driver", "lap", "topic", "partition", "offset"];

/// Distinct channel names [`Unlisted`] keeps a count of; the rest are counted together.
const MAX_UNLISTED_NAMES: usize = 64;

/// The file an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Parquet,
    Jsonl,
}

impl Format {
    pub(crate) fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Jsonl => "application/jsonl; charset=utf-8",
        }
    }
}

/// The values of channels that records carried and the file has no column for, by name:
/// the columns are fixed before the first row is written, and a channel that first
/// appears later is counted here and said at the end of the file, never dropped unsaid.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Unlisted {
    pub values: BTreeMap<String, u64>,
    /// Values of names past the first [`MAX_UNLISTED_NAMES`].
    pub other_values: u64,
}

impl Unlisted {
    fn add(&mut self, name: &str) {
        if let Some(n) = self.values.get_mut(name) {
            *n += 1;
        } else if self.values.len() < MAX_UNLISTED_NAMES {
            self.values.insert(name.to_owned(), 1);
        } else {
            self.other_values += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty() && self.other_values == 0
    }

    /// One sentence for a person, e.g. at the end of a CSV file.
    pub(crate) fn sentence(&self) -> String {
        let names: Vec<String> = self.values.iter().map(|(n, c)| format!("{n} ({c})")).collect();
        let other =
            if self.other_values > 0 { format!(" and {} values of others", self.other_values) } else { String::new() };
        format!(
            "channels that first appeared after the columns were fixed were left out: {}{other}; \
             export again with channels= naming them",
            names.join(", ")
        )
    }
}

/// How an export ended, written at the end of the file where its format allows.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Summary {
    pub rows: u64,
    /// Records of the span that broke the message contract: counted, not rows.
    pub malformed: u64,
    pub unlisted: Unlisted,
    /// The most records the export held at once: the reader's merge and the writer's
    /// unwritten rows.
    pub peak_buffered: u64,
}

/// One row as a writer sees it: the record, where it came from, and its channel values
/// in column order (none where the record lacks the channel).
pub(crate) struct Row<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub record: &'a Record,
    pub values: &'a [Option<f64>],
}

/// Writes rows in one format.
trait RowWriter: Send {
    fn row(&mut self, row: &Row<'_>) -> std::io::Result<()>;
    /// Rows taken and not yet written out: what the writer holds in memory.
    fn buffered(&self) -> usize;
    /// Ends the file, saying `summary` where the format has room for it.
    fn finish(self: Box<Self>, summary: &Summary) -> std::io::Result<()>;
}

/// Turns records into a file: holds the first `row_group` rows until the columns are
/// fixed from them (see [`ChannelRule`]), then writes each row as it comes.
pub(crate) struct Exporter {
    format: Format,
    topic: String,
    rule: ChannelRule,
    row_group: usize,
    out: Option<Box<dyn Write + Send>>,
    first: Vec<(i32, Record)>,
    writing: Option<(Filler, Box<dyn RowWriter>)>,
    summary: Summary,
    /// Set when writing failed (the client went away): nothing more is taken.
    error: Option<std::io::Error>,
    reader_holds: usize,
}

impl Exporter {
    pub(crate) fn new(
        format: Format,
        topic: &str,
        rule: ChannelRule,
        row_group: usize,
        out: Box<dyn Write + Send>,
    ) -> Exporter {
        Exporter {
            format,
            topic: topic.to_owned(),
            rule,
            row_group: row_group.max(1),
            out: Some(out),
            first: Vec::new(),
            writing: None,
            summary: Summary::default(),
            error: None,
            reader_holds: 0,
        }
    }

    /// Fixes the columns from the rows held so far and writes them.
    fn start_writing(&mut self) -> std::io::Result<()> {
        let Some(out) = self.out.take() else { return Ok(()) };
        let columns = self.rule.columns(&self.topic, self.first.iter().map(|(_, r)| r));
        let writer: Box<dyn RowWriter> = match self.format {
            Format::Csv => Box::new(csv::CsvWriter::new(out, &columns)?),
            Format::Jsonl => Box::new(jsonl::JsonlWriter::new(out, &columns)),
            Format::Parquet => Box::new(parquet::ParquetWriter::new(out, &columns, self.row_group)?),
        };
        self.writing = Some((Filler::new(columns), writer));
        for (partition, record) in std::mem::take(&mut self.first) {
            self.write(partition, &record)?;
        }
        Ok(())
    }

    fn write(&mut self, partition: i32, record: &Record) -> std::io::Result<()> {
        let Some((filler, writer)) = &mut self.writing else { return Ok(()) };
        let values = filler.fill(record, &mut self.summary.unlisted);
        writer.row(&Row { topic: &self.topic, partition, record, values })?;
        self.summary.rows += 1;
        let held = writer.buffered() + self.reader_holds;
        self.summary.peak_buffered = self.summary.peak_buffered.max(held as u64);
        Ok(())
    }

    /// Takes the next record, in the order rows are written; false once writing has
    /// failed (the client is gone), after which nothing more is taken.
    pub(crate) fn take(&mut self, partition: i32, record: Record) -> bool {
        if self.error.is_some() {
            return false;
        }
        if let Err(e) = self.take_row(partition, record) {
            self.error = Some(e);
            return false;
        }
        true
    }

    /// A record of the span that broke the contract: counted, not a row.
    pub(crate) fn malformed(&mut self) {
        self.summary.malformed += 1;
    }

    /// The reader holds `n` records it has not handed over yet.
    pub(crate) fn holding(&mut self, n: usize) {
        self.reader_holds = n;
        let writer = self.writing.as_ref().map_or(self.first.len(), |(_, w)| w.buffered());
        self.summary.peak_buffered = self.summary.peak_buffered.max((writer + n) as u64);
    }

    fn take_row(&mut self, partition: i32, record: Record) -> std::io::Result<()> {
        if self.writing.is_none() {
            self.first.push((partition, record));
            let held = self.first.len() + self.reader_holds;
            self.summary.peak_buffered = self.summary.peak_buffered.max(held as u64);
            if self.first.len() >= self.row_group {
                self.start_writing()?;
            }
            return Ok(());
        }
        self.write(partition, &record)
    }

    /// Ends the file after the last record; the summary of what was written. An error
    /// when writing failed at any point, so the caller can end the download as failed.
    pub(crate) fn finish(mut self) -> std::io::Result<Summary> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.start_writing()?;
        if self.format == Format::Jsonl && self.rule.chosen.is_none() {
            // Each line carries every channel of its record: nothing was left out.
            self.summary.unlisted = Unlisted::default();
        }
        let summary = self.summary.clone();
        if let Some((_, writer)) = self.writing.take() {
            writer.finish(&summary)?;
        }
        Ok(summary)
    }

    /// Why writing failed, when it did.
    pub(crate) fn failed(&self) -> Option<&std::io::Error> {
        self.error.as_ref()
    }

    /// Rows written so far.
    pub(crate) fn rows(&self) -> u64 {
        self.summary.rows
    }
}

#[cfg(test)]
mod tests;
