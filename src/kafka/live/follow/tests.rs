//! The follower: which partitions it takes, and what it delivers from a cluster in the process.

use super::*;
use crate::status::PartitionInfo;

fn topic(name: &str, partitions: i32) -> TopicInfo {
    let partitions = (0..partitions).map(|partition| PartitionInfo { partition, low: 0, high: 0 }).collect();
    TopicInfo { name: name.into(), partitions }
}

#[test]
fn the_follower_takes_every_partition_of_the_read_topics_that_the_group_gave_someone_else() {
    let cluster = [topic("t", 6), topic("u", 2), topic("other", 3)];
    let read: BTreeSet<String> = ["t", "u", "not-created-yet"].map(String::from).into();
    let owned: BTreeSet<TopicPartition> = [0, 1].map(|p| TopicPartition::new("t", p)).into();
    let follow = complement(&read, &cluster, &owned);
    let names: Vec<String> = follow.iter().map(|tp| format!("{}/{}", tp.topic, tp.partition)).collect();
    assert_eq!(names, ["t/2", "t/3", "t/4", "t/5", "u/0", "u/1"]);
    // Owning everything, it follows nothing; owning nothing, everything.
    let all: BTreeSet<TopicPartition> = complement(&read, &cluster, &BTreeSet::new());
    assert_eq!(all.len(), 8);
    assert!(complement(&read, &cluster, &all).is_empty());
}

/// The follower against a cluster in the process.
mod against_a_mock_cluster {
    use bytes::Bytes;
    use rdkafka::consumer::BaseConsumer;

    use super::*;
    use crate::{
        kafka::{
            admin,
            mock::MockKafka,
            shared::client::{ReaderContext, reader},
        },
        selection::{Selection, TopicSelection},
    };

    /// Waits up to ten seconds for `check` to hold.
    async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !check() {
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `(partition, offset)` of each record in live batches a viewer was sent.
    fn records(batches: &[Bytes]) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        for b in batches {
            let v: serde_json::Value = serde_json::from_slice(b).unwrap();
            let p = v["partition"].as_i64().unwrap();
            out.extend(v["records"].as_array().unwrap().iter().map(|r| (p, r["offset"].as_i64().unwrap())));
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_follower_delivers_new_records_of_the_partitions_another_member_owns_and_none_of_this_ones() {
        // Topic `f`: two partitions of three records each; the group gave this member
        // partition 0, so another member owns partition 1.
        let mock = MockKafka::new();
        mock.topic("f", 2);
        mock.produce("f", 0, &[1, 2, 3]);
        mock.produce("f", 1, &[1, 2, 3]);
        let status = Status::new("g");
        let c: BaseConsumer<ReaderContext> = reader(&mock.kafka, "test").unwrap();
        status.set_topics(vec![admin::describe_topic(&c, "f").unwrap()]);
        let read: BTreeSet<String> = ["f".to_owned()].into();
        let hub = Hub::new(0, 1 << 20);
        hub.read_topics(&read);
        let viewer = hub.json_viewer();
        viewer.watch_live(Selection::new(vec![TopicSelection { topic: "f".into(), partitions: None }]).unwrap());
        let (_topics, topics) = watch::channel(read.clone());
        let (_owned, owned) = watch::channel(Some((read.clone(), [TopicPartition::new("f", 0)].into())));
        let follow = Follow {
            consumer: create(&mock.kafka).unwrap(),
            history: Duration::from_secs(3600),
            hub: hub.clone(),
            status: status.clone(),
            laps: crate::laps::LapIndex::default(),
            decoder: Decoder::default(),
            topics,
            owned,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let following = tokio::spawn(run(follow, async move {
            let _ = stopped.await;
        }));

        let followed = || status.snapshot().group.followed;
        eventually("the follower to take partition 1", || followed() == [TopicPartition::new("f", 1)]).await;
        mock.produce("f", 0, &[4, 5]);
        mock.produce("f", 1, &[4, 5]);
        let mut got = Vec::new();
        eventually("the new records of partition 1", || {
            got.extend(records(&viewer.outbox().take().live));
            got.len() >= 2
        })
        .await;
        assert_eq!(got, [(1, 3), (1, 4)], "from the live edge: nothing older, nothing of partition 0");
        let _ = stop.send(());
        following.await.unwrap();
    }
}
