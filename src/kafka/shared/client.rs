//! librdkafka setup, for every client Trackside makes (the group member, readers, the
//! cluster watcher, the simulator's producer): the defaults, building a configuration
//! from [`KafkaArgs`], keeping secrets out of what is shown, where librdkafka's own logs
//! go, and the wall clock its record timestamps are read against.

use rdkafka::{
    ClientConfig, ClientContext,
    config::{FromClientConfigAndContext, RDKafkaLogLevel},
    consumer::ConsumerContext,
    error::KafkaError,
    types::{RDKafkaConfRes, RDKafkaErrorCode},
};
use tracing::{debug, error, info, warn};

use crate::config::KafkaArgs;

/// Settings of every Kafka client Trackside makes, before its own and the user's.
/// librdkafka backs off reconnecting to a lost broker up to 10 s by default, which after
/// a broker restart leaves the page blank for as long; 1 s brings it back within about a
/// second of the broker.
const CLIENT_DEFAULTS: [(&str, &str); 1] = [("reconnect.backoff.max.ms", "1000")];

/// Settings every Trackside consumer shares (a `-X` property still overrides them).
/// Prefetch is bounded per partition; and when that bound is reached librdkafka pauses the
/// partition's fetches for `fetch.queue.backoff.ms`, a full second by default, which held
/// a 1,000,000-record replay to 9.6 s. At 10 ms it takes 2.3 s (kcat: 0.9 s).
const CONSUMER_DEFAULTS: [(&str, &str); 2] =
    [("queued.max.messages.kbytes", "16384"), ("fetch.queue.backoff.ms", "10")];

/// What a reader of `partitions` partitions, each from a queue of its own, lets librdkafka
/// prefetch per partition (`queued.max.messages.kbytes`): 16 MiB shared among them, from
/// 1 to 16 MiB each, so a reader of many partitions does not hold 16 MiB of each. A
/// replay decodes far slower than librdkafka fetches, so a deeper prefetch only held
/// memory (32 MiB, with 50,000 records read ahead, took a replay's peak RSS 50 to 80 MB
/// higher at the same CPU; docs/performance.md).
pub(crate) fn prefetch_per_partition_kb(partitions: usize) -> String {
    (16 * 1024 / partitions.max(1)).clamp(1024, 16 * 1024).to_string()
}

/// A librdkafka configuration: the brokers, Trackside's `defaults`, then the user's
/// own properties (the file, the SASL password, `-X`, each overriding the one before),
/// so a user can override anything Trackside sets.
pub(crate) fn client_config(kafka: &KafkaArgs, defaults: &[(&str, &str)]) -> ClientConfig {
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", &kafka.brokers);
    for (k, v) in CLIENT_DEFAULTS.iter().chain(defaults).copied().chain(user_properties(kafka)) {
        cfg.set(k, v);
    }
    cfg
}

/// A consumer configuration: the shared defaults, then `own`, then the user's `-X`.
pub(crate) fn consumer_config(kafka: &KafkaArgs, own: &[(&str, &str)]) -> ClientConfig {
    client_config(kafka, &[CONSUMER_DEFAULTS.as_slice(), own].concat())
}

/// A consumer for partitions it is assigned by hand (replays, backfills): it reads to
/// the end of each partition and says so, and never joins a group or commits. One fetch
/// request covers every partition a reader has; while some sat at the end of their logs
/// the broker held each request the default 500 ms, and a 200,000-record replay that
/// waited on the others took 5.0 s instead of 1.45 s.
/// librdkafka wants a group id even for `assign()`; this one is never joined, so the
/// broker never holds it.
pub(crate) fn reader_config(kafka: &KafkaArgs, client_id: &str) -> ClientConfig {
    reader_config_with(kafka, client_id, &[])
}

/// [`reader_config`] with more settings of the reader's own (still below the user's `-X`).
pub(crate) fn reader_config_with(kafka: &KafkaArgs, client_id: &str, more: &[(&str, &str)]) -> ClientConfig {
    let own = [
        ("client.id", client_id),
        ("group.id", client_id),
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("enable.partition.eof", "true"),
        ("fetch.wait.max.ms", "100"),
    ];
    consumer_config(kafka, &[own.as_slice(), more].concat())
}

/// The properties the user gave, in the order they apply.
fn user_properties(kafka: &KafkaArgs) -> impl Iterator<Item = (&str, &str)> {
    let file = kafka.config_file.iter().flat_map(|f| f.iter());
    let password = kafka.sasl_password.iter().map(|p| ("sasl.password", p.expose()));
    let x = kafka.properties.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    file.chain(password).chain(x)
}

/// A reader: a consumer of its own for a replay, an overview, a backfill or a look-up.
pub(crate) fn reader<C: FromClientConfigAndContext<ReaderContext>>(
    kafka: &KafkaArgs,
    client_id: &str,
) -> Result<C, crate::kafka::KafkaError> {
    reader_config(kafka, client_id).create_with_context(ReaderContext).map_err(crate::kafka::KafkaError::Create)
}

/// The context of every reader: librdkafka's logs go through [`log`], and its error
/// events are logged at the level they deserve. rdkafka hands every error event to the
/// context as well as to the consumer, and its default context logs them all as errors,
/// "reached the end of partition" among them, which a reader at the live edge hears after
/// every fetch. The consumer's own loop acts on that one.
pub(crate) struct ReaderContext;

impl ClientContext for ReaderContext {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() != Some(RDKafkaErrorCode::PartitionEOF) {
            warn!(error = %error, reason, "Kafka reader error");
        }
    }
}

impl ConsumerContext for ReaderContext {}

/// The user's properties with secrets replaced, fit for logs and pages.
pub(crate) fn redacted_properties(kafka: &KafkaArgs) -> Vec<(String, String)> {
    user_properties(kafka).map(|(k, v)| (k.to_owned(), if is_secret(k) { REDACTED } else { v }.to_owned())).collect()
}

/// Here, beside the redaction, so that no other module shows a property's value.
impl std::fmt::Debug for KafkaArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaArgs")
            .field("brokers", &self.brokers)
            .field("properties", &redacted_properties(self))
            .finish()
    }
}

/// What a secret is shown as.
const REDACTED: &str = "[redacted]";

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
fn is_secret(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    SENSITIVE.contains(&key.as_str())
        || ["password", "passphrase", "secret", "jaas", ".pem"].iter().any(|s| key.contains(s))
}

/// An error from building a librdkafka client, with the value of a secret property
/// taken out. librdkafka's refusal names the property and rust-rdkafka appends the value
/// as given; a misspelt key (`sasl.pasword`) is unknown to librdkafka and so cannot be
/// told apart from a secret: its value goes too.
pub(crate) fn redact_kafka_error(e: &KafkaError) -> KafkaError {
    match e {
        KafkaError::ClientConfig(res, desc, key, value)
            if !value.is_empty() && (is_secret(key) || *res == RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN) =>
        {
            KafkaError::ClientConfig(*res, desc.replace(value.as_str(), REDACTED), key.clone(), REDACTED.to_owned())
        }
        other => other.clone(),
    }
}

/// Where a client context sends librdkafka's own log lines: to `tracing`, under the
/// target `librdkafka`, at the level librdkafka gave, with its facility as a field.
pub(crate) fn log(level: RDKafkaLogLevel, facility: &str, message: &str) {
    use RDKafkaLogLevel as L;
    match level {
        L::Emerg | L::Alert | L::Critical | L::Error => error!(target: "librdkafka", facility, "{message}"),
        L::Warning => warn!(target: "librdkafka", facility, "{message}"),
        L::Notice | L::Info => info!(target: "librdkafka", facility, "{message}"),
        L::Debug => debug!(target: "librdkafka", facility, "{message}"),
    }
}

/// Milliseconds since the Unix epoch, as Kafka's record timestamps count.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use rdkafka::consumer::BaseConsumer;

    use super::*;
    use crate::config::{Command, tests::parse};

    #[test]
    fn properties_pass_through_and_secrets_are_redacted() {
        let cli = parse(&["serve", "-X", "sasl.password=hunter2", "-X", "fetch.wait.max.ms=10"]).unwrap();
        let Command::Serve(s) = cli.command else { panic!("not serve") };
        let cfg = client_config(&s.kafka, &[("fetch.wait.max.ms", "100")]);
        assert_eq!(cfg.get("fetch.wait.max.ms"), Some("10"), "-X overrides defaults");
        assert_eq!(cfg.get("sasl.password"), Some("hunter2"));
        let shown = format!("{:?}", redacted_properties(&s.kafka));
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
        let shown = format!("{:?} {s:?}", redacted_properties(&s.kafka));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("SASL_SSL") && shown.contains("SCRAM-SHA-512"), "{shown}");
        assert!(!is_secret("ssl.ca.location") && !is_secret("ssl.endpoint.identification.algorithm"));
    }

    #[test]
    fn the_sasl_password_option_sets_sasl_password_and_never_shows() {
        let Command::Simulate(s) = parse(&["simulate", "--sasl-password", "pit;lane=1"]).unwrap().command else {
            panic!("not simulate")
        };
        assert_eq!(client_config(&s.kafka, &[]).get("sasl.password"), Some("pit;lane=1"));
        assert!(!format!("{s:?} {:?}", redacted_properties(&s.kafka)).contains("pit;lane"));
        let Command::Serve(s) = parse(&["serve", "--sasl-password", "a", "-X", "sasl.password=b"]).unwrap().command
        else {
            panic!("not serve")
        };
        assert_eq!(client_config(&s.kafka, &[]).get("sasl.password"), Some("b"), "-X comes last");
        assert!(parse(&["serve", "--sasl-password", ""]).is_err());
    }

    #[test]
    fn a_refused_property_never_shows_a_secret_value() {
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
