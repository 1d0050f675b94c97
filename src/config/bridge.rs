//! `trackside bridge`'s options: where game telemetry arrives (a UDP address or a
//! capture file), which game, how it is thinned and buffered, and the Kafka flags every
//! subcommand shares.

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;

use super::{KafkaArgs, parse_hz};

#[derive(Debug, Clone, Args)]
pub struct BridgeArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// UDP address the game sends to. A console or another PC on the network needs
    /// `0.0.0.0:PORT` and this machine's address set in the game.
    #[arg(long, env = "TRACKSIDE_BRIDGE_LISTEN", default_value = "127.0.0.1:5300")]
    pub listen: SocketAddr,
    /// Topic to produce to.
    #[arg(long, env = "TRACKSIDE_TOPIC", default_value = "telemetry")]
    pub topic: String,
    /// Partitions to create the topic with, when it does not exist yet.
    #[arg(long, env = "TRACKSIDE_PARTITIONS", default_value_t = 6,
          value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub partitions: i32,
    /// The game's telemetry format; `auto` recognises it from the first datagram.
    #[arg(long, env = "TRACKSIDE_BRIDGE_FORMAT", value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// The car id (the record key) of the player's car, for Forza and OutGauge; F1 names
    /// every car by its race number.
    #[arg(long, env = "TRACKSIDE_CAR", default_value = "1")]
    pub car: String,
    /// The driver's name, for Forza and OutGauge; F1 sends every driver's.
    #[arg(long, env = "TRACKSIDE_DRIVER")]
    pub driver: Option<String>,
    /// At most this many records per second per car (the games send 60); default: all.
    #[arg(long, env = "TRACKSIDE_HZ", value_parser = parse_hz)]
    pub hz: Option<f64>,
    /// Also pass every datagram on, unchanged, to this address (a game sends to one
    /// address only, so the player's other tools listen here). Repeatable.
    #[arg(long, env = "TRACKSIDE_BRIDGE_FORWARD", value_delimiter = ',')]
    pub forward: Vec<SocketAddr>,
    /// Records waiting for Kafka (while it is unreachable) beyond which the oldest are
    /// dropped and counted. 100,000 is over a minute of a full 22-car F1 field at 60 Hz.
    #[arg(long, env = "TRACKSIDE_BRIDGE_BUFFER", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub buffer: u64,
    /// Save every datagram received, with its timing, to this file (see `--from-file`).
    #[arg(long, env = "TRACKSIDE_BRIDGE_RECORD", value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Play a capture made with `--record` into Kafka at its recorded pace, instead of
    /// listening; stops at its end.
    #[arg(long, env = "TRACKSIDE_BRIDGE_FROM_FILE", value_name = "FILE", conflicts_with = "record")]
    pub from_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Auto,
    Forza,
    F1,
    #[value(name = "outgauge")]
    OutGauge,
}

#[cfg(test)]
mod tests {
    use crate::config::{Command, FormatArg, tests::parse};

    #[test]
    fn bridge_takes_the_kafka_flags_and_has_sensible_defaults() {
        let Command::Bridge(b) = parse(&["bridge", "--brokers", "k:9092", "-X", "acks=1"]).unwrap().command else {
            panic!("not bridge")
        };
        assert_eq!((b.kafka.brokers.as_str(), b.kafka.properties.len()), ("k:9092", 1));
        assert_eq!(
            (b.listen.to_string().as_str(), b.topic.as_str(), b.car.as_str()),
            ("127.0.0.1:5300", "telemetry", "1")
        );
        assert_eq!((b.format, b.hz, b.buffer), (FormatArg::Auto, None, 100_000));
    }

    #[test]
    fn bad_bridge_values_are_refused() {
        assert!(parse(&["bridge", "--format", "gt7"]).is_err());
        assert!(parse(&["bridge", "--hz", "0"]).is_err());
        assert!(parse(&["bridge", "--buffer", "0"]).is_err());
        assert!(parse(&["bridge", "--forward", "nowhere"]).is_err());
        assert!(parse(&["bridge", "--record", "a", "--from-file", "b"]).is_err());
        let Command::Bridge(b) =
            parse(&["bridge", "--format", "outgauge", "--forward", "127.0.0.1:1,127.0.0.1:2"]).unwrap().command
        else {
            panic!("not bridge")
        };
        assert_eq!((b.format, b.forward.len()), (FormatArg::OutGauge, 2));
    }
}
