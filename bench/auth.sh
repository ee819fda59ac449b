#!/usr/bin/env bash
# Load test of the auth hot paths on loopback, on SQLite and on PostgreSQL:
#   GET  /api/auth/get-session with a valid cookie, 50 connections
#   POST /api/auth/sign-in/email, 10 connections (argon2-bound)
#
# Usage: bench/auth.sh [seconds-per-run (default 15)] [sqlite|postgres|both (default both)]
# Needs wrk (apt-get install wrk) and, for PostgreSQL, a server on 127.0.0.1:5432 (trust auth).
# It starts the release binary itself on 127.0.0.1:18080 and stops it when done.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
WHICH="${2:-both}"
PORT=18080
BASE="http://127.0.0.1:$PORT"
PG_ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/sign-in.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"bench password 1"}'
LUA

run_backend() {
    local name=$1 url=$2
    DATABASE_URL="$url" PORT=$PORT AUTH_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
        ./target/release/tasktalk >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done

    curl -sf -c "$WORK/cookies" -H 'content-type: application/json' \
        -d '{"email":"bench@example.com","password":"bench password 1"}' \
        "$BASE/api/auth/sign-up/email" >/dev/null
    local cookie
    cookie=$(awk '$6 == "tasktalk_session" { print $6 "=" $7 }' "$WORK/cookies")
    [ "$(curl -sf -H "Cookie: $cookie" "$BASE/api/auth/get-session" | head -c 11)" = '{"session":' ] \
        || { echo "the bench session does not work" >&2; exit 1; }

    echo "== $name: GET /api/auth/get-session, 50 connections, ${DURATION}s"
    wrk -t2 -c50 -d"${DURATION}s" --latency -H "Cookie: $cookie" "$BASE/api/auth/get-session" \
        | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
    echo "== $name: POST /api/auth/sign-in/email, 10 connections, ${DURATION}s"
    wrk -t2 -c10 -d"${DURATION}s" --latency -s "$WORK/sign-in.lua" "$BASE/api/auth/sign-in/email" \
        | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true

    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
    run_backend sqlite "sqlite://$WORK/bench.db"
fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
    db="tasktalk_bench_$$"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
    run_backend postgres "${PG_ADMIN_URL%/*}/$db"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
