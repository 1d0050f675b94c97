//! Kafka security: SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS through librdkafka
//! properties, against a private broker with SASL_PLAINTEXT and SASL_SSL listeners
//! (scripts/kafka.sh), and a password that never shows: not in logs, the API, metrics,
//! the page or the WebSocket.

use std::time::Instant;

use serde_json::Value;

use crate::helpers::*;

/// A private broker with a SASL_PLAINTEXT and a SASL_SSL listener besides its plain one,
/// and one user, `trackside`, with a password of this run's own.
struct SecureBroker {
    broker: PrivateBroker,
    sasl: String,
    ssl: String,
    password: String,
}

impl SecureBroker {
    fn start() -> SecureBroker {
        let mut broker = PrivateBroker::reserve();
        let taken = [broker.port, broker.port + 1];
        let free = || loop {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if !taken.contains(&port) {
                return port;
            }
        };
        let (sasl, ssl) = (free(), free());
        assert_ne!(sasl, ssl);
        let password = unique("pw");
        broker.env.push(("TRACKSIDE_KAFKA_SASL_PORT", sasl.to_string()));
        broker.env.push(("TRACKSIDE_KAFKA_SSL_PORT", ssl.to_string()));
        broker.env.push(("TRACKSIDE_KAFKA_SASL_USER", "trackside".into()));
        broker.env.push(("TRACKSIDE_KAFKA_SASL_PASSWORD", password.clone()));
        let started = Instant::now();
        broker.kafka_sh("up");
        eprintln!("private SASL broker up in {:.1} s", started.elapsed().as_secs_f64());
        SecureBroker { sasl: format!("127.0.0.1:{sasl}"), ssl: format!("127.0.0.1:{ssl}"), password, broker }
    }

    /// The CA that signed the broker's certificate, for `ssl.ca.location`.
    fn ca(&self) -> String {
        self.broker.state.join("tls/ca.pem").to_str().unwrap().to_owned()
    }
}

/// Runs `trackside simulate` with `args` and `env`; returns its success and everything it printed.
fn simulate(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
        .arg("simulate")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

/// Everything the server shows over HTTP: the page, the API and the metrics.
async fn everything_served(server: &ServeProcess) -> String {
    let mut all = String::new();
    for path in ["/", "/healthz", "/api/stats", "/api/topics", "/metrics"] {
        let body = reqwest::get(format!("{}{path}", server.url)).await.unwrap().text().await.unwrap();
        all.push_str(&body);
    }
    all
}

#[tokio::test]
async fn a_simulator_on_sasl_plain_feeds_a_server_on_scram_over_tls_and_the_password_never_shows() {
    // Arrange: a SASL broker; the simulator authenticates with PLAIN, its password in the
    // environment as docs/configuration.md advises.
    let broker = SecureBroker::start();
    let topic = "laps";
    let (ok, printed) = simulate(
        &[
            "--brokers",
            &broker.sasl,
            "--topic",
            topic,
            "--partitions",
            "2",
            "--cars",
            "4",
            "--count",
            "40",
            "--as-fast-as-possible",
            "-X",
            "security.protocol=SASL_PLAINTEXT",
            "-X",
            "sasl.mechanism=PLAIN",
            "-X",
            "sasl.username=trackside",
        ],
        &[("TRACKSIDE_KAFKA_SASL_PASSWORD", &broker.password)],
    );
    assert!(ok, "simulate failed: {printed}");
    assert!(!printed.contains(&broker.password), "{printed}");

    // Act: the server reads it over TLS with SCRAM-SHA-512, its password as a plain -X,
    // the worst place for it.
    let password = format!("sasl.password={}", broker.password);
    let ca = format!("ssl.ca.location={}", broker.ca());
    let group = unique("g");
    let server = ServeProcess::start(&[
        "--brokers",
        &broker.ssl,
        "--topics",
        topic,
        "--group-id",
        &group,
        "-X",
        "auto.offset.reset=earliest",
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        &ca,
        "-X",
        "sasl.mechanism=SCRAM-SHA-512",
        "-X",
        "sasl.username=trackside",
        "-X",
        &password,
    ]);
    let (ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut viewer = Viewer { ws, seen: Vec::new() };
    viewer.subscribe(topic, None).await;

    // Assert: every record reaches the viewer, and the password is nowhere to be seen.
    viewer.until("the 40 records", |seen: &[Value]| records(seen, "live").len() >= 40).await;
    // The cluster watcher polls on its own schedule; under load its first TLS handshake
    // may time out, so wait for it rather than catch it between two polls.
    eventually("the server to say Kafka is reachable", || async {
        let stats = server.get_json("/api/stats").await;
        if stats["kafka"]["reachable"] == true { Ok(()) } else { Err(stats) }
    })
    .await;
    let messages: String = viewer.seen.iter().map(Value::to_string).collect();
    assert!(!messages.contains(&broker.password), "the WebSocket showed the password");
    let served = everything_served(&server).await;
    assert!(served.contains(topic), "the page and API should describe the topic: {served}");
    assert!(!served.contains(&broker.password), "the page, API or metrics showed the password");
    let exit = server.terminate().await;
    assert!(exit.stderr.contains("sasl.password=[redacted]"), "the settings are logged, redacted: {}", exit.stderr);
    assert!(!exit.stderr.contains(&broker.password), "the log showed the password: {}", exit.stderr);
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_an_authentication_failure_without_showing_it() {
    // Arrange: a SASL broker, and a server with the wrong password for SCRAM-SHA-256.
    let broker = SecureBroker::start();
    let wrong = unique("wrong");
    let password = format!("sasl.password={wrong}");
    let scram = ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-256", "-X", &password];
    let group = unique("g");
    let server = ServeProcess::start(
        &[
            &["--brokers", &broker.sasl, "--topics", "laps", "--group-id", &group, "-X", "sasl.username=trackside"],
            &scram[..],
        ]
        .concat(),
    );

    // Act: the server tries, and the page's status says Kafka is unavailable, and why.
    let stats = eventually("the failed login to be reported", || async {
        let stats = server.get_json("/api/stats").await;
        let why = stats["kafka"]["error"].as_str().unwrap_or_default();
        if stats["kafka"]["reachable"] == false && why.contains("Authentication failed") {
            Ok(stats)
        } else {
            Err(stats)
        }
    })
    .await;

    // Assert: the log says why, and nothing shows the password.
    let served = everything_served(&server).await;
    assert!(!served.contains(&wrong), "the page, API or metrics showed the password: {stats}");
    let exit = server.terminate().await;
    assert!(exit.stderr.contains("Authentication failed"), "the log should say why: {}", exit.stderr);
    assert!(!exit.stderr.contains(&wrong), "the log showed the password: {}", exit.stderr);

    // The simulator, given the same wrong password, fails and does not show it either.
    let args = [&["--brokers", &broker.sasl, "--count", "1", "-X", "sasl.username=trackside"], &scram[..]].concat();
    let (ok, printed) = simulate(&args, &[]);
    assert!(!ok, "simulate should fail: {printed}");
    assert!(!printed.contains(&wrong), "{printed}");
}

#[test]
fn help_never_prints_a_password_given_in_the_environment() {
    for sub in ["serve", "simulate"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
            .args([sub, "--help"])
            .env("TRACKSIDE_KAFKA_PROPERTIES", "sasl.mechanism=PLAIN;sasl.password=in-the-properties")
            .env("TRACKSIDE_KAFKA_SASL_PASSWORD", "in-its-own-variable")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && help.contains("TRACKSIDE_KAFKA_SASL_PASSWORD"), "{help}");
        assert!(!help.contains("in-the-properties") && !help.contains("in-its-own-variable"), "{help}");
    }
}
