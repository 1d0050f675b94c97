#!/usr/bin/env bash
# The demo: a local broker, the `telemetry` topic with 6 partitions, the race simulator
# in the background and the dashboard in the foreground. Ctrl-C stops the simulator and
# the server; the broker keeps running (`make kafka-down` stops it).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
BIN="$REPO/target/release/trackside"
LOGS="$REPO/.cache/demo"
mkdir -p "$LOGS"

bash scripts/kafka.sh up
bash scripts/kafka.sh topic telemetry 6
export TRACKSIDE_BROKERS="${TRACKSIDE_BROKERS:-$(bash scripts/kafka.sh bootstrap)}"
listen="${TRACKSIDE_LISTEN:-127.0.0.1:8080}"

"$BIN" simulate --topic telemetry >"$LOGS/simulate.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true' EXIT
echo
echo "  Simulator: 20 cars at 20 Hz into 'telemetry' (log: .cache/demo/simulate.log)"
echo "  Math channels: examples/channels/simulator.toml (g_total, brake temperature balance, ...)"
echo "  Dashboard: http://$listen/    (Ctrl-C to stop)"
echo
"$BIN" serve --listen "$listen" --topics telemetry --channels "${TRACKSIDE_CHANNELS:-examples/channels/simulator.toml}"
