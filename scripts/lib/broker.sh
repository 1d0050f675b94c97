# Sourced by scripts that need the local broker for what they run next (test.sh, soak.sh).
# Uses the broker TRACKSIDE_TEST_BROKERS names, or the local one if it is running, or
# starts the local one and stops it when the script exits. Exports TRACKSIDE_TEST_BROKERS
# for the tests.

use_local_broker() {
  if [ -n "${TRACKSIDE_TEST_BROKERS:-}" ]; then
    echo "using the broker at $TRACKSIDE_TEST_BROKERS (TRACKSIDE_TEST_BROKERS)"
  elif bash scripts/kafka.sh status >/dev/null 2>&1; then
    echo "using the broker already running"
  else
    bash scripts/kafka.sh up
    # Stopped at exit, after what the script already runs then (test.sh's summary).
    local previous
    previous=$(trap -p EXIT)
    eval "set -- ${previous:-trap -- '' EXIT}"
    trap "${3:+$3; }bash scripts/kafka.sh down" EXIT
  fi
  TRACKSIDE_TEST_BROKERS="${TRACKSIDE_TEST_BROKERS:-$(bash scripts/kafka.sh bootstrap)}"
  export TRACKSIDE_TEST_BROKERS
}
