//! How to reach Kafka, for both subcommands: the brokers and librdkafka's own properties,
//! from `-X`, a properties file and the SASL password variable; and keeping their secrets
//! out of logs, errors and pages.

use clap::Args;
use rdkafka::ClientConfig;

use super::Secret;

/// How to reach Kafka; shared by both subcommands.
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

    /// A librdkafka configuration: the brokers, Trackside's `defaults`, then the user's
    /// own properties (the file, the SASL password, `-X`, each overriding the one before),
    /// so a user can override anything Trackside sets.
    pub fn client_config(&self, defaults: &[(&str, &str)]) -> ClientConfig {
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", &self.brokers);
        for (k, v) in CLIENT_DEFAULTS.iter().chain(defaults).copied().chain(self.user_properties()) {
            cfg.set(k, v);
        }
        cfg
    }

    /// The properties the user gave, in the order they apply.
    fn user_properties(&self) -> impl Iterator<Item = (&str, &str)> {
        let file = self.config_file.iter().flat_map(|f| &f.0);
        let password = self.sasl_password.iter().map(|p| ("sasl.password", p.expose()));
        let x = self.properties.iter();
        file.map(|(k, v)| (k.as_str(), v.as_str())).chain(password).chain(x.map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The user's properties with secrets replaced, fit for logs and pages.
    pub fn redacted_properties(&self) -> Vec<(String, String)> {
        self.user_properties()
            .map(|(k, v)| (k.to_owned(), if is_secret(k) { REDACTED } else { v }.to_owned()))
            .collect()
    }
}

/// Settings of every Kafka client Trackside makes, before its own and the user's.
/// librdkafka backs off reconnecting to a lost broker up to 10 s by default, which after
/// a broker restart leaves the page blank for as long; 1 s brings it back within about a
/// second of the broker.
const CLIENT_DEFAULTS: [(&str, &str); 1] = [("reconnect.backoff.max.ms", "1000")];

impl std::fmt::Debug for KafkaArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaArgs")
            .field("brokers", &self.brokers)
            .field("properties", &self.redacted_properties())
            .finish()
    }
}

/// What a secret is shown as.
pub const REDACTED: &str = "[redacted]";

/// Properties librdkafka itself treats as sensitive (`_RK_SENSITIVE` in its
/// rdkafka_conf.c, redacted in its own configuration dumps).
const SENSITIVE: &[&str] = &[
    "sasl.username",
    "sasl.password",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.assertion.private.key.file",
    "sasl.oauthbearer.assertion.private.key.passphrase",
    "sasl.oauthbearer.assertion.private.key.pem",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl_key",
    "ssl.ca.pem",
    "ssl.keystore.password",
];

/// Whether a librdkafka property's value must never be shown: librdkafka's sensitive
/// ones, and anything named like a password, secret or key material, so a property
/// librdkafka adds later is hidden too.
pub fn is_secret(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    SENSITIVE.contains(&key.as_str())
        || ["password", "passphrase", "secret", "jaas", ".pem"].iter().any(|s| key.contains(s))
}

/// An error from building a librdkafka client, with the value of a secret property
/// taken out. librdkafka's refusal names the property and rust-rdkafka appends the value
/// as given; a misspelt key (`sasl.pasword`) is unknown to librdkafka and so cannot be
/// told apart from a secret: its value goes too.
pub fn redact_kafka_error(e: &rdkafka::error::KafkaError) -> rdkafka::error::KafkaError {
    use rdkafka::{error::KafkaError, types::RDKafkaConfRes};
    match e {
        KafkaError::ClientConfig(res, desc, key, value)
            if !value.is_empty() && (is_secret(key) || *res == RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN) =>
        {
            KafkaError::ClientConfig(*res, desc.replace(value.as_str(), REDACTED), key.clone(), REDACTED.to_owned())
        }
        other => other.clone(),
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
    use crate::config::{Command, tests::parse};

    #[test]
    fn properties_pass_through_and_secrets_are_redacted() {
        let cli = parse(&["serve", "-X", "sasl.password=hunter2", "-X", "fetch.wait.max.ms=10"]).unwrap();
        let Command::Serve(s) = cli.command else { panic!("not serve") };
        let cfg = s.kafka.client_config(&[("fetch.wait.max.ms", "100")]);
        assert_eq!(cfg.get("fetch.wait.max.ms"), Some("10"), "-X overrides defaults");
        assert_eq!(cfg.get("sasl.password"), Some("hunter2"));
        let shown = format!("{:?}", s.kafka.redacted_properties());
        assert!(!shown.contains("hunter2") && shown.contains("fetch.wait.max.ms"), "{shown}");
        let debug = format!("{s:?} {cfg:?}");
        assert!(!debug.contains("hunter2") && debug.contains("[redacted]"), "{debug}");
    }

    #[test]
    fn every_property_librdkafka_calls_sensitive_is_redacted_and_no_other() {
        let mut args = vec!["serve"];
        let props: Vec<String> = SENSITIVE
            .iter()
            .chain(&["sasl.kerberos.password.new", "some.future.secret", "sasl.oauthbearer.assertion.private.key.pem"])
            .map(|k| format!("{k}=s3cr3t-{k}"))
            .collect();
        for p in &props {
            args.extend(["-X", p.as_str()]);
        }
        args.extend(["-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanism=SCRAM-SHA-512"]);
        let Command::Serve(s) = parse(&args).unwrap().command else { panic!("not serve") };
        let shown = format!("{:?} {s:?}", s.kafka.redacted_properties());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("SASL_SSL") && shown.contains("SCRAM-SHA-512"), "{shown}");
        assert!(!is_secret("ssl.ca.location") && !is_secret("ssl.endpoint.identification.algorithm"));
    }

    #[test]
    fn the_sasl_password_option_sets_sasl_password_and_never_shows() {
        let Command::Simulate(s) = parse(&["simulate", "--sasl-password", "pit;lane=1"]).unwrap().command else {
            panic!("not simulate")
        };
        assert_eq!(s.kafka.client_config(&[]).get("sasl.password"), Some("pit;lane=1"));
        assert!(!format!("{s:?} {:?}", s.kafka.redacted_properties()).contains("pit;lane"));
        let Command::Serve(s) = parse(&["serve", "--sasl-password", "a", "-X", "sasl.password=b"]).unwrap().command
        else {
            panic!("not serve")
        };
        assert_eq!(s.kafka.client_config(&[]).get("sasl.password"), Some("b"), "-X comes last");
        assert!(parse(&["serve", "--sasl-password", ""]).is_err());
    }

    #[test]
    fn a_properties_file_is_read_like_kcats_and_x_overrides_it() {
        let path = std::env::temp_dir().join(format!("trackside-props-{}", std::process::id()));
        std::fs::write(&path, "# SCRAM\n\nsasl.mechanism = SCRAM-SHA-256\nsasl.password=p=ss word \nacks=1\r\n")
            .unwrap();
        let file = path.to_str().unwrap();
        let parsed = parse(&["serve", "--kafka-config", file, "-X", "acks=all"]);
        std::fs::remove_file(&path).unwrap();
        let Command::Serve(s) = parsed.unwrap().command else { panic!("not serve") };
        let cfg = s.kafka.client_config(&[]);
        assert_eq!(cfg.get("sasl.mechanism"), Some("SCRAM-SHA-256"));
        assert_eq!(cfg.get("sasl.password"), Some("p=ss word "), "the value is kept as written");
        assert_eq!(cfg.get("acks"), Some("all"));
        assert!(!format!("{s:?}").contains("p=ss"));

        let err = parse_properties("sasl.password hunter2").err().unwrap();
        assert_eq!(err, "line 1: expected KEY=VALUE", "the line is never quoted");
        assert!(parse(&["serve", "-F", "/no/such/file"]).unwrap_err().to_string().contains("/no/such/file"));
    }

    #[test]
    fn a_refused_property_never_shows_a_secret_value() {
        use rdkafka::consumer::BaseConsumer;
        let refuse = |k: &str, v: &str| {
            let e = ClientConfig::new().set(k, v).create::<BaseConsumer>().err().expect("refused");
            let e = redact_kafka_error(&e);
            format!("{e} {e:?}")
        };
        // Misspelt: librdkafka does not know it is a password, so no value of an unknown key shows.
        let shown = refuse("sasl.pasword", "hunter2");
        assert!(shown.contains("sasl.pasword") && !shown.contains("hunter2"), "{shown}");
        // Known and secret, but refused: OIDC needs libcurl, which this build leaves out.
        let shown = refuse("sasl.oauthbearer.client.secret", "hunter2");
        assert!(shown.contains("not supported in this build") && !shown.contains("hunter2"), "{shown}");
        // A value librdkafka rejects for a property it knows is still shown: it helps.
        let shown = refuse("security.protocol", "SASL_TLS");
        assert!(shown.contains("SASL_TLS"), "{shown}");
    }
}
