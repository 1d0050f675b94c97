//! `browser`: e2e/bench-browser.mjs runs the page in Debian's Chromium (playwright-core,
//! as the browser tests do) against the real server and simulator, and prints its
//! figures as one JSON line, read here.

use serde_json::json;

use crate::common::{Figure, node_figures, step};

pub(crate) fn run(brokers: &str, secs: u64) -> Vec<Figure> {
    step(&format!("browser: the page in headless Chromium, 20 cars at 50 Hz, for {secs} s"));
    let v = node_figures("bench-browser.mjs", &["--seconds", &secs.to_string()], brokers);
    let num = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let (fps, heap_early, heap_late) = (num("fps_median"), num("heap_early_mb"), num("heap_late_mb"));
    let (busy, longest) = (num("main_thread_busy"), num("longest_task_ms"));
    vec![
        Figure::new("browser_fps", fps, 60.0, "fps").target("at least 55", fps >= 55.0).detail(json!({
            "fps_min_per_interval": v["fps_min"], "frame_p99_ms": v["frame_p99_ms"], "seconds": secs,
            "records_per_s": v["records_per_s"],
            "main_thread_busy_share": v["main_thread_busy"], "main_thread_script_share": v["main_thread_script"],
            "main_thread_layout_share": v["main_thread_layout"],
        })),
        // The default layout ("Race engineer"), 20 cars at 50 Hz live: the page's main thread
        // against the whole of it, and its longest task against the 50 ms a long task starts at.
        Figure::new("browser_main_thread_busy", busy, 1.0, "share").target("at most 0.6", busy <= 0.6).detail(json!({
            "panels": v["panels"], "script_share": v["main_thread_script"], "layout_share": v["main_thread_layout"],
        })),
        Figure::new("browser_longest_task", longest, 50.0, "ms")
            .target("no task over 50 ms", longest <= 50.0)
            .detail(json!({"long_tasks": v["long_tasks"], "seconds": secs,
                "long_tasks_during_forced_gc": v["long_tasks_during_forced_gc"]})),
        Figure::new("browser_js_heap", heap_late, heap_early, "MB")
            .target("flat: later half at most 1.1x the earlier", heap_late <= 1.1 * heap_early)
            .detail(
                json!({"samples_mb": v["heap_samples_mb"], "seconds": secs, "settled_after_s": v["heap_settled_s"],
                           "figures": "medians of the heap after a forced GC, later half of the run vs earlier half"}),
            ),
    ]
}
