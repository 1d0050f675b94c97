#!/usr/bin/env bash
# make soak: the long fault tests (tests/integration/soak.rs), one at a time, printing
# their figures as they go: TRACKSIDE_SOAK_RUNS (10) broker crashes of
# TRACKSIDE_SOAK_DOWN_SECS (30) each, then a viewer stalled for TRACKSIDE_SOAK_STALL_SECS
# (60). About 10 minutes with the defaults. Each crash is of a private broker; the local
# one serves the stalled-viewer test.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

echo "== build"
cargo build --locked --features failpoints --tests

echo "== Kafka"
. scripts/lib/broker.sh
use_local_broker

echo "== soak"
cargo test --locked --features failpoints --test integration -- --ignored --nocapture --test-threads 1 soak::
