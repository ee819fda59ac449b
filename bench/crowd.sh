#!/usr/bin/env bash
# A crowd on get-session: throughput, latency, threads and memory of the
# release binary at 50, 1,000 and 10,000 concurrent keep-alive connections,
# on SQLite and on PostgreSQL, and its memory 30 s after the load stops.
# Then 2,000 chat reply streams open at once (250 users, 8 each) against a
# fake provider that takes 4 s a reply, while /healthz is sampled: every
# reply must be finished and saved. The stream clients and the fake provider
# run at nice 10: on a load balancer's machine they would not be taking the
# server's two cores, and the probe (at normal priority) must measure the
# server's answer, not how long the probe waited for a core behind them.
#
# Usage: bench/crowd.sh [seconds-per-run (default 15)] [sqlite|postgres|both (default both)]
# ROUNDS (default 3): alternating pairs of 50 and 1,000 connections, whose
# median ratio is reported.
# Needs wrk (apt-get install wrk) and, for PostgreSQL, a server on
# 127.0.0.1:5432 (trust auth). TASKTALK_BIN overrides the binary measured;
# STREAM_USERS (default 250) scales the streams part.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
WHICH="${2:-both}"
PORT=18180
FAKE_PORT=18181
BASE="http://127.0.0.1:$PORT"
STREAM_USERS="${STREAM_USERS:-250}"
ROUNDS="${ROUNDS:-3}"
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
FAKE_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
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

# start_server LOG [NAME=VALUE...]: the release binary on $PORT, with extra settings.
start_server() {
    local log=$1
    shift
    env "$@" PORT=$PORT AUTH_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=error \
        "$TASKTALK_BIN" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
}

stop_server() {
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# crowd C: one wrk run of $DURATION s at C connections on get-session;
# prints "req/s p50 p99 peak-threads peak-RSS errors".
crowd() {
    local c=$1
    rm -f "$WORK/stop"
    wrk -t2 -c"$c" -d"${DURATION}s" --timeout 10s --latency -H "Cookie: $COOKIE" \
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
    echo "$rps $p50 $p99 ${peaks% *} ${peaks#* } ${errors:-0}"
}

row() { printf '%-12s %10s %8s %8s %8s %8s %12s\n' "$@"; }

# median of the numbers on standard input
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

run_backend() {
    local name=$1 url=$2
    start_server "$WORK/server-$name.log" DATABASE_URL="$url"
    curl -sf -c "$WORK/cookies" -H 'content-type: application/json' \
        -d '{"email":"crowd@example.com","password":"crowd password 1"}' \
        "$BASE/api/auth/sign-up/email" >/dev/null
    COOKIE=$(awk '$6 == "tasktalk_session" { print $6 "=" $7 }' "$WORK/cookies")
    echo "== $name: idle $(rss) MB, $(threads) threads"
    row connections req/s p50 p99 threads "RSS MB" errors
    # 50 and 1,000 connections alternate, so both see the same machine (its
    # other tenants come and go); each pair gives one ratio.
    : >"$WORK/ratios"; : >"$WORK/rps-50"; : >"$WORK/rps-1000"
    local round out50 out1000
    for round in $(seq 1 "$ROUNDS"); do
        out50=$(crowd 50)
        out1000=$(crowd 1000)
        row 50 $out50
        row 1000 $out1000
        echo "${out50%% *}" >>"$WORK/rps-50"
        echo "${out1000%% *}" >>"$WORK/rps-1000"
        awk -v a="${out50%% *}" -v b="${out1000%% *}" 'BEGIN { printf "%d\n", 100 * b / a }' >>"$WORK/ratios"
    done
    row 10000 $(crowd 10000)
    echo "   1,000 against 50 connections, $ROUNDS alternating pairs: ratios $(sort -n "$WORK/ratios" | tr '\n' ' ')%, median $(median <"$WORK/ratios") %; median req/s $(median <"$WORK/rps-50") at 50, $(median <"$WORK/rps-1000") at 1,000"
    sleep 30
    echo "   30 s after: $(rss) MB, $(threads) threads"
    stop_server
}

# run_streams NAME URL: 2,000 reply streams at once on a fresh database.
run_streams() {
    local name=$1 url=$2
    start_server "$WORK/streams-$name.log" DATABASE_URL="$url" OPENAI_API_KEY=bench \
        OPENAI_BASE_URL="http://127.0.0.1:$FAKE_PORT/v1"
    rm -f "$WORK/stop" "$WORK/open"
    python3 bench/healthz_probe.py "$BASE" "$WORK/open" "$WORK/probe-stop" >"$WORK/probe.out" &
    local probe_pid=$!
    nice -n 10 python3 bench/streams_load.py "$BASE" "$STREAM_USERS" 8 "$WORK/open" \
        >"$WORK/streams.out" 2>&1 &
    local load_pid=$! peaks status=0
    peaks=$(sample "$load_pid")
    wait "$load_pid" || status=$?
    touch "$WORK/probe-stop"; wait "$probe_pid" || true; rm -f "$WORK/probe-stop"
    echo "== $name: $(tail -1 "$WORK/streams.out")"
    echo "   peak ${peaks% *} threads, ${peaks#* } MB; /healthz while open: $(cat "$WORK/probe.out")"
    [ "$status" -eq 0 ] || { echo "   some replies were not finished and saved" >&2; cat "$WORK/streams.out" >&2; }
    stop_server
}

nice -n 10 python3 bench/fake_openai.py "$FAKE_PORT" 10 0.4 &
FAKE_PID=$!

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
    run_backend sqlite "sqlite://$WORK/crowd.db"
    run_streams sqlite "sqlite://$WORK/streams.db"
fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
    for db in "tasktalk_crowd_$$" "tasktalk_streams_$$"; do
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
    done
    run_backend postgres "${PG_ADMIN_URL%/*}/tasktalk_crowd_$$"
    run_streams postgres "${PG_ADMIN_URL%/*}/tasktalk_streams_$$"
    for db in "tasktalk_crowd_$$" "tasktalk_streams_$$"; do
        psql "$PG_ADMIN_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
    done
fi
