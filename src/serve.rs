//! `trackside serve`: wires Kafka, the hub and the web layer together and runs them
//! until shutdown. [`Server::build`] takes a listener the caller bound (so tests start
//! the real server on port 0) and fails on a configuration Kafka's client refuses, before
//! anyone is told where to point a browser; [`Server::run`] then serves.

use std::{collections::HashMap, future::Future, sync::Arc, time::Instant};

use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::info;

use crate::{
    annotations::Notes,
    channels::dictionary::Registry,
    config::ServeArgs,
    hub::Hub,
    kafka::{
        self, KafkaError, ReaderSetup, Readers, admin,
        annotations::{Annotator, NoteReaders},
        live::{self, LiveConfig, Topics},
    },
    laps::{LapIndex, on_demand::OnDemand},
    mapping::Decoder,
    protocol::ServerMessage,
    schema::{RegistryConfig, SchemaRegistry},
    status::Status,
    tick,
    web::{self, AppState, WebConfig},
};

/// How long, at shutdown, the viewers get to be sent their last frames and the goodbye.
const FAREWELL_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// How often every viewer gets a `stats` message.
const STATS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// How often the viewers of a topic hear what changed in its laps: a lap ends every
/// minute or so per car, and a sector every half minute; once a second is live enough.
const LAPS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// The most often the viewers of a topic hear of its new channels: a source's channels
/// all appear in its first records, so this bounds a burst to one message a second.
const CHANNELS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error("the schema registry: {0}")]
    Registry(String),
    #[error("the HTTP server failed")]
    Http(#[from] std::io::Error),
}

/// Builds and runs a server; see [`Server`].
pub async fn run(
    listener: TcpListener,
    args: ServeArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    Server::build(listener, args)?.run(shutdown).await
}

/// A server whose Kafka clients exist, ready to serve.
pub struct Server {
    listener: TcpListener,
    args: ServeArgs,
    status: Status,
    member: live::GroupMember,
    cluster: admin::Cluster,
    hub: Hub,
    /// Every car's laps: fed by the group member and the follower, and by its own readers.
    laps: LapIndex,
    /// The one decoder every reader clones, so all fill the same channel dictionaries.
    decoder: Decoder,
    /// The annotations topics' readers, and the writer when `--annotations` is on.
    notes: NoteReaders,
    annotator: Option<Annotator>,
}

impl Server {
    /// Creates the Kafka clients. Fails only on a configuration librdkafka refuses (a bad
    /// `-X` property, say); an unreachable broker is waited for while serving.
    pub fn build(listener: TcpListener, args: ServeArgs) -> Result<Self, ServeError> {
        let mut decoder = Decoder::new(args.mapping.clone().unwrap_or_default(), args.channels.clone());
        let status = Status::new(&args.group_id);
        if let Some(url) = &args.schema_registry {
            let registry = SchemaRegistry::start(RegistryConfig::from_env(url)).map_err(ServeError::Registry)?;
            status.set_schema_registry(registry.clone());
            decoder = decoder.with_schemas(Arc::new(registry));
        }
        let live = LiveConfig {
            kafka: args.kafka.clone(),
            // The group's readers keep a record whose schema is not at hand for later.
            decoder: decoder.observing().impatient(),
            group_id: args.group_id.clone(),
            history: std::time::Duration::from_secs(args.history_secs),
            stuck_after: std::time::Duration::from_secs(args.stuck_timeout_secs),
        };
        let hub = Hub::new(args.history_secs, usize::try_from(args.client_queue_bytes).unwrap_or(usize::MAX));
        let laps = LapIndex::default();
        let member = live::connect(&live, &status, &hub, &laps)?;
        let cluster = admin::Cluster::new(&args.kafka, &status)?;
        let notes = NoteReaders {
            kafka: args.kafka.clone(),
            template: args.annotations_topic.clone(),
            notes: Notes::default(),
            hub: hub.clone(),
            status: status.clone(),
        };
        // The only writer serve ever makes, and only when asked to.
        let annotator = if args.annotations { Some(Annotator::new(notes.clone())?) } else { None };
        Ok(Self { listener, args, status, member, cluster, hub, laps, decoder, notes, annotator })
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes; then closes every WebSocket with 1001, commits,
    /// leaves the consumer group and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
        serve(self, shutdown).await
    }
}

async fn serve(server: Server, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
    let Server { listener, args, status, member, cluster, hub, laps, decoder, notes, annotator } = server;
    let idle = std::time::Duration::from_secs(args.topic_idle_secs);
    let (topics, topics_rx) = Topics::new(&args.topics, idle, hub.clone());
    status.set_group_topics(topics.current().into_iter().collect());

    // Shutdown goes in the order data flows: Kafka's side stops first (the group
    // publishes its last batch, commits and leaves), then every viewer is sent what is
    // still queued for it and closed. So nothing the group committed is lost on the way.
    let (stop_kafka, close_viewers) = (CancellationToken::new(), CancellationToken::new());
    let (kafka_side, sessions) = (TaskTracker::new(), TaskTracker::new());
    let (lap_topics, lap_topics_rx) = OnDemand::new();
    kafka_side.spawn(kafka::laps::follow(
        args.kafka.clone(),
        decoder.clone(),
        laps.clone(),
        topics_rx.clone(),
        lap_topics_rx,
        stop_kafka.clone().cancelled_owned(),
    ));
    kafka_side.spawn(lap_topics.clone().expire_idle(stop_kafka.clone().cancelled_owned()));
    kafka_side.spawn(kafka::annotations::follow(
        notes.clone(),
        topics_rx.clone(),
        stop_kafka.clone().cancelled_owned(),
    ));
    kafka_side.spawn(broadcast_laps(hub.clone(), laps.clone(), stop_kafka.clone().cancelled_owned()));
    let group = kafka_side.spawn(member.run(topics_rx, stop_kafka.clone().cancelled_owned()));
    kafka_side.spawn(admin::watch(cluster.clone(), args.kafka.brokers.clone(), stop_kafka.clone().cancelled_owned()));
    kafka_side.spawn(topics.clone().expire_idle(stop_kafka.clone().cancelled_owned()));
    kafka_side.spawn(broadcast_stats(hub.clone(), status.clone(), stop_kafka.clone().cancelled_owned()));
    kafka_side.spawn(broadcast_channels(
        hub.clone(),
        Arc::clone(decoder.channels()),
        stop_kafka.clone().cancelled_owned(),
    ));
    kafka_side.close();

    let redacted: Vec<String> = crate::kafka::shared::client::redacted_properties(&args.kafka)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mapped: Vec<&str> = args.mapping.iter().flat_map(|m| m.topics()).collect();
    info!(brokers = %args.kafka.brokers, group = %args.group_id, topics = ?args.topics, ?mapped, properties = ?redacted,
          annotations = args.annotations, "starting");
    let setup = ReaderSetup { kafka: args.kafka.clone(), decoder: decoder.clone(), laps: laps.clone() };
    let readers = Readers::new(setup, status.clone(), usize::from(args.max_replays));
    let state = AppState {
        hub,
        status,
        topics,
        cluster,
        config: Arc::new(WebConfig {
            group_id: args.group_id.clone(),
            brokers: args.kafka.brokers.clone(),
            default_topics: args.topics.clone(),
            history_secs: args.history_secs,
            max_frame_rate: args.max_frame_rate,
            static_dir: args.static_dir.clone(),
            uplot_dir: args.uplot_dir.clone(),
            allowed_origins: args.allowed_origins.clone(),
            idle_timeout_secs: args.idle_timeout_secs,
            auth_token: args.auth_token.clone(),
            stall_timeout_secs: args.stall_timeout_secs,
            export_row_group: args.export_row_group as usize,
        }),
        shutdown: close_viewers.clone(),
        sessions: sessions.clone(),
        readers,
        client_slots: Arc::new(Semaphore::new(usize::try_from(args.max_clients).unwrap_or(usize::MAX))),
        laps,
        lap_topics,
        channels: Arc::clone(decoder.channels()),
        notes: notes.notes,
        annotator,
    };
    axum::serve(listener, web::router(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            info!("shutting down");
            stop_kafka.cancel();
            // Leaving the group is bounded (3 s); this bound only guards against a bug.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(4), group).await;
            close_viewers.cancel();
        })
        .await?;
    // axum does not wait for WebSocket sessions; they are sending their last frames and
    // 1001 now. Give them a moment before the process goes.
    sessions.close();
    let _ = tokio::time::timeout(FAREWELL_WAIT, sessions.wait()).await;
    kafka_side.wait().await;
    info!("stopped");
    Ok(())
}

/// Sends the viewers of each topic what changed in its laps, each [`LAPS_INTERVAL`]:
/// reading progress, then new laps and laps in progress, each update encoded once.
/// Sends the viewers of a topic its channel list when it has a channel it did not have,
/// at most once each [`CHANNELS_INTERVAL`].
async fn broadcast_channels(hub: Hub, channels: Arc<Registry>, shutdown: impl Future<Output = ()>) {
    let mut sent: HashMap<String, u64> = HashMap::new();
    tick::every(tick::ticker(CHANNELS_INTERVAL), shutdown, || {
        for (topic, version) in channels.versions() {
            if sent.get(&topic) == Some(&version) {
                continue;
            }
            if let Some(dict) = channels.get(&topic) {
                hub.broadcast_to_topic(&topic, ServerMessage::Channels(&dict.list(&topic)).encode());
            }
            sent.insert(topic, version);
        }
    })
    .await;
}

async fn broadcast_laps(hub: Hub, laps: LapIndex, shutdown: impl Future<Output = ()>) {
    tick::every(tick::ticker(LAPS_INTERVAL), shutdown, || {
        for table in laps.updates() {
            hub.broadcast_to_topic(&table.topic, ServerMessage::Laps(&table).encode());
        }
    })
    .await;
}

/// Sends every viewer the same `stats` message, encoded once, each [`STATS_INTERVAL`].
async fn broadcast_stats(hub: Hub, status: Status, shutdown: impl Future<Output = ()>) {
    // The first stats go out after one interval, not at once: by then the cluster watcher
    // has looked at Kafka, so no page shows "unavailable" for a broker it has not tried.
    let ticker = tick::ticker_from(tokio::time::Instant::now() + STATS_INTERVAL, STATS_INTERVAL);
    let (mut last_count, mut last_at) = (status.total_consumed(), Instant::now());
    tick::every(ticker, shutdown, || {
        let (count, at) = (status.total_consumed(), Instant::now());
        let secs = at.duration_since(last_at).as_secs_f64();
        if secs > 0.0 {
            status.set_records_per_sec((count.saturating_sub(last_count)) as f64 / secs);
        }
        (last_count, last_at) = (count, at);
        hub.broadcast_stats(ServerMessage::Stats(&status.snapshot()).encode());
    })
    .await;
}
