//! How to reach Kafka, for every subcommand: the brokers and librdkafka's own properties,
//! from `-X`, a properties file and the SASL password variable. What becomes of them,
//! and how their secrets stay out of logs, errors and pages, is
//! [`crate::kafka::shared::client`]'s.

use clap::Args;

use super::Secret;

/// How to reach Kafka; shared by every subcommand. Its `Debug`, with secrets redacted,
/// is in [`crate::kafka::shared::client`].
#[derive(Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, comma-separated.
    #[arg(long, env = "TRACKSIDE_BROKERS", default_value = "localhost:9092")]
    pub brokers: String,
    /// A file of librdkafka properties, one `key=value` a line (`#` starts a comment), as
    /// kcat's `-F`: the place for secrets, which a command line shows to anyone running `ps`.
    #[arg(short = 'F', long = "kafka-config", value_name = "FILE", env = "TRACKSIDE_KAFKA_CONFIG",
          value_parser = read_properties_file)]
    pub config_file: Option<PropertiesFile>,
    /// The SASL password (librdkafka's `sasl.password`). Prefer the variable: a command
    /// line is visible to anyone running `ps`.
    #[arg(long, env = "TRACKSIDE_KAFKA_SASL_PASSWORD", hide_env_values = true, value_parser = parse_password)]
    pub sasl_password: Option<Secret>,
    /// A librdkafka property, as `-X key=value` (repeatable; in the variable, separate with `;`).
    // hide_env_values: `--help` would otherwise print the variable, secrets and all.
    #[arg(short = 'X', long = "property", value_name = "KEY=VALUE", env = "TRACKSIDE_KAFKA_PROPERTIES",
          value_delimiter = ';', value_parser = parse_property, hide_env_values = true)]
    pub properties: Vec<(String, String)>,
}

impl KafkaArgs {
    /// Brokers and nothing else: the defaults of every other option.
    pub fn new(brokers: &str) -> KafkaArgs {
        KafkaArgs { brokers: brokers.to_owned(), config_file: None, sasl_password: None, properties: Vec::new() }
    }
}

/// The librdkafka properties of a `--kafka-config` file; never shown (its `Debug` says
/// only how many there are).
#[derive(Clone)]
pub struct PropertiesFile(Vec<(String, String)>);

impl std::fmt::Debug for PropertiesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PropertiesFile({} properties)", self.0.len())
    }
}

impl PropertiesFile {
    /// The properties, in the file's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Reads a properties file as Java clients and kcat's `-F` do: `key=value` a line, blank
/// lines and lines starting with `#` skipped, spaces around the key and `=` trimmed.
fn read_properties_file(path: &str) -> Result<PropertiesFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    parse_properties(&text).map_err(|e| format!("{path}: {e}"))
}

fn parse_properties(text: &str) -> Result<PropertiesFile, String> {
    let mut props = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Never quote the line: it may hold a secret.
        let (k, v) = line
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| format!("line {}: expected KEY=VALUE", n + 1))?;
        props.push((k.trim().to_owned(), v.trim_start().trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(PropertiesFile(props))
}

fn parse_password(s: &str) -> Result<Secret, String> {
    if s.is_empty() {
        return Err("the SASL password is empty".into());
    }
    Ok(Secret(s.to_owned()))
}

fn parse_property(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        config::{Command, tests::parse},
        kafka::shared::client::client_config,
    };

    #[test]
    fn a_properties_file_is_read_like_kcats_and_x_overrides_it() {
        let path = std::env::temp_dir().join(format!("trackside-props-{}", std::process::id()));
        std::fs::write(&path, "# SCRAM\n\nsasl.mechanism = SCRAM-SHA-256\nsasl.password=p=ss word \nacks=1\r\n")
            .unwrap();
        let file = path.to_str().unwrap();
        let parsed = parse(&["serve", "--kafka-config", file, "-X", "acks=all"]);
        std::fs::remove_file(&path).unwrap();
        let Command::Serve(s) = parsed.unwrap().command else { panic!("not serve") };
        let cfg = client_config(&s.kafka, &[]);
        assert_eq!(cfg.get("sasl.mechanism"), Some("SCRAM-SHA-256"));
        assert_eq!(cfg.get("sasl.password"), Some("p=ss word "), "the value is kept as written");
        assert_eq!(cfg.get("acks"), Some("all"));
        assert!(!format!("{s:?}").contains("p=ss"));

        let err = parse_properties("sasl.password hunter2").err().unwrap();
        assert_eq!(err, "line 1: expected KEY=VALUE", "the line is never quoted");
        assert!(parse(&["serve", "-F", "/no/such/file"]).unwrap_err().to_string().contains("/no/such/file"));
    }
}
