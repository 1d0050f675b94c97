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
    for family in ["trackside_frames_sent_total", "trackside_records_dropped_total", "trackside_kafka_up"] {
        assert!(text.contains(&format!("# TYPE {family} ")), "{family} missing:\n{text}");
    }
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
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let v = app.get_json(path).await;
        if ok(&v) {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "{path} never became ready: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn until_text(app: &TestApp, path: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let t = reqwest::get(app.url(path)).await.unwrap().text().await.unwrap();
        if ok(&t) {
            return t;
        }
        assert!(std::time::Instant::now() < deadline, "{path} never became ready: {t}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
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
