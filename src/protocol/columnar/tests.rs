//! The columnar frame: round trips, the documented layout byte for byte, and frames a decoder refuses.

use proptest::prelude::*;

use super::*;
use crate::protocol::batch::{encode_batch, tests::properties::any_sample};
use crate::{
    channels::dictionary::Dictionary,
    telemetry::{Sample, Tires},
};

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
    Record::new(offset, sample)
}

fn frame(records: &[Record]) -> Bytes {
    columnar_frame(Mode::Replay, 0, &[encode_columnar("telemetry", 3, records)])
}

#[test]
fn a_frame_reads_back_as_the_records_it_was_made_of() {
    let records = vec![full("7", 1042), Record::new(1043, Sample::minimal("44", 5)), full("7", 1044)];
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
    let b = frame(&[Record::new(9, sample)]);
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
    let mut bytes = frame(&[Record::new(5, Sample::minimal("1", 2))]).to_vec();
    let columns = u32::from_le_bytes(bytes[28..32].try_into().unwrap()) | (1 << 20);
    bytes[28..32].copy_from_slice(&columns.to_le_bytes());
    bytes[32..36].copy_from_slice(&(1u32 << 20).to_le_bytes());
    bytes.extend([1, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend(7.0f64.to_le_bytes());
    let len = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) + 16;
    bytes[16..20].copy_from_slice(&len.to_le_bytes());
    let f = decode_frame(&bytes).unwrap();
    assert_eq!(f.batches[0].records, vec![Record::new(5, Sample::minimal("1", 2))]);
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
            .map(|(i, mut sample)| { sample.ts = sample.ts.map(|_| ts); Record::new(offset - i as i64, sample) })
            .filter(|r| r.sample.ts.is_some())
            .collect();
        let json: serde_json::Value = serde_json::from_slice(&encode_batch("t", 1, &records)).unwrap();
        let from_json: Vec<Record> = json["records"].as_array().unwrap().iter().map(|r| Record::new(
            r["offset"].as_i64().unwrap(),
            serde_json::from_value(r.clone()).unwrap(),
        )).collect();
        let f = decode_frame(&columnar_frame(Mode::Live, 0, &[encode_columnar("t", 1, &records)])).unwrap();
        let from_columnar: Vec<Record> = f.batches.into_iter().flat_map(|b| b.records).collect();
        prop_assert_eq!(&from_columnar, &from_json);
        prop_assert_eq!(from_columnar, records);
    }
}

#[test]
fn a_record_without_speed_or_rpm_has_those_columns_sparse_and_reads_back_absent() {
    let bare = Sample { speed_kph: f64::NAN, rpm: f64::NAN, ..Sample::minimal("9", 6) };
    let f = decode_frame(&frame(&[Record::new(1, Sample::minimal("7", 5)), Record::new(2, bare)])).unwrap();
    let got = &f.batches[0].records;
    assert_eq!((got[0].sample.speed_kph, got[0].sample.rpm), (100.0, 9000.0));
    assert!(got[1].sample.speed_kph.is_nan() && got[1].sample.rpm.is_nan());
}

/// A record decoded from `json` as the server decodes one, its other channels in `dict`.
fn decoded(dict: &std::sync::Arc<Dictionary>, offset: i64, json: &str) -> Record {
    let (sample, channels) =
        crate::telemetry::decode_channels(Some(json.as_bytes()), None, 0, || dict.clone()).unwrap();
    Record { offset, sample, channels }
}

/// The channels section of the batch at the start of `bytes` (empty when it has none),
/// found by walking its header, string table and columns as a client does.
fn section_of(bytes: &[u8]) -> &[u8] {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let (length, n, columns, sparse) = (u32_at(0) as usize, u32_at(4) as usize, u32_at(12), u32_at(16));
    let mut at = 24 + u16_at(20);
    for _ in 0..u16_at(22) {
        at += 2 + u16_at(at);
    }
    at = pad8(at);
    for c in (0..32).filter(|c| columns & (1 << c) != 0) {
        at += if sparse & (1 << c) != 0 { pad8(n.div_ceil(8)) } else { 0 } + n * 8;
    }
    &bytes[at..length]
}

#[test]
fn records_with_other_channels_read_back_exactly_dense_sparse_and_none() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let records = vec![
        decoded(
            &dict,
            1,
            r#"{"car":"7","ts":1,"speed_kph":200,"rpm":9000,"g":{"lat":1.25},"brake_temp_c":{"fl":512.5}}"#,
        ),
        decoded(&dict, 2, r#"{"car":"7","ts":2,"speed_kph":201,"rpm":9000,"g":{"lat":-0.5}}"#),
        decoded(&dict, 3, r#"{"car":"8","ts":3,"speed_kph":202,"rpm":9000}"#),
        decoded(
            &dict,
            4,
            r#"{"car":"7","ts":4,"speed_kph":203,"rpm":9000,"g":{"lat":2.0},"brake_temp_c":{"fl":1e-300},"drs":true}"#,
        ),
    ];
    let f = decode_frame(&frame(&records)).unwrap();
    assert_eq!(f.batches[0].records, records);
    assert_eq!(f.batches[0].records[3].channels.to_vec()[2], ("drs".to_owned(), 1.0));
    assert!(f.batches[0].records[2].channels.is_empty());
    // g.lat in 3 of 4 records, brake_temp_c.fl in 2, drs in 1: every column sparse.
    let section = section_of(&frame(&records)[16..]).to_vec();
    assert_eq!(u32::from_le_bytes(section[0..4].try_into().unwrap()), 3);
    let flags: Vec<u16> = (0..3).map(|k| u16::from_le_bytes([section[10 + 4 * k], section[11 + 4 * k]])).collect();
    assert_eq!(flags, [1, 1, 1]);

    let dense: Vec<Record> = (0..5)
        .map(|o| decoded(&dict, o, &format!(r#"{{"car":"1","ts":{o},"speed_kph":1,"rpm":1,"steer":{o}.5}}"#)))
        .collect();
    let bytes = frame(&dense);
    assert_eq!(decode_frame(&bytes).unwrap().batches[0].records, dense);
    assert_eq!(&section_of(&bytes[16..])[8..12], [1, 0, 0, 0], "steer, string 1 after car `1`, has no bitmap");
}

#[test]
fn the_channels_section_is_the_documented_one_byte_for_byte() {
    // Two records of car "7": `steer` in both, `g.lat` in the second only.
    let dict = std::sync::Arc::new(Dictionary::default());
    let records = [
        decoded(&dict, 9, r#"{"car":"7","ts":1000,"speed_kph":250.5,"rpm":11000,"steer":-0.25}"#),
        decoded(&dict, 10, r#"{"car":"7","ts":1001,"speed_kph":250.5,"rpm":11000,"steer":0.5,"g":{"lat":1.5}}"#),
    ];
    let b = frame(&records);
    let plain: Vec<Record> = records.iter().map(|r| Record::new(r.offset, r.sample.clone())).collect();
    let before = frame(&plain);
    // The string table gains "steer" and "g.lat" after "7"; columns 0 to 4 are unchanged.
    let table = |strings: &[&str]| 9 + strings.iter().map(|s| 2 + s.len()).sum::<usize>();
    let (old_head, new_head) = (pad8(table(&["7"])), pad8(table(&["7", "steer", "g.lat"])));
    assert_eq!(b[16 + 24 + new_head..16 + 24 + new_head + 80], before[16 + 24 + old_head..]);
    let mut section = Vec::new();
    section.extend(2u32.to_le_bytes()); // extra
    section.extend(0u32.to_le_bytes()); // reserved
    section.extend([1, 0, 0, 0]); // "steer" is string 1, no bitmap
    section.extend([2, 0, 1, 0]); // "g.lat" is string 2, a bitmap
    for v in [-0.25f64, 0.5] {
        section.extend(v.to_le_bytes());
    }
    section.extend([0b10, 0, 0, 0, 0, 0, 0, 0]); // only the second record has g.lat
    section.extend(f64::NAN.to_le_bytes());
    section.extend(1.5f64.to_le_bytes());
    assert_eq!(section_of(&b[16..]), section);
    let length = u32::from_le_bytes(b[16..20].try_into().unwrap()) as usize;
    assert_eq!(length, 24 + new_head + 80 + section.len());
    assert_eq!(b.len(), 16 + length);
}

#[test]
fn a_batch_without_other_channels_is_the_bytes_it_was() {
    // A record whose channels were all refused by the topic's bound has a dictionary
    // and no values: no section either.
    let dict = std::sync::Arc::new(Dictionary::default());
    let refused = decoded(&dict, 1, r#"{"car":"7","ts":5,"speed_kph":1}"#);
    let plain = Record::new(1, refused.sample.clone());
    assert_eq!(frame(&[refused]), frame(std::slice::from_ref(&plain)));
    assert!(section_of(&frame(&[plain])[16..]).is_empty());
}

#[test]
fn a_channel_named_like_a_car_shares_its_string_table_entry() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let records = [decoded(&dict, 1, r#"{"car":"fuel","ts":5,"speed_kph":1,"rpm":1,"fuel":20.5,"steer":0}"#)];
    let b = frame(&records);
    assert_eq!(u16::from_le_bytes([b[38], b[39]]), 2, "`fuel` and `steer`");
    let section = section_of(&b[16..]);
    assert_eq!((section[8], section[12]), (0, 1), "`fuel` is the car's entry 0");
    assert_eq!(decode_frame(&b).unwrap().batches[0].records, records);
}

#[test]
fn among_more_cars_than_are_searched_in_order_a_channel_named_like_one_shares_its_entry() {
    let dict = std::sync::Arc::new(Dictionary::default());
    // 40 cars fill the table past its ordered search; channel `c39` is the last car's name.
    let records: Vec<Record> = (0..40)
        .map(|o| decoded(&dict, o, &format!(r#"{{"car":"c{o}","ts":5,"speed_kph":1,"rpm":1,"c39":{o},"steer":0}}"#)))
        .collect();
    let b = frame(&records);
    assert_eq!(u16::from_le_bytes([b[38], b[39]]), 41, "40 cars and `steer`");
    let section = section_of(&b[16..]);
    assert_eq!((section[8], section[12]), (39, 40), "`c39` is the last car's entry");
    assert_eq!(decode_frame(&b).unwrap().batches[0].records, records);
}

#[test]
fn a_long_run_splits_and_each_batch_has_its_own_section() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let n = MAX_BATCH_RECORDS as i64 + 3;
    let records: Vec<Record> = (0..n)
        .map(|o| match o {
            // `late` only in the second batch: the first has no column for it.
            o if o > MAX_BATCH_RECORDS as i64 => {
                decoded(&dict, o, &format!(r#"{{"car":"1","ts":{o},"speed_kph":1,"rpm":1,"late":{o}}}"#))
            }
            o => decoded(&dict, o, &format!(r#"{{"car":"1","ts":{o},"speed_kph":1,"rpm":1,"steer":{o}}}"#)),
        })
        .collect();
    let bytes = encode_columnar("t", 0, &records);
    let f = decode_frame(&columnar_frame(Mode::Live, 0, std::slice::from_ref(&bytes))).unwrap();
    assert_eq!(f.batches.len(), 2);
    assert_eq!(f.batches.iter().flat_map(|b| b.records.clone()).collect::<Vec<_>>(), records);
    let first = u32::from_le_bytes(bytes[0..4].try_into().unwrap()) as usize;
    assert_eq!(&section_of(&bytes)[..4], [1, 0, 0, 0], "the first batch: steer alone");
    assert_eq!(&section_of(&bytes[first..])[..4], [2, 0, 0, 0], "the second: steer and late, named again");
}

#[test]
fn records_of_several_dictionaries_share_a_column_by_name() {
    let (a, b) = (std::sync::Arc::new(Dictionary::default()), std::sync::Arc::new(Dictionary::default()));
    decoded(&b, 0, r#"{"car":"1","ts":0,"other":1}"#);
    let records = [
        decoded(&a, 1, r#"{"car":"1","ts":1,"speed_kph":1,"rpm":1,"steer":1}"#),
        decoded(&b, 2, r#"{"car":"1","ts":2,"speed_kph":1,"rpm":1,"steer":2}"#),
    ];
    let bytes = frame(&records);
    assert_eq!(&section_of(&bytes[16..])[..4], [1, 0, 0, 0], "one `steer` column");
    assert_eq!(decode_frame(&bytes).unwrap().batches[0].records, records);
}

#[test]
fn a_section_naming_a_string_the_table_lacks_a_name_twice_or_unknown_flags_is_refused() {
    let dict = std::sync::Arc::new(Dictionary::default());
    let b = frame(&[decoded(&dict, 1, r#"{"car":"7","ts":5,"a":1,"b":2}"#)]).to_vec();
    let at = b.len() - section_of(&b[16..]).len();
    let mut bad = b.clone();
    bad[at + 8] = 9;
    assert!(matches!(decode_frame(&bad), Err(FrameError::Invalid(m)) if m.contains("string table")));
    let mut twice = b.clone();
    twice[at + 12] = twice[at + 8];
    assert!(matches!(decode_frame(&twice), Err(FrameError::Invalid(m)) if m.contains("twice")));
    let mut flagged = b.clone();
    flagged[at + 10] = 6;
    assert!(matches!(decode_frame(&flagged), Err(FrameError::Invalid(m)) if m.contains("unknown flags")));
    // A batch whose length ends inside its last channel column.
    let mut cut = b[..b.len() - 8].to_vec();
    let length = u32::from_le_bytes(cut[16..20].try_into().unwrap()) - 8;
    cut[16..20].copy_from_slice(&length.to_le_bytes());
    assert_eq!(decode_frame(&cut), Err(FrameError::Truncated("a column")));
}
