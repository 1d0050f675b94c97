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
use crate::telemetry::{Record, Sample, Tires};

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
        |s| Some(s.speed_kph),
        |s| Some(s.rpm),
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
            column::OFFSET | column::TS | column::CAR | column::SPEED_KPH | column::RPM => n,
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
            speed_kph: required(column::SPEED_KPH, "speed_kph")?,
            rpm: required(column::RPM, "rpm")?,
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
        records.push(Record { offset: required(column::OFFSET, "offset")? as i64, sample });
    }
    Ok(DataBatch { topic, partition, records })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::protocol::batch::{encode_batch, tests::properties::any_sample};

    fn full(car: &str, offset: i64) -> Record {
        let sample = Sample {
            tire_temp_c: Some(Tires { fl: 90.5, fr: 91.0, rl: 88.25, rr: 89.0 }),
            lap: Some(3),
            gear: Some(-1),
            throttle: Some(0.5),
            brake: Some(0.0),
            driver: Some("Ada".into()),
            x: Some(1.5),
            y: Some(-2.5),
            lap_distance_m: Some(99.9),
            ..Sample::minimal(car, 1_700_000_000_123)
        };
        Record { offset, sample }
    }

    fn frame(records: &[Record]) -> Bytes {
        columnar_frame(Mode::Replay, 0, &[encode_columnar("telemetry", 3, records)])
    }

    #[test]
    fn a_frame_reads_back_as_the_records_it_was_made_of() {
        let records = vec![full("7", 1042), Record { offset: 1043, sample: Sample::minimal("44", 5) }, full("7", 1044)];
        let f = decode_frame(&frame(&records)).unwrap();
        assert_eq!((f.mode, f.dropped, f.batches.len()), ("replay", 0, 1));
        assert_eq!((f.batches[0].topic.as_str(), f.batches[0].partition), ("telemetry", 3));
        assert_eq!(f.batches[0].records, records);
    }

    #[test]
    fn the_layout_is_the_documented_one_byte_for_byte() {
        // One record, of car "7", with no optional field: the header, the topic and a
        // one-entry string table padded to 8, then columns 0 to 4 of one f64 each.
        let sample = Sample { speed_kph: 250.5, rpm: 11000.0, tire_temp_c: None, ..Sample::minimal("7", 1000) };
        let b = frame(&[Record { offset: 9, sample }]);
        let mut expected = b"TSD1".to_vec();
        expected.extend([1, 0, 0, 0]); // replay
        expected.extend(0u32.to_le_bytes()); // dropped
        expected.extend(1u32.to_le_bytes()); // batches
        let batch_len = 24 + 16 + 5 * 8;
        expected.extend((batch_len as u32).to_le_bytes());
        expected.extend(1u32.to_le_bytes()); // n
        expected.extend(3i32.to_le_bytes()); // partition
        expected.extend(0b11111u32.to_le_bytes()); // columns 0-4
        expected.extend(0u32.to_le_bytes()); // sparse
        expected.extend(9u16.to_le_bytes()); // "telemetry"
        expected.extend(1u16.to_le_bytes()); // one string
        expected.extend(b"telemetry");
        expected.extend(1u16.to_le_bytes());
        expected.extend(b"7");
        expected.extend([0; 4]); // 9 + 3 = 12 bytes, padded to 16
        for v in [9.0f64, 1000.0, 0.0, 250.5, 11000.0] {
            expected.extend(v.to_le_bytes());
        }
        assert_eq!(b.to_vec(), expected);
    }

    #[test]
    fn fields_some_records_lack_get_a_bitmap_and_nan_and_every_column_is_aligned() {
        let mut odd = full("7", 1);
        odd.sample.tire_temp_c = None;
        odd.sample.driver = None;
        let records = [full("7", 0), odd, full("8", 2)];
        let bytes = frame(&records);
        let columns = u32::from_le_bytes(bytes[28..32].try_into().unwrap());
        let sparse = u32::from_le_bytes(bytes[32..36].try_into().unwrap());
        assert_eq!(columns, (1 << column::COUNT) - 1, "every column is present in some record");
        let expected_sparse = [column::TIRE_FL, column::TIRE_FR, column::TIRE_RL, column::TIRE_RR, column::DRIVER];
        assert_eq!(sparse, expected_sparse.iter().map(|c| 1 << c).sum::<u32>());
        // 3 records: a bitmap byte padded to 8 before each sparse column's 24 bytes.
        let strings = 24 + pad8(9 + 3 + 3 + 5);
        let size = 16 + strings + column::COUNT * 24 + expected_sparse.len() * 8;
        assert_eq!(bytes.len(), size);
        assert!(bytes.len().is_multiple_of(8));
        // The fl column: bitmap 0b101, then 90.5, NaN, 90.5.
        let fl = 16 + strings + column::TIRE_FL * 24;
        assert_eq!(bytes[fl], 0b101);
        let value = |at: usize| f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        assert_eq!(value(fl + 8), 90.5);
        assert!(value(fl + 16).is_nan());
        assert_eq!(decode_frame(&bytes).unwrap().batches[0].records, records);
    }

    #[test]
    fn a_decoder_skips_columns_it_does_not_know() {
        // A later version's column 20, sparse, between the known ones and the end.
        let mut bytes = frame(&[Record { offset: 5, sample: Sample::minimal("1", 2) }]).to_vec();
        let columns = u32::from_le_bytes(bytes[28..32].try_into().unwrap()) | (1 << 20);
        bytes[28..32].copy_from_slice(&columns.to_le_bytes());
        bytes[32..36].copy_from_slice(&(1u32 << 20).to_le_bytes());
        bytes.extend([1, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend(7.0f64.to_le_bytes());
        let len = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) + 16;
        bytes[16..20].copy_from_slice(&len.to_le_bytes());
        let f = decode_frame(&bytes).unwrap();
        assert_eq!(f.batches[0].records, vec![Record { offset: 5, sample: Sample::minimal("1", 2) }]);
    }

    #[test]
    fn frames_cut_short_or_of_another_kind_are_refused_with_a_reason() {
        let bytes = frame(&[full("7", 1)]);
        for cut in [3, 10, 20, 40, bytes.len() - 8] {
            assert!(matches!(decode_frame(&bytes[..cut]), Err(FrameError::Truncated(_))), "cut at {cut}");
        }
        assert_eq!(decode_frame(br#"{"type":"data"}"#), Err(FrameError::NotData));
    }

    #[test]
    fn a_batch_of_many_cars_names_each_once() {
        let records: Vec<Record> = (0..200).map(|o| full(&(o % 100).to_string(), o)).collect();
        let f = decode_frame(&frame(&records)).unwrap();
        assert_eq!(f.batches[0].records, records);
        let bytes = frame(&records);
        assert_eq!(u16::from_le_bytes([bytes[38], bytes[39]]), 101, "100 cars and one driver");
    }

    #[test]
    fn long_runs_become_several_batches_and_the_frame_counts_them() {
        let records: Vec<Record> = (0..MAX_BATCH_RECORDS as i64 + 10).map(|o| full(&(o % 3).to_string(), o)).collect();
        let f = decode_frame(&columnar_frame(Mode::Live, 7, &[encode_columnar("t", 0, &records)])).unwrap();
        assert_eq!((f.mode, f.dropped, f.batches.len()), ("live", 7, 2));
        let back: Vec<Record> = f.batches.into_iter().flat_map(|b| b.records).collect();
        assert_eq!(back, records);
    }

    proptest! {
        /// Whatever a record holds, a columnar client reads the same values a JSON client
        /// does (offsets and times below 2^53, as Kafka's and the epoch's are).
        #[test]
        fn columnar_and_json_clients_read_the_same_records(
            samples in proptest::collection::vec(any_sample(), 0..6),
            offset in 0..(1i64 << 53),
            ts in -(1i64 << 53)..(1i64 << 53),
        ) {
            let records: Vec<Record> = samples.into_iter().enumerate()
                .map(|(i, mut sample)| { sample.ts = sample.ts.map(|_| ts); Record { offset: offset - i as i64, sample } })
                .filter(|r| r.sample.ts.is_some())
                .collect();
            let json: serde_json::Value = serde_json::from_slice(&encode_batch("t", 1, &records)).unwrap();
            let from_json: Vec<Record> = json["records"].as_array().unwrap().iter().map(|r| Record {
                offset: r["offset"].as_i64().unwrap(),
                sample: serde_json::from_value(r.clone()).unwrap(),
            }).collect();
            let f = decode_frame(&columnar_frame(Mode::Live, 0, &[encode_columnar("t", 1, &records)])).unwrap();
            let from_columnar: Vec<Record> = f.batches.into_iter().flat_map(|b| b.records).collect();
            prop_assert_eq!(&from_columnar, &from_json);
            prop_assert_eq!(from_columnar, records);
        }
    }
}
