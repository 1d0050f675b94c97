//! One viewer's requests: what it watches, and its replay.

use tracing::debug;

use super::super::AppState;
use crate::{
    hub::ClientHandle,
    kafka::replay::Replay,
    protocol::{self, ClientMessage, ReplayProgress, ReplayState, RequestError, Selection, ServerMessage},
};

pub(super) struct Viewer {
    client: ClientHandle,
    app: AppState,
    selection: Selection,
    replay: Option<Replay>,
}

impl Viewer {
    pub(super) fn new(client: ClientHandle, app: AppState) -> Self {
        Self { client, app, selection: Selection::default(), replay: None }
    }

    /// Acts on one control message; anything refused is answered with an `error`.
    pub(super) async fn handle(&mut self, text: &str) {
        let msg = match protocol::parse_client_message(text) {
            Ok(msg) => msg,
            Err(e) => {
                // Name the request that was refused, when it had a readable type.
                let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
                let request = value.as_ref().and_then(|v| v.get("type")).and_then(|t| t.as_str());
                return self.refuse(request, &e);
            }
        };
        match msg {
            ClientMessage::Subscribe { selection } => self.subscribe(selection).await,
            ClientMessage::Replay { .. } => self.start_replay(),
            ClientMessage::Pause | ClientMessage::Resume => match &self.replay {
                Some(r) => r.set_paused(matches!(msg, ClientMessage::Pause)),
                None => {
                    let request = if matches!(msg, ClientMessage::Pause) { "pause" } else { "resume" };
                    self.refuse(Some(request), &RequestError::NoReplay);
                }
            },
            ClientMessage::Live => {
                if self.replay.take().is_some() {
                    self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
                }
                self.client.watch_live(self.selection.clone());
            }
        }
    }

    async fn subscribe(&mut self, list: Vec<protocol::TopicSelection>) {
        let selection = match Selection::new(list) {
            Ok(s) => s,
            Err(e) => return self.refuse(Some("subscribe"), &e),
        };
        let known = self.app.status.topics();
        // While Kafka is unreachable nothing is known; accept and let the group wait. A
        // topic the last look did not find may have been created since: ask Kafka.
        if !known.is_empty() {
            for topic in selection.topics().filter(|t| !known.iter().any(|k| k.name == *t)) {
                if !self.app.cluster.look_up(topic).await {
                    return self.refuse(Some("subscribe"), &RequestError::UnknownTopic(topic.to_owned()));
                }
            }
        }
        if let Err(e) = self.app.topics.ensure(selection.topics()) {
            return self.refuse(Some("subscribe"), &RequestError::TooManyTopics(e.to_string()));
        }
        if self.replay.take().is_some() {
            self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
        }
        self.send(&ServerMessage::Subscribed { selection: selection.to_list() });
        self.client.watch_live(selection.clone());
        self.selection = selection;
    }

    fn start_replay(&mut self) {
        if self.selection.is_empty() {
            let message = "choose topics with `subscribe` before replaying".to_owned();
            return self.refuse(Some("replay"), &RequestError::BadRequest(message));
        }
        // Stop the old reader before the outbox moves on, so it cannot slip data in.
        self.replay = None;
        let Ok(slot) = self.app.replay_slots.clone().try_acquire_owned() else {
            return self.refuse(Some("replay"), &RequestError::TooManyReplays);
        };
        let feed = self.client.watch_replay();
        let kafka = self.app.config.kafka.clone();
        self.replay = Some(Replay::start(kafka, self.selection.clone(), feed, &self.app.status, slot));
    }

    /// Answers a refused request. The connection stays open and, for a refused
    /// `subscribe`, the previous selection stays in force.
    pub(super) fn refuse(&self, request: Option<&str>, error: &RequestError) {
        debug!(request, code = error.code(), %error, "request refused");
        self.send(&ServerMessage::Error { request, error: error.code(), message: error.to_string() });
    }

    fn send(&self, msg: &ServerMessage<'_>) {
        self.client.outbox().push_control(msg.encode());
    }
}
