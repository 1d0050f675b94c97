//! `/api/channels?topic=T`: each channel of a topic with its unit, the records that
//! carried it, its range so far and whether it is a math channel; what the bounds dropped.

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Deserialize;

use super::AppState;
use crate::channels::{dictionary::Dropped, stats::ChannelList};

#[derive(Debug, Deserialize)]
pub(super) struct ChannelsQuery {
    topic: String,
}

/// The topic's channels, as the `channels` message carries them; none yet for a topic
/// no record of which was decoded.
pub(super) async fn channels(State(app): State<AppState>, Query(q): Query<ChannelsQuery>) -> Json<ChannelList> {
    Json(match app.channels.get(&q.topic) {
        Some(dict) => dict.list(&q.topic),
        None => ChannelList { topic: q.topic, channels: Vec::new(), dropped: Dropped::default() },
    })
}
