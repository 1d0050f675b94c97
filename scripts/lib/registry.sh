# Sourced by scripts that need the local schema registry for what they run next (test.sh,
# demo.sh). Uses the registry TRACKSIDE_TEST_REGISTRY names, or the local one if it is
# running, or starts the local one and stops it when the script exits. Exports
# TRACKSIDE_TEST_REGISTRY for the tests. The same shape as broker.sh.

use_local_registry() {
  if [ -n "${TRACKSIDE_TEST_REGISTRY:-}" ]; then
    echo "using the schema registry at $TRACKSIDE_TEST_REGISTRY (TRACKSIDE_TEST_REGISTRY)"
  elif bash scripts/registry.sh status >/dev/null 2>&1; then
    echo "using the schema registry already running"
  else
    bash scripts/registry.sh up
    local previous
    previous=$(trap -p EXIT)
    eval "set -- ${previous:-trap -- '' EXIT}"
    trap "${3:+$3; }bash scripts/registry.sh down" EXIT
  fi
  TRACKSIDE_TEST_REGISTRY="${TRACKSIDE_TEST_REGISTRY:-$(bash scripts/registry.sh url)}"
  export TRACKSIDE_TEST_REGISTRY
}
