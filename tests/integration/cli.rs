//! The command line as a user meets it.

use std::process::Command;

#[test]
fn a_bad_flag_prints_one_line_and_exits_2() {
    for args in
        [&["serve", "--no-such-flag"][..], &["simulate", "--hz", "fast"], &["serve", "-X", "novalue"], &["warp"]]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_trackside")).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[test]
fn help_and_version_succeed() {
    let help = Command::new(env!("CARGO_BIN_EXE_trackside")).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout).unwrap().contains("simulate"));
}

#[tokio::test]
async fn sigterm_under_load_closes_viewers_with_1001_commits_leaves_the_group_and_exits_within_5_s() {
    use rdkafka::{
        ClientConfig, Offset, TopicPartitionList,
        consumer::{BaseConsumer, Consumer},
    };

    use crate::helpers::*;

    let topic = create_topic(1).await;
    let group = unique("g");
    let brokers = brokers();
    // Load: 1,000 records a second arriving, and a viewer replaying.
    let _producer = simulate_live(&brokers, &topic, &["--cars", "20", "--hz", "50"]);
    let args = ["--brokers", brokers.as_str(), "--topics", topic.as_str(), "--group-id", group.as_str()];
    let server = ServeProcess::start(&args);
    let (replaying, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut replaying = Viewer { ws: replaying, seen: Vec::new() };
    replaying.subscribe(&topic, None).await;
    replaying.send(serde_json::json!({"type": "replay", "from": "earliest"})).await;
    replaying.next_of("replay", |_| true).await;
    let (ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut viewer = Viewer { ws, seen: Vec::new() };
    // Wait until the server is a member of the group and has consumed records, so there is
    // something to leave and something to commit.
    viewer
        .next_of("stats", |stats| {
            let member = stats["group"]["assignment"].as_array().is_some_and(|a| !a.is_empty());
            member && stats["totals"]["consumed"].as_u64().is_some_and(|n| n > 0)
        })
        .await;

    let exit = tokio::spawn(server.terminate());

    // The viewer is told the server is going away.
    let close = viewer.next_of("close", |_| true).await;
    assert_eq!(close["code"], 1001, "{close}");
    // The process exits by itself with success within 5 s, having left the group.
    let exit = exit.await.unwrap();
    assert!(exit.status.success(), "{:?}: {}", exit.status, exit.stderr);
    assert!(exit.took < std::time::Duration::from_secs(5), "took {:?}", exit.took);
    assert!(exit.stderr.contains("left the consumer group"), "{}", exit.stderr);
    // What it consumed is committed: a restart would carry on from there.
    let member: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", &brokers).set("group.id", &group).create().unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(&topic, 0);
    let committed = member.committed_offsets(tpl, PATIENCE).unwrap();
    let offset = committed.elements()[0].offset();
    assert!(matches!(offset, Offset::Offset(o) if o > 0), "nothing committed: {offset:?}");
}

#[test]
fn a_property_librdkafka_refuses_stops_serve_before_it_offers_a_url() {
    let out = Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["serve", "--listen", "127.0.0.1:0", "-X", "no.such.property=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().is_empty(), "no URL for a server that will not run");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("No such configuration property: \"no.such.property\""), "{stderr}");
}

#[test]
fn every_flag_in_help_is_in_the_configuration_doc() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let rows = flag_rows(&doc);
    let subcommands = ["serve", "simulate", "bridge"];
    let mut problems = Vec::new();
    let mut known = help_options(&[]).into_iter().map(|(flag, _)| flag).collect::<Vec<_>>();

    for sub in subcommands {
        let options = help_options(&[sub]);
        known.extend(options.iter().map(|(flag, _)| flag.clone()));
        // Every flag of `--help`, with its variable, on a row of its subcommand's table or of
        // the table every subcommand shares.
        for (flag, env) in options.iter().filter(|(flag, _)| flag != "--help") {
            let row = rows
                .iter()
                .filter(|(section, _)| *section == sub || *section == COMMON)
                .find(|(_, row)| flags_in(first_cell(row)).contains(flag));
            match (row, env) {
                (None, _) => problems.push(format!("`trackside {sub} {flag}` has no row in its table")),
                (Some((_, row)), Some(env)) if !row.contains(env.as_str()) => {
                    problems.push(format!("`trackside {sub} {flag}`: its row does not name {env}"))
                }
                _ => {}
            }
        }
        // Every flag a table gives a subcommand, in that subcommand's `--help`.
        for (section, row) in &rows {
            for flag in flags_in(first_cell(row)) {
                if (*section == sub || *section == COMMON) && !options.iter().any(|(f, _)| *f == flag) {
                    problems.push(format!("the {section} table names `{flag}`, which `trackside {sub} --help` lacks"));
                }
            }
        }
    }
    for flag in flags_in(&doc) {
        if !known.contains(&flag) {
            problems.push(format!("it names `{flag}`, which no `--help` lists"));
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "docs/configuration.md and --help disagree:\n{}", problems.join("\n"));
}

/// The section of docs/configuration.md whose table holds the flags every subcommand takes.
const COMMON: &str = "Every subcommand";

/// Each long flag `trackside <args> --help` lists, with its `[env: …]` variable. An entry
/// starts at a line beginning with `-`; clap puts its description on the same line or the
/// next ones, so the variable is looked for up to the next entry.
fn help_options(args: &[&str]) -> Vec<(String, Option<String>)> {
    let out = Command::new(env!("CARGO_BIN_EXE_trackside")).args(args).arg("--help").output().unwrap();
    assert!(out.status.success(), "{args:?} --help");
    let help = String::from_utf8(out.stdout).unwrap();
    let mut entries: Vec<String> = Vec::new();
    for line in help.lines() {
        match entries.last_mut() {
            Some(entry) if !line.trim_start().starts_with('-') => entry.push_str(line),
            _ if line.trim_start().starts_with('-') => entries.push(line.to_owned()),
            _ => {}
        }
    }
    entries
        .iter()
        .map(|entry| {
            let flag = flags_in(entry).into_iter().next().unwrap_or_else(|| panic!("no long flag in {entry:?}"));
            let env = entry
                .split_once("[env: ")
                .map(|(_, rest)| rest.chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect::<String>());
            (flag, env)
        })
        .collect()
}

/// The table rows of docs/configuration.md, each with the section it is in: `serve`,
/// `simulate`, `bridge` for `## \`trackside serve\`` and the like, else the heading.
fn flag_rows(doc: &str) -> Vec<(&str, &str)> {
    let mut section = "";
    let mut rows = Vec::new();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim_matches('`').strip_prefix("trackside ").unwrap_or(heading);
        } else if line.starts_with('|') {
            rows.push((section, line));
        }
    }
    rows
}

fn first_cell(row: &str) -> &str {
    row.split('|').nth(1).unwrap_or("")
}

/// Every `--long-flag` in a text, in order.
fn flags_in(text: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        let before = text[..text.len() - rest.len() + at].chars().next_back();
        let name: String = rest[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if name.starts_with(|c: char| c.is_ascii_lowercase())
            && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            flags.push(format!("--{name}"));
        }
        rest = &rest[at + 2 + name.len()..];
    }
    flags
}
