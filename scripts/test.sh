#!/usr/bin/env bash
# Every test Trackside has, in the order that fails fastest: formatting and lints, unit
# and integration tests (against the real broker), then the browser tests. Starts the
# local broker if it is not running, and stops it again at the end if it started it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# Each step says how long the one before it took, and the run ends with all of them, so a
# slow step shows (the first run of a clone compiles everything: several minutes).
steps=() step_name="" step_started=$SECONDS
end_step() {
  [[ -n "$step_name" ]] || return 0
  steps+=("$(printf '%5d s  %s' $((SECONDS - step_started)) "$step_name")")
  printf -- '-- %s: %d s (%d s in all)\n' "$step_name" $((SECONDS - step_started)) "$SECONDS"
}
step() {
  end_step
  step_name=$* step_started=$SECONDS
  printf '\n== %s\n' "$*"
}
summary() {
  local status=$?
  end_step
  printf '\n== time per step (%s)\n' "$([[ $status -eq 0 ]] && echo passed || echo "failed in: $step_name")"
  printf '%s\n' "${steps[@]}"
  printf '%5d s  in all\n' "$SECONDS"
}
trap summary EXIT

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy --all-targets --locked -- -D warnings

step "lints of the fault-injection build"
# What the tests below run.
cargo clippy --all-targets --locked --features failpoints -- -D warnings

step "deployment files"
# The Kubernetes manifests, Prometheus's config and rules, compose and nginx (tools from deps.sh).
bash scripts/lint-deploy.sh

step "JavaScript unit tests"
# The page's pure modules (session, URL, store, charts' binning...), without a browser.
node --test tests/js/

step "build"
# What the tests below run, and the server the browser tests start: not the benchmarks,
# which the lints above have compiled (`make bench` builds them optimised anyway).
cargo test --locked --features failpoints --no-run

step "Kafka"
. scripts/lib/broker.sh
use_local_broker

step "schema registry"
# Once per run, for the tests of Avro topics (tests/integration/schema_registry.rs).
. scripts/lib/registry.sh
use_local_registry

step "unit and integration tests"
# `failpoints` lets a test stall the group consumer to prove the watchdog replaces it.
cargo test --locked --features failpoints

step "browser tests (headless chromium)"
# Two files at a time: each starts its own server and browser and mostly waits on them
# and on Kafka (on 2 cores node runs one at a time by default: 84 s here, 53 s so).
TRACKSIDE_BIN="$REPO/target/debug/trackside" node --test --test-concurrency=2 --test-reporter=spec e2e/
