//! Notes on the timeline, kept in Kafka: written by one viewer through
//! `POST /api/annotations`, seen live by every viewer of the topic, listed by
//! `GET /api/annotations`, read back by a replica that starts later; edits and removals
//! as new records; and a server without `--annotations` that writes nothing.

use std::time::{Duration, Instant};

use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer},
};
use serde_json::{Value, json};

use crate::helpers::*;

/// A topic with a few records, and a server reading it with `extra` flags.
async fn topic_and_server(extra: &[&str]) -> (String, TestApp) {
    let topic = create_topic(1).await;
    produce(&topic, &(0..3u32).map(|n| (0, "7", json_bytes(&sample("7", n)))).collect::<Vec<_>>()).await;
    let group = unique("g");
    let mut args = vec!["--topics", topic.as_str(), "--group-id", group.as_str()];
    args.extend_from_slice(extra);
    (topic.clone(), TestApp::spawn(&args).await)
}

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(app.url("/api/annotations")).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// A viewer subscribed to `topic`, once it has had the topic's `annotations` message.
async fn viewer_of(app: &TestApp, topic: &str) -> (Viewer, Value) {
    let mut viewer = app.viewer().await;
    viewer.subscribe(topic, None).await;
    let list = viewer.next_of("annotations", |m| m["topic"] == topic).await;
    (viewer, list)
}

/// The topic's notes once `check` holds for them.
async fn listed(app: &TestApp, topic: &str, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    eventually(what, || async {
        let v = app.get_json(&format!("/api/annotations?topic={topic}")).await;
        let list = v["annotations"].as_array().cloned().unwrap_or_default();
        if check(&list) { Ok(list) } else { Err(v.to_string()) }
    })
    .await
}

fn topic_exists(name: &str) -> bool {
    let admin: BaseConsumer = ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let metadata = admin.fetch_metadata(None, PATIENCE).unwrap();
    metadata.topics().iter().any(|t| t.name() == name)
}

#[tokio::test]
async fn a_note_posted_by_one_viewer_reaches_another_live_and_a_replica_started_later() {
    // Arrange: a writing server and two viewers of the topic.
    let (topic, app) = topic_and_server(&["--annotations"]).await;
    let (_writer, list) = viewer_of(&app, &topic).await;
    assert_eq!((list["writable"].clone(), list["annotations"].clone()), (json!(true), json!([])));
    let (mut colleague, _) = viewer_of(&app, &topic).await;

    // Act
    let note = json!({"topic": topic, "ts": 1_700_000_000_050_i64, "car": "7", "lap": 1,
                      "text": "Lock-up at turn 4", "author": "Ana"});
    let (status, written) = post(&app, note).await;
    let posted = Instant::now();

    // Assert: the colleague hears of it within a second, as the page would show it.
    assert_eq!(status, 201, "{written}");
    let id = written["id"].as_str().unwrap().to_owned();
    let heard = colleague.next_of("annotation", |m| m["id"] == id.as_str()).await;
    assert!(posted.elapsed() < Duration::from_secs(1), "heard after {:?}", posted.elapsed());
    for (field, value) in [
        ("topic", json!(topic)),
        ("ts", json!(1_700_000_000_050_i64)),
        ("car", json!("7")),
        ("lap", json!(1)),
        ("text", json!("Lock-up at turn 4")),
        ("author", json!("Ana")),
        ("deleted", json!(false)),
    ] {
        assert_eq!(heard[field], value, "{field} in {heard}");
    }
    assert!(heard["written_at"].as_i64().unwrap() > 1_700_000_000_000);
    listed(&app, &topic, "the note in the list", |l| l.len() == 1 && l[0]["id"] == id.as_str()).await;
    // A viewer that comes later (a replay opens with the same list) gets it on subscribing.
    let (_late, list) = viewer_of(&app, &topic).await;
    assert_eq!(list["annotations"][0]["text"], "Lock-up at turn 4");
    // Kafka holds it: a replica started afterwards, without --annotations, reads it back.
    let replica = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let back = listed(&replica, &topic, "the note on the replica", |l| l.len() == 1).await;
    assert_eq!(back[0]["id"], id.as_str());
    assert!(topic_exists(&format!("{topic}.annotations")));
}

#[tokio::test]
async fn an_edit_and_a_removal_are_new_records_and_everyone_sees_the_latest_state() {
    let (topic, app) = topic_and_server(&["--annotations"]).await;
    let (mut viewer, _) = viewer_of(&app, &topic).await;
    let (_, first) =
        post(&app, json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": "new tires", "author": "Ana"})).await;
    let id = first["id"].as_str().unwrap().to_owned();

    let edit = json!({"topic": topic, "id": id, "ts": 1_700_000_000_100_i64, "text": "new softs", "author": "Ana"});
    let (status, edited) = post(&app, edit).await;
    assert_eq!((status, edited["id"].as_str()), (200, Some(id.as_str())), "{edited}");
    viewer.next_of("annotation", |m| m["id"] == id.as_str() && m["text"] == "new softs").await;
    let list = listed(&app, &topic, "the edit", |l| l.len() == 1 && l[0]["text"] == "new softs").await;
    assert_eq!(list[0]["ts"], 1_700_000_000_100_i64);

    let (status, removed) = post(&app, json!({"topic": topic, "id": id, "deleted": true})).await;
    assert_eq!(status, 200, "{removed}");
    viewer.next_of("annotation", |m| m["id"] == id.as_str() && m["deleted"] == true).await;
    listed(&app, &topic, "no note", <[Value]>::is_empty).await;
    let (status, again) = post(&app, json!({"topic": topic, "id": id, "deleted": true})).await;
    assert_eq!(status, 404, "a removed note is gone: {again}");

    // The annotations topic holds all three records; a new replica ends with none listed.
    let replica = TestApp::spawn(&["--topics", &topic, "--group-id", &unique("g")]).await;
    let (_v, list) = viewer_of(&replica, &topic).await;
    let admin: BaseConsumer = ClientConfig::new().set("bootstrap.servers", brokers()).create().unwrap();
    let (_, high) = admin.fetch_watermarks(&format!("{topic}.annotations"), 0, PATIENCE).unwrap();
    assert_eq!(high, 3, "three records: the note, its edit, its removal");
    listed(&replica, &topic, "the removal, read back", <[Value]>::is_empty).await;
    assert!(list["annotations"].as_array().unwrap().len() <= 1);
}

#[tokio::test]
async fn a_server_without_annotations_refuses_to_write_and_says_why() {
    let (topic, app) = topic_and_server(&[]).await;
    let (_viewer, list) = viewer_of(&app, &topic).await;
    assert_eq!(list["writable"], false);
    assert!(list["why"].as_str().unwrap().contains("--annotations"), "{list}");

    let (status, answer) =
        post(&app, json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": "x", "author": "a"})).await;

    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("read-only"), "{answer}");
    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("trackside_annotations_refused_total 1"), "{metrics}");
    assert!(metrics.contains("trackside_annotations_written_total 0"), "{metrics}");
    assert!(!topic_exists(&format!("{topic}.annotations")), "a read-only server created a topic");
}

#[tokio::test]
async fn a_note_with_markup_comes_back_exactly_as_text_and_bad_notes_are_refused() {
    let (topic, app) = topic_and_server(&["--annotations"]).await;
    let (mut viewer, _) = viewer_of(&app, &topic).await;
    let text = r#"<script>alert("x")</script><img src=x onerror="alert(1)"> & ünïcödé"#;

    let (status, written) =
        post(&app, json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": text, "author": "<b>Bo</b>"})).await;

    assert_eq!(status, 201, "{written}");
    let heard = viewer.next_of("annotation", |m| m["id"] == written["id"]).await;
    assert_eq!((heard["text"].as_str(), heard["author"].as_str()), (Some(text), Some("<b>Bo</b>")));
    let list = listed(&app, &topic, "the note", |l| l.len() == 1).await;
    assert_eq!(list[0]["text"], text);

    // Bad requests get a reason, and write nothing.
    let long = "x".repeat(1001);
    let (status, answer) =
        post(&app, json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": long, "author": "a"})).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("1000 characters"), "{answer}");
    let (status, _) = post(&app, json!({"topic": "not-read-here", "ts": 1, "text": "x", "author": "a"})).await;
    assert_eq!(status, 404);
    let foreign = reqwest::Client::new()
        .post(app.url("/api/annotations"))
        .header("Origin", "http://evil.example")
        .json(&json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": "x", "author": "a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403, "another site's page may not write");
    listed(&app, &topic, "still one note", |l| l.len() == 1).await;
}

#[tokio::test]
async fn a_note_kafka_cannot_take_is_refused_with_the_reason() {
    // A writing server whose broker is gone: the topic is read (named by --topics), Kafka is not there.
    let topic = unique("gone");
    let app = TestApp::spawn(&["--brokers", "127.0.0.1:1", "--topics", &topic, "--annotations"]).await;
    let body = json!({"topic": topic, "ts": 1_700_000_000_000_i64, "text": "x", "author": "a"});

    let (status, answer) = eventually("the topic to be read", || async {
        let (status, answer) = post(&app, body.clone()).await;
        if status == 404 { Err(answer.to_string()) } else { Ok((status, answer)) }
    })
    .await;

    assert_eq!(status, 502, "{answer}");
    assert!(answer["error"].as_str().unwrap().starts_with("cannot reach Kafka"), "{answer}");
}
