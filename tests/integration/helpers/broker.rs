//! Private brokers for the fault tests: scripts/kafka.sh on ports of their own, to kill
//! and restart without disturbing the shared broker; stopped and removed on drop.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{run_script, unique};

/// A private broker managed by scripts/kafka.sh; stopped and removed on drop.
pub struct PrivateBroker {
    pub port: u16,
    pub state: std::path::PathBuf,
    /// More settings for scripts/kafka.sh, such as `TRACKSIDE_KAFKA_SASL_PORT`.
    pub env: Vec<(&'static str, String)>,
}

impl PrivateBroker {
    /// Two free neighbouring ports: the broker's and its controller's. They come from
    /// below the kernel's ephemeral range: a port found free there by binding port 0 could
    /// be taken by any test's next connection or server in the seconds the JVM takes to
    /// start (seen at 4 test threads: "Address already in use"). Below it only a listener
    /// that asks for the port by number can take it; each reservation of this process
    /// gets ports of its own, from a start that differs between processes.
    pub fn reserve() -> PrivateBroker {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let (low, high) = (20_000u64, ephemeral_ports_start().saturating_sub(1));
        let span = high.saturating_sub(low) / 2;
        assert!(span > 100, "no room for a private broker's ports below the ephemeral range ({high})");
        let first = u64::from(std::process::id()) * 97;
        loop {
            let port = (low + (first + NEXT.fetch_add(1, Ordering::Relaxed)) % span * 2) as u16;
            let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
            if free(port) && free(port + 1) {
                let state = std::env::temp_dir().join(unique("trackside-broker"));
                return PrivateBroker { port, state, env: Vec::new() };
            }
        }
    }

    pub fn kafka_sh(&self, command: &str) {
        let port = self.port.to_string();
        let mut env = vec![
            ("TRACKSIDE_KAFKA_PORT", port.as_ref()),
            ("TRACKSIDE_KAFKA_STATE", self.state.as_os_str()),
            ("TRACKSIDE_KAFKA_HEAP_OPTS", "-Xms256m -Xmx512m".as_ref()),
        ];
        env.extend(self.env.iter().map(|(k, v)| (*k, v.as_ref())));
        run_script("kafka.sh", command, &env);
    }

    /// `kafka-host:port` of this broker.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the broker with SIGKILL, as a crash would: no controlled shutdown.
    pub fn kill9(&self) {
        let pid = std::fs::read_to_string(self.state.join("broker.pid")).unwrap();
        assert!(std::process::Command::new("kill").args(["-9", pid.trim()]).status().unwrap().success());
    }
}

/// The first port of the kernel's ephemeral range (Linux's default where it cannot be read).
fn ephemeral_ports_start() -> u64 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kafka_sh("down");
        let _ = std::fs::remove_dir_all(&self.state);
    }
}
