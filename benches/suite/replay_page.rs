//! `replay_page`: the replay's topic replayed by the page itself in headless Chromium, from
//! the click on "Play from start" to the progress display showing 100%, against kcat
//! reading the same topic (the replay's runs when it ran, its own otherwise). Also the
//! page's longest task and its JS heap. e2e/bench-replay-page.mjs drives the page and
//! prints its figures as one JSON line, read here.

use serde_json::{Value, json};

use crate::{
    common::{Figure, median, node_figures, step},
    replay::{KcatRuns, PartKcat, REPEATS},
};

/// What a person may wait for, against kcat writing the same records to /dev/null.
const MAX_RATIO: f64 = 2.0;
/// A task longer than this is a page that stutters under the replay.
const LONG_TASK_MS: f64 = 100.0;

pub(crate) fn run(brokers: &str, topic: &str, records: u64, kcat: Option<KcatRuns>) -> Vec<Figure> {
    // The page's runs are taken together, so its own kcat runs, if any, come first.
    let mut kcat = PartKcat::new(kcat);
    for i in 1..=REPEATS {
        kcat.before_run("replay_page", i, brokers, topic);
    }
    step(&format!(
        "replay_page: the page replays {records} records from earliest in headless Chromium, {REPEATS} times"
    ));
    let v = page_runs(brokers, topic, records);
    let num = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let (k, t) = (median(kcat.runs.secs.clone()), num("median_s"));
    let longest = num("longtask_max_ms");
    vec![
        Figure::new("replay_page", t, k, "s")
            .target(format!("at most {MAX_RATIO}x kcat's time"), t <= MAX_RATIO * k)
            .detail(json!({
                "records": records, "runs_page_s": v["runs_s"], "runs_kcat_s": kcat.runs.secs,
                "kcat_runs": kcat.source(),
                "data_format": v["format"], "records_at_100_percent": v["records_at_100"],
                "main_thread_busy_s": v["main_thread_busy_s"], "main_thread_script_s": v["main_thread_script_s"],
                "main_thread_layout_s": v["main_thread_layout_s"],
                "timed": "in the page: the click event to the first frame drawn after the progress text read 100%",
            })),
        Figure::new("replay_page_longest_task", longest, LONG_TASK_MS, "ms")
            .target(format!("no task over {LONG_TASK_MS} ms"), longest <= LONG_TASK_MS)
            .detail(json!({"records": records, "long_tasks_per_run": v["longtasks"],
                           "over_100ms_per_run": v["longtasks_over_100ms"],
                           "observed": "PerformanceObserver longtask entries (tasks over 50 ms) from the click on"})),
        Figure::new("replay_page_js_heap", num("heap_peak_mb"), num("heap_after_gc_mb"), "MB").info().detail(json!({
            "records": records,
            "figures": "peak of the JS heap sampled every 250 ms during the replays (no forced GC), against the heap after a forced GC at 100%",
        })),
    ]
}

/// Runs e2e/bench-replay-page.mjs and returns the JSON line it printed.
fn page_runs(brokers: &str, topic: &str, records: u64) -> Value {
    let (records, runs) = (records.to_string(), REPEATS.to_string());
    node_figures("bench-replay-page.mjs", &["--topic", topic, "--records", &records, "--runs", &runs], brokers)
}
