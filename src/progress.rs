//! The one-line progress of a long-running subcommand (`simulate`, `bridge`) on stderr:
//! rewritten in place about once a second on a terminal, a plain line every five seconds
//! otherwise (a log file should not fill with `\r`).

use std::{
    io::IsTerminal,
    time::{Duration, Instant},
};

pub(crate) struct ProgressLine {
    tty: bool,
    every: Duration,
    last: Instant,
}

impl ProgressLine {
    pub(crate) fn new(started: Instant) -> ProgressLine {
        let tty = std::io::stderr().is_terminal();
        ProgressLine { tty, every: Duration::from_secs(if tty { 1 } else { 5 }), last: started }
    }

    /// The time since the last line, once the next one is due.
    pub(crate) fn due(&self) -> Option<Duration> {
        Some(self.last.elapsed()).filter(|since| *since >= self.every)
    }

    pub(crate) fn show(&mut self, line: &str) {
        if self.tty {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        self.last = Instant::now();
    }

    /// The closing line, after clearing the one in place.
    pub(crate) fn finish(&self, line: &str) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
        eprintln!("{line}");
    }
}
