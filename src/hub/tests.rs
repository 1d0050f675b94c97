//! The hub: routing by selection, history then live without overlap, slow viewers, backfill.

use super::*;
use crate::{protocol, selection::TopicSelection, telemetry::Sample};

/// A hub that reads topics `t` and `u`.
fn reading_t_and_u(history_secs: u64, client_queue_bytes: usize) -> Hub {
    let hub = Hub::new(history_secs, client_queue_bytes);
    hub.read_topics(&["t", "u"].map(String::from).into());
    hub
}

fn record(offset: i64, ts: i64) -> Record {
    let sample = Sample::minimal("1", ts);
    Record::new(offset, sample)
}

fn select(topic: &str, partitions: Option<Vec<i32>>) -> Selection {
    Selection::new(vec![TopicSelection { topic: topic.into(), partitions }]).unwrap()
}

fn offsets(bytes: &Bytes) -> Vec<i64> {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v["records"].as_array().unwrap().iter().map(|r| r["offset"].as_i64().unwrap()).collect()
}

/// Offsets of the history batches queued for a viewer.
fn history_offsets(d: &Drained) -> Vec<i64> {
    d.items
        .iter()
        .flat_map(|i| match i {
            Item::History(b) => offsets(b),
            _ => vec![],
        })
        .collect()
}

#[test]
fn a_viewer_gets_only_the_partitions_it_chose() {
    let hub = reading_t_and_u(60, 1 << 20);
    let viewer = hub.connect(DataFormat::Json);
    viewer.watch_live(select("t", Some(vec![1])));
    hub.publish(&TopicPartition::new("t", 0), &[record(1, 10)]);
    hub.publish(&TopicPartition::new("t", 1), &[record(2, 10)]);
    hub.publish(&TopicPartition::new("u", 1), &[record(3, 10)]);
    let d = viewer.outbox().take();
    assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn a_new_viewer_gets_the_recent_history_first_then_live_without_overlap() {
    let hub = reading_t_and_u(60, 1 << 20);
    let tp = TopicPartition::new("t", 0);
    hub.publish(&tp, &[record(0, 1_000)]);
    hub.publish(&tp, &[record(1, 30_000)]);
    hub.publish(&tp, &[record(2, 62_000)]); // pushes offset 0 out of the 60 s window
    let viewer = hub.connect(DataFormat::Json);
    viewer.watch_live(select("t", None));
    hub.publish(&tp, &[record(3, 63_000)]);
    let d = viewer.outbox().take();
    assert_eq!(history_offsets(&d), vec![1, 2]);
    assert_eq!(d.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![3]);
}

#[test]
fn a_stalled_viewer_drops_its_oldest_live_batches_and_others_lose_nothing() {
    let hub = reading_t_and_u(0, 64 * 1024);
    let stalled = hub.connect(DataFormat::Json);
    let healthy = hub.connect(DataFormat::Json);
    stalled.watch_live(select("t", None));
    healthy.watch_live(select("t", None));
    let tp = TopicPartition::new("t", 0);
    for i in 0..2_000 {
        hub.publish(&tp, &[record(i, i)]);
        if i % 100 == 99 {
            let d = healthy.outbox().take();
            assert_eq!(d.dropped, 0);
            assert_eq!(d.live.len(), 100);
        }
    }
    let d = stalled.outbox().take();
    let kept = d.live.iter().flat_map(offsets).collect::<Vec<_>>();
    assert!(d.live.iter().map(Bytes::len).sum::<usize>() <= 64 * 1024, "queue stays within its bound");
    assert_eq!(kept.last(), Some(&1_999), "the newest batch is kept");
    assert_eq!(d.dropped + kept.len() as u64, 2_000, "every record is either kept or counted as dropped");
}

#[test]
fn each_viewer_gets_history_and_live_data_in_the_form_it_chose() {
    let hub = reading_t_and_u(60, 1 << 20);
    let tp = TopicPartition::new("t", 0);
    hub.publish(&tp, &[record(0, 1_000)]);
    let (json, columnar) = (hub.connect(DataFormat::Json), hub.connect(DataFormat::Columnar));
    json.watch_live(select("t", None));
    columnar.watch_live(select("t", None));
    hub.publish(&tp, &[record(1, 2_000)]);
    let (j, c) = (json.outbox().take(), columnar.outbox().take());
    assert_eq!(history_offsets(&j), vec![0]);
    assert_eq!(j.live.iter().flat_map(offsets).collect::<Vec<_>>(), vec![1]);
    let columnar_offsets = |b: &Bytes| -> Vec<i64> {
        let frame = crate::protocol::columnar::decode_frame(
            &DataFormat::Columnar.frame(protocol::Mode::Live, 0, std::slice::from_ref(b)).into_binary(),
        )
        .unwrap();
        frame.batches.iter().flat_map(|b| b.records.iter().map(|r| r.offset)).collect()
    };
    let history: Vec<i64> = c
        .items
        .iter()
        .flat_map(|i| match i {
            Item::History(b) => columnar_offsets(b),
            _ => vec![],
        })
        .collect();
    assert_eq!(history, vec![0]);
    assert_eq!(c.live.iter().flat_map(columnar_offsets).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn stats_are_coalesced_to_the_newest() {
    let hub = reading_t_and_u(0, 1 << 20);
    let viewer = hub.connect(DataFormat::Json);
    hub.broadcast_stats(Bytes::from_static(b"1"));
    hub.broadcast_stats(Bytes::from_static(b"2"));
    assert_eq!(viewer.outbox().take().stats, Some(Bytes::from_static(b"2")));
}

#[test]
fn a_disconnected_viewer_is_forgotten() {
    let hub = reading_t_and_u(0, 1 << 20);
    let viewer = hub.connect(DataFormat::Json);
    let outbox = viewer.outbox().clone();
    assert_eq!(hub.client_count(), 1);
    drop(viewer);
    assert_eq!(hub.client_count(), 0);
    assert!(outbox.take().closed);
}

#[test]
fn a_backfill_and_the_live_stream_never_repeat_a_record() {
    let hub = reading_t_and_u(60, 1 << 20);
    let tp = TopicPartition::new("t", 0);
    let early = hub.connect(DataFormat::Json);
    early.watch_live(select("t", None));
    // The backfill read offsets 0..5 while the group, assigned earlier, sits at 3.
    assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 5);
    hub.publish(&tp, &(3..8).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>());
    let live: Vec<i64> = early.outbox().take().live.iter().flat_map(offsets).collect();
    assert_eq!(live, (0..8).collect::<Vec<_>>(), "a viewer already watching gets the backfill, then live");

    let late = hub.connect(DataFormat::Json);
    late.watch_live(select("t", None));
    assert_eq!(history_offsets(&late.outbox().take()), (0..8).collect::<Vec<_>>());
    // A second backfill of the same range adds nothing.
    assert_eq!(hub.backfill(&tp, &(0..5).map(|o| record(o, 1_000 + o)).collect::<Vec<_>>()), 0);
}

#[test]
fn records_two_readers_both_deliver_reach_viewers_once_and_count_once() {
    let hub = reading_t_and_u(60, 1 << 20);
    let tp = TopicPartition::new("t", 0);
    let viewer = hub.connect(DataFormat::Json);
    viewer.watch_live(select("t", None));
    // The group delivered 0..5, then the follower, taking over at 5, and the group's
    // last batch overlap.
    assert_eq!(hub.publish(&tp, &(0..5).map(|o| record(o, o)).collect::<Vec<_>>()), 5);
    assert_eq!(hub.next_offset(&tp), Some(5));
    assert_eq!(hub.publish(&tp, &(5..9).map(|o| record(o, o)).collect::<Vec<_>>()), 4);
    assert_eq!(hub.publish(&tp, &(3..7).map(|o| record(o, o)).collect::<Vec<_>>()), 0);
    assert_eq!(hub.publish(&tp, &(8..11).map(|o| record(o, o)).collect::<Vec<_>>()), 2);
    let live: Vec<i64> = viewer.outbox().take().live.iter().flat_map(offsets).collect();
    assert_eq!(live, (0..11).collect::<Vec<_>>());
}

#[test]
fn a_topic_no_longer_read_loses_its_history_and_its_late_records_are_refused() {
    let hub = reading_t_and_u(60, 1 << 20);
    let (t0, u0) = (TopicPartition::new("t", 0), TopicPartition::new("u", 0));
    hub.publish(&t0, &[record(7, 1_000)]);
    hub.publish(&u0, &[record(3, 1_000)]);
    hub.read_topics(&["u".to_owned()].into());
    assert_eq!(hub.next_offset(&t0), None);
    assert_eq!(hub.publish(&t0, &[record(8, 1_001)]), 0, "a reader still finishing the topic");
    assert_eq!(hub.backfill(&t0, &[record(1, 900)]), 0);
    let viewer = hub.connect(DataFormat::Json);
    viewer.watch_live(select("t", None));
    assert!(history_offsets(&viewer.outbox().take()).is_empty());
    // Read again, it starts afresh.
    hub.read_topics(&["t", "u"].map(String::from).into());
    assert_eq!(hub.publish(&t0, &[record(2, 2_000)]), 1);
    assert_eq!(hub.next_offset(&u0), Some(4), "the topic that stayed keeps its place");
}

/// The `data` bytes of a viewer's live batches and, separately, of its history.
fn live_and_history(viewer: &ClientHandle) -> (Vec<Bytes>, Vec<Bytes>) {
    let d = viewer.outbox().take();
    let history =
        d.items.iter().filter_map(|i| if let Item::History(b) = i { Some(b.clone()) } else { None }).collect();
    (d.live, history)
}

#[test]
fn a_batch_only_columnar_viewers_read_is_never_encoded_as_json() {
    let hub = reading_t_and_u(60, 1 << 20);
    let viewer = hub.connect(DataFormat::Columnar);
    viewer.watch_live(select("t", None));
    hub.publish(&TopicPartition::new("t", 0), &[record(1, 10), record(2, 20)]);
    hub.publish(&TopicPartition::new("u", 0), &[record(1, 10)]); // nobody watches u
    let held = lock(&hub.inner.state).history.matching(&select("t", None));
    assert!(held.iter().all(|b| b.has(DataFormat::Columnar) && !b.has(DataFormat::Json)));
    let unread = lock(&hub.inner.state).history.matching(&select("u", None));
    assert!(unread.iter().all(|b| !b.has(DataFormat::Columnar) && !b.has(DataFormat::Json)));
    assert_eq!(live_and_history(&viewer).0.len(), 1);
}

#[test]
fn a_json_viewer_arriving_later_gets_the_bytes_a_json_viewer_there_from_the_start_got() {
    let tp = TopicPartition::new("t", 0);
    let batches = [vec![record(0, 10), record(1, 20)], vec![record(2, 30)]];
    // One hub with a JSON viewer from the start, one with only a columnar viewer.
    let (with_json, columnar_only) = (reading_t_and_u(60, 1 << 20), reading_t_and_u(60, 1 << 20));
    let early = with_json.connect(DataFormat::Json);
    early.watch_live(select("t", None));
    let page = columnar_only.connect(DataFormat::Columnar);
    page.watch_live(select("t", None));
    for b in &batches {
        with_json.publish(&tp, b);
        columnar_only.publish(&tp, b);
    }
    let late = columnar_only.connect(DataFormat::Json);
    late.watch_live(select("t", None));
    let (early_live, _) = live_and_history(&early);
    let (_, late_history) = live_and_history(&late);
    assert_eq!(late_history, early_live);
    // A second late JSON viewer shares those bytes: the form was encoded once.
    let again = columnar_only.connect(DataFormat::Json);
    again.watch_live(select("t", None));
    let (_, again_history) = live_and_history(&again);
    assert_eq!(
        again_history.iter().map(|b| b.as_ptr()).collect::<Vec<_>>(),
        late_history.iter().map(|b| b.as_ptr()).collect::<Vec<_>>()
    );
}

#[test]
fn a_backfill_is_encoded_as_json_only_when_a_json_viewer_asks() {
    let hub = reading_t_and_u(60, 1 << 20);
    let tp = TopicPartition::new("t", 0);
    let page = hub.connect(DataFormat::Columnar);
    page.watch_live(select("t", None));
    let older = [record(0, 10), record(1, 20)];
    assert_eq!(hub.backfill(&tp, &older), 2);
    assert_eq!(live_and_history(&page).0, vec![DataFormat::Columnar.encode("t", 0, &older)]);
    let held = lock(&hub.inner.state).history.matching(&select("t", None));
    assert!(held.iter().all(|b| !b.has(DataFormat::Json)));
    let late = hub.connect(DataFormat::Json);
    late.watch_live(select("t", None));
    assert_eq!(history_offsets(&late.outbox().take()), vec![0, 1]);
}
