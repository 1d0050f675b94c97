//! Command-line and environment configuration for every subcommand. Every option has a
//! `TRACKSIDE_*` variable; librdkafka properties pass through as kcat's `-X key=value`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::{channels::math::MathChannels, mapping::Mappings};

mod bridge;
mod kafka;

pub use bridge::{BridgeArgs, FormatArg};
pub use kafka::KafkaArgs;

/// `--version`: the version and the git commit it was built from (build.rs; "unknown"
/// when built outside a git checkout). A test build says so, since it honours `FAILPOINTS`.
const VERSION: &str = if cfg!(feature = "failpoints") {
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("TRACKSIDE_GIT_COMMIT"), "; test build, with fail points)")
} else {
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("TRACKSIDE_GIT_COMMIT"), ")")
};

#[derive(Debug, Parser)]
#[command(name = "trackside", version = VERSION, about = "Live racing telemetry from Apache Kafka, in the browser")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How log lines are written to stderr: `text` for a person, `json` (one object a
    /// line) for a log collector. `RUST_LOG` filters them (default `info`).
    #[arg(long, env = "TRACKSIDE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// See [`Cli::log_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Consume telemetry as a consumer-group member and serve the live dashboard.
    Serve(ServeArgs),
    /// Produce a realistic race for a field of cars.
    Simulate(SimulateArgs),
    /// Produce a game's UDP telemetry (Forza, F1, OutGauge) to Kafka as contract records.
    Bridge(BridgeArgs),
}

/// A value that must never be printed: its `Debug` says `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

fn parse_secret(s: &str) -> Result<Secret, String> {
    if s.len() < 8 {
        return Err("an access token needs at least 8 characters".into());
    }
    Ok(Secret(s.to_owned()))
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Address to listen on for HTTP and WebSocket.
    #[arg(long, env = "TRACKSIDE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Consumer group the live consumer joins.
    #[arg(long, env = "TRACKSIDE_GROUP_ID", default_value = "trackside")]
    pub group_id: String,
    /// Topics the group always consumes; topics chosen in the page are added to these.
    #[arg(long, env = "TRACKSIDE_TOPICS", value_delimiter = ',', default_value = "telemetry")]
    pub topics: Vec<String>,
    /// Seconds a topic chosen in the page stays read after its last viewer stopped
    /// watching it; then it leaves the subscription (the `--topics` never do).
    #[arg(long, env = "TRACKSIDE_TOPIC_IDLE_SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub topic_idle_secs: u64,
    /// Seconds of recent history kept per partition and sent to a viewer on connect.
    #[arg(long, env = "TRACKSIDE_HISTORY_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub history_secs: u64,
    /// Most data frames sent to one viewer per second; records in between are batched.
    #[arg(long, env = "TRACKSIDE_MAX_FRAME_RATE", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=120))]
    pub max_frame_rate: u32,
    /// Bytes one viewer may have queued before the oldest live batches are dropped.
    #[arg(long, env = "TRACKSIDE_CLIENT_QUEUE_BYTES", default_value_t = 4 << 20,
          value_parser = clap::value_parser!(u64).range(64 << 10..=256 << 20))]
    pub client_queue_bytes: u64,
    /// Web origins, besides the server's own, whose pages may open the WebSocket
    /// (e.g. `https://pitwall.example`); `*` allows any.
    #[arg(long, env = "TRACKSIDE_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Seconds a viewer may stay silent, answers to the server's pings included, before it
    /// is disconnected. Browsers answer pings by themselves.
    #[arg(long, env = "TRACKSIDE_IDLE_TIMEOUT_SECS", default_value_t = 45,
          value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub idle_timeout_secs: u64,
    /// An access token for the page, the API and the WebSocket (as the basic-auth
    /// password, or a bearer token); `/healthz` stays open. Unset: no access control.
    #[arg(long, env = "TRACKSIDE_AUTH_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub auth_token: Option<Secret>,
    /// Seconds a viewer may take to accept one frame before it is disconnected: a browser
    /// that stopped reading (a sleeping laptop, a dead link) holds nothing up for long.
    #[arg(long, env = "TRACKSIDE_STALL_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub stall_timeout_secs: u64,
    /// Most WebSocket viewers at once; further ones are refused with 503.
    #[arg(long, env = "TRACKSIDE_MAX_CLIENTS", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_clients: u32,
    /// Most replays running at once; each is a Kafka consumer of its own.
    #[arg(long, env = "TRACKSIDE_MAX_REPLAYS", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub max_replays: u16,
    /// Rows in each row group of an exported Parquet file (`/api/export`); an export holds
    /// at most about three times this many records, whatever its span. Exports share the
    /// `--max-replays` reader slots.
    #[arg(long, env = "TRACKSIDE_EXPORT_ROW_GROUP", default_value_t = 16_384,
          value_parser = clap::value_parser!(u32).range(64..=1_048_576))]
    pub export_row_group: u32,
    /// Seconds the group consumer may make no progress while Kafka answers and records
    /// wait for it, before it is replaced by a new one (librdkafka can get stuck after a
    /// broker restart); 0 turns the watchdog off.
    #[arg(long, env = "TRACKSIDE_STUCK_TIMEOUT_SECS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub stuck_timeout_secs: u64,
    /// A field mapping (TOML) for topics whose JSON is not Trackside's contract: where
    /// each field is and in what unit (see `examples/mapping/`).
    #[arg(long, env = "TRACKSIDE_MAPPING", value_name = "FILE", value_parser = load_mapping)]
    pub mapping: Option<Mappings>,
    /// Math channels (TOML, `[channels]` of `name = "expression"`): channels computed
    /// from others for every record, per car, e.g. `g_total = "sqrt(g.lat^2 + g.long^2)"`.
    #[arg(long, env = "TRACKSIDE_CHANNELS", value_name = "FILE", value_parser = load_channels)]
    pub channels: Option<MathChannels>,
    /// Let viewers write notes on the timeline into Kafka (`POST /api/annotations`): the
    /// only record `serve` ever writes, and the only topic it ever creates. Off: read-only.
    #[arg(long, env = "TRACKSIDE_ANNOTATIONS")]
    pub annotations: bool,
    /// The topic a data topic's notes are kept in, `{topic}` standing for the data
    /// topic's name. Read whether or not `--annotations` is on.
    #[arg(long, env = "TRACKSIDE_ANNOTATIONS_TOPIC", default_value = "{topic}.annotations",
          value_parser = parse_annotations_topic)]
    pub annotations_topic: String,
    /// A schema registry's Confluent-compatible API (Confluent, Apicurio's
    /// `/apis/ccompat/v7`, Redpanda): records in the wire format are decoded by their
    /// schema. Credentials from TRACKSIDE_SCHEMA_REGISTRY_USER and _PASSWORD, or _TOKEN.
    #[arg(long, env = "TRACKSIDE_SCHEMA_REGISTRY", value_name = "URL")]
    pub schema_registry: Option<String>,
    /// Serve the page's scripts and styles from this directory instead of the copies built
    /// into the binary: for working on the page without rebuilding (`--static-dir static`).
    #[arg(long, env = "TRACKSIDE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Serve uPlot from this directory instead of the copy built into the binary.
    #[arg(long, env = "TRACKSIDE_UPLOT_DIR")]
    pub uplot_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topic to produce to.
    #[arg(long, env = "TRACKSIDE_TOPIC", default_value = "telemetry")]
    pub topic: String,
    /// Partitions to create the topic with, when it does not exist yet.
    #[arg(long, env = "TRACKSIDE_PARTITIONS", default_value_t = 6,
          value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub partitions: i32,
    /// Cars in the field.
    #[arg(long, env = "TRACKSIDE_CARS", default_value_t = 20,
          value_parser = clap::value_parser!(u16).range(1..=500))]
    pub cars: u16,
    /// Samples per second per car.
    #[arg(long, env = "TRACKSIDE_HZ", default_value_t = 20.0, value_parser = parse_hz)]
    pub hz: f64,
    /// Stop after this many seconds of race time (default: run until Ctrl-C).
    #[arg(long, env = "TRACKSIDE_DURATION_SECS")]
    pub duration_secs: Option<f64>,
    /// Stop after this many records.
    #[arg(long, env = "TRACKSIDE_COUNT")]
    pub count: Option<u64>,
    /// Seed of the race: the same seed gives the same race.
    #[arg(long, env = "TRACKSIDE_SEED", default_value_t = 7)]
    pub seed: u64,
    /// Produce as fast as possible instead of in real time (for filling topics).
    #[arg(long, env = "TRACKSIDE_AS_FAST_AS_POSSIBLE")]
    pub as_fast_as_possible: bool,
    /// How records are written: JSON, or Avro or Protobuf in the Confluent wire format by
    /// examples/schemas/simulator.avsc or .proto, registered as `<topic>-value` (needs
    /// --schema-registry).
    #[arg(long, env = "TRACKSIDE_FORMAT", value_enum, default_value_t = SimulateFormat::Json)]
    pub format: SimulateFormat,
    /// The schema registry's Confluent-compatible API, for `--format avro` and `protobuf`.
    #[arg(long, env = "TRACKSIDE_SCHEMA_REGISTRY", value_name = "URL",
          required_if_eq_any([("format", "avro"), ("format", "protobuf")]))]
    pub schema_registry: Option<String>,
}

/// How `simulate` writes its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimulateFormat {
    Json,
    Avro,
    Protobuf,
}

/// An annotations topic template: it names `{topic}`, and with a topic name in it gives
/// a name Kafka accepts.
fn parse_annotations_topic(s: &str) -> Result<String, String> {
    if !s.contains(crate::annotations::TOPIC_PLACEHOLDER) {
        return Err(format!("`{s}` must contain `{{topic}}`, where the data topic's name goes"));
    }
    if s == crate::annotations::TOPIC_PLACEHOLDER {
        return Err("notes need a topic of their own, not the data topic: add to `{topic}`".into());
    }
    crate::selection::check_topic_name(&crate::annotations::topic_for(s, "t")).map_err(|e| e.to_string())?;
    Ok(s.to_owned())
}

fn load_mapping(path: &str) -> Result<Mappings, String> {
    Mappings::load(std::path::Path::new(path)).map_err(|e| e.to_string())
}

fn load_channels(path: &str) -> Result<MathChannels, String> {
    MathChannels::load(std::path::Path::new(path)).map_err(|e| e.to_string())
}

fn parse_hz(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(hz) if hz > 0.0 && hz <= 1000.0 => Ok(hz),
        _ => Err(format!("expected a rate above 0 and at most 1000, got `{s}`")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The command line `trackside ARGS...`, parsed.
    pub(crate) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("trackside").chain(args.iter().copied()))
    }

    #[test]
    fn serve_has_sensible_defaults() {
        let Command::Serve(s) = parse(&["serve"]).unwrap().command else { panic!("not serve") };
        assert_eq!(s.kafka.brokers, "localhost:9092");
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!((s.group_id.as_str(), s.topics.as_slice()), ("trackside", &["telemetry".to_owned()][..]));
        assert_eq!(s.history_secs, 60);
        assert_eq!(s.topic_idle_secs, 600);
        let cli = parse(&["serve", "--log-format", "json"]).unwrap();
        assert_eq!(cli.log_format, LogFormat::Json);
        assert_eq!(parse(&["simulate"]).unwrap().log_format, LogFormat::Text);
    }

    #[test]
    fn annotations_are_off_by_default_and_their_topic_template_must_name_the_topic() {
        let Command::Serve(s) = parse(&["serve"]).unwrap().command else { panic!("not serve") };
        assert!(!s.annotations, "serve is read-only unless asked");
        assert_eq!(s.annotations_topic, "{topic}.annotations");
        let Command::Serve(s) =
            parse(&["serve", "--annotations", "--annotations-topic", "notes.{topic}"]).unwrap().command
        else {
            panic!("not serve")
        };
        assert!(s.annotations);
        assert_eq!(s.annotations_topic, "notes.{topic}");
        assert!(parse(&["serve", "--annotations-topic", "notes"]).is_err(), "no {{topic}}");
        assert!(parse(&["serve", "--annotations-topic", "{topic} notes"]).is_err(), "not a topic name");
        assert!(parse(&["serve", "--annotations-topic", "{topic}"]).is_err(), "the data topic itself");
    }

    #[test]
    fn an_access_token_never_shows_in_debug_output() {
        let Command::Serve(s) = parse(&["serve", "--auth-token", "pitwall-2026"]).unwrap().command else {
            panic!("not serve")
        };
        assert_eq!(s.auth_token.as_ref().map(Secret::expose), Some("pitwall-2026"));
        assert!(!format!("{s:?}").contains("pitwall-2026"));
        assert!(parse(&["serve", "--auth-token", "short"]).is_err());
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse(&["serve", "-X", "novalue"]).is_err());
        assert!(parse(&["serve", "--history-secs", "99999"]).is_err());
        assert!(parse(&["serve", "--topic-idle-secs", "0"]).is_err());
        assert!(parse(&["serve", "--listen", "nowhere"]).is_err());
        assert!(parse(&["simulate", "--hz", "0"]).is_err());
        assert!(parse(&["simulate", "--cars", "0"]).is_err());
        assert!(parse(&["launch"]).is_err());
        assert!(parse(&["serve", "--log-format", "xml"]).is_err());
    }
}
