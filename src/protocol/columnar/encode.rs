//! Writing the layout: a batch's header and string table, columns 0 to 16 from each
//! record's v1 fields, then, when some record has other channels, the channels section.
//! Runs once per batch; a batch without other channels is written as it was before the
//! section existed.

use std::{collections::HashMap, sync::Arc};

use bytes::Bytes;

use super::{FLAG_SPARSE, MAX_BATCH_RECORDS, MAX_SECTION_COLUMNS, column, pad8};
use crate::{
    channels::{
        choice::Choice,
        dictionary::{Dictionary, MAX_TOPIC_CHANNELS},
    },
    telemetry::{Record, Sample, is_absent},
};

/// Encodes consecutive records of one partition, once; the bytes are shared by every
/// columnar viewer that wants them and packed into frames by
/// [`columnar_frame`](super::columnar_frame). More than [`MAX_BATCH_RECORDS`] records
/// become several batches of the layout, back to back.
pub(crate) fn encode_columnar(topic: &str, partition: i32, records: &[Record]) -> Bytes {
    let mut out = Vec::with_capacity(capacity(records));
    encode_columnar_into(&mut out, topic, partition, records, None);
    Bytes::from(out)
}

/// [`encode_columnar`], at the end of `out`: several partitions' batches lie end to end.
/// With a `choice` ([`Choice::resolve`]d for the records' dictionaries), only its
/// channels: a v1 column it lacks has its bit clear, and the section lists only its
/// other channels.
pub(crate) fn encode_columnar_into(
    out: &mut Vec<u8>,
    topic: &str,
    partition: i32,
    records: &[Record],
    choice: Option<&Choice>,
) {
    for chunk in records.chunks(MAX_BATCH_RECORDS) {
        write_batch(out, topic, partition, chunk, choice);
    }
}

/// Whether `choice` keeps column `c` of columns 0 to 16: `offset`, `ts`, `car` and
/// `driver` always; the others as their v1 field (`V1_CHANNELS` lists them from column 3
/// on, without `driver`).
fn chosen_column(choice: Option<&Choice>, c: usize) -> bool {
    let Some(choice) = choice else { return true };
    match c {
        column::OFFSET | column::TS | column::CAR | column::DRIVER => true,
        c if c < column::DRIVER => choice.v1()[c - column::SPEED_KPH],
        c => choice.v1()[c - column::SPEED_KPH - 1],
    }
}

/// About the bytes `records` take in the layout: every column a value a record, the
/// channels' values and a string table of a few names. Growing the buffer while writing
/// was about a seventh of the encoding of a replay of the simulator's records.
pub(crate) fn capacity(records: &[Record]) -> usize {
    let values: usize = records.iter().map(|r| column::COUNT + r.channels.len()).sum();
    values * 8 + 1024
}

/// A string table: each distinct string once, in order of first use. A batch names a few
/// cars, so the table is searched in order; past [`LINEAR_STRINGS`] entries, a map finds them.
#[derive(Default)]
struct Strings<'a> {
    order: Vec<&'a str>,
    index: HashMap<&'a str, u16>,
    /// The first strings of `order` that `index` holds: it is filled only when a search
    /// needs it, so a batch of many channels (whose names are only searched among its
    /// cars and drivers) makes no map. Building one per batch was 1.5% of a 50-channel
    /// replay's CPU.
    indexed: usize,
}

/// Entries searched one by one before the table keeps a map.
const LINEAR_STRINGS: usize = 32;

impl<'a> Strings<'a> {
    fn add(&mut self, s: &'a str) -> f64 {
        f64::from(self.index_of(s))
    }

    fn index_of(&mut self, s: &'a str) -> u16 {
        self.index_among(s, self.order.len())
    }

    /// The index of `s`, which may only equal one of the first `first` strings (a
    /// channel's name is distinct from the batch's other channels' names).
    fn index_among(&mut self, s: &'a str, first: usize) -> u16 {
        let found = if first <= LINEAR_STRINGS {
            self.order[..first].iter().position(|&t| t == s).map(|i| i as u16)
        } else {
            for (i, &t) in self.order.iter().enumerate().take(first).skip(self.indexed) {
                // Strings are distinct in `order`, so no entry is ever replaced.
                self.index.insert(t, i as u16);
            }
            self.indexed = self.indexed.max(first);
            self.index.get(s).copied().filter(|&i| usize::from(i) < first)
        };
        found.unwrap_or_else(|| {
            // At most 2 × MAX_BATCH_RECORDS + MAX_SECTION_COLUMNS strings, within u16.
            let i = u16::try_from(self.order.len()).unwrap_or(u16::MAX);
            self.order.push(s);
            i
        })
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

fn write_batch(out: &mut Vec<u8>, topic: &str, partition: i32, records: &[Record], choice: Option<&Choice>) {
    let start = out.len();
    let n = records.len();
    let section = Section::gather(records, choice);
    let mut strings = Strings::default();
    let cars: Vec<f64> = records.iter().map(|r| strings.add(clamp_u16(&r.sample.car))).collect();
    let drivers: Vec<f64> =
        records.iter().map(|r| r.sample.driver.as_deref().map_or(f64::NAN, |d| strings.add(clamp_u16(d)))).collect();
    // After the cars and drivers, so a batch without other channels has the table it had.
    let cars_and_drivers = strings.order.len();
    let names: Vec<u16> =
        section.names.iter().map(|name| strings.index_among(clamp_u16(name), cars_and_drivers)).collect();

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
            _ if !chosen_column(choice, c) => 0,
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
    if !section.names.is_empty() {
        section.write(out, start, records, &names);
    }
    let length = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&length.to_le_bytes());
}

fn pad_to_8(out: &mut Vec<u8>, start: usize) {
    out.resize(start + pad8(out.len() - start), 0);
}

/// A dictionary index the batch has no column for.
const NO_COLUMN: u16 = u16::MAX;

/// The batch's other channels: one column per distinct name, in order of first
/// appearance in the batch, gathered in one walk over its records.
struct Section<'a> {
    names: Vec<Arc<str>>,
    /// Records that carry each column.
    counts: Vec<usize>,
    /// Each dictionary the records' channels are in, with the column of each of its
    /// indices. A batch's records share their topic's; only records made elsewhere (a
    /// test's) bring several.
    dicts: Vec<(&'a Arc<Dictionary>, Vec<u16>)>,
}

/// One dictionary's indices seen in the batch.
struct Scan<'a> {
    dict: &'a Arc<Dictionary>,
    /// Records carrying each index, up to the largest index seen: a batch's records
    /// carry a few of the topic's channels, and making and freeing room for all 512 was
    /// about a tenth of the encoding of a replay's small batches.
    count: Vec<u32>,
    /// The last record (from 1) that carried each index: a record counts once for a
    /// name it carries twice (a math channel named like one of its fields).
    last: Vec<u32>,
    /// Indices in order of first appearance.
    order: Vec<u16>,
}

impl<'a> Section<'a> {
    fn gather(records: &'a [Record], choice: Option<&Choice>) -> Section<'a> {
        let mut scans: Vec<Scan<'a>> = Vec::new();
        // A viewer of v1 fields only: no record's channels need a look.
        let records = if choice.is_some_and(|c| !c.has_others()) { &[] } else { records };
        for (j, r) in records.iter().enumerate() {
            let values = r.channels.values();
            let Some(dict) = r.channels.dictionary().filter(|_| !values.is_empty()) else { continue };
            let k = match scans.iter().position(|s| Arc::ptr_eq(s.dict, dict)) {
                Some(k) => k,
                None => {
                    scans.push(Scan { dict, count: Vec::new(), last: Vec::new(), order: Vec::new() });
                    scans.len() - 1
                }
            };
            let scan = &mut scans[k];
            // Below MAX_BATCH_RECORDS, so within u32.
            let mark = j as u32 + 1;
            for &(i, _) in values {
                if choice.is_some_and(|c| !c.keeps(dict, i)) {
                    continue;
                }
                let i = usize::from(i);
                if i >= scan.last.len() && i < MAX_TOPIC_CHANNELS {
                    scan.last.resize(i + 1, 0);
                    scan.count.resize(i + 1, 0);
                }
                let Some(last) = scan.last.get_mut(i) else { continue };
                if *last == mark {
                    continue;
                }
                *last = mark;
                if scan.count[i] == 0 {
                    scan.order.push(i as u16);
                }
                scan.count[i] += 1;
            }
        }
        let mut section = Section { names: Vec::new(), counts: Vec::new(), dicts: Vec::with_capacity(scans.len()) };
        for scan in scans {
            let mut columns = vec![NO_COLUMN; scan.count.len()];
            let first = section.dicts.is_empty();
            scan.dict.with_names(|names| {
                for &i in &scan.order {
                    let Some(name) = names.get(usize::from(i)) else { continue };
                    // The first dictionary's names are distinct; another's may repeat them.
                    let found = if first { None } else { section.names.iter().position(|n| n == name) };
                    let c = match found {
                        Some(c) => c,
                        None if section.names.len() < MAX_SECTION_COLUMNS => {
                            section.names.push(name.clone());
                            section.counts.push(0);
                            section.names.len() - 1
                        }
                        None => continue,
                    };
                    section.counts[c] += scan.count[usize::from(i)] as usize;
                    columns[usize::from(i)] = c as u16;
                }
            });
            section.dicts.push((scan.dict, columns));
        }
        section
    }

    /// Writes the section at the end of the batch that began at `start`, whose string
    /// table holds each column's name at `names`. The columns' room is made first, then
    /// the records are walked once, each value written in its place.
    fn write(&self, out: &mut Vec<u8>, start: usize, records: &[Record], names: &[u16]) {
        let n = records.len();
        out.extend_from_slice(&u32::try_from(self.names.len()).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        for (&name, &count) in names.iter().zip(&self.counts) {
            out.extend_from_slice(&name.to_le_bytes());
            let flags = if count < n { FLAG_SPARSE } else { 0 };
            out.extend_from_slice(&flags.to_le_bytes());
        }
        pad_to_8(out, start);
        // Each column's bitmap (when some records lack it) and values, as offsets in `out`.
        let bitmap_len = pad8(n.div_ceil(8));
        let mut at = out.len();
        let places: Vec<(Option<usize>, usize)> = self
            .counts
            .iter()
            .map(|&count| {
                let bitmap = (count < n).then(|| {
                    at += bitmap_len;
                    at - bitmap_len
                });
                at += n * 8;
                (bitmap, at - n * 8)
            })
            .collect();
        out.resize(at, 0);
        for &(_, values) in places.iter().filter(|(bitmap, _)| bitmap.is_some()) {
            out[values..values + n * 8].chunks_exact_mut(8).for_each(|v| v.copy_from_slice(&f64::NAN.to_le_bytes()));
        }
        for (j, r) in records.iter().enumerate() {
            let Some(dict) = r.channels.dictionary() else { continue };
            let Some((_, columns)) = self.dicts.iter().find(|(d, _)| Arc::ptr_eq(d, dict)) else { continue };
            for &(i, v) in r.channels.values() {
                let c = columns.get(usize::from(i)).copied().unwrap_or(NO_COLUMN);
                let Some(&(bitmap, values)) = places.get(usize::from(c)) else { continue };
                if let Some(b) = bitmap {
                    out[b + j / 8] |= 1 << (j % 8);
                }
                out[values + j * 8..values + j * 8 + 8].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}
