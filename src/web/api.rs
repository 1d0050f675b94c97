//! JSON API, health and Prometheus metrics.

use std::fmt::Write;

use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::AppState;
use crate::status::{KafkaHealth, Snapshot, TopicInfo};

#[derive(Serialize)]
struct Health {
    status: &'static str,
    kafka: KafkaHealth,
}

/// 200 while the server runs, whatever Kafka's state: the server itself is healthy and
/// will reconnect; the body says whether Kafka is reachable.
pub(super) async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    Json(Health { status: "ok", kafka: app.hub.status().kafka() })
}

#[derive(Serialize)]
struct Topics<'a> {
    kafka: KafkaHealth,
    topics: &'a [TopicInfo],
}

pub(super) async fn topics(State(app): State<AppState>) -> Response {
    let status = app.hub.status();
    let topics = status.topics();
    // Serialised here, straight from the shared list, with no copy of it.
    Json(Topics { kafka: status.kafka(), topics: &topics }).into_response()
}

pub(super) async fn stats(State(app): State<AppState>) -> impl IntoResponse {
    Json(app.hub.status().snapshot())
}

pub(super) async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], render_metrics(&app.hub.status().snapshot()))
}

/// Prometheus text exposition of a snapshot.
fn render_metrics(s: &Snapshot) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in rows {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let per_partition = |f: &dyn Fn(&crate::status::PartitionStats) -> Option<String>| {
        s.partitions
            .iter()
            .filter_map(|p| {
                f(p).map(|v| (format!("{{topic=\"{}\",partition=\"{}\"}}", escape(&p.topic), p.partition), v))
            })
            .collect::<Vec<_>>()
    };
    family(
        "trackside_records_consumed_total",
        "counter",
        "Records the consumer group decoded and fanned out.",
        per_partition(&|p| Some(p.consumed.to_string())),
    );
    family(
        "trackside_records_malformed_total",
        "counter",
        "Records that broke the message contract, counted and skipped.",
        per_partition(&|p| Some(p.malformed.to_string())),
    );
    family(
        "trackside_consumer_lag",
        "gauge",
        "Records in the partition the group has not consumed yet.",
        per_partition(&|p| p.lag.map(|l| l.to_string())),
    );
    let t = &s.totals;
    let scalars = [
        ("trackside_frames_sent_total", "counter", "WebSocket frames sent to viewers.", t.frames_sent.to_string()),
        (
            "trackside_records_dropped_total",
            "counter",
            "Live records dropped for viewers that fell behind.",
            t.records_dropped.to_string(),
        ),
        (
            "trackside_consumer_restarts_total",
            "counter",
            "Group consumers the watchdog replaced because they had stopped making progress.",
            s.group.consumer_restarts.to_string(),
        ),
        ("trackside_clients", "gauge", "Connected WebSocket viewers.", t.clients.to_string()),
        ("trackside_replays_running", "gauge", "Replay readers running.", t.replays_running.to_string()),
        (
            "trackside_kafka_up",
            "gauge",
            "1 if the broker answered the last metadata request.",
            u8::from(s.kafka.reachable).to_string(),
        ),
    ];
    for (name, kind, help, value) in scalars {
        family(name, kind, help, vec![(String::new(), value)]);
    }
    out
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::TopicPartition;

    #[test]
    fn metrics_name_every_family_with_partition_labels() {
        let status = crate::status::tests::assigned_status(&[(0, 0, 10)]);
        status.record_consumed(&TopicPartition::new("t", 0), 7, 6);
        status.record_malformed(&TopicPartition::new("t", 0), 7, "bad".into());
        let text = render_metrics(&status.snapshot());
        assert!(text.contains("trackside_records_consumed_total{topic=\"t\",partition=\"0\"} 7"), "{text}");
        assert!(text.contains("trackside_records_malformed_total{topic=\"t\",partition=\"0\"} 1"));
        assert!(text.contains("trackside_consumer_lag{topic=\"t\",partition=\"0\"} 2"));
        assert!(text.contains("# TYPE trackside_clients gauge\ntrackside_clients 0"));
        assert!(text.contains("trackside_kafka_up 0"));
    }
}
