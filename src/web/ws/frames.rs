//! Packing what a viewer's outbox holds into WebSocket frames.

use axum::extract::ws::Message;
use bytes::Bytes;

use crate::{
    hub::{Drained, Item},
    protocol::{DataFormat, DataMessage, Mode},
};

/// Data frames are cut at about this size, so one viewer's history never becomes a
/// single message too large for a browser to parse in one go. It is also what a viewer
/// whose socket is full holds of its own (the WebSocket's write buffer keeps the largest
/// frame's capacity): at 1 MiB, 500 slow viewers held 900 MB. A viewer at 60 frames a
/// second of 20,000 records/s gets frames of about 100 kB, well under it.
pub(super) const MAX_FRAME_BYTES: usize = 256 * 1024;

/// One frame to send. Data frames stay shared batches until their turn comes, so a viewer
/// whose socket is slow holds one frame of its own at a time, not a copy of its whole queue.
pub(super) enum Frame {
    Text(Bytes),
    Data { mode: Mode, dropped: u64, batches: Vec<Bytes> },
}

impl Frame {
    /// Bytes of payload, before the envelope of a data frame.
    pub(super) fn len(&self) -> usize {
        match self {
            Frame::Text(b) => b.len(),
            Frame::Data { batches, .. } => batches.iter().map(Bytes::len).sum(),
        }
    }

    /// The WebSocket message: control messages are JSON text; `data` is text or binary
    /// as the viewer chose when it connected.
    pub(super) fn into_message(self, format: DataFormat) -> Message {
        match self {
            Frame::Text(b) => Message::Text(String::from_utf8_lossy(&b).into_owned().into()),
            Frame::Data { mode, dropped, batches } => match format.frame(mode, dropped, &batches) {
                DataMessage::Text(text) => Message::Text(text.into()),
                DataMessage::Binary(bytes) => Message::Binary(bytes),
            },
        }
    }
}

/// Turns what an outbox held into frames, in order: control messages and history or
/// replay data as queued, then the newest stats, then live data.
pub(super) fn frames(d: Drained) -> Vec<Frame> {
    let mut out = Vec::new();
    let mut run: Vec<Bytes> = Vec::new();
    let mut run_mode = Mode::Live;
    // A run cut into several frames reports its drops once, in the first: pages add them up.
    let flush = |out: &mut Vec<Frame>, run: &mut Vec<Bytes>, mode: Mode, mut dropped: u64| {
        let mut start = 0;
        let mut size = 0;
        for (i, b) in run.iter().enumerate() {
            if size > 0 && size + b.len() > MAX_FRAME_BYTES {
                out.push(Frame::Data { mode, dropped, batches: run[start..i].to_vec() });
                dropped = 0;
                start = i;
                size = 0;
            }
            size += b.len();
        }
        if start < run.len() || (run.is_empty() && dropped > 0) {
            out.push(Frame::Data { mode, dropped, batches: run[start..].to_vec() });
        }
        run.clear();
    };
    for item in d.items {
        let (mode, bytes) = match item {
            Item::Control(b) => {
                flush(&mut out, &mut run, run_mode, 0);
                out.push(Frame::Text(b));
                continue;
            }
            Item::History(b) => (Mode::Live, b),
            Item::Replay(b) => (Mode::Replay, b),
        };
        if mode != run_mode {
            flush(&mut out, &mut run, run_mode, 0);
            run_mode = mode;
        }
        run.push(bytes);
    }
    flush(&mut out, &mut run, run_mode, 0);
    if let Some(stats) = d.stats {
        out.push(Frame::Text(stats));
    }
    let mut live = d.live;
    flush(&mut out, &mut live, Mode::Live, d.dropped);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(frames: Vec<Frame>) -> Vec<String> {
        let text = |m: Message| match m {
            Message::Text(t) => t.to_string(),
            other => panic!("JSON viewers get text, not {other:?}"),
        };
        frames.into_iter().map(|f| text(f.into_message(DataFormat::Json))).collect()
    }

    fn parse(frames: Vec<Frame>) -> Vec<serde_json::Value> {
        texts(frames).iter().map(|f| serde_json::from_str(f).unwrap()).collect()
    }

    #[test]
    fn frames_keep_queue_order_and_put_live_data_last() {
        let batch = |p: i32| Bytes::from(format!(r#"{{"topic":"t","partition":{p},"records":[]}}"#));
        let drained = Drained {
            items: vec![
                Item::Control(Bytes::from_static(br#"{"type":"subscribed"}"#)),
                Item::History(batch(0)),
                Item::History(batch(1)),
                Item::Replay(batch(2)),
                Item::Control(Bytes::from_static(br#"{"type":"replay"}"#)),
            ],
            live: vec![batch(3)],
            stats: Some(Bytes::from_static(br#"{"type":"stats"}"#)),
            dropped: 5,
            closed: false,
        };
        let f = parse(frames(drained));
        let kinds: Vec<(&str, &str)> =
            f.iter().map(|v| (v["type"].as_str().unwrap(), v["mode"].as_str().unwrap_or(""))).collect();
        assert_eq!(
            kinds,
            vec![
                ("subscribed", ""),
                ("data", "live"),
                ("data", "replay"),
                ("replay", ""),
                ("stats", ""),
                ("data", "live")
            ]
        );
        assert_eq!(f[1]["batches"].as_array().unwrap().len(), 2, "consecutive batches share a frame");
        assert_eq!(f[5]["dropped"], 5);
    }

    #[test]
    fn large_backlogs_are_cut_into_bounded_frames() {
        let big = Bytes::from(format!(r#"{{"pad":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES * 2 / 5)));
        let drained = Drained { items: (0..5).map(|_| Item::History(big.clone())).collect(), ..Drained::default() };
        let f = texts(frames(drained));
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|x| x.len() <= MAX_FRAME_BYTES + 1024));
    }

    #[test]
    fn drops_are_reported_once_however_many_frames_the_live_data_takes() {
        let big = Bytes::from(format!(r#"{{"pad":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES * 2 / 5)));
        let drained = Drained { live: vec![big; 5], dropped: 7, ..Drained::default() };
        let f = parse(frames(drained));
        assert_eq!(f.len(), 3);
        assert_eq!(f.iter().map(|m| m["dropped"].as_u64().unwrap()).sum::<u64>(), 7);
    }

    #[test]
    fn a_drop_with_no_new_data_is_still_reported() {
        let f = parse(frames(Drained { dropped: 9, ..Drained::default() }));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["dropped"], 9);
    }
}
