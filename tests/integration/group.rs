//! Consumer-group membership as Kafka users know it: servers in one group share the
//! partitions, a survivor takes over, and a restarted member resumes where it committed.

use serde_json::Value;

use crate::helpers::*;

fn assigned(stats: &Value) -> Vec<i64> {
    stats["group"]["assignment"].as_array().unwrap().iter().map(|a| a["partition"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn two_servers_in_one_group_split_the_partitions_and_a_survivor_takes_them_all_without_a_gap() {
    let topic = create_topic(4).await;
    let group = unique("g");
    // No backfill: each page shows exactly what its own server consumed as a member.
    let args = ["--topics", topic.as_str(), "--group-id", group.as_str(), "--history-secs", "0"];
    let first = TestApp::spawn(&args).await;
    let second = TestApp::spawn(&args).await;
    let (mut a, mut b) = (first.viewer().await, second.viewer().await);

    // Each shows its share, and together they cover every partition once.
    let mut split = Vec::new();
    for viewer in [&mut a, &mut b] {
        let stats = viewer.next_of("stats", |m| (1..4).contains(&assigned(m).len())).await;
        split.extend(assigned(&stats));
    }
    // The other may have rebalanced once more meanwhile; re-read both until they agree.
    split.sort();
    if split != vec![0, 1, 2, 3] {
        eventually("the four partitions split cleanly between the two", || async {
            let mut split = assigned(&first.get_json("/api/stats").await);
            split.extend(assigned(&second.get_json("/api/stats").await));
            split.sort();
            if split == vec![0, 1, 2, 3] { Ok(()) } else { Err(format!("{split:?}")) }
        })
        .await;
    }

    // Records flow all along, and each page charts them. Both watch before the first
    // record: with no history, a page that subscribed later would never be sent the
    // records its server read before, and the union below would have a hole that has
    // nothing to do with the hand-over.
    for viewer in [&mut a, &mut b] {
        viewer.subscribe(&topic, None).await;
        viewer.next_of("subscribed", |_| true).await;
    }
    let producer = simulate_live(&brokers(), &topic, &["--cars", "8", "--hz", "10"]);
    for viewer in [&mut a, &mut b] {
        viewer.until("live data", |seen: &[Value]| records(seen, "live").len() >= 20).await;
    }

    // One leaves; the other takes every partition within the session timeout.
    first.shutdown().await;
    let left = std::time::Instant::now();
    // Everything the leaver sent before its goodbye counts as seen on its page.
    a.next_of("close", |_| true).await;
    b.next_of("stats", |m| assigned(m) == vec![0, 1, 2, 3]).await;
    let took = left.elapsed();
    assert!(took < std::time::Duration::from_secs(6), "took {took:?}, more than the 6 s session timeout");
    let taken_over_at = b.seen.len();
    b.until("records from all four partitions", |seen| {
        let mut ps: Vec<i64> = records(&seen[taken_over_at..], "live").iter().map(|(_, p, _)| *p).collect();
        ps.sort();
        ps.dedup();
        ps == vec![0, 1, 2, 3]
    })
    .await;
    drop(producer);

    // Between them, the two pages saw every offset of every partition from the first
    // one charted: the survivor started where the leaver committed.
    let (leaver, survivor) =
        (offsets_by_partition(&records(&a.seen, "live")), offsets_by_partition(&records(&b.seen, "live")));
    let mut both = records(&a.seen, "live");
    both.extend(records(&b.seen, "live"));
    for (partition, mut offsets) in offsets_by_partition(&both) {
        offsets.sort_unstable();
        offsets.dedup();
        let expected: Vec<i64> = (offsets[0]..=offsets[offsets.len() - 1]).collect();
        let runs = |pages: &std::collections::BTreeMap<i64, Vec<i64>>| {
            runs(pages.get(&partition).map_or(&[][..], Vec::as_slice))
        };
        assert!(
            offsets == expected,
            "a gap in partition {partition}: the leaver's page had {}, the survivor's {}",
            runs(&leaver),
            runs(&survivor)
        );
    }
}

/// Offsets as runs, for a failure message: `0-31, 52-91`.
fn runs(offsets: &[i64]) -> String {
    let mut sorted = offsets.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        while i + 1 < sorted.len() && sorted[i + 1] == sorted[i] + 1 {
            i += 1;
        }
        out.push(if start == sorted[i] { start.to_string() } else { format!("{start}-{}", sorted[i]) });
        i += 1;
    }
    if out.is_empty() { "nothing".into() } else { out.join(", ") }
}

#[tokio::test]
async fn a_restarted_server_resumes_from_its_committed_offsets() {
    let topic = create_topic(1).await;
    let group = unique("g");
    let args = ["--topics", topic.as_str(), "--group-id", group.as_str(), "--history-secs", "0"];

    // The first run consumes three records, commits and leaves; two more arrive while no
    // server runs.
    three_read_then_two_more_while_stopped(&topic, &args).await;

    // The restarted server picks up at offset 3: nothing repeated, nothing missed.
    restarted_resumes_at_its_commit(&topic, &args).await;
}
