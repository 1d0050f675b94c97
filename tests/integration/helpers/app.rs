//! The real server in the test's process: `trackside serve` parsed from its command
//! line, run on a port of its own until dropped or shut down as Ctrl-C would, and a
//! scenario that needs a server stopped between two runs.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use clap::Parser;
use serde_json::Value;
use tokio::{sync::oneshot, task::JoinHandle};
use trackside::config::{Cli, Command, ServeArgs};

use super::{PATIENCE, Viewer, brokers, get_json, json_bytes, produce, records, sample, unique};

/// Server logs in test output, filtered by RUST_LOG (e.g. `RUST_LOG=trackside=debug`).
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

/// The real server, serving on a port of its own until dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), trackside::serve::ServeError>>>,
}

impl TestApp {
    /// Starts `trackside serve` with these command-line arguments (plus a port of its
    /// own and the test broker), exactly as a user would configure it.
    pub async fn spawn(args: &[&str]) -> TestApp {
        init_logging();
        let brokers = brokers();
        let mut argv = vec!["trackside", "serve", "--listen", "127.0.0.1:0"];
        if !args.contains(&"--brokers") {
            argv.extend(["--brokers", &brokers]);
        }
        argv.extend_from_slice(args);
        let Command::Serve(serve) = Cli::try_parse_from(argv).unwrap().command else { unreachable!() };
        Self::spawn_with(serve).await
    }

    /// The server reading `topic` as a fresh group that starts at the earliest offset, so
    /// it consumes what a test produced before starting it.
    pub async fn reading_from_earliest(topic: &str) -> TestApp {
        Self::spawn(&["--topics", topic, "--group-id", &unique("g"), "-X", "auto.offset.reset=earliest"]).await
    }

    pub async fn spawn_with(args: ServeArgs) -> TestApp {
        let listener = tokio::net::TcpListener::bind(args.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(trackside::serve::run(listener, args, async move {
            let _ = stopped.await;
        }));
        TestApp { addr, stop: Some(stop), task: Some(task) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        get_json(&self.url(path)).await
    }

    pub async fn viewer(&self) -> Viewer {
        Viewer::connect(&format!("ws://{}/ws", self.addr)).await
    }

    /// Shuts the server down as Ctrl-C would, and waits for `run` to return.
    pub async fn shutdown(mut self) -> Duration {
        let started = Instant::now();
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        tokio::time::timeout(PATIENCE, task).await.expect("server did not stop").unwrap().unwrap();
        started.elapsed()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A first `trackside serve` run with `args` reads records 0 to 2 of the one-partition
/// `topic` (produced once its group is assigned), commits and leaves; then records 3 and 4
/// arrive while no server runs.
pub async fn three_read_then_two_more_while_stopped(topic: &str, args: &[&str]) {
    let first = TestApp::spawn(args).await;
    let mut viewer = first.viewer().await;
    viewer.subscribe(topic, None).await;
    viewer.next_of("stats", |m| m["group"]["assignment"].as_array().is_some_and(|a| a.len() == 1)).await;
    produce(topic, &(0..3u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect::<Vec<_>>()).await;
    viewer.until("three records", |seen| records(seen, "live").len() >= 3).await;
    first.shutdown().await;
    produce(topic, &(3..5u32).map(|n| (0, "1", json_bytes(&sample("1", n)))).collect::<Vec<_>>()).await;
}

/// Starts `trackside serve` again with `args` after
/// [`three_read_then_two_more_while_stopped`], and checks that its group resumed at its
/// commit: it consumes only records 3 and 4, nothing repeated, nothing missed. Returns the
/// server and the viewer that saw it.
pub async fn restarted_resumes_at_its_commit(topic: &str, args: &[&str]) -> (TestApp, Viewer) {
    let second = TestApp::spawn(args).await;
    let mut viewer = second.viewer().await;
    viewer.subscribe(topic, None).await;
    let stats = viewer.next_of("stats", |m| m["partitions"][0]["consumed"] == 2).await;
    assert_eq!(stats["partitions"][0]["last_offset"], 4);
    (second, viewer)
}
