# Sourced by scripts that need the local broker for what they run next (test.sh, soak.sh).
# Uses the broker TRACKSIDE_TEST_BROKERS names, or the local one if it is running, or
# starts the local one and stops it when the script exits. Exports TRACKSIDE_TEST_BROKERS
# for the tests.

. scripts/lib/service.sh

use_local_broker() {
  use_local_service scripts/kafka.sh TRACKSIDE_TEST_BROKERS broker bootstrap
}
