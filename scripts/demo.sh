#!/usr/bin/env bash
# The demo: a local broker and schema registry, the `telemetry` topic with 6 partitions
# and `telemetry-avro` beside it, the race simulator into each in the background (JSON,
# and Avro in the schema-registry wire format) and the dashboard in the foreground.
# Ctrl-C stops the simulators and the server; the broker and the registry keep running
# (`make kafka-down`, `make registry-down` stop them).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
BIN="$REPO/target/release/trackside"
LOGS="$REPO/.cache/demo"
mkdir -p "$LOGS"

bash scripts/kafka.sh up
bash scripts/kafka.sh topic telemetry 6
bash scripts/kafka.sh topic telemetry-avro 6
bash scripts/registry.sh up
export TRACKSIDE_BROKERS="${TRACKSIDE_BROKERS:-$(bash scripts/kafka.sh bootstrap)}"
export TRACKSIDE_SCHEMA_REGISTRY="${TRACKSIDE_SCHEMA_REGISTRY:-$(bash scripts/registry.sh url)}"
listen="${TRACKSIDE_LISTEN:-127.0.0.1:8080}"

"$BIN" simulate --topic telemetry >"$LOGS/simulate.log" 2>&1 &
sim=$!
"$BIN" simulate --topic telemetry-avro --format avro --seed 8 >"$LOGS/simulate-avro.log" 2>&1 &
sim_avro=$!
trap 'kill "$sim" "$sim_avro" 2>/dev/null; wait "$sim" "$sim_avro" 2>/dev/null || true' EXIT
echo
echo "  Simulator: 20 cars at 20 Hz into 'telemetry' (log: .cache/demo/simulate.log)"
echo "  and another race in Avro into 'telemetry-avro' (schema registry: $TRACKSIDE_SCHEMA_REGISTRY)"
echo "  Math channels: examples/channels/simulator.toml (g_total, brake temperature balance, ...)"
echo "  Dashboard: http://$listen/    (Ctrl-C to stop)"
echo
"$BIN" serve --listen "$listen" --topics telemetry,telemetry-avro --channels "${TRACKSIDE_CHANNELS:-examples/channels/simulator.toml}"
