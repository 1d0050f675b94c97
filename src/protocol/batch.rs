//! The hot path of what the server sends: records encoded once per batch, and batches
//! packed into `data` frames without being decoded again.

use bytes::Bytes;
use serde::Serialize;

use crate::{
    channels::{
        choice::{ALL_V1, Choice, V1Kept},
        dictionary::Channels,
    },
    telemetry::{Record, Sample, is_absent},
};

/// Room for one encoded record: a simulator sample with its offset takes about 300 bytes.
const RECORD_BYTES_HINT: usize = 320;

/// Encodes consecutive records of one partition once; the bytes are then shared by every
/// viewer that wants them and packed into frames by [`data_frame`]. A record is the sample
/// exactly as serde writes it, with `"offset"` first. Written by hand because this runs
/// once for every record consumed: serde's `flatten` goes through a map serializer, and
/// serde_json escapes every field name anew.
pub(crate) fn encode_batch(topic: &str, partition: i32, records: &[Record]) -> Bytes {
    let mut out = Vec::with_capacity(capacity(topic, records));
    encode_batch_into(&mut out, topic, partition, records, None);
    Bytes::from(out)
}

/// [`encode_batch`], at the end of `out`, with only the channels of `choice` when there
/// is one ([`Choice::resolve`]d for the records' dictionaries).
pub(crate) fn encode_batch_into(
    out: &mut Vec<u8>,
    topic: &str,
    partition: i32,
    records: &[Record],
    choice: Option<&Choice>,
) {
    let start = out.len();
    // Serialising plain structs of strings and finite numbers cannot fail; were it to,
    // the batch is left out rather than cut short.
    if write_batch(out, topic, partition, records, choice).is_err() {
        out.truncate(start);
    }
}

/// About the bytes `records` take as JSON: the v1 fields, and some 24 bytes a channel.
pub(crate) fn capacity(topic: &str, records: &[Record]) -> usize {
    let channels: usize = records.iter().map(|r| r.channels.len()).sum();
    64 + topic.len() + records.len() * RECORD_BYTES_HINT + channels * 24
}

fn write_batch(
    out: &mut Vec<u8>,
    topic: &str,
    partition: i32,
    records: &[Record],
    choice: Option<&Choice>,
) -> serde_json::Result<()> {
    use std::io::Write;

    let v1 = choice.map_or(&ALL_V1, Choice::v1);
    out.extend_from_slice(br#"{"topic":"#);
    serde_json::to_writer(&mut *out, topic)?;
    write!(out, r#","partition":{partition},"records":["#).map_err(serde_json::Error::io)?;
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write!(out, r#"{{"offset":{},"#, r.offset).map_err(serde_json::Error::io)?;
        write_sample_fields(out, &r.sample, v1)?;
        match choice {
            None => write_channels(out, &r.channels)?,
            Some(choice) => write_chosen_channels(out, &r.channels, choice)?,
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(())
}

/// One record as a line of an export's JSON lines: `{"topic":…,"partition":…,"offset":…`,
/// then the fields of a `data` record, and a line break.
pub(crate) fn write_record_line(out: &mut Vec<u8>, topic: &str, partition: i32, r: &Record) -> serde_json::Result<()> {
    use std::io::Write;

    out.extend_from_slice(br#"{"topic":"#);
    serde_json::to_writer(&mut *out, topic)?;
    write!(out, r#","partition":{partition},"offset":{},"#, r.offset).map_err(serde_json::Error::io)?;
    write_sample_fields(out, &r.sample, &ALL_V1)?;
    write_channels(out, &r.channels)?;
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// The sample's fields in the order and form of its `Serialize`: absent optional fields
/// left out, a missing `ts` as null. Values go through serde_json, so numbers and strings
/// are written exactly as it writes them. Only the v1 fields `keep` has are written
/// (by their place in `V1_CHANNELS`); `car`, `ts` and `driver` always are.
fn write_sample_fields(out: &mut Vec<u8>, s: &Sample, keep: &V1Kept) -> serde_json::Result<()> {
    fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &[u8], value: &T) -> serde_json::Result<()> {
        out.extend_from_slice(key);
        serde_json::to_writer(&mut *out, value)
    }
    fn optional<T: Serialize>(out: &mut Vec<u8>, key: &[u8], value: Option<&T>) -> serde_json::Result<()> {
        value.map_or(Ok(()), |v| field(out, key, v))
    }
    field(out, br#""car":"#, s.car.as_str())?;
    field(out, br#","ts":"#, &s.ts)?;
    // `keep` by place: speed 0, rpm 1, tires 2 to 5 (all or none), lap 6, gear 7,
    // throttle 8, brake 9, x 10, y 11, lap_distance_m 12.
    let speed = Some(&s.speed_kph).filter(|v| keep[0] && !is_absent(v));
    optional(out, br#","speed_kph":"#, speed)?;
    optional(out, br#","rpm":"#, Some(&s.rpm).filter(|v| keep[1] && !is_absent(v)))?;
    if let Some(t) = s.tire_temp_c.as_ref().filter(|_| keep[2]) {
        field(out, br#","tire_temp_c":{"fl":"#, &t.fl)?;
        field(out, br#","fr":"#, &t.fr)?;
        field(out, br#","rl":"#, &t.rl)?;
        field(out, br#","rr":"#, &t.rr)?;
        out.push(b'}');
    }
    optional(out, br#","lap":"#, s.lap.as_ref().filter(|_| keep[6]))?;
    optional(out, br#","gear":"#, s.gear.as_ref().filter(|_| keep[7]))?;
    optional(out, br#","throttle":"#, s.throttle.as_ref().filter(|_| keep[8]))?;
    optional(out, br#","brake":"#, s.brake.as_ref().filter(|_| keep[9]))?;
    optional(out, br#","driver":"#, s.driver.as_ref())?;
    optional(out, br#","x":"#, s.x.as_ref().filter(|_| keep[10]))?;
    optional(out, br#","y":"#, s.y.as_ref().filter(|_| keep[11]))?;
    optional(out, br#","lap_distance_m":"#, s.lap_distance_m.as_ref().filter(|_| keep[12]))
}

/// A record's other channels as `,"channels":{"g.lat":1.25,…}`, left out when it has none
/// (so a v1 record is written byte for byte as before).
fn write_channels(out: &mut Vec<u8>, channels: &Channels) -> serde_json::Result<()> {
    if channels.is_empty() {
        return Ok(());
    }
    out.extend_from_slice(br#","channels":{"#);
    let mut result = Ok(());
    let mut first = true;
    channels.for_each(|name, v| {
        if result.is_err() {
            return;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        result = serde_json::to_writer(&mut *out, name).and_then(|()| {
            out.push(b':');
            serde_json::to_writer(&mut *out, &v)
        });
    });
    out.push(b'}');
    result
}

/// [`write_channels`] with only the channels `choice` keeps, left out when it keeps none
/// of the record's.
fn write_chosen_channels(out: &mut Vec<u8>, channels: &Channels, choice: &Choice) -> serde_json::Result<()> {
    let Some(dict) = channels.dictionary().filter(|_| choice.has_others()) else { return Ok(()) };
    let mut kept = channels.values().iter().filter(|(i, _)| choice.keeps(dict, *i)).peekable();
    if kept.peek().is_none() {
        return Ok(());
    }
    out.extend_from_slice(br#","channels":{"#);
    dict.with_names(|names| {
        for (n, &(i, v)) in kept.enumerate() {
            let Some(name) = names.get(usize::from(i)) else { continue };
            if n > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, &**name)?;
            out.push(b':');
            serde_json::to_writer(&mut *out, &v)?;
        }
        Ok::<(), serde_json::Error>(())
    })?;
    out.push(b'}');
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Mode {
    Live,
    Replay,
}

/// Packs pre-encoded batches into one `data` message without decoding them again.
pub(crate) fn data_frame(mode: Mode, dropped: u64, batches: &[Bytes]) -> String {
    let mode = match mode {
        Mode::Live => "live",
        Mode::Replay => "replay",
    };
    let body: usize = batches.iter().map(|b| b.len() + 1).sum();
    let mut out = String::with_capacity(body + 64);
    out.push_str(r#"{"type":"data","mode":""#);
    out.push_str(mode);
    out.push_str(r#"","dropped":"#);
    out.push_str(&dropped.to_string());
    out.push_str(r#","batches":["#);
    for (i, b) in batches.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Batches are produced by `encode_batch`, always UTF-8 JSON.
        out.push_str(std::str::from_utf8(b).unwrap_or("null"));
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn a_record_on_the_wire_is_its_offset_and_the_sample_as_the_contract_writes_it() {
        let full = Sample {
            lap: Some(3),
            gear: Some(-1),
            throttle: Some(0.5),
            brake: Some(0.25),
            driver: Some("Ada".into()),
            x: Some(1.5),
            y: Some(-2.5),
            lap_distance_m: Some(99.9),
            ..Sample::minimal("44", 1_700_000_000_123)
        };
        for sample in [full, Sample::minimal("7", 5)] {
            let batch = encode_batch("t", 0, &[Record::new(12, sample.clone())]);
            let mut wire: serde_json::Value = serde_json::from_slice(&batch).unwrap();
            let record = wire["records"][0].as_object_mut().unwrap();
            assert_eq!(record.remove("offset"), Some(12.into()));
            let contract = serde_json::to_value(&sample).unwrap();
            assert_eq!(serde_json::Value::Object(record.clone()), contract);
        }
    }

    #[test]
    fn a_record_s_other_channels_follow_its_v1_fields_and_absent_speed_and_rpm_are_left_out() {
        let dict = std::sync::Arc::new(crate::channels::dictionary::Dictionary::default());
        let value = br#"{"car":"7","ts":5,"g":{"lat":1.25},"brake_temp_c":{"fl":512.0},"drs":true}"#;
        let (sample, channels) = crate::telemetry::decode_channels(Some(value), None, 0, || dict.clone()).unwrap();
        let batch = encode_batch("t", 0, &[Record { offset: 3, sample, channels }]);
        let want = r#"{"offset":3,"car":"7","ts":5,"channels":{"g.lat":1.25,"brake_temp_c.fl":512.0,"drs":1.0}}"#;
        assert_eq!(
            std::str::from_utf8(&batch).unwrap(),
            format!(r#"{{"topic":"t","partition":0,"records":[{want}]}}"#)
        );
    }

    #[test]
    fn data_frames_pack_encoded_batches_into_valid_json() {
        let sample = Sample { lap: Some(2), ..Sample::minimal("7", 5) };
        let b1 = encode_batch("t", 0, &[Record::new(10, sample.clone())]);
        let b2 = encode_batch("t", 1, &[Record::new(3, sample)]);
        let frame: serde_json::Value = serde_json::from_str(&data_frame(Mode::Live, 4, &[b1, b2])).unwrap();
        assert_eq!(frame["type"], "data");
        assert_eq!(frame["mode"], "live");
        assert_eq!(frame["dropped"], 4);
        assert_eq!(frame["batches"][0]["records"][0]["offset"], 10);
        assert_eq!(frame["batches"][0]["records"][0]["speed_kph"], 100.0);
        assert_eq!(frame["batches"][1]["partition"], 1);
        assert!(frame["batches"][1]["records"][0].get("gear").is_none(), "absent fields are omitted");
    }

    pub(crate) mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::telemetry::Tires;

        /// The batch as serde alone writes it: what `encode_batch` must match byte for byte.
        fn serde_batch(topic: &str, partition: i32, records: &[Record]) -> Vec<u8> {
            #[derive(Serialize)]
            struct RecordOut<'a> {
                offset: i64,
                #[serde(flatten)]
                sample: &'a Sample,
            }
            #[derive(Serialize)]
            struct BatchOut<'a> {
                topic: &'a str,
                partition: i32,
                records: Vec<RecordOut<'a>>,
            }
            let records = records.iter().map(|r| RecordOut { offset: r.offset, sample: &r.sample }).collect();
            serde_json::to_vec(&BatchOut { topic, partition, records }).unwrap()
        }

        fn num() -> impl Strategy<Value = f64> {
            prop_oneof![-1e300..1e300f64, -1e3..1e3f64, Just(0.0), Just(-0.0), Just(1e-300)]
        }

        prop_compose! {
            pub(crate) fn any_sample()(car in "\\PC{1,8}", ts in proptest::option::of(any::<i64>()), v in [num(), num(), num(), num(), num(), num()],
                            lap in proptest::option::of(any::<u32>()), gear in proptest::option::of(any::<i8>()),
                            o in [proptest::option::of(num()), proptest::option::of(num()), proptest::option::of(num()),
                                  proptest::option::of(num()), proptest::option::of(num())],
                            driver in proptest::option::of("\\PC{0,12}"), tires in any::<bool>()) -> Sample {
                Sample { car, ts, speed_kph: v[0], rpm: v[1], tire_temp_c: tires.then_some(Tires { fl: v[2], fr: v[3], rl: v[4], rr: v[5] }),
                         lap, gear, throttle: o[0], brake: o[1], driver, x: o[2], y: o[3], lap_distance_m: o[4] }
            }
        }

        proptest! {
            #[test]
            fn a_batch_is_encoded_exactly_as_serde_writes_it(
                samples in proptest::collection::vec(any_sample(), 0..4), offset in any::<i64>(),
            ) {
                let records: Vec<Record> = samples.into_iter().map(|sample| Record::new(offset, sample)).collect();
                let (ours, reference) = (encode_batch("t.x-1", 3, &records), serde_batch("t.x-1", 3, &records));
                prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
            }
        }
    }
}
