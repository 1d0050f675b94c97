#!/usr/bin/env bash
# Every test Trackside has, in the order that fails fastest: formatting and lints, unit
# and integration tests (against the real broker), then the browser tests. Starts the
# local broker if it is not running, and stops it again at the end if it started it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The fault-injection build too: what the tests below run.
cargo clippy --all-targets --locked --features failpoints -- -D warnings

step "deployment files"
# kubeconform, promtool and scripts/lib/check-deploy.py on deploy/ (tools from deps.sh).
bash scripts/lint-deploy.sh

step "JavaScript unit tests"
# The page's pure modules (session, URL, store, charts' binning...), without a browser.
node --test tests/js/

step "build"
cargo build --all-targets --locked --features failpoints

step "Kafka"
. scripts/lib/broker.sh
use_local_broker

step "unit and integration tests"
# `failpoints` lets a test stall the group consumer to prove the watchdog replaces it.
cargo test --locked --features failpoints

step "browser tests (headless chromium)"
TRACKSIDE_BIN="$REPO/target/debug/trackside" node --test --test-reporter=spec e2e/
