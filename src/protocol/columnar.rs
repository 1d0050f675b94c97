//! The columnar binary layout of `data` frames (docs/protocol.md, "Columnar data frames"),
//! for clients that ask for it with the WebSocket subprotocol [`SUBPROTOCOL`].
//!
//! Records are written column by column as little-endian 64-bit floats, every part
//! aligned to 8 bytes, so a page views a channel of a whole batch as one `Float64Array`
//! and parses no text. The encoder runs once per batch, like the JSON one; the decoder is
//! public so that Rust clients (the integration tests and `make bench` among them) read
//! frames by the same rules the document gives.

use std::collections::HashMap;

use bytes::Bytes;

use super::batch::Mode;
use crate::telemetry::{Record, Sample, Tires, is_absent};

/// The WebSocket subprotocol a client offers to get columnar `data` frames.
pub const SUBPROTOCOL: &str = "trackside.columnar.v1";
/// The first four bytes of every columnar `data` frame.
pub const MAGIC: [u8; 4] = *b"TSD1";

const FRAME_HEADER: usize = 16;
const BATCH_HEADER: usize = 24;
/// Records per batch of the layout: two strings per record at most keeps the string
/// table within its u16 count. Longer runs are written as several batches.
const MAX_BATCH_RECORDS: usize = 16_384;

/// The columns of layout version 1, by index.
pub mod column {
    pub const OFFSET: usize = 0;
    pub const TS: usize = 1;
    pub const CAR: usize = 2;
    pub const SPEED_KPH: usize = 3;
    pub const RPM: usize = 4;
    pub const TIRE_FL: usize = 5;
    pub const TIRE_FR: usize = 6;
    pub const TIRE_RL: usize = 7;
    pub const TIRE_RR: usize = 8;
    pub const LAP: usize = 9;
    pub const GEAR: usize = 10;
    pub const THROTTLE: usize = 11;
    pub const BRAKE: usize = 12;
    pub const DRIVER: usize = 13;
    pub const X: usize = 14;
    pub const Y: usize = 15;
    pub const LAP_DISTANCE_M: usize = 16;
    /// How many columns version 1 defines.
    pub const COUNT: usize = 17;
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Encodes consecutive records of one partition, once; the bytes are shared by every
/// columnar viewer that wants them and packed into frames by [`columnar_frame`]. More
/// than [`MAX_BATCH_RECORDS`] records become several batches of the layout, back to back.
pub(crate) fn encode_columnar(topic: &str, partition: i32, records: &[Record]) -> Bytes {
    let per_record = column::COUNT * 8;
    let mut out = Vec::with_capacity(records.len() * per_record + 256);
    for chunk in records.chunks(MAX_BATCH_RECORDS) {
        write_batch(&mut out, topic, partition, chunk);
    }
    Bytes::from(out)
}

/// A string table: each distinct string once, in order of first use. A batch names a few
/// cars, so the table is searched in order; past [`LINEAR_STRINGS`] entries, a map finds them.
#[derive(Default)]
struct Strings<'a> {
    order: Vec<&'a str>,
    index: HashMap<&'a str, u16>,
}

/// Entries searched one by one before the table keeps a map.
const LINEAR_STRINGS: usize = 32;

impl<'a> Strings<'a> {
    fn add(&mut self, s: &'a str) -> f64 {
        let found = if self.order.len() <= LINEAR_STRINGS {
            self.order.iter().position(|&t| t == s).map(|i| i as u16)
        } else {
            self.index.get(s).copied()
        };
        let i = found.unwrap_or_else(|| {
            // At most 2 × MAX_BATCH_RECORDS strings, within u16.
            let i = u16::try_from(self.order.len()).unwrap_or(u16::MAX);
            self.order.push(s);
            if self.order.len() == LINEAR_STRINGS + 1 {
                self.index = self.order.iter().enumerate().map(|(i, &t)| (t, i as u16)).collect();
            } else if self.order.len() > LINEAR_STRINGS + 1 {
                self.index.insert(s, i);
            }
            i
        });
        f64::from(i)
    }
}

/// The longest prefix of `s` that fits a u16 length, cut at a character boundary. Car
/// ids and driver names are a few bytes; only a hostile mapping could make one longer.
fn clamp_u16(s: &str) -> &str {
    let mut end = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn write_batch(out: &mut Vec<u8>, topic: &str, partition: i32, records: &[Record]) {
    let start = out.len();
    let n = records.len();
    let mut strings = Strings::default();
    let cars: Vec<f64> = records.iter().map(|r| strings.add(clamp_u16(&r.sample.car))).collect();
    let drivers: Vec<f64> =
        records.iter().map(|r| r.sample.driver.as_deref().map_or(f64::NAN, |d| strings.add(clamp_u16(d)))).collect();

    type Get = fn(&Sample) -> Option<f64>;
    let getters: [Get; column::COUNT] = [
        |_| None, // offset, written from the record
        |s| s.ts.map(|t| t as f64),
        |_| None, // car, from the string table
        |s| (!is_absent(&s.speed_kph)).then_some(s.speed_kph),
        |s| (!is_absent(&s.rpm)).then_some(s.rpm),
        |s| s.tire_temp_c.map(|t| t.fl),
        |s| s.tire_temp_c.map(|t| t.fr),
        |s| s.tire_temp_c.map(|t| t.rl),
        |s| s.tire_temp_c.map(|t| t.rr),
        |s| s.lap.map(f64::from),
        |s| s.gear.map(f64::from),
        |s| s.throttle,
        |s| s.brake,
        |_| None, // driver, from the string table
        |s| s.x,
        |s| s.y,
        |s| s.lap_distance_m,
    ];
    let present = |c: usize| -> usize {
        match c {
            column::OFFSET | column::TS | column::CAR => n,
            column::DRIVER => drivers.iter().filter(|d| !d.is_nan()).count(),
            _ => records.iter().filter(|r| getters[c](&r.sample).is_some()).count(),
        }
    };
    let counts: Vec<usize> = (0..column::COUNT).map(present).collect();
    let mut columns = 0u32;
    let mut sparse = 0u32;
    for (c, &k) in counts.iter().enumerate() {
        if k > 0 {
            columns |= 1 << c;
        }
        if k > 0 && k < n {
            sparse |= 1 << c;
        }
    }

    let topic = clamp_u16(topic);
    out.extend_from_slice(&[0; 4]); // length, written last
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&partition.to_le_bytes());
    out.extend_from_slice(&columns.to_le_bytes());
    out.extend_from_slice(&sparse.to_le_bytes());
    out.extend_from_slice(&(topic.len() as u16).to_le_bytes());
    out.extend_from_slice(&(strings.order.len() as u16).to_le_bytes());
    out.extend_from_slice(topic.as_bytes());
    for s in &strings.order {
        out.extend_from_slice(&(s.len() as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    pad_to_8(out, start);

    for c in (0..column::COUNT).filter(|c| columns & (1 << c) != 0) {
        let value = |i: usize, r: &Record| -> Option<f64> {
            match c {
                column::OFFSET => Some(r.offset as f64),
                column::CAR => Some(cars[i]),
                column::DRIVER => Some(drivers[i]).filter(|d| !d.is_nan()),
                _ => getters[c](&r.sample),
            }
        };
        if sparse & (1 << c) != 0 {
            let mut bitmap = vec![0u8; n.div_ceil(8)];
            for (i, r) in records.iter().enumerate() {
                if value(i, r).is_some() {
                    bitmap[i / 8] |= 1 << (i % 8);
                }
            }
            out.extend_from_slice(&bitmap);
            pad_to_8(out, start);
        }
        for (i, r) in records.iter().enumerate() {
            out.extend_from_slice(&value(i, r).unwrap_or(f64::NAN).to_le_bytes());
        }
    }
    let length = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&length.to_le_bytes());
}

fn pad_to_8(out: &mut Vec<u8>, start: usize) {
    out.resize(start + pad8(out.len() - start), 0);
}

/// Packs encoded batches into one columnar `data` frame, copying each once.
pub(crate) fn columnar_frame(mode: Mode, dropped: u64, batches: &[Bytes]) -> Bytes {
    let body: usize = batches.iter().map(Bytes::len).sum();
    let count: usize = batches.iter().map(|b| batch_count(b)).sum();
    let mut out = Vec::with_capacity(FRAME_HEADER + body);
    out.extend_from_slice(&MAGIC);
    out.push(match mode {
        Mode::Live => 0,
        Mode::Replay => 1,
    });
    out.extend_from_slice(&[0; 3]);
    out.extend_from_slice(&u32::try_from(dropped).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
    for b in batches {
        out.extend_from_slice(b);
    }
    Bytes::from(out)
}

/// How many batches of the layout `bytes` (from [`encode_columnar`]) holds.
fn batch_count(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut count = 0;
    while let Some(len) = bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize) {
        if len == 0 {
            break;
        }
        at += len;
        count += 1;
    }
    count
}

/// A `data` frame read back: what a columnar client holds after decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFrame {
    /// `"live"` or `"replay"`.
    pub mode: &'static str,
    pub dropped: u32,
    pub batches: Vec<DataBatch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataBatch {
    pub topic: String,
    pub partition: i32,
    pub records: Vec<Record>,
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameError {
    #[error("not a columnar data frame (its first bytes are not TSD1)")]
    NotData,
    #[error("the frame ends inside {0}")]
    Truncated(&'static str),
    #[error("{0}")]
    Invalid(String),
}

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
}

/// Reads a columnar `data` frame into records, by the rules of docs/protocol.md:
/// columns past those of version 1 are skipped by their size.
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
        let bitmap = if sparse & (1 << c) != 0 {
            let b = r.take(n.div_ceil(8), "a presence bitmap")?;
            r.align(start);
            Some(b)
        } else {
            None
        };
        let raw = r.take(n.checked_mul(8).ok_or(FrameError::Truncated("a column"))?, "a column")?;
        if let Some(slot) = values.get_mut(c) {
            *slot = Some((raw, bitmap));
        }
    }
    let get = |c: usize, i: usize| -> Option<f64> {
        let (raw, bitmap) = values[c]?;
        if bitmap.is_some_and(|b| b[i / 8] & (1 << (i % 8)) == 0) {
            return None;
        }
        raw.get(i * 8..i * 8 + 8).map(|v| f64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]))
    };
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
        records.push(Record::new(required(column::OFFSET, "offset")? as i64, sample));
    }
    Ok(DataBatch { topic, partition, records })
}

#[cfg(test)]
mod tests;
