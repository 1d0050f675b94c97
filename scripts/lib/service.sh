# Sourced by broker.sh and registry.sh: a local service (the broker, the schema registry)
# for what the sourcing script runs next. Uses the address the environment names, or the
# local service if it is running, or starts it and stops it when the script exits.

# use_local_service SCRIPT VAR WHAT ADDRESS: SCRIPT is scripts/kafka.sh or
# scripts/registry.sh, VAR the variable that names one already running (exported for the
# tests), WHAT its name in messages, ADDRESS the SCRIPT command that prints its address.
use_local_service() {
  local script=$1 var=$2 what=$3 address=$4
  if [ -n "${!var:-}" ]; then
    echo "using the $what at ${!var} ($var)"
  elif bash "$script" status >/dev/null 2>&1; then
    echo "using the $what already running"
  else
    bash "$script" up
    # Stopped at exit, after what the script already runs then (test.sh's summary).
    local previous
    previous=$(trap -p EXIT)
    eval "set -- ${previous:-trap -- '' EXIT}"
    trap "${3:+$3; }bash $script down" EXIT
  fi
  if [ -z "${!var:-}" ]; then
    printf -v "$var" '%s' "$(bash "$script" "$address")"
  fi
  export "${var?}"
}
