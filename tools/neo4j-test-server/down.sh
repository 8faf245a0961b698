#!/usr/bin/env bash
# Stop the partnernet Neo4j test server started by up.sh. Data is kept.
# SIGTERM (clean shutdown with checkpoint), then SIGKILL after NEO4J_TEST_STOP_TIMEOUT seconds
# (default 60). Exits 0 if nothing is running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/../.." && pwd))"
NEO4J_TEST_HOME="${NEO4J_TEST_HOME:-$REPO/.neo4j}"
PIDFILE="$NEO4J_TEST_HOME/neo4j.pid"
STOP_TIMEOUT="${NEO4J_TEST_STOP_TIMEOUT:-60}"

say() { echo "neo4j-test-server: $*" >&2; }

if [[ ! -f "$PIDFILE" ]]; then
  say "not running (no $PIDFILE)"
  exit 0
fi
pid="$(cat "$PIDFILE" 2>/dev/null || true)"
if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
  say "not running (stale pid file removed)"
  rm -f "$PIDFILE"
  exit 0
fi
if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "neo4j-test-server"; then
  say "pid $pid is not the test server (stale pid file removed, nothing killed)"
  rm -f "$PIDFILE"
  exit 0
fi

say "stopping pid $pid (SIGTERM) ..."
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null; do
  if (( SECONDS >= deadline )); then
    say "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    break
  fi
  sleep 0.2
done
rm -f "$PIDFILE"
say "stopped"
