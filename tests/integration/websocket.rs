//! WebSocket behaviour a client author relies on: errors that keep the connection, and a
//! clean close on shutdown.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_bad_request_gets_an_error_frame_and_the_connection_lives_on() {
    let topic = create_topic(1).await;
    let app = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    // Topic checks need the cluster's metadata first.
    viewer.next_of("stats", |m| m["kafka"]["reachable"] == true).await;

    viewer.send_text("this is not json").await;
    let e = viewer.next_of("error", |_| true).await;
    assert_eq!(e["error"], "bad_request");
    assert!(e["message"].as_str().unwrap().contains("cannot read message"));

    viewer.send(json!({"type": "fly"})).await;
    let e = viewer.next_of("error", |m| m["message"].as_str().unwrap().contains("fly")).await;
    assert_eq!((e["error"].as_str(), e["request"].as_str()), (Some("bad_request"), Some("fly")));

    viewer.send(json!({"type": "pause"})).await;
    viewer.next_of("error", |m| m["error"] == "no_replay").await;

    viewer.send(json!({"type": "replay", "from": "earliest"})).await;
    viewer.next_of("error", |m| m["message"].as_str().unwrap().contains("choose topics")).await;

    viewer.subscribe("no-such-topic-anywhere", None).await;
    let e = viewer.next_of("error", |m| m["error"] == "unknown_topic").await;
    assert_eq!(e["request"], "subscribe");

    // Still connected and still served.
    viewer.subscribe(&topic, None).await;
    let ok = viewer.next_of("subscribed", |_| true).await;
    assert_eq!(ok["selection"][0]["topic"], topic.as_str());
}

#[tokio::test]
async fn a_topic_asked_for_before_the_servers_first_look_at_the_cluster_is_still_checked() {
    // Arrange: a server that has just started, and has not yet looked at the cluster.
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;

    // Act: at once, a topic that does not exist, then one that does.
    viewer.subscribe(&unique("no-such-topic"), None).await;
    let real = create_topic(1).await;
    viewer.subscribe(&real, None).await;

    // Assert: the first is refused as unknown (not accepted for want of a list), the
    // second accepted.
    let answers = |seen: &[serde_json::Value]| {
        seen.iter().filter(|m| m["type"] == "error" || m["type"] == "subscribed").cloned().collect::<Vec<_>>()
    };
    viewer.until("two answers", |seen| answers(seen).len() >= 2).await;
    let answers = answers(&viewer.seen);
    assert_eq!((answers[0]["type"].as_str(), answers[0]["error"].as_str()), (Some("error"), Some("unknown_topic")));
    assert_eq!(answers[1]["type"], "subscribed", "{answers:?}");
}

#[tokio::test]
async fn shutdown_closes_every_viewer_with_going_away() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let mut a = app.viewer().await;
    let mut b = app.viewer().await;
    a.next_of("hello", |_| true).await;
    b.next_of("hello", |_| true).await;
    app.shutdown().await;
    for viewer in [&mut a, &mut b] {
        let close = viewer.next_of("close", |_| true).await;
        assert_eq!(close["code"], 1001, "{close}");
    }
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009_and_says_why() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    viewer.next_of("hello", |_| true).await;
    viewer.send_text(&format!(r#"{{"type":"subscribe","pad":"{}"}}"#, "x".repeat(100 * 1024))).await;
    let close = viewer.next_of("close", |_| true).await;
    assert_eq!(close["code"], 1009, "{close}");
    assert!(close["frame"].as_str().unwrap().contains("at most 64 KiB"), "{close}");

    // Other viewers are not affected.
    let mut other = app.viewer().await;
    other.next_of("hello", |_| true).await;
}

#[tokio::test]
async fn a_page_from_another_site_may_not_open_the_stream() {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let connect = |origin: String| {
        let mut request = format!("ws://{}/ws", app.addr).into_client_request().unwrap();
        request.headers_mut().insert("origin", HeaderValue::from_str(&origin).unwrap());
        tokio_tungstenite::connect_async(request)
    };
    let refused = connect("http://evil.example".into()).await.unwrap_err().to_string();
    assert!(refused.contains("403"), "{refused}");
    assert!(connect(format!("http://{}", app.addr)).await.is_ok(), "the server's own page may");
}

#[tokio::test]
async fn viewers_beyond_the_limit_are_refused_until_one_leaves() {
    let app = TestApp::spawn(&["--group-id", &unique("g"), "--max-clients", "2"]).await;
    let mut a = app.viewer().await;
    let mut b = app.viewer().await;
    a.next_of("hello", |_| true).await;
    b.next_of("hello", |_| true).await;

    let refused = tokio_tungstenite::connect_async(format!("ws://{}/ws", app.addr)).await.unwrap_err().to_string();
    assert!(refused.contains("503"), "{refused}");

    drop(a);
    // The slot frees once the server notices the socket closed.
    eventually("the slot to free", || async {
        tokio_tungstenite::connect_async(format!("ws://{}/ws", app.addr)).await.map_err(|e| e.to_string())
    })
    .await;
}

#[tokio::test]
async fn a_viewer_that_answers_pings_stays_and_a_silent_one_is_disconnected() {
    let app = TestApp::spawn(&["--group-id", &unique("g"), "--idle-timeout-secs", "2"]).await;
    let mut reading = app.viewer().await;
    let mut silent = app.viewer().await;
    // Reading answers pings (the client library replies as it reads), as a browser does.
    for _ in 0..4 {
        reading.next_of("stats", |_| true).await;
    }
    // Meanwhile the silent viewer read nothing and answered nothing for 4 s: the server
    // has let it go (the one viewer left is the reading one).
    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("trackside_clients 1\n"), "{metrics}");
    // What the silent one finds when it reads at last: a close, or a socket already gone.
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    while let Some(Ok(msg)) = silent.ws.next().await {
        if let Message::Close(frame) = msg {
            let frame = frame.expect("a close frame with a reason");
            assert_eq!(u16::from(frame.code), 1000);
            assert!(frame.reason.contains("idle"), "{frame:?}");
            break;
        }
    }
    reading.next_of("stats", |_| true).await;
}

#[tokio::test]
async fn a_flood_of_requests_closes_with_1008() {
    let app = TestApp::spawn(&["--group-id", &unique("g")]).await;
    let mut viewer = app.viewer().await;
    for _ in 0..200 {
        viewer.send(json!({"type": "pause"})).await;
    }
    let close = viewer.next_of("close", |_| true).await;
    assert_eq!(close["code"], 1008, "{close}");
}
