#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest over both stores.
# Starts a private Neo4j test server (port 7688, data under .neo4j/test) when NEO4J_URI is unset
# and Java + Maven are present, and stops it afterwards. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

"$BIN/ruff" check .
"$BIN/ruff" format --check .
"$BIN/mypy"
"$BIN/lint-imports"
npm run --silent check:dashboard  # the dashboard's TypeScript (tsc --noEmit)

if [ -z "${NEO4J_URI:-}" ]; then
  if command -v java >/dev/null && command -v mvn >/dev/null; then
    export NEO4J_TEST_PORT=7688 NEO4J_TEST_HOME="$PWD/.neo4j/test" NEO4J_TEST_FRESH=1
    trap 'bash tools/neo4j-test-server/down.sh' EXIT
    bash tools/neo4j-test-server/up.sh
    export NEO4J_URI="bolt://127.0.0.1:7688" NEO4J_USER=neo4j NEO4J_PASSWORD=partnernet-dev
  else
    echo "note: Java/Maven not found and NEO4J_URI unset: Neo4j store tests will be skipped" >&2
  fi
fi

"$BIN/pytest" "$@"
