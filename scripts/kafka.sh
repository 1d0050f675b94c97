#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, no ZooKeeper) for the Trackside
# demo, the integration tests and CI. No Docker: the broker jars come from Maven
# Central (see kafka/pom.xml) and run on the machine's Java 17+.
#
# Usage: scripts/kafka.sh COMMAND [ARGS]
#
#   install              fetch Kafka into $TRACKSIDE_KAFKA_HOME (skipped if already there)
#   up                   install if needed, start the broker, wait until it serves metadata
#   down                 stop the broker (SIGTERM, SIGKILL after 30 s); no-op if stopped
#   status               print the broker state; exit 0 if running, 3 if not
#   logs [-f]            show the last 200 lines of the broker log (-f: follow)
#   reset                down, then delete the state dir (topics, offsets, logs)
#   topic NAME PARTS     create topic NAME with PARTS partitions unless it exists
#   topics               list the topics
#   bootstrap            print the bootstrap address (127.0.0.1:PORT)
#   run-class CLASS ...  run a Java class from the Kafka classpath (like kafka-run-class.sh)
#
# Environment:
#   TRACKSIDE_KAFKA_HOME           install dir     (default: ${XDG_CACHE_HOME:-~/.cache}/trackside/kafka-$KAFKA_VERSION,
#                                                   shared by every clone)
#   TRACKSIDE_KAFKA_STATE          state dir       (default: $REPO/.cache/kafka-run, this clone's)
#   TRACKSIDE_KAFKA_PORT           client port     (default: 9092; the controller uses PORT+1)
#   TRACKSIDE_KAFKA_START_TIMEOUT  seconds `up` waits for the broker (default: 90)
#   TRACKSIDE_KAFKA_HEAP_OPTS      JVM heap flags  (default: -Xms512m -Xmx1g)
#   JAVA_HOME                      Java to use     (default: `java` on PATH)
#
# SASL and TLS, for trying Kafka security (off by default; the PLAINTEXT listener on
# PORT is always there and stays open):
#   TRACKSIDE_KAFKA_SASL_PORT      adds a SASL_PLAINTEXT listener on this port
#   TRACKSIDE_KAFKA_SSL_PORT       adds a SASL_SSL listener on this port, with a CA and a
#                                  certificate for 127.0.0.1 and localhost made by openssl
#                                  in STATE/tls (clients trust STATE/tls/ca.pem)
#   TRACKSIDE_KAFKA_SASL_USER      the one user, for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512
#                                  (default: trackside)
#   TRACKSIDE_KAFKA_SASL_PASSWORD  its password (default: trackside-secret); the same
#                                  variable gives Trackside its password
# SCRAM credentials are stored when the state dir is formatted: after changing the user
# or password, `reset` first.
set -euo pipefail

KAFKA_VERSION=4.1.1 # keep in sync with kafka/pom.xml and docker-compose.yml

# Resolve the repo from this script's location so it works from any cwd.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$REPO/kafka/pom.xml"
. "$REPO/scripts/lib/cache.sh"
. "$REPO/scripts/lib/daemon.sh"
KAFKA_HOME="${TRACKSIDE_KAFKA_HOME:-$TRACKSIDE_CACHE/kafka-$KAFKA_VERSION}"
STATE="${TRACKSIDE_KAFKA_STATE:-$REPO/.cache/kafka-run}"
PORT="${TRACKSIDE_KAFKA_PORT:-9092}"
CONTROLLER_PORT=$((PORT + 1))
START_TIMEOUT="${TRACKSIDE_KAFKA_START_TIMEOUT:-90}"
HEAP_OPTS="${TRACKSIDE_KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
BOOTSTRAP="127.0.0.1:$PORT"
SASL_PORT="${TRACKSIDE_KAFKA_SASL_PORT:-}"
SSL_PORT="${TRACKSIDE_KAFKA_SSL_PORT:-}"
SASL_USER="${TRACKSIDE_KAFKA_SASL_USER:-trackside}"
SASL_PASSWORD="${TRACKSIDE_KAFKA_SASL_PASSWORD:-trackside-secret}"

LIBS="$KAFKA_HOME/libs"
# The marker is keyed on the version and holds a checksum of the POM, so editing
# the POM (say, adding a jar) triggers a fresh install on the next run.
MARKER="$KAFKA_HOME/.installed-$KAFKA_VERSION"
CONF_DIR="$STATE/config"
DATA_DIR="$STATE/data"
LOG_DIR="$STATE/logs"
TLS_DIR="$STATE/tls"
PID_FILE="$STATE/broker.pid"
BROKER_LOG="$STATE/broker.log"

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

say() { printf 'kafka: %s\n' "$*"; }

die() { printf 'kafka: error: %s\n' "$*" >&2; exit 1; }

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

is_installed() {
  [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(pom_sum)" ]]
}

cmd_install() {
  is_installed && return 0
  command -v mvn >/dev/null || die "mvn not found; install Maven 3.8+ (Debian: apt-get install maven)"
  lock "$KAFKA_HOME/.install.lock"
  # Check again under the lock: a concurrent run may have just finished.
  is_installed && return 0
  say "installing Apache Kafka $KAFKA_VERSION from Maven Central into $KAFKA_HOME"
  local start tmp="$KAFKA_HOME/libs.tmp"
  start="$(now)"
  mkdir -p "$KAFKA_HOME"
  rm -rf "$tmp" "$MARKER"
  # Copy into a scratch dir and swap it in, so a failed or interrupted download
  # never leaves a half-filled libs/ behind that looks installed.
  # Maven's output goes to a log shown only on failure (Debian's mvn 3.8.7
  # prints stray colour escapes even with -q -B).
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" \
    >"$KAFKA_HOME/install.log" 2>&1; then
    tail -n 40 "$KAFKA_HOME/install.log" >&2
    die "Maven could not fetch Kafka (is Maven Central reachable?); full log: $KAFKA_HOME/install.log"
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_sum >"$MARKER"
  say "installed $(find "$LIBS" -name '*.jar' | wc -l) jars in $(since "$start") s"
}

# Runs a class from the Kafka classpath. Tools log WARN and above to stderr,
# like Kafka's own bin/ scripts do with config/tools-log4j2.yaml.
run_class() {
  is_installed || die "Kafka is not installed; run: $0 install"
  write_tools_log_config
  "$JAVA" -Xmx512m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF_DIR/tools-log4j2.properties" \
    -cp "$LIBS/*" "$@"
}

write_tools_log_config() {
  mkdir -p "$CONF_DIR"
  cat >"$CONF_DIR/tools-log4j2.properties" <<'EOF'
# Written by scripts/kafka.sh: log config for command-line tools.
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

write_broker_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
  cat >"$CONF_DIR/server.properties" <<EOF
# Written by scripts/kafka.sh on every \`up\`: edit the script, not this file.
# Single-node KRaft: this process is both the broker and the (only) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT

listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT$(security_listeners)
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT$(security_listeners)
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER

log.dirs=$DATA_DIR
num.partitions=1

# Internal topics must fit on one broker.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Consumer groups form at once instead of waiting 3 s for more members:
# tests and the demo start consuming right away.
group.initial.rebalance.delay.ms=0

# The simulator can run for days on a laptop: keep at most a day of telemetry
# and roll segments often enough for retention to actually free space.
log.retention.hours=24
log.segment.bytes=67108864
EOF
  write_security_config >>"$CONF_DIR/server.properties"

  # Broker logging: console (captured in broker.log) plus a rolling file in
  # logs/, as Kafka's config/log4j2.yaml does via -Dkafka.logs.dir.
  cat >"$CONF_DIR/log4j2.properties" <<'EOF'
# Written by scripts/kafka.sh: broker log config.
status = warn
property.logsDir = ${sys:kafka.logs.dir}
property.pattern = [%d] %p %m (%c)%n

appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = ${pattern}

appender.server.type = RollingFile
appender.server.name = SERVER
appender.server.fileName = ${logsDir}/server.log
appender.server.filePattern = ${logsDir}/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = ${pattern}
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 20MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 3

rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
rootLogger.appenderRef.server.ref = SERVER

# Same quietening as Kafka's default config.
logger.kafka.name = kafka
logger.kafka.level = info
logger.apache.name = org.apache.kafka
logger.apache.level = info
logger.zk.name = org.apache.zookeeper
logger.zk.level = warn
EOF
}

# ",SASL_PLAINTEXT://…,SASL_SSL://…" for the listeners that are asked for, or nothing.
security_listeners() {
  [[ -z "$SASL_PORT" ]] || printf ',SASL_PLAINTEXT://127.0.0.1:%s' "$SASL_PORT"
  [[ -z "$SSL_PORT" ]] || printf ',SASL_SSL://127.0.0.1:%s' "$SSL_PORT"
}

security_enabled() { [[ -n "$SASL_PORT$SSL_PORT" ]]; }

# One user for every mechanism. PLAIN users live in the listener's JAAS config; SCRAM
# users in the cluster metadata, written at format time (see format_storage).
write_security_config() {
  security_enabled || return 0
  printf '\n# SASL (and TLS), from TRACKSIDE_KAFKA_SASL_PORT / TRACKSIDE_KAFKA_SSL_PORT.\n'
  printf 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n'
  local listener
  for listener in ${SASL_PORT:+sasl_plaintext} ${SSL_PORT:+sasl_ssl}; do
    printf 'listener.name.%s.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_%s="%s";\n' \
      "$listener" "$SASL_USER" "$SASL_PASSWORD"
    printf 'listener.name.%s.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n' "$listener"
    printf 'listener.name.%s.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n' "$listener"
  done
  if [[ -n "$SSL_PORT" ]]; then
    # A PEM key store: the private key (PKCS#8) and the certificate in one file.
    printf 'ssl.keystore.type=PEM\nssl.keystore.location=%s\n' "$TLS_DIR/broker.pem"
  fi
}

# A throwaway CA and a broker certificate for 127.0.0.1 and localhost, made once per
# state dir. Clients trust ca.pem (librdkafka: ssl.ca.location).
make_tls() {
  [[ -n "$SSL_PORT" && ! -f "$TLS_DIR/broker.pem" ]] || return 0
  command -v openssl >/dev/null || die "openssl not found (Debian: apt-get install openssl)"
  mkdir -p "$TLS_DIR"
  local d="$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Trackside local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>"$d/openssl.log" || die "openssl failed; see $d/openssl.log"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/broker.key" -out "$d/broker.csr" \
    2>>"$d/openssl.log" || die "openssl failed; see $d/openssl.log"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/broker.ext"
  openssl x509 -req -days 3650 -in "$d/broker.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -extfile "$d/broker.ext" -out "$d/broker.crt" 2>>"$d/openssl.log" || die "openssl failed; see $d/openssl.log"
  cat "$d/broker.key" "$d/broker.crt" >"$d/broker.pem"
  rm -f "$d/broker.csr" "$d/broker.ext" "$d/ca.srl"
  chmod 600 "$d"/*.key "$d/broker.pem"
  say "made a CA and a broker certificate in $d (clients trust $d/ca.pem)"
}

broker_pid() { daemon_pid "$PID_FILE" 'kafka\.Kafka'; }

port_open() {
  timeout 2 bash -c ": </dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# The port being open is not enough: the broker must also have finished
# starting. kcat, when present, asks for real metadata; otherwise rely on the
# line KafkaRaftServer logs once the broker and controller are both up.
broker_ready() {
  port_open "$PORT" || return 1
  if command -v kcat >/dev/null; then
    kcat -L -b "$BOOTSTRAP" -m 3 2>/dev/null | grep -q "broker 1 at"
  else
    grep -q 'Kafka Server started' "$BROKER_LOG" 2>/dev/null
  fi
}

# Formats the KRaft log dir once, with a fresh cluster id. Static quorum
# (controller.quorum.voters) so no --standalone: that flag is for the dynamic
# quorum (controller.quorum.bootstrap.servers) and is rejected with static voters.
format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(run_class kafka.tools.StorageTool random-uuid)"
  say "formatting $DATA_DIR (cluster id $cluster_id)"
  local scram=()
  if security_enabled; then
    # The SCRAM credential syntax has no quoting that survives every password.
    [[ "$SASL_USER$SASL_PASSWORD" =~ ^[A-Za-z0-9._~+-]+$ ]] ||
      die "TRACKSIDE_KAFKA_SASL_USER and _PASSWORD: letters, digits and . _ ~ + - only"
    local m
    for m in SCRAM-SHA-256 SCRAM-SHA-512; do
      scram+=(--add-scram "$m=[name=\"$SASL_USER\",password=\"$SASL_PASSWORD\"]")
    done
  fi
  run_class kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$CONF_DIR/server.properties" "${scram[@]}" >/dev/null
}

start_broker() {
  : >"$BROKER_LOG"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of flags
  daemon_start "$PID_FILE" "$BROKER_LOG" \
    "$JAVA" $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$CONF_DIR/server.properties"
}

wait_ready() {
  daemon_wait_ready "the broker" "kafka: waiting for the broker on $BOOTSTRAP" "$START_TIMEOUT" broker_ready broker_pid fail
}

fail() {
  printf 'kafka: error: %s; last 40 lines of %s:\n' "$1" "$BROKER_LOG" >&2
  tail -n 40 "$BROKER_LOG" >&2 || true
  exit 1
}

cmd_up() {
  cmd_install
  lock "$STATE/.lock"
  local pid
  if pid="$(broker_pid)"; then
    if broker_ready; then
      say "broker already running on $BOOTSTRAP (pid $pid)"
      return 0
    fi
    # Alive but not answering: most likely still starting (or wedged).
    say "broker process $pid is running but not answering yet"
    wait_ready
    return 0
  fi
  rm -f "$PID_FILE"
  command -v "$JAVA" >/dev/null || die "java not found; install Java 17+ (Debian: apt-get install openjdk-17-jre-headless)"
  local p
  for p in "$PORT" "$CONTROLLER_PORT" $SASL_PORT $SSL_PORT; do
    port_open "$p" && die "port $p is already in use by another process (set TRACKSIDE_KAFKA_PORT to use another pair)"
  done
  make_tls
  write_broker_config
  format_storage
  say "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (state: $STATE)"
  start_broker
  wait_ready
}

cmd_down() {
  [[ -d "$STATE" ]] || { say "broker not running"; return 0; }
  lock "$STATE/.lock"
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    say "broker not running"
    return 0
  fi
  say "stopping broker (pid $pid)"
  local start
  start="$(now)"
  daemon_stop "$pid" 30
  rm -f "$PID_FILE"
  say "stopped in $(since "$start") s"
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    if broker_ready; then
      say "running on $BOOTSTRAP (pid $pid)"
    else
      say "process $pid is running but the broker is not answering on $BOOTSTRAP"
    fi
    say "state: $STATE  install: $KAFKA_HOME"
    return 0
  fi
  say "stopped (install: $(is_installed && echo "$KAFKA_HOME" || echo none); state: $STATE)"
  return 3
}

cmd_logs() {
  [[ -f "$BROKER_LOG" ]] || die "no broker log yet ($BROKER_LOG)"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 200 -F "$BROKER_LOG"
  fi
  tail -n 200 "$BROKER_LOG"
}

cmd_reset() {
  cmd_down
  # Guard against an empty or root path before rm -rf.
  [[ -n "$STATE" && "$STATE" != "/" && "$STATE" != "$REPO" ]] || die "refusing to delete '$STATE'"
  rm -rf "$STATE"
  say "deleted $STATE"
}

cmd_topic() {
  [[ $# -eq 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 topic NAME PARTITIONS"
  broker_ready || die "no broker on $BOOTSTRAP; run: $0 up"
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 1
  say "topic $1 ready"
}

cmd_topics() {
  broker_ready || die "no broker on $BOOTSTRAP; run: $0 up"
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list
}

usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    install) cmd_install ;;
    up) cmd_up ;;
    down | stop) cmd_down ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    reset) cmd_reset ;;
    topic) cmd_topic "$@" ;;
    topics) cmd_topics ;;
    bootstrap) echo "$BOOTSTRAP" ;;
    run-class) [[ $# -ge 1 ]] || die "usage: $0 run-class CLASS [ARGS...]"; run_class "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
