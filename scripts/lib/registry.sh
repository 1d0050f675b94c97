# Sourced by scripts that need the local schema registry for what they run next
# (test.sh). Uses the registry TRACKSIDE_TEST_REGISTRY names, or the local one if it is
# running, or starts the local one and stops it when the script exits. Exports
# TRACKSIDE_TEST_REGISTRY for the tests.

. scripts/lib/service.sh

use_local_registry() {
  use_local_service scripts/registry.sh TRACKSIDE_TEST_REGISTRY "schema registry" url
}
