//! A Kafka cluster inside the test process, librdkafka's own mock (no broker, no Java), for
//! tests of what a reader decides from what Kafka answers: where the group starts, where
//! a replay starts. Records are written with the timestamps a test names.

use std::time::Duration;

use rdkafka::{
    ClientConfig,
    mocking::MockCluster,
    producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer},
};

use crate::{
    config::{Command, KafkaArgs, tests::parse},
    telemetry::Sample,
};

/// A one-broker cluster and the flags a reader needs to reach it.
pub(crate) struct MockKafka {
    cluster: MockCluster<'static, DefaultProducerContext>,
    pub kafka: KafkaArgs,
}

impl MockKafka {
    pub(crate) fn new() -> Self {
        let cluster = MockCluster::new(1).expect("a mock cluster");
        let brokers = cluster.bootstrap_servers();
        let Command::Serve(args) = parse(&["serve", "--brokers", &brokers]).expect("flags").command else {
            unreachable!("serve parses as serve")
        };
        Self { cluster, kafka: args.kafka }
    }

    pub(crate) fn topic(&self, name: &str, partitions: i32) {
        self.cluster.create_topic(name, partitions, 1).expect("a mock topic");
    }

    /// Writes car `7`'s samples, one per `ts`, to `partition` of `topic`, each with its
    /// `ts` as the record's timestamp too; they land at consecutive offsets.
    pub(crate) fn produce(&self, topic: &str, partition: i32, timestamps: &[i64]) {
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", self.cluster.bootstrap_servers())
            .create()
            .expect("a mock producer");
        for &ts in timestamps {
            let payload = serde_json::to_vec(&Sample::minimal("7", ts)).expect("a sample is JSON");
            let record = BaseRecord::to(topic).partition(partition).key("7").payload(&payload).timestamp(ts);
            producer.send(record).map_err(|(e, _)| e).expect("queued");
        }
        producer.flush(Duration::from_secs(10)).expect("flushed");
    }
}
