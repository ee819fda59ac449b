#!/usr/bin/env bash
# Load test of a chat turn (50 and 500 concurrent users) and of opening a
# conversation of 10 vs 10,000 messages, on SQLite and/or PostgreSQL.
#
# Usage: bench/chat.sh [seconds-per-run (default 10)] [sqlite|postgres|both (default both)]
# The server is the release binary on 127.0.0.1:18081 with the offline
# assistant (a provider that answers instantly), started and stopped here.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-10}"
WHICH="${2:-both}"
PORT=18081
BASE="http://127.0.0.1:$PORT"
PG_ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release --quiet
cargo bench --bench chat --no-run --quiet 2>/dev/null
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

run_backend() {
    local name=$1 url=$2
    DATABASE_URL="$url" PORT=$PORT AUTH_RATE_LIMIT_PER_MINUTE=0 DATABASE_POOL_SIZE=16 RUST_LOG=warn \
        ./target/release/tasktalk >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
    echo "== $name"
    TASKTALK_URL="$BASE" DATABASE_URL="$url" BENCH_SECONDS="$SECONDS_PER_RUN" \
        cargo bench --bench chat --quiet 2>/dev/null
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

if [ "$WHICH" != postgres ]; then
    run_backend sqlite "sqlite://$WORK/bench.db"
fi
if [ "$WHICH" != sqlite ]; then
    DB="tasktalk_bench_$$"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
    run_backend postgres "${PG_ADMIN_URL%/*}/$DB"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null
fi
