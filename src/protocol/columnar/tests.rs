//! The columnar frame: round trips, the documented layout byte for byte, and frames a decoder refuses.

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
