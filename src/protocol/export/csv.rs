//! CSV: a header of column names with their units, `name [unit]` (`ts [ms]`,
//! `speed_kph [km/h]`; a channel without a unit is its bare name), one line a row, an empty
//! cell where a record lacks a channel. Comma-separated, `\n` line ends, UTF-8, strings
//! quoted only when they hold a comma, a quote or a line break. When something was left
//! out (see [`Unlisted`](super::Unlisted)), one last line begins with `#`.

use std::io::{BufWriter, Write};

use super::{Columns, FIXED, Row, RowWriter, Summary};

pub(super) struct CsvWriter {
    out: BufWriter<Box<dyn Write + Send>>,
}

impl CsvWriter {
    pub(super) fn new(out: Box<dyn Write + Send>, columns: &Columns) -> std::io::Result<CsvWriter> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        let fixed = FIXED.iter().map(|&name| if name == "ts" { "ts [ms]".to_owned() } else { name.to_owned() });
        let channels = columns.channels.iter().map(|c| match c.unit {
            Some(unit) => format!("{} [{unit}]", c.name),
            None => c.name.clone(),
        });
        for (i, name) in fixed.chain(channels).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            text(&mut out, &name)?;
        }
        out.write_all(b"\n")?;
        Ok(CsvWriter { out })
    }
}

impl RowWriter for CsvWriter {
    fn row(&mut self, row: &Row<'_>) -> std::io::Result<()> {
        let (s, out) = (&row.record.sample, &mut self.out);
        if let Some(ts) = s.ts {
            write!(out, "{ts}")?;
        }
        out.write_all(b",")?;
        text(out, &s.car)?;
        out.write_all(b",")?;
        if let Some(driver) = &s.driver {
            text(out, driver)?;
        }
        out.write_all(b",")?;
        if let Some(lap) = s.lap {
            write!(out, "{lap}")?;
        }
        out.write_all(b",")?;
        text(out, row.topic)?;
        write!(out, ",{},{}", row.partition, row.record.offset)?;
        for v in row.values {
            out.write_all(b",")?;
            if let Some(v) = v {
                // Rust writes the shortest text that reads back as the same f64.
                write!(out, "{v}")?;
            }
        }
        out.write_all(b"\n")
    }

    fn buffered(&self) -> usize {
        0
    }

    fn finish(mut self: Box<Self>, summary: &Summary) -> std::io::Result<()> {
        let mut notes = Vec::new();
        if !summary.unlisted.is_empty() {
            notes.push(summary.unlisted.sentence());
        }
        if summary.malformed > 0 {
            notes.push(format!("{} records broke the message contract and are not rows", summary.malformed));
        }
        if !notes.is_empty() {
            writeln!(self.out, "# trackside: {}", notes.join("; ").replace(['\n', '\r'], " "))?;
        }
        self.out.flush()
    }
}

/// A string cell: quoted when it holds a separator, a quote or a line break.
fn text(out: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", s.replace('"', "\"\""))
    } else {
        out.write_all(s.as_bytes())
    }
}
