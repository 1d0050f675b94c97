//! Reading the layout back, by the rules docs/protocol.md gives a client: columns past
//! those of version 1 skipped by their size, and the channels section, when a batch has
//! one, read into each record's other channels by name.

use std::sync::Arc;

use super::{BATCH_HEADER, DataBatch, DataFrame, FLAG_SPARSE, FrameError, MAGIC, column, pad8};
use crate::{
    channels::dictionary::{Channels, Dictionary},
    telemetry::{Record, Sample, Tires},
};

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FrameError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(FrameError::Truncated(what))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, FrameError> {
        self.take(2, what).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, FrameError> {
        self.take(4, what).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self, n: usize, what: &'static str) -> Result<String, FrameError> {
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| FrameError::Invalid(format!("{what} is not UTF-8")))
    }
    fn align(&mut self, base: usize) {
        self.at = base + pad8(self.at - base);
    }
    /// A column of `n` records: its presence bitmap when it has one, then its values.
    fn column(&mut self, n: usize, sparse: bool, start: usize) -> Result<Column<'a>, FrameError> {
        let bitmap = if sparse {
            let b = self.take(n.div_ceil(8), "a presence bitmap")?;
            self.align(start);
            Some(b)
        } else {
            None
        };
        let raw = self.take(n.checked_mul(8).ok_or(FrameError::Truncated("a column"))?, "a column")?;
        Ok((raw, bitmap))
    }
}

/// Reads a columnar `data` frame into records, by the rules of docs/protocol.md:
/// columns past those of version 1 are skipped by their size; the channels section
/// gives each record its other channels.
pub fn decode_frame(bytes: &[u8]) -> Result<DataFrame, FrameError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4, "the magic")? != MAGIC {
        return Err(FrameError::NotData);
    }
    let mode = match r.take(4, "the header")?[0] {
        0 => "live",
        1 => "replay",
        m => return Err(FrameError::Invalid(format!("mode {m} is neither live (0) nor replay (1)"))),
    };
    let dropped = r.u32("the header")?;
    let count = r.u32("the header")?;
    let mut batches = Vec::new();
    for _ in 0..count {
        let start = r.at;
        let length = r.u32("a batch header")? as usize;
        if length < BATCH_HEADER || !length.is_multiple_of(8) {
            return Err(FrameError::Invalid(format!("a batch length of {length}")));
        }
        let end = start.checked_add(length).filter(|&e| e <= bytes.len()).ok_or(FrameError::Truncated("a batch"))?;
        let mut b = Reader { bytes: &bytes[..end], at: r.at };
        batches.push(read_batch(&mut b, start)?);
        r.at = end;
    }
    Ok(DataFrame { mode, dropped, batches })
}

/// A column's raw values, and its presence bitmap when it has one.
type Column<'a> = (&'a [u8], Option<&'a [u8]>);

/// Record `i`'s value in a column, if it has one.
fn value((raw, bitmap): Column<'_>, i: usize) -> Option<f64> {
    if bitmap.is_some_and(|b| b[i / 8] & (1 << (i % 8)) == 0) {
        return None;
    }
    raw.get(i * 8..i * 8 + 8).map(|v| f64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]))
}

fn read_batch(r: &mut Reader<'_>, start: usize) -> Result<DataBatch, FrameError> {
    let n = r.u32("a batch header")? as usize;
    let partition = r.u32("a batch header")? as i32;
    let columns = r.u32("a batch header")?;
    let sparse = r.u32("a batch header")?;
    let topic_len = usize::from(r.u16("a batch header")?);
    let string_count = r.u16("a batch header")?;
    let topic = r.str(topic_len, "the topic")?;
    let mut strings = Vec::with_capacity(usize::from(string_count));
    for _ in 0..string_count {
        let len = usize::from(r.u16("the string table")?);
        strings.push(r.str(len, "the string table")?);
    }
    r.align(start);
    // Each known column as its raw values and presence bitmap, read in place below.
    let mut values: [Option<Column<'_>>; column::COUNT] = [None; column::COUNT];
    for c in (0..32).filter(|c| columns & (1 << c) != 0) {
        let col = r.column(n, sparse & (1 << c) != 0, start)?;
        if let Some(slot) = values.get_mut(c) {
            *slot = Some(col);
        }
    }
    // Bytes left before the batch's end are its channels section.
    let section = if r.at < r.bytes.len() { read_section(r, start, n, &strings)? } else { Section::default() };
    let get = |c: usize, i: usize| values[c].and_then(|col| value(col, i));
    let string = |c: usize, i: usize| -> Result<Option<String>, FrameError> {
        get(c, i)
            .map(|x| {
                strings
                    .get(x as usize)
                    .cloned()
                    .ok_or_else(|| FrameError::Invalid(format!("string {x} of a table of {}", strings.len())))
            })
            .transpose()
    };
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        let required =
            |c: usize, name: &str| get(c, i).ok_or_else(|| FrameError::Invalid(format!("record {i} has no {name}")));
        let tires = match (
            get(column::TIRE_FL, i),
            get(column::TIRE_FR, i),
            get(column::TIRE_RL, i),
            get(column::TIRE_RR, i),
        ) {
            (Some(fl), Some(fr), Some(rl), Some(rr)) => Some(Tires { fl, fr, rl, rr }),
            _ => None,
        };
        let sample = Sample {
            car: string(column::CAR, i)?.ok_or_else(|| FrameError::Invalid(format!("record {i} has no car")))?,
            ts: get(column::TS, i).map(|t| t as i64),
            speed_kph: get(column::SPEED_KPH, i).unwrap_or(f64::NAN),
            rpm: get(column::RPM, i).unwrap_or(f64::NAN),
            tire_temp_c: tires,
            lap: get(column::LAP, i).map(|v| v as u32),
            gear: get(column::GEAR, i).map(|v| v as i8),
            throttle: get(column::THROTTLE, i),
            brake: get(column::BRAKE, i),
            driver: string(column::DRIVER, i)?,
            x: get(column::X, i),
            y: get(column::Y, i),
            lap_distance_m: get(column::LAP_DISTANCE_M, i),
        };
        let offset = required(column::OFFSET, "offset")? as i64;
        records.push(Record { offset, sample, channels: section.channels(i) });
    }
    Ok(DataBatch { topic, partition, records })
}

/// A batch's channels section read back: its columns, by their index in a dictionary
/// of the batch's own names.
#[derive(Default)]
struct Section<'a> {
    dict: Option<Arc<Dictionary>>,
    columns: Vec<Column<'a>>,
}

impl Section<'_> {
    /// Record `i`'s other channels, in the order of the section's directory.
    fn channels(&self, i: usize) -> Channels {
        let Some(dict) = &self.dict else { return Channels::default() };
        // The directory's columns are the dictionary's first names, in order.
        let mut values = Vec::with_capacity(self.columns.len());
        values.extend(self.columns.iter().enumerate().filter_map(|(k, &col)| Some((k as u16, value(col, i)?))));
        if values.is_empty() { Channels::default() } else { Channels::from_values(dict, values) }
    }
}

fn read_section<'a>(r: &mut Reader<'a>, start: usize, n: usize, strings: &[String]) -> Result<Section<'a>, FrameError> {
    let extra = r.u32("the channels section")? as usize;
    r.take(4, "the channels section")?;
    let mut directory = Vec::with_capacity(extra.min(r.bytes.len() / 4));
    for _ in 0..extra {
        let name = usize::from(r.u16("the column directory")?);
        let flags = r.u16("the column directory")?;
        let name = strings.get(name).ok_or_else(|| {
            FrameError::Invalid(format!("channel name {name} of a string table of {}", strings.len()))
        })?;
        if flags & !FLAG_SPARSE != 0 {
            return Err(FrameError::Invalid(format!("channel `{name}` has unknown flags {flags:#06x}")));
        }
        directory.push((name, flags & FLAG_SPARSE != 0));
    }
    r.align(start);
    let dict = Arc::new(Dictionary::default());
    let mut columns = Vec::with_capacity(directory.len());
    for (k, (name, sparse)) in directory.into_iter().enumerate() {
        match dict.index_or_add(name) {
            Some(i) if usize::from(i) == k => {}
            Some(_) => return Err(FrameError::Invalid(format!("channel `{name}` is listed twice in a batch"))),
            None => return Err(FrameError::Invalid(format!("more than {k} channels in a batch"))),
        }
        columns.push(r.column(n, sparse, start)?);
    }
    Ok(Section { dict: Some(dict), columns })
}
