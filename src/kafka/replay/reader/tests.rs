//! The replay reader against a hub viewer: pacing, pausing, stepping, malformed records.

use bytes::Bytes;
use serde_json::Value;

use std::time::Duration;

use super::*;
use crate::{
    hub::{ClientHandle, Hub, Item},
    playback::PartitionProgress,
    telemetry::Malformed,
    telemetry::Sample,
};

const T0: i64 = 1_764_028_800_000;

fn at(offset: i64, ts: i64) -> Result<Option<Record>, Malformed> {
    let mut sample = Sample::minimal("7", ts);
    sample.ts = Some(ts);
    Ok(Some(Record::new(offset, sample)))
}

fn lane(partition: i32, start: i64, end: i64) -> start::Lane {
    start::Lane {
        progress: PartitionProgress { topic: "t".into(), partition, start, offset: start, end },
        skip_before: None,
    }
}

/// A viewer of a fresh hub replaying `lanes` at `speed`, its reader and the lanes'
/// merge.
fn replaying(lanes: &[start::Lane], speed: Speed) -> (ClientHandle, Reader, Merge) {
    let viewer = Hub::new(0, 1 << 20).json_viewer();
    let playback = Playback { from: ReplayFrom::Earliest, speed, paused: false, preroll_ms: 0, id: Some(9) };
    let mut reader = Reader::new(
        viewer.watch_replay(),
        &playback,
        Arc::new(AtomicI64::new(UNKNOWN)),
        Decoder::default(),
        LapIndex::default(),
    );
    let merge = reader.begin(lanes);
    (viewer, reader, merge)
}

fn json(bytes: &Bytes) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// What the viewer was sent, in order: `p<partition> [offsets]` for a batch, the
/// state and progress for a report.
fn sent(viewer: &ClientHandle) -> Vec<String> {
    viewer
        .outbox()
        .take()
        .items
        .iter()
        .flat_map(|item| match item {
            // One queued item holds the batches of one release, comma-separated.
            Item::Replay(b) => {
                let all: Value = serde_json::from_str(&format!("[{}]", String::from_utf8_lossy(b))).unwrap();
                let batches = all.as_array().unwrap().iter().map(|v| {
                    let offsets: Vec<i64> =
                        v["records"].as_array().unwrap().iter().map(|r| r["offset"].as_i64().unwrap()).collect();
                    format!("p{} {offsets:?}", v["partition"])
                });
                batches.collect::<Vec<_>>()
            }
            Item::Control(b) => {
                let v = json(b);
                vec![format!("{} {}/{} {}", v["state"].as_str().unwrap(), v["delivered"], v["total"], v["progress"])]
            }
            Item::History(_) => vec!["history".into()],
        })
        .collect()
}

/// The offsets delivered, in order, whatever their partition.
fn delivered(viewer: &ClientHandle) -> Vec<i64> {
    sent(viewer)
        .iter()
        .filter_map(|s| s.split_once(" [").filter(|(p, _)| p.starts_with('p')))
        .flat_map(|(_, rest)| {
            rest.trim_end_matches(']').split(", ").filter(|s| !s.is_empty()).map(|o| o.parse::<i64>().unwrap())
        })
        .collect::<Vec<_>>()
}

#[tokio::test]
async fn at_max_every_record_is_delivered_in_time_order_across_partitions_and_the_end_is_caught_up() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3), lane(1, 10, 12)], Speed::Max);
    reader.report();
    // Partition 0 is read all at once; partition 1 lags behind it. (Records are more
    // than a slice of race apart: within one, they go out grouped by partition.)
    for (o, ts) in [(0, T0), (1, T0 + 200), (2, T0 + 400)] {
        reader.record(&mut merge, 0, o, at(o, ts));
    }
    merge.reached_end(0);
    reader.release(&mut merge).await.unwrap();
    assert_eq!(sent(&viewer), ["running 0/5 0.0"], "nothing until partition 1 says what comes first");

    reader.record(&mut merge, 1, 10, at(10, T0 + 100));
    reader.record(&mut merge, 1, 11, at(11, T0 + 300));
    merge.reached_end(1);
    reader.release(&mut merge).await.unwrap();
    reader.release(&mut merge).await.unwrap();
    assert_eq!(delivered(&viewer), [0, 10, 1, 11, 2]);
    reader.update_state(&merge);
    assert_eq!(sent(&viewer), ["caught_up 5/5 1.0"]);
    assert_eq!(reader.progress.position_ts, Some(T0 + 400));
}

#[tokio::test(start_paused = true)]
async fn at_2x_five_seconds_of_wall_time_deliver_ten_seconds_of_race() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 200)], Speed::Factor(2.0));
    for o in 0..200 {
        reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
    }
    merge.reached_end(0);
    reader.release(&mut merge).await.unwrap();
    tokio::time::advance(Duration::from_secs(5)).await;
    while reader.release(&mut merge).await.unwrap() {}
    let got = delivered(&viewer);
    assert_eq!(got.last(), Some(&99), "records before T0 + 10 s, and not one more");
    assert_eq!(reader.clock.position(Instant::now()), Some(T0 + 10_000));
    assert_eq!(
        reader.wake(&merge),
        Some(Instant::now() + Duration::from_micros(500)),
        "the next record is at the playhead: due as soon as it moves on"
    );
}

#[tokio::test(start_paused = true)]
async fn a_paused_replay_delivers_nothing_and_resumes_from_the_same_place() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 100)], Speed::Factor(1.0));
    for o in 0..100 {
        reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
    }
    merge.reached_end(0);
    reader.release(&mut merge).await.unwrap();
    tokio::time::advance(Duration::from_millis(1_000)).await;
    reader.release(&mut merge).await.unwrap();
    reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 0 });
    let before = delivered(&viewer);
    assert_eq!(before.last(), Some(&9), "the records of the first second");

    tokio::time::advance(Duration::from_secs(2)).await;
    reader.release(&mut merge).await.unwrap();
    assert!(delivered(&viewer).is_empty(), "nothing while paused");
    assert_eq!(reader.wake(&merge), None, "and nothing to wake for");

    reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 300 });
    reader.release(&mut merge).await.unwrap();
    assert_eq!(delivered(&viewer), [10, 11, 12], "a step of 300 ms plays three records");

    reader.apply(Controls { paused: false, speed: Speed::Factor(1.0), stepped_ms: 300 });
    tokio::time::advance(Duration::from_millis(200)).await;
    reader.release(&mut merge).await.unwrap();
    assert_eq!(delivered(&viewer), [13, 14], "resumed where it stopped");
}

#[tokio::test(start_paused = true)]
async fn a_step_asked_for_before_the_first_record_is_read_plays_once_the_clock_starts() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 100)], Speed::Factor(1.0));
    reader.apply(Controls { paused: true, speed: Speed::Factor(1.0), stepped_ms: 500 });
    for o in 0..100 {
        reader.record(&mut merge, 0, o, at(o, T0 + o * 100));
    }
    merge.reached_end(0);
    reader.release(&mut merge).await.unwrap();
    assert_eq!(delivered(&viewer), [0, 1, 2, 3, 4], "half a second of race");
}

#[tokio::test]
async fn a_malformed_record_is_counted_with_its_reason_and_skipped_but_the_replay_moves_past_it() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3)], Speed::Max);
    reader.record(&mut merge, 0, 0, at(0, T0));
    let broken = crate::telemetry::decode(Some(b"{oops"), None, 0).map(|sample| Some(Record::new(1, sample)));
    reader.record(&mut merge, 0, 1, broken);
    reader.record(&mut merge, 0, 2, at(2, T0 + 1));
    merge.reached_end(0);
    reader.release(&mut merge).await.unwrap();

    assert_eq!(delivered(&viewer), [0, 2]);
    assert_eq!(reader.progress.malformed, 1);
    let note = reader.progress.last_malformed.as_ref().unwrap();
    assert_eq!(note.offset, 1);
    assert!(note.reason.starts_with("not JSON"), "{}", note.reason);
}

#[tokio::test]
async fn a_reader_whose_viewer_went_back_to_live_is_shut_out() {
    let (viewer, mut reader, mut merge) = replaying(&[lane(0, 0, 3)], Speed::Max);
    viewer.watch_live(Selection::default());
    reader.record(&mut merge, 0, 0, at(0, T0));
    merge.reached_end(0);

    assert!(reader.release(&mut merge).await.is_err(), "the reader learns it should stop");
    reader.report();
    assert!(sent(&viewer).is_empty(), "nothing of the old replay reached the viewer");
}
