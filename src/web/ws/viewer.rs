//! One viewer's requests: what it watches, and its replay.

use tracing::debug;

use super::super::{
    AppState,
    laps::{LapsError, lap_table},
};
use crate::{
    channels::choice::Choice,
    hub::ClientHandle,
    kafka::{
        live::Watching,
        lookup::overview::Overview,
        replay::{Playback, Replay},
        task::{ReaderTask, Slot},
    },
    overview::OverviewRequest,
    playback::{ReplayFrom, ReplayProgress, ReplayState},
    protocol::{self, ClientMessage, RequestError, ServerMessage},
    selection::{Selection, TopicSelection},
};

/// How long a `subscribe` waits for the server's first look at the cluster: longer than
/// a look takes when Kafka answers (or fails to), short enough to answer a person.
const FIRST_LOOK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) struct Viewer {
    client: ClientHandle,
    app: AppState,
    selection: Selection,
    /// Keeps the selection's topics read while the viewer watches them.
    watching: Option<Watching>,
    replay: Option<Replay>,
    overview: Option<Overview>,
    /// The look-up answering the last `range` request; a newer request replaces it.
    range: Option<ReaderTask>,
    /// The channels the last `replay` chose, for its seeks and steps too.
    choice: Option<Choice>,
}

impl Viewer {
    pub(super) fn new(client: ClientHandle, app: AppState) -> Self {
        let selection = Selection::default();
        Self { client, app, selection, watching: None, replay: None, overview: None, range: None, choice: None }
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
            ClientMessage::Replay { from, speed, paused, preroll_ms, id, channels } => {
                let choice = channels.as_deref().map(Choice::new);
                self.start_replay(Playback { from, speed, paused, preroll_ms, id }, choice);
            }
            ClientMessage::Seek { to, preroll_ms, id } => self.seek("seek", to, preroll_ms, id, None),
            ClientMessage::Pause | ClientMessage::Resume => match &self.replay {
                Some(r) => r.set_paused(matches!(msg, ClientMessage::Pause)),
                None => {
                    let request = if matches!(msg, ClientMessage::Pause) { "pause" } else { "resume" };
                    self.refuse(Some(request), &RequestError::NoReplay);
                }
            },
            ClientMessage::Speed { speed } => match &self.replay {
                Some(r) => r.set_speed(speed),
                None => self.refuse(Some("speed"), &RequestError::NoReplay),
            },
            ClientMessage::Step { ms } => self.step(ms),
            ClientMessage::Range => self.range(),
            ClientMessage::Overview(request) => self.overview(request),
            // Any topic the server can read: one the group does not is indexed on demand.
            ClientMessage::Laps { topic } => match lap_table(&self.app, &topic, None).await {
                Ok(table) => self.send(&ServerMessage::Laps(&table)),
                Err(LapsError::UnknownTopic(topic)) => self.refuse(Some("laps"), &RequestError::UnknownTopic(topic)),
                Err(e) => self.refuse(Some("laps"), &RequestError::BadRequest(e.to_string())),
            },
            ClientMessage::Live => {
                if self.replay.take().is_some() {
                    self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
                }
                self.client.watch_live(self.selection.clone());
            }
        }
    }

    async fn subscribe(&mut self, list: Vec<TopicSelection>) {
        let selection = match Selection::new(list) {
            Ok(s) => s,
            Err(e) => return self.refuse(Some("subscribe"), &e.into()),
        };
        // Before the server's first look at the cluster the list is empty for want of a
        // look: wait for it, a little, rather than take any name.
        if !self.app.status.first_look(FIRST_LOOK_WAIT).await {
            let error = "the server has not looked at the Kafka cluster yet; try again in a moment";
            return self.refuse(Some("subscribe"), &RequestError::Kafka(error.to_owned()));
        }
        let (known, read) = (self.app.status.topics(), self.app.topics.current());
        // While Kafka is unreachable nothing is known; accept and let the group wait. A
        // topic the last look did not find may have been created since: ask Kafka. One the
        // group reads already (a `--topics` not created yet) waits with the group.
        if !known.is_empty() || self.app.status.kafka().reachable {
            let unlisted = |t: &&str| !known.iter().any(|k| k.name == *t) && !read.contains(*t);
            for topic in selection.topics().filter(unlisted) {
                if !self.app.cluster.look_up(topic).await {
                    return self.refuse(Some("subscribe"), &RequestError::UnknownTopic(topic.to_owned()));
                }
            }
        }
        // The new topics are watched before the old ones are let go, so a topic in both
        // never looks unwatched.
        match self.app.topics.watch(selection.topics()) {
            Ok(watching) => self.watching = Some(watching),
            Err(e) => return self.refuse(Some("subscribe"), &RequestError::TooManyTopics(e.to_string())),
        }
        if self.replay.take().is_some() {
            self.send(&ServerMessage::Replay(&ReplayProgress::new(ReplayState::Stopped)));
        }
        self.send(&ServerMessage::Subscribed { selection: selection.to_list() });
        // The channels each topic has so far; later ones come as the topic gets them.
        for topic in selection.topics() {
            if let Some(dict) = self.app.channels.get(topic) {
                self.send(&ServerMessage::Channels(&dict.list(topic)));
            }
        }
        self.client.watch_live(selection.clone());
        // After the switch, so a note written meanwhile comes at worst twice (the page
        // keeps the latest state of each id), never not at all.
        for topic in selection.topics() {
            self.client.outbox().push_control(super::super::annotations::current(&self.app, topic));
        }
        self.selection = selection;
    }

    /// The selection, or a refusal of `request` when there is none yet.
    fn chosen(&self, request: &str) -> Option<Selection> {
        if self.selection.is_empty() {
            let message = format!("choose topics with `subscribe` before `{request}`");
            self.refuse(Some(request), &RequestError::BadRequest(message));
            return None;
        }
        Some(self.selection.clone())
    }

    /// Starts a replay of only the channels of `choice` (every channel when none), as
    /// are its seeks and steps.
    fn start_replay(&mut self, playback: Playback, choice: Option<Choice>) {
        if self.chosen("replay").is_none() {
            return;
        }
        self.choice = choice;
        // Stop the old reader before the outbox moves on, so it cannot slip data in. Its
        // slot serves the new one.
        let Some(slot) = self.app.readers.slot(self.replay.take().and_then(Replay::into_slot)) else {
            return self.refuse(Some("replay"), &RequestError::TooManyReplays);
        };
        self.play(playback, slot);
    }

    fn play(&mut self, playback: Playback, slot: Slot) {
        let feed = self.client.watch_replay().choosing(self.choice.clone());
        self.replay = Some(self.app.readers.replay(self.selection.clone(), playback, feed, slot));
    }

    /// Restarts the running replay at `to`, at its speed, paused if it was (or if
    /// `paused` says so).
    fn seek(&mut self, request: &str, to: ReplayFrom, preroll_ms: u32, id: Option<u64>, paused: Option<bool>) {
        let Some(old) = self.replay.take() else {
            return self.refuse(Some(request), &RequestError::NoReplay);
        };
        let playback =
            Playback { from: to, speed: old.speed(), paused: paused.unwrap_or(old.paused()), preroll_ms, id };
        // A replay holds its slot while it lives; should it not, another may be free.
        let Some(slot) = self.app.readers.slot(old.into_slot()) else {
            return self.refuse(Some(request), &RequestError::TooManyReplays);
        };
        self.play(playback, slot);
    }

    /// Forward plays `ms` of race time at once; back seeks to `ms` before the playhead.
    /// Either way the replay is paused after it.
    fn step(&mut self, ms: i64) {
        let Some(replay) = &self.replay else {
            return self.refuse(Some("step"), &RequestError::NoReplay);
        };
        if ms > 0 {
            return replay.step(ms);
        }
        let Some(position) = replay.position() else {
            let message = "nothing has been played yet to step back from".to_owned();
            return self.refuse(Some("step"), &RequestError::BadRequest(message));
        };
        let (id, preroll) = (replay.id(), replay.preroll_ms());
        self.seek("step", ReplayFrom::Timestamp((position + ms).max(0)), preroll, id, Some(true));
    }

    fn range(&mut self) {
        let Some(selection) = self.chosen("range") else { return };
        // A newer request replaces (and so stops) the look-up still running.
        self.range = Some(self.app.readers.range(selection, self.client.answers()));
    }

    fn overview(&mut self, request: OverviewRequest) {
        let Some(selection) = self.chosen("overview") else { return };
        // A new overview replaces the one still being read; its slot serves the new one.
        let Some(slot) = self.app.readers.slot(self.overview.take().and_then(Overview::into_slot)) else {
            return self.refuse(Some("overview"), &RequestError::TooManyOverviews);
        };
        self.overview = Some(self.app.readers.overview(selection, request, self.client.answers(), slot));
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
