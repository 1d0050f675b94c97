//! The HTTP side: page, health, topics, metrics and static files.

use crate::helpers::*;

#[tokio::test]
async fn the_api_lists_topics_with_partitions_and_watermarks() {
    let topic = create_topic(2).await;
    produce(&topic, &[(0, "a", json_bytes(&sample("a", 1))), (0, "a", json_bytes(&sample("a", 2)))]).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;

    let health = until_json(&app, "/healthz", |v| v["kafka"]["reachable"] == true).await;
    assert_eq!(health["status"], "ok");

    let topics = until_json(&app, "/api/topics", |v| {
        v["topics"].as_array().unwrap().iter().any(|t| t["name"] == topic.as_str())
    })
    .await;
    let t = topics["topics"].as_array().unwrap().iter().find(|t| t["name"] == topic.as_str()).unwrap();
    assert_eq!(t["partitions"], serde_json::json!([{"partition":0,"low":0,"high":2},{"partition":1,"low":0,"high":0}]));
    assert!(
        topics["topics"].as_array().unwrap().iter().all(|t| !t["name"].as_str().unwrap().starts_with("__")),
        "internal topics are hidden"
    );
}

#[tokio::test]
async fn the_topic_list_counts_records_written_to_a_topic_nobody_reads() {
    // Arrange: a server reading another topic, which has listed ours with two records.
    let (idle, read) = (create_topic(1).await, create_topic(1).await);
    produce(&idle, &[(0, "a", json_bytes(&sample("a", 1))), (0, "a", json_bytes(&sample("a", 2)))]).await;
    let app = TestApp::spawn(&["--topics", &read, "--group-id", &unique("g")]).await;
    let high = |v: &serde_json::Value| {
        v["topics"].as_array()?.iter().find(|t| t["name"] == idle.as_str())?["partitions"][0]["high"].as_i64()
    };
    until_json(&app, "/api/topics", |v| high(v) == Some(2)).await;

    // Act: three more records, in a topic the server's own looks no longer ask about.
    produce(&idle, &(3..6u32).map(|n| (0, "a", json_bytes(&sample("a", n)))).collect::<Vec<_>>()).await;

    // Assert: whoever asks for the list is told of them.
    until_json(&app, "/api/topics", |v| high(v) == Some(5)).await;
}

#[tokio::test]
async fn the_page_its_scripts_and_uplot_are_served() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let page = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Trackside"));
    assert!(html.contains("/static/app.js"));
    for path in ["/static/app.js", "/static/style.css", "/vendor/uplot/uPlot.iife.min.js"] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let missing = reqwest::get(app.url("/static/nope.js")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let _viewer = app.viewer().await;
    let text = until_text(&app, "/metrics", |t| t.contains("trackside_clients 1")).await;
    // A counter's family is named without `_total`, its samples with it (OpenMetrics).
    for (family, sample) in [
        ("trackside_frames_sent", "trackside_frames_sent_total"),
        ("trackside_records_dropped", "trackside_records_dropped_total"),
        ("trackside_kafka_up", "trackside_kafka_up"),
    ] {
        assert!(text.contains(&format!("# TYPE {family} ")), "{family} missing:\n{text}");
        assert!(text.contains(&format!("\n{sample} ")), "{sample} missing:\n{text}");
    }
    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("application/openmetrics-text; version=1.0.0"), "{content_type}");
}

#[tokio::test]
async fn a_server_started_while_kafka_is_down_starts_and_says_so() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let brokers = closed.to_string();
    let app = TestApp::spawn(&["--brokers", &brokers, "--group-id", &unique("g")]).await;
    let health =
        until_json(&app, "/healthz", |v| v["kafka"]["error"].as_str().is_some_and(|e| !e.contains("not checked")))
            .await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["kafka"]["reachable"], false);
    let page = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(page.status(), 200, "the page still loads");
}

async fn until_json(app: &TestApp, path: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    eventually(&format!("{path} to become ready"), || async {
        let v = app.get_json(path).await;
        if ok(&v) { Ok(v) } else { Err(v) }
    })
    .await
}

async fn until_text(app: &TestApp, path: &str, ok: impl Fn(&str) -> bool) -> String {
    eventually(&format!("{path} to become ready"), || async {
        let t = reqwest::get(app.url(path)).await.unwrap().text().await.unwrap();
        if ok(&t) { Ok(t) } else { Err(t) }
    })
    .await
}

#[tokio::test]
async fn the_page_is_served_with_security_headers() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let page = reqwest::get(app.url("/")).await.unwrap();
    let header = |name: &str| page.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn with_a_token_set_everything_but_health_asks_for_it() {
    let token = "pitwall-token-2026";
    let app = TestApp::spawn(&["--group-id", &unique("g"), "--auth-token", token]).await;
    let client = reqwest::Client::new();

    // Without the token: 401 with a basic-auth challenge, for the page, API, metrics, files.
    for path in ["/", "/api/topics", "/api/stats", "/metrics", "/static/app.js"] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"), "{path}");
    }
    let wrong = client.get(app.url("/")).basic_auth("engineer", Some("pitwall-token-2025")).send().await.unwrap();
    assert_eq!(wrong.status(), 401);

    // With it: as a browser sends it (basic auth, any user) or as a script does (bearer).
    let page = client.get(app.url("/")).basic_auth("engineer", Some(token)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let api = client.get(app.url("/api/stats")).bearer_auth(token).send().await.unwrap();
    assert_eq!(api.status(), 200);

    // Health checks stay open.
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200);

    // The WebSocket too.
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
    let refused = tokio_tungstenite::connect_async(format!("ws://{}/ws", app.addr)).await.unwrap_err().to_string();
    assert!(refused.contains("401"), "{refused}");
    let mut request = format!("ws://{}/ws", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
}
