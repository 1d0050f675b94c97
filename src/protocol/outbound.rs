//! Every message the server sends other than `data`, as it is written on the wire.

use bytes::Bytes;
use serde::Serialize;

use super::{DataFormat, OverviewMessage};
use crate::{
    playback::{ReplayProgress, RetainedRange},
    selection::TopicSelection,
};

/// A message from the server other than `data`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ServerMessage<'a> {
    Hello {
        version: &'a str,
        group_id: &'a str,
        history_secs: u64,
        max_frame_rate: u32,
        /// How this connection receives `data`, as negotiated at the upgrade.
        data_format: DataFormat,
    },
    Subscribed {
        selection: Vec<TopicSelection>,
    },
    /// `request` is the `type` of the refused message, when it had one.
    Error {
        request: Option<&'a str>,
        error: &'a str,
        message: String,
    },
    Replay(&'a ReplayProgress),
    Range(&'a RetainedRange),
    Overview(&'a OverviewMessage),
    Laps(&'a crate::laps::LapTable),
    Channels(&'a crate::channels::stats::ChannelList),
    Stats(&'a super::Snapshot),
    /// A note's new state (a removal has `deleted: true`).
    Annotation {
        topic: &'a str,
        #[serde(flatten)]
        note: &'a crate::annotations::Note,
    },
    /// A topic's notes when a viewer subscribes, and whether this server may write more.
    Annotations {
        topic: &'a str,
        annotations: &'a [crate::annotations::Note],
        writable: bool,
        /// Why a note cannot be added, when it cannot.
        why: Option<&'a str>,
    },
}

impl ServerMessage<'_> {
    pub(crate) fn encode(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}
