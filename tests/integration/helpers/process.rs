//! Processes of their own, as a user starts them: Trackside's `simulate` run to the end
//! or in real time, and `serve` with its stderr kept, stopped by SIGTERM or SIGKILL, each
//! killed when the test is done with it, passing or not; and the scripts that run
//! private brokers and registries.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{PATIENCE, eventually, get_json};

/// Runs `trackside simulate` as fast as possible into `topic` on `brokers`, with `extra`
/// arguments, and waits for it to finish.
pub fn simulate_into(brokers: &str, topic: &str, extra: &[&str]) {
    let mut args = vec!["simulate", "--brokers", brokers, "--topic", topic, "--as-fast-as-possible"];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside")).args(&args).output().unwrap();
    assert!(out.status.success(), "simulate failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A child process that is killed when the test is done with it, passing or not.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `trackside simulate` in real time into `topic` on `brokers`, with `extra`
/// arguments, until the returned guard drops.
pub fn simulate_live(brokers: &str, topic: &str, extra: &[&str]) -> Running {
    Running(
        std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
            .args(["simulate", "--brokers", brokers, "--topic", topic])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// `trackside serve` as a process of its own, as a user starts it: a port of its own,
/// stderr kept for the test to read, and killed if the test ends without stopping it.
pub struct ServeProcess {
    child: std::process::Child,
    /// Base URL, `http://127.0.0.1:PORT`, as the server printed it.
    pub url: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// The thread draining stderr: it ends at end of file, once the process is gone.
    reader: Option<std::thread::JoinHandle<()>>,
}

/// How a [`ServeProcess`] ended.
pub struct Exit {
    pub status: std::process::ExitStatus,
    /// From SIGTERM to the process being gone.
    pub took: Duration,
    pub stderr: String,
}

impl ServeProcess {
    /// Starts the server with `args` and waits until it has printed its URL.
    pub fn start(args: &[&str]) -> ServeProcess {
        Self::start_in(std::path::Path::new("."), args)
    }

    /// As [`ServeProcess::start`], with `dir` as the server's working directory.
    pub fn start_in(dir: &std::path::Path, args: &[&str]) -> ServeProcess {
        use std::io::{BufRead, BufReader, Read};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
            .current_dir(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (mut pipe, sink) = (child.stderr.take().unwrap(), stderr.clone());
        // Drained all along, so a chatty server never blocks on a full pipe.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let line = stdout.lines().map_while(Result::ok).find(|l| l.contains("http://")).expect("the server's URL");
        let url = line[line.find("http://").unwrap()..].trim().trim_end_matches('/').to_owned();
        ServeProcess { child, url, stderr, reader: Some(reader) }
    }

    /// What the server has logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server with SIGKILL, as a crash or an OOM kill would: no goodbye, no
    /// final commit, no LeaveGroup.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn ws_url(&self) -> String {
        self.url.replace("http://", "ws://") + "/ws"
    }

    pub async fn get_json(&self, path: &str) -> Value {
        get_json(&format!("{}{path}", self.url)).await
    }

    /// Sends SIGTERM, as `docker stop` or systemd would, and waits for the process to
    /// exit by itself (killing it after [`PATIENCE`]).
    pub async fn terminate(mut self) -> Exit {
        let pid = self.child.id().to_string();
        let started = Instant::now();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status =
            eventually("the server to exit after SIGTERM", || std::future::ready(self.child.try_wait().unwrap())).await;
        let took = started.elapsed();
        // Everything the process wrote is read once the reader reaches end of file.
        let reader = self.reader.take().unwrap();
        let joined = tokio::time::timeout(PATIENCE, tokio::task::spawn_blocking(move || reader.join()));
        joined.await.expect("stderr never reached its end").unwrap().unwrap();
        let stderr = self.stderr.lock().unwrap().clone();
        Exit { status, took, stderr }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `scripts/<script> <command>` with `env` set, and fails the test, with the
/// script's stderr, unless it succeeds.
pub fn run_script(script: &str, command: &str, env: &[(&str, &std::ffi::OsStr)]) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts").join(script);
    let out = std::process::Command::new("bash").arg(path).arg(command).envs(env.iter().copied()).output().unwrap();
    assert!(out.status.success(), "{script} {command}: {}", String::from_utf8_lossy(&out.stderr));
}
