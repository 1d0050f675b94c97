//! Math channels end to end: expressions, files, `d()` and the per-car memory.
