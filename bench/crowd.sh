#!/usr/bin/env bash
# A crowd on get-session: throughput, latency, threads and memory of the
# release binary at 50, 1,000 and 10,000 concurrent keep-alive connections,
# on SQLite and on PostgreSQL, and its memory 30 s after the load stops.
#
# Usage: bench/crowd.sh [seconds-per-run (default 15)] [sqlite|postgres|both (default both)]
# Needs wrk (apt-get install wrk) and, for PostgreSQL, a server on
# 127.0.0.1:5432 (trust auth). TASKTALK_BIN overrides the binary measured.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
WHICH="${2:-both}"
PORT=18180
BASE="http://127.0.0.1:$PORT"
PG_ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 12000 ] || echo "warning: ulimit -n is $(ulimit -n): 10,000 connections need more" >&2

if [ -z "${TASKTALK_BIN:-}" ]; then
    cargo build --release --quiet
    TASKTALK_BIN=./target/release/tasktalk
fi
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# Peak threads and RSS (MB) of the server while a command runs.
sample() {
    local peak_threads=0 peak_rss=0 t r
    while kill -0 "$1" 2>/dev/null && [ ! -e "$WORK/stop" ]; do
        t=$(awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status")
        r=$(awk '/^VmRSS:/ {print int($2/1024)}' "/proc/$SERVER_PID/status")
        [ "$t" -gt "$peak_threads" ] && peak_threads=$t
        [ "$r" -gt "$peak_rss" ] && peak_rss=$r
        sleep 0.2
    done
    echo "$peak_threads $peak_rss"
}

rss() { awk '/^VmRSS:/ {print int($2/1024)}' "/proc/$SERVER_PID/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status"; }

run_backend() {
    local name=$1 url=$2
    DATABASE_URL="$url" PORT=$PORT AUTH_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=error \
        "$TASKTALK_BIN" >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
    curl -sf -c "$WORK/cookies" -H 'content-type: application/json' \
        -d '{"email":"crowd@example.com","password":"crowd password 1"}' \
        "$BASE/api/auth/sign-up/email" >/dev/null
    local cookie
    cookie=$(awk '$6 == "tasktalk_session" { print $6 "=" $7 }' "$WORK/cookies")
    echo "== $name: idle $(rss) MB, $(threads) threads"
    printf '%-12s %10s %8s %8s %8s %8s %12s\n' connections req/s p50 p99 threads "RSS MB" errors
    for c in 50 1000 10000; do
        rm -f "$WORK/stop"
        wrk -t2 -c"$c" -d"${DURATION}s" --timeout 10s --latency -H "Cookie: $cookie" \
            "$BASE/api/auth/get-session" >"$WORK/wrk-$c.out" 2>&1 &
        local wrk_pid=$!
        local peaks
        peaks=$(sample "$wrk_pid")
        wait "$wrk_pid" || true
        local rps p50 p99 errors
        rps=$(awk '/Requests\/sec/ {print int($2)}' "$WORK/wrk-$c.out")
        p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk-$c.out")
        p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$c.out")
        errors=$(grep -E "Socket errors|Non-2xx" "$WORK/wrk-$c.out" | tr -s ' ' | tr '\n' ' ' || true)
        printf '%-12s %10s %8s %8s %8s %8s %12s\n' "$c" "$rps" "$p50" "$p99" \
            "${peaks% *}" "${peaks#* }" "${errors:-0}"
    done
    sleep 30
    echo "   30 s after: $(rss) MB, $(threads) threads"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
    run_backend sqlite "sqlite://$WORK/crowd.db"
fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
    db="tasktalk_crowd_$$"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
    run_backend postgres "${PG_ADMIN_URL%/*}/$db"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
