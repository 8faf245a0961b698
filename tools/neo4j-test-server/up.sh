#!/usr/bin/env bash
# Start the partnernet Neo4j test server (Neo4j 5.26 LTS Community, Bolt only) in the background.
# Idempotent: if the server from the pid file is already running, says so and exits 0.
#
# Environment (all optional):
#   NEO4J_TEST_HOME           state dir: pid file, log, data (default: <repo>/.neo4j)
#   NEO4J_TEST_PORT           Bolt port on 127.0.0.1 (default 7687)
#   NEO4J_TEST_PASSWORD       password of user neo4j (default partnernet-dev, >= 8 chars)
#   NEO4J_TEST_FRESH=1        wipe the data directory first (stops a running server)
#   NEO4J_TEST_START_TIMEOUT  seconds to wait for the ready line (default 120)
#   NEO4J_TEST_HEAP_OPTS      default "-Xmx1g -Xms256m"
#   NEO4J_TEST_JAVA_OPTS      other JVM flags (default: serial GC, C1 JIT only; see README)
#   NEO4J_TEST_PAGECACHE      page cache size (default 256m)
#   NEO4J_TEST_TX_TIMEOUT     transaction timeout in seconds (default 120)
#   NEO4J_TEST_PLUGINS_DIR    directory of plugin jars (put on the classpath and loaded as plugins)
#   NEO4J_TEST_MVN_OPTS       extra Maven flags for the build (e.g. -o)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/../.." && pwd))"
NEO4J_TEST_HOME="${NEO4J_TEST_HOME:-$REPO/.neo4j}"
PORT="${NEO4J_TEST_PORT:-7687}"
PIDFILE="$NEO4J_TEST_HOME/neo4j.pid"
LOG="$NEO4J_TEST_HOME/neo4j.log"
DATA="$NEO4J_TEST_HOME/data"
NEO4J_LOGS="$NEO4J_TEST_HOME/logs"
JAR="$SCRIPT_DIR/target/neo4j-test-server.jar"
START_TIMEOUT="${NEO4J_TEST_START_TIMEOUT:-120}"
HEAP_OPTS="${NEO4J_TEST_HEAP_OPTS:--Xmx1g -Xms256m}"
JAVA_OPTS="${NEO4J_TEST_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow}"
MAIN_CLASS=org.partnernet.Neo4jTestServer

say() { echo "neo4j-test-server: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="$(command -v java || true)"; fi
[[ -n "$JAVA" ]] || die "java not found (need Java 17 or 21)"

# Our server? (guards against a stale pid file whose pid was reused by another process)
is_ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q "neo4j-test-server"; }
running_pid() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && is_ours "$pid" && { echo "$pid"; return 0; }
  return 1
}

if [[ ! -d "$NEO4J_TEST_HOME" ]]; then
  mkdir -p "$NEO4J_TEST_HOME"
  # runtime state only: keep it out of git without touching the repo's .gitignore
  printf '*\n' > "$NEO4J_TEST_HOME/.gitignore"
fi

# One up.sh at a time per NEO4J_TEST_HOME.
exec 9>"$NEO4J_TEST_HOME/.up.lock"
flock -w 300 9 || die "another up.sh is still running for $NEO4J_TEST_HOME"

if pid="$(running_pid)"; then
  if [[ "${NEO4J_TEST_FRESH:-0}" == "1" ]]; then
    say "NEO4J_TEST_FRESH=1: stopping running server (pid $pid) to wipe its data"
    NEO4J_TEST_HOME="$NEO4J_TEST_HOME" bash "$SCRIPT_DIR/down.sh"
  else
    say "already running (pid $pid), see $PIDFILE; log $LOG"
    exit 0
  fi
fi
rm -f "$PIDFILE"

# Port must be free (a server from another pid file / another checkout would make us fail late).
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "port $PORT on 127.0.0.1 is already in use by another process (set NEO4J_TEST_PORT, or stop it)"
fi

# Build if needed: jar or copied dependencies missing, or pom/sources newer than the jar.
needs_build=0
if [[ ! -f "$JAR" || ! -d "$SCRIPT_DIR/target/lib" ]]; then
  needs_build=1
elif [[ -n "$(find "$SCRIPT_DIR/pom.xml" "$SCRIPT_DIR/src" -newer "$JAR" -print -quit)" ]]; then
  needs_build=1
fi
if [[ "$needs_build" == "1" ]]; then
  command -v mvn >/dev/null || die "mvn not found and $JAR is missing or stale"
  say "building (mvn -q -B package) ..."
  # shellcheck disable=SC2086
  (cd "$SCRIPT_DIR" && mvn -q -B -Dstyle.color=never ${NEO4J_TEST_MVN_OPTS:-} package) >&2 || die "build failed"
fi

if [[ "${NEO4J_TEST_FRESH:-0}" == "1" ]]; then
  say "NEO4J_TEST_FRESH=1: wiping $DATA"
  rm -rf "$DATA" "$NEO4J_LOGS"
fi
mkdir -p "$DATA" "$NEO4J_LOGS"

# Launch command. With plugins, they must be on the JVM classpath too (kernel extensions such as
# APOC's config are found via ServiceLoader), and then -cp is used instead of -jar, so the
# manifest's Add-Opens must be given as flags.
ARGS=(--port "$PORT" --data-dir "$DATA" --logs-dir "$NEO4J_LOGS")
# shellcheck disable=SC2206
CMD=("$JAVA" $HEAP_OPTS $JAVA_OPTS)
if [[ -n "${NEO4J_TEST_PLUGINS_DIR:-}" ]]; then
  PLUGINS="$(cd "$NEO4J_TEST_PLUGINS_DIR" && pwd)"
  CMD+=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
        --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
        -cp "$JAR:$PLUGINS/*" "$MAIN_CLASS" "${ARGS[@]}" --plugins-dir "$PLUGINS")
else
  CMD+=(-jar "$JAR" "${ARGS[@]}")
fi

touch "$LOG"
offset="$(stat -c %s "$LOG")"
echo "=== up.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) port=$PORT data=$DATA" >> "$LOG"
start_ns="$(date +%s%N)"
# setsid: own session, so a terminal's Ctrl-C/hangup does not reach it; the inner bash writes
# its pid and then becomes java via exec, so the pid file holds the JVM's pid.
# 9>&- : the JVM must not inherit (and so keep holding) the up.sh lock.
setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PIDFILE" "${CMD[@]}" >> "$LOG" 2>&1 < /dev/null 9>&- &
launcher=$!
for _ in $(seq 1 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done

since_start() { tail -c +"$((offset + 1))" "$LOG"; }
pid=""
deadline=$((SECONDS + START_TIMEOUT))
while :; do
  [[ -z "$pid" && -s "$PIDFILE" ]] && pid="$(cat "$PIDFILE")"
  if since_start | grep -q "^NEO4J READY "; then
    break
  fi
  if ! kill -0 "${pid:-$launcher}" 2>/dev/null; then
    say "server process exited before it was ready; last log lines ($LOG):"
    since_start | tail -n 60 >&2
    rm -f "$PIDFILE"
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    say "not ready after ${START_TIMEOUT}s; last log lines ($LOG):"
    since_start | tail -n 60 >&2
    kill -TERM "${pid:-$launcher}" 2>/dev/null || true
    sleep 5
    kill -KILL "${pid:-$launcher}" 2>/dev/null || true
    rm -f "$PIDFILE"
    exit 1
  fi
  sleep 0.2
done

elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
say "ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))s: bolt://127.0.0.1:$PORT user neo4j (pid $pid, log $LOG, data $DATA)"
