//! JSON API, health and Prometheus metrics.

use std::fmt;

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeMetric},
    metrics::{TypedMetric, counter::ConstCounter, gauge::ConstGauge},
    registry::Registry,
};
use serde::Serialize;

use super::AppState;
use crate::{
    protocol::{KafkaHealth, PartitionStats, ReadBy, Snapshot},
    status::TopicInfo,
};

#[derive(Serialize)]
struct Health {
    status: &'static str,
    kafka: KafkaHealth,
}

/// 200 while the server runs, whatever Kafka's state: the server itself is healthy and
/// will reconnect; the body says whether Kafka is reachable.
pub(super) async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    Json(Health { status: "ok", kafka: app.status.kafka() })
}

#[derive(Serialize)]
struct Topics<'a> {
    kafka: KafkaHealth,
    topics: &'a [TopicInfo],
}

pub(super) async fn topics(State(app): State<AppState>) -> Response {
    // The watcher keeps only the topics read current; the list's reader gets them all.
    app.cluster.refresh_list().await;
    let status = app.status;
    let topics = status.topics();
    // Serialised here, straight from the shared list, with no copy of it.
    Json(Topics { kafka: status.kafka(), topics: &topics }).into_response()
}

pub(super) async fn stats(State(app): State<AppState>) -> impl IntoResponse {
    Json(app.status.snapshot())
}

/// The OpenMetrics text format, which prometheus-client writes (Prometheus reads it).
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub(super) async fn metrics(State(app): State<AppState>) -> Response {
    match render_with_laps(app.status.snapshot(), app.laps.records_read()) {
        Ok(text) => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not write the metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The OpenMetrics text of a snapshot: every family, then `# EOF`.
#[cfg(test)]
fn render_metrics(s: Snapshot) -> Result<String, fmt::Error> {
    render_with_laps(s, Vec::new())
}

/// The same, with what each topic's lap index reader decoded.
fn render_with_laps(s: Snapshot, laps: Vec<(String, u64)>) -> Result<String, fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(SnapshotMetrics(s)));
    registry.register_collector(Box::new(LapMetrics(laps)));
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry)?;
    Ok(out)
}

/// One snapshot's numbers as metric families. The counters live in `Status`, so they are
/// written as constants at each scrape; prometheus-client names a counter's samples
/// `<family>_total`, which keeps the names scrapers know (`trackside_frames_sent_total`).
#[derive(Debug)]
struct SnapshotMetrics(Snapshot);

impl Collector for SnapshotMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let (s, t) = (&self.0, &self.0.totals);
        let e = &mut encoder;
        per_partition(e, "trackside_records_consumed", "Records the consumer group decoded and fanned out.", s, |p| {
            Some(ConstCounter::new(p.consumed))
        })?;
        per_partition(
            e,
            "trackside_records_malformed",
            "Records that broke the message contract, counted and skipped.",
            s,
            |p| Some(ConstCounter::new(p.malformed)),
        )?;
        per_partition(
            e,
            "trackside_consumer_lag",
            "Records in a partition this member owns in the group that it has not consumed yet.",
            s,
            |p| p.lag.filter(|_| p.read_by == Some(ReadBy::Group)).map(ConstGauge::new),
        )?;
        per_partition(
            e,
            "trackside_follower_lag",
            "Records in a partition another member owns that this replica's follower has not read yet.",
            s,
            |p| p.lag.filter(|_| p.read_by == Some(ReadBy::Follower)).map(ConstGauge::new),
        )?;
        one(e, "trackside_frames_sent", "WebSocket frames sent to viewers.", ConstCounter::new(t.frames_sent))?;
        let dropped = ConstCounter::new(t.records_dropped);
        one(e, "trackside_records_dropped", "Live records dropped for viewers that fell behind.", dropped)?;
        one(
            e,
            "trackside_consumer_restarts",
            "Group consumers the watchdog replaced because they had stopped making progress.",
            ConstCounter::new(s.group.consumer_restarts),
        )?;
        one(e, "trackside_clients", "Connected WebSocket viewers.", ConstGauge::new(t.clients))?;
        let written = ConstCounter::new(t.annotations_written);
        one(e, "trackside_annotations_written", "Notes (new, edited, removed) written to Kafka.", written)?;
        let refused = ConstCounter::new(t.annotations_refused);
        one(
            e,
            "trackside_annotations_refused",
            "Requests to write a note refused: invalid, read-only, or by Kafka.",
            refused,
        )?;
        let evicted = ConstCounter::new(t.annotations_evicted);
        one(
            e,
            "trackside_annotations_evicted",
            "Notes no longer kept in memory because their topic had too many.",
            evicted,
        )?;
        one(e, "trackside_replays_running", "Replay readers running.", ConstGauge::new(t.replays_running))?;
        one(e, "trackside_exports_running", "Exports reading now.", ConstGauge::new(t.exports_running))?;
        let rows = ConstCounter::new(t.export_records);
        one(e, "trackside_export_records", "Rows exports have written.", rows)?;
        let up = ConstGauge::new(i64::from(s.kafka.reachable));
        one(e, "trackside_kafka_up", "1 if the broker answered the last metadata request.", up)
    }
}

/// Records each topic's lap index reader decoded, labelled `topic`.
#[derive(Debug)]
struct LapMetrics(Vec<(String, u64)>);

impl Collector for LapMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let help = "Records the lap index's own reader decoded: the retention at its start and gaps in \
                    the live feed; flat while the group member and the follower feed the index.";
        let mut family =
            encoder.encode_descriptor("trackside_lap_index_records_read", help, None, ConstCounter::<u64>::TYPE)?;
        for (topic, read) in &self.0 {
            ConstCounter::new(*read).encode(family.encode_family(&[("topic", topic.as_str())])?)?;
        }
        Ok(())
    }
}

/// A family of one unlabelled metric.
fn one(encoder: &mut DescriptorEncoder<'_>, name: &str, help: &str, metric: impl EncodeMetric) -> fmt::Result {
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

/// A family with a metric per partition, labelled `topic` and `partition`; partitions
/// for which `value` has nothing are left out.
fn per_partition<M: EncodeMetric + TypedMetric>(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    s: &Snapshot,
    value: impl Fn(&PartitionStats) -> Option<M>,
) -> fmt::Result {
    let mut family = encoder.encode_descriptor(name, help, None, M::TYPE)?;
    for p in &s.partitions {
        if let Some(metric) = value(p) {
            let labels = ([("topic", p.topic.as_str())], [("partition", p.partition)]);
            metric.encode(family.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::TopicPartition;

    #[test]
    fn metrics_name_every_family_with_partition_labels() {
        let status = crate::status::tests::assigned_status(&[(0, 0, 10)]);
        status.record_consumed(&TopicPartition::new("t", 0), 7, 6);
        status.record_malformed(&TopicPartition::new("t", 0), 7, "bad".into());
        let text = render_metrics(status.snapshot()).unwrap();
        assert!(text.contains("trackside_records_consumed_total{topic=\"t\",partition=\"0\"} 7"), "{text}");
        assert!(text.contains("trackside_records_malformed_total{topic=\"t\",partition=\"0\"} 1"));
        assert!(text.contains("trackside_consumer_lag{topic=\"t\",partition=\"0\"} 2"));
        assert!(!text.contains("trackside_follower_lag{"), "nothing followed: {text}");
        assert!(text.contains("# TYPE trackside_clients gauge\ntrackside_clients 0"));
        assert!(text.contains("trackside_kafka_up 0"));
        // OpenMetrics names a counter's family without `_total` and its samples with it.
        let family = "# HELP trackside_records_consumed Records the consumer group decoded and fanned out.\n\
                      # TYPE trackside_records_consumed counter\n";
        assert!(text.contains(family), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn a_followed_partition_has_a_follower_lag_and_no_group_lag() {
        let status = crate::status::tests::assigned_status(&[(0, 0, 10)]);
        status.set_assignment(Vec::new());
        status.set_followed(vec![TopicPartition::new("t", 0)]);
        status.record_position(&TopicPartition::new("t", 0), 4);
        let text = render_metrics(status.snapshot()).unwrap();
        assert!(text.contains("trackside_follower_lag{topic=\"t\",partition=\"0\"} 6"), "{text}");
        assert!(!text.contains("trackside_consumer_lag{"), "{text}");
    }

    #[test]
    fn metrics_count_what_each_topics_lap_index_reader_decoded() {
        let status = crate::status::tests::assigned_status(&[(0, 0, 10)]);
        let text = render_with_laps(status.snapshot(), vec![("t".into(), 300)]).unwrap();
        assert!(text.contains("trackside_lap_index_records_read_total{topic=\"t\"} 300"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
