#!/usr/bin/env bash
# A local Schema Registry for the demo and the tests: Apicurio Registry 3.0.9, the
# runnable Quarkus application from Maven Central, with in-memory storage, on loopback
# only. Trackside talks to it through its Confluent-compatible API (/apis/ccompat/v7),
# which is the API Confluent Schema Registry and Redpanda's registry serve. No Docker:
# like scripts/kafka.sh, it runs on the machine's Java 17.
#
# Usage: scripts/registry.sh COMMAND
#
#   install   fetch the registry into $TRACKSIDE_REGISTRY_HOME (skipped if already there)
#   up        install if needed, start the registry, wait until it answers
#   down      stop the registry (SIGTERM, SIGKILL after 20 s); no-op if stopped
#   status    print the registry state; exit 0 if running, 3 if not
#   logs      show the last 200 lines of its log
#   url       print the URL Trackside is given (http://127.0.0.1:PORT/apis/ccompat/v7)
#
# Environment:
#   TRACKSIDE_REGISTRY_HOME           install dir (default: ${XDG_CACHE_HOME:-~/.cache}/trackside/apicurio-registry-$VERSION)
#   TRACKSIDE_REGISTRY_STATE          pid file and log (default: $REPO/.cache/registry-run, this clone's)
#   TRACKSIDE_REGISTRY_PORT           HTTP port (default: 8081)
#   TRACKSIDE_REGISTRY_START_TIMEOUT  seconds `up` waits (default: 90)
#   TRACKSIDE_REGISTRY_DATA           keep the schemas in an H2 file in this directory, so a
#                                     restart keeps them (default: in memory)
#   JAVA_HOME                         Java to use (default: `java` on PATH)
#
# Storage is in memory unless TRACKSIDE_REGISTRY_DATA is set: a restarted registry has
# then forgotten every schema, and producers register theirs again.
set -euo pipefail

VERSION=3.0.9 # 3.1 and later need Java 21
# sha256 of io.apicurio:apicurio-registry-app:3.0.9:tar.gz:all, as Maven Central serves it.
SHA256=2b28181501a20cbf6efcd77f9b7153908fc01f3d3a7c32024c0bd9e1b04c8a43
ARTIFACT="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$REPO/scripts/lib/cache.sh"
. "$REPO/scripts/lib/daemon.sh"
HOME_DIR="${TRACKSIDE_REGISTRY_HOME:-$TRACKSIDE_CACHE/apicurio-registry-$VERSION}"
STATE="${TRACKSIDE_REGISTRY_STATE:-$REPO/.cache/registry-run}"
PORT="${TRACKSIDE_REGISTRY_PORT:-8081}"
START_TIMEOUT="${TRACKSIDE_REGISTRY_START_TIMEOUT:-90}"
DATA="${TRACKSIDE_REGISTRY_DATA:-}"
JAR="$HOME_DIR/apicurio-registry-app-$VERSION-runner.jar"
MARKER="$HOME_DIR/.installed-$SHA256"
PID_FILE="$STATE/registry.pid"
LOG="$STATE/registry.log"
URL="http://127.0.0.1:$PORT/apis/ccompat/v7"

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

say() { printf 'registry: %s\n' "$*"; }
die() { printf 'registry: error: %s\n' "$*" >&2; exit 1; }

cmd_install() {
  [[ -f "$MARKER" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found; install Maven 3.8+ (Debian: apt-get install maven)"
  lock "$HOME_DIR/.install.lock"
  [[ -f "$MARKER" ]] && return 0
  say "installing Apicurio Registry $VERSION from Maven Central into $HOME_DIR (about 110 MB)"
  local tmp="$HOME_DIR/download.tmp" tarball
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp" >"$HOME_DIR/install.log" 2>&1; then
    tail -n 40 "$HOME_DIR/install.log" >&2
    die "Maven could not fetch $ARTIFACT (is Maven Central reachable?); full log: $HOME_DIR/install.log"
  fi
  tarball="$tmp/apicurio-registry-app-$VERSION-all.tar.gz"
  [[ "$(sha256sum "$tarball" | cut -d' ' -f1)" == "$SHA256" ]] ||
    die "$ARTIFACT does not have the pinned checksum $SHA256; refusing to run it"
  # Unpacked beside, then swapped in, so an interrupted install never looks installed.
  mkdir -p "$tmp/unpacked"
  tar xzf "$tarball" -C "$tmp/unpacked"
  rm -rf "$HOME_DIR/lib" "$JAR"
  mv "$tmp/unpacked/lib" "$HOME_DIR/lib"
  mv "$tmp/unpacked/$(basename "$JAR")" "$JAR"
  rm -rf "$tmp"
  : >"$MARKER"
  say "installed"
}

registry_pid() { daemon_pid "$PID_FILE" 'apicurio-registry-app'; }

ready() {
  curl -fsS --max-time 2 "$URL/subjects" >/dev/null 2>&1
}

start() {
  mkdir -p "$STATE"
  : >"$LOG"
  local storage=()
  if [[ -n "$DATA" ]]; then
    mkdir -p "$DATA"
    storage=(-Dapicurio.datasource.url="jdbc:h2:file:$DATA/registry;DB_CLOSE_ON_EXIT=FALSE")
  fi
  daemon_start "$PID_FILE" "$LOG" \
    "$JAVA" -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -Dquarkus.log.level=WARN -Dquarkus.banner.enabled=false "${storage[@]}" \
    -jar "$JAR"
}

# Why it failed, with the end of its log; exits.
fail() {
  tail -n 40 "$LOG" >&2 || true
  die "$1 (log: $LOG)"
}

wait_ready() {
  daemon_wait_ready "the registry" "registry: waiting for $URL" "$START_TIMEOUT" ready registry_pid fail
}

cmd_up() {
  cmd_install
  lock "$STATE/.lock"
  local pid
  if pid="$(registry_pid)"; then
    ready && { say "already running at $URL (pid $pid)"; return 0; }
    wait_ready
    return 0
  fi
  rm -f "$PID_FILE"
  command -v "$JAVA" >/dev/null || die "java not found; install Java 17+ (Debian: apt-get install openjdk-17-jre-headless)"
  timeout 2 bash -c ": </dev/tcp/127.0.0.1/$PORT" 2>/dev/null &&
    die "port $PORT is already in use (set TRACKSIDE_REGISTRY_PORT to use another)"
  say "starting Apicurio Registry $VERSION at $URL (storage: ${DATA:-in memory})"
  start
  wait_ready
}

cmd_down() {
  [[ -d "$STATE" ]] || { say "not running"; return 0; }
  lock "$STATE/.lock"
  local pid
  if ! pid="$(registry_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  daemon_stop "$pid" 20
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  local pid
  if pid="$(registry_pid)"; then
    say "running at $URL (pid $pid)$(ready || echo ', not answering yet')"
    return 0
  fi
  say "stopped"
  return 3
}

usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

case "${1:-}" in
  install) cmd_install ;;
  up) cmd_up ;;
  down | stop) cmd_down ;;
  status) cmd_status ;;
  logs) tail -n 200 "$LOG" ;;
  url) echo "$URL" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
