#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker) for
# development and CI. Needs Java 17+ and Maven; the broker jars come from Maven
# Central through deploy/kafka/pom.xml and are cached, so only the first `up`
# downloads anything.
#
#   deploy/kafka/kafka.sh up            start (or find running) broker, wait until ready
#   deploy/kafka/kafka.sh status        exit 0 if running, 1 if not
#   deploy/kafka/kafka.sh down [--wipe] stop it; --wipe also deletes topics/offsets
#
# Environment (all optional):
#   KAFKA_PORT=9092             client listener, PLAINTEXT://127.0.0.1:$KAFKA_PORT (no auth)
#   KAFKA_SASL_SSL_PORT=9094    SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT: SCRAM-SHA-512 over
#                               TLS, ACLs enforced (StandardAuthorizer)
#   KAFKA_CONTROLLER_PORT=9093  KRaft controller listener
#   KAFKA_CACHE_DIR=<repo>/.cache/kafka   jars/, data/, kafka.log, kafka.pid live here
#   KAFKA_HEAP_OPTS="-Xms128m -Xmx512m"
#   KAFKA_START_TIMEOUT=90      seconds `up` waits for the broker
#
# `up` ends by printing KAFKA_BOOTSTRAP=127.0.0.1:<port>. Everything binds 127.0.0.1 only.
#
# The SASL_SSL listener's certificates (a CA made here, and the broker's, signed by it) and the
# SCRAM users' passwords are made at the first `up` into $KAFKA_CACHE_DIR/secure/ (never
# committed): ca.pem for clients, users.env with one password per user (admin, detection,
# speech, desktop, producer). `admin` and the PLAINTEXT listener's ANONYMOUS are super users;
# everyone else gets only what their ACLs grant (`agent-assist acls --apply`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KAFKA_CACHE_DIR:-$HERE/../../.cache/kafka}"
mkdir -p "$CACHE" && CACHE="$(cd "$CACHE" && pwd)"  # absolute: mvn runs with another basedir
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9094}"
SECURE="$CACHE/secure"
USERS=(admin detection speech desktop producer)
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
JARS="$CACHE/jars"  DATA="$CACHE/data"  LOG="$CACHE/kafka.log"  PIDFILE="$CACHE/kafka.pid"
CONF="$CACHE/server.properties"

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Process exists and is not a zombie (a failed `up` leaves its own child as one).
alive() { ps -o stat= -p "$1" | grep -qv '^Z'; }
# Our broker runs if the pid file names a live kafka.Kafka process (not a reused pid).
running_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)" && [[ -n "$pid" ]] && alive "$pid" &&
    grep -qs kafka.Kafka "/proc/$pid/cmdline" && echo "$pid"
}

# Download the jars once; the stamp holds the pom's hash so editing the pom refetches.
fetch_jars() {
  local stamp; stamp="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [[ "$(cat "$JARS/.stamp" 2>/dev/null)" == "$stamp" ]] && return
  echo "Fetching Kafka jars with Maven into $JARS ..."
  rm -rf "$JARS.tmp"
  # Output goes to a file (Debian's mvn prints stray colour codes even with -B -q).
  if ! mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$JARS.tmp" >"$CACHE/mvn.log" 2>&1; then
    cat "$CACHE/mvn.log" >&2; echo "Maven could not fetch the Kafka jars." >&2; exit 1
  fi
  echo "$stamp" >"$JARS.tmp/.stamp"
  rm -rf "$JARS" && mv "$JARS.tmp" "$JARS"
}

# A CA, the broker's key and certificate signed by it (for localhost and 127.0.0.1), and a
# password per SCRAM user: made once, kept across `down --wipe` (only data/ goes).
make_secrets() {
  [[ -f "$SECURE/broker.p12" && -f "$SECURE/users.env" ]] && return
  rm -rf "$SECURE" && mkdir -p "$SECURE" && chmod 700 "$SECURE"
  local pass kt=(keytool -storetype PKCS12 -keyalg RSA -keysize 2048 -validity 3650)
  pass="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "$pass" >"$SECURE/store.pass"
  "${kt[@]}" -genkeypair -alias ca -dname "CN=agent-assist local test CA" -ext bc:c \
    -keystore "$SECURE/ca.p12" -storepass "$pass" 2>/dev/null
  keytool -exportcert -rfc -alias ca -keystore "$SECURE/ca.p12" -storepass "$pass" \
    >"$SECURE/ca.pem" 2>/dev/null
  "${kt[@]}" -genkeypair -alias broker -dname "CN=localhost" \
    -keystore "$SECURE/broker.p12" -storepass "$pass" 2>/dev/null
  keytool -certreq -alias broker -keystore "$SECURE/broker.p12" -storepass "$pass" 2>/dev/null |
    keytool -gencert -rfc -alias ca -keystore "$SECURE/ca.p12" -storepass "$pass" \
      -ext "SAN=dns:localhost,ip:127.0.0.1" -validity 3650 >"$SECURE/broker.pem" 2>/dev/null
  keytool -importcert -noprompt -alias ca -file "$SECURE/ca.pem" \
    -keystore "$SECURE/broker.p12" -storepass "$pass" >/dev/null 2>&1
  keytool -importcert -alias broker -file "$SECURE/broker.pem" \
    -keystore "$SECURE/broker.p12" -storepass "$pass" >/dev/null 2>&1
  for user in "${USERS[@]}"; do
    echo "$user=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  done >"$SECURE/users.env"
  chmod 600 "$SECURE"/*
}

scram_args() {  # --add-scram options for `kafka-storage format`, one per user
  local user password
  while IFS== read -r user password; do
    printf -- "--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n" "$user" "$password"
  done <"$SECURE/users.env"
}

# A data dir formatted before the SCRAM users existed (or with other passwords) gets them now.
ensure_scram_users() {
  local cluster; cluster="$(grep '^cluster.id=' "$DATA/meta.properties" | cut -d= -f2)"
  [[ "$(cat "$SECURE/users.cluster" 2>/dev/null)" == "$cluster" ]] && return
  local user password
  while IFS== read -r user password; do
    java -cp "$JARS/*" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --alter \
      --add-config "SCRAM-SHA-512=[password=$password]" --entity-type users \
      --entity-name "$user" >/dev/null
  done <"$SECURE/users.env"
  echo "$cluster" >"$SECURE/users.cluster"
}

write_config() {
  local pass; pass="$(cat "$SECURE/store.pass")"
  cat >"$CONF" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$SECURE/broker.p12
ssl.keystore.password=$pass
ssl.key.password=$pass
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:admin
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

up() {
  if pid="$(running_pid)" && port_open "$PORT"; then
    echo "Kafka already running (pid $pid)."
    echo "KAFKA_BOOTSTRAP=127.0.0.1:$PORT"; return
  fi
  # A live broker that does not answer on $PORT (stuck, or started with other ports): restart it.
  running_pid >/dev/null && down
  if port_open "$PORT" || port_open "$CONTROLLER_PORT" || port_open "$SASL_SSL_PORT"; then
    echo "Port $PORT, $SASL_SSL_PORT or $CONTROLLER_PORT is already used by another process." >&2
    exit 1
  fi
  fetch_jars
  make_secrets
  write_config
  local java=(java -cp "$JARS/*")
  if [[ ! -f "$DATA/meta.properties" ]]; then
    local scram; mapfile -t scram < <(scram_args)
    "${java[@]}" kafka.tools.StorageTool format -c "$CONF" "${scram[@]}" \
      -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)"
    grep '^cluster.id=' "$DATA/meta.properties" | cut -d= -f2 >"$SECURE/users.cluster"
  fi
  [[ -f "$LOG" ]] && mv "$LOG" "$LOG.prev"
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of options
  nohup "${java[@]}" ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    kafka.Kafka "$CONF" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  echo "Starting Kafka (pid $!, log $LOG) ..."

  # Ready = the server logged that it started (after KRaft election and broker
  # unfencing) and the client port accepts connections.
  local deadline=$((SECONDS + TIMEOUT))
  until grep -q "Kafka Server started" "$LOG" && port_open "$PORT"; do
    local why=""
    running_pid >/dev/null || why="exited during startup"
    ((SECONDS < deadline)) || why="did not start within ${TIMEOUT}s"
    if [[ -n "$why" ]]; then
      echo "Kafka $why. Last lines of $LOG:" >&2
      tail -n 40 "$LOG" >&2
      down >&2; exit 1
    fi
    sleep 0.5
  done
  ensure_scram_users
  echo "Kafka is up after ${SECONDS}s."
  echo "KAFKA_BOOTSTRAP=127.0.0.1:$PORT"
}

down() {
  local pid
  if pid="$(running_pid)"; then
    echo "Stopping Kafka (pid $pid) ..."
    kill -TERM "$pid"
    for _ in $(seq 60); do alive "$pid" || break; sleep 0.5; done
    if alive "$pid"; then
      echo "Still alive after 30s, killing." >&2
      kill -KILL "$pid"; while alive "$pid"; do sleep 0.2; done
    fi
  else
    echo "Kafka is not running."
  fi
  rm -f "$PIDFILE"
  if [[ "${1:-}" == "--wipe" ]]; then echo "Deleting $DATA"; rm -rf "$DATA"; fi
}

status() {
  local pid
  if pid="$(running_pid)" && port_open "$PORT"; then
    echo "Kafka running (pid $pid) at 127.0.0.1:$PORT"
  else
    echo "Kafka not running"; return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) shift; down "$@" ;;
  status) status ;;
  *) echo "usage: $0 up | down [--wipe] | status" >&2; exit 2 ;;
esac
