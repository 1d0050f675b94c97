# Sourced by kafka.sh and registry.sh: a Java service kept as a daemon with a pid file.
# The sourcing script defines `say` and `die` (they carry its name in messages).

# Wall-clock time in seconds (fractional on bash 5+), and the seconds since $1.
now() {
  local t="${EPOCHREALTIME:-$(date +%s)}"
  echo "${t/,/.}" # some locales use a decimal comma
}
since() {
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# Serialise commands that change state (install, up, down, reset): tests or make targets
# may call `up` side by side. The daemon closes the lock's fd (daemon_start), or it would
# hold the lock for as long as it runs.
lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  flock 9
}

# daemon_pid PID_FILE PATTERN: the pid in PID_FILE, if that process is alive and its
# command line matches PATTERN (pids are reused after a reboot or a crash).
daemon_pid() {
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q "$2" || return 1
  echo "$pid"
}

# daemon_start PID_FILE LOG COMMAND...: runs COMMAND in the background, appending to LOG.
# setsid + nohup: it outlives this script and a Ctrl-C in the terminal that started it.
# The inner shell writes its own pid and execs COMMAND, so PID_FILE holds COMMAND's pid;
# 9>&- closes the lock.
daemon_start() {
  local pid_file=$1 log=$2
  shift 2
  rm -f "$pid_file"
  # shellcheck disable=SC2016 # $$ is the inner shell's
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" "$@" </dev/null >>"$log" 2>&1 9>&- &
  for _ in $(seq 50); do [[ -s "$pid_file" ]] && return 0; sleep 0.1; done
  die "it did not start (no pid file $pid_file)"
}

# daemon_wait_ready NAME WAITING TIMEOUT READY ALIVE FAIL: prints WAITING, then a dot every
# half second until the command READY succeeds; calls FAIL with the reason (it must exit)
# when the command ALIVE fails (the process is gone) or after TIMEOUT seconds. NAME is
# the service in those reasons ("the broker").
daemon_wait_ready() {
  local name=$1 what=$2 timeout=$3 ready=$4 alive=$5 fail=$6
  local deadline=$((SECONDS + timeout)) started
  started="$(now)"
  printf '%s ' "$what"
  while ! "$ready"; do
    if ! "$alive" >/dev/null; then
      printf '\n'
      "$fail" "$name exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      printf '\n'
      "$fail" "$name did not answer within $timeout s"
    fi
    printf '.'
    sleep 0.5
  done
  printf ' ready in %s s\n' "$(since "$started")"
}

# daemon_stop PID GRACE: SIGTERM, then SIGKILL if PID still runs after GRACE seconds;
# returns once it is gone.
daemon_stop() {
  local pid=$1 grace=$2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "still running after $grace s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
