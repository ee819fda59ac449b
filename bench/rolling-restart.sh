#!/usr/bin/env bash
# A rolling restart under load: two release instances on one PostgreSQL
# database, users writing tasks and chatting through both (replies take about
# two seconds, from a slow fake OpenAI server on loopback), and each instance
# restarted in turn with SIGTERM, as an orchestrator does in a deploy.
#
# Reports: acknowledged writes lost (must be 0), replies left pending (must
# be 0), client errors during the restarts, and how long each instance took
# to stop.
#
# Usage: bench/rolling-restart.sh [seconds of load (default 40)]
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_OF_LOAD="${1:-40}"
PG_ADMIN_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
FAKE_PORT=18090
PORTS=(18081 18082)
DB="tasktalk_rolling_$$"
DB_URL="${PG_ADMIN_URL%/*}/$DB"

cargo build --release --quiet
WORK=$(mktemp -d)
PIDS=("" "")
FAKE_PID=""
cleanup() {
    for pid in "${PIDS[@]}" "$FAKE_PID"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    [ -n "${KEEP_LOGS:-}" ] && cp -r "$WORK" "$KEEP_LOGS"
    rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
python3 bench/fake_openai.py "$FAKE_PORT" 8 0.25 &
FAKE_PID=$!

start() {
    local i=$1
    DATABASE_URL="$DB_URL" PORT="${PORTS[$i]}" AUTH_SECRET="rolling-restart-bench-secret-0123456789" \
        OPENAI_API_KEY=bench OPENAI_BASE_URL="http://127.0.0.1:$FAKE_PORT/v1" \
        AUTH_RATE_LIMIT_PER_MINUTE=0 SHUTDOWN_GRACE_SECONDS=20 RUST_LOG=${RUST_LOG:-warn} \
        ./target/release/tasktalk >>"$WORK/instance-$i.log" 2>&1 &
    PIDS[$i]=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:${PORTS[$i]}/healthz" >/dev/null && return 0
        sleep 0.1
    done
    echo "instance $i did not come up" >&2
    exit 1
}

restart() {
    local i=$1 started code
    started=$(date +%s.%N)
    kill -TERM "${PIDS[$i]}"
    code=0
    wait "${PIDS[$i]}" || code=$?
    printf '  instance %s: SIGTERM to exit %.1f s, exit code %s\n' "$i" \
        "$(echo "$(date +%s.%N) - $started" | bc)" "$code"
    start "$i"
}

start 0
start 1
echo "== rolling restart under load: ${SECONDS_OF_LOAD}s, 16 users, two instances on PostgreSQL"
python3 bench/rolling_load.py "$SECONDS_OF_LOAD" "http://127.0.0.1:${PORTS[0]}" "http://127.0.0.1:${PORTS[1]}" 16 \
    >"$WORK/load.out" &
LOAD=$!
sleep $((SECONDS_OF_LOAD / 4))
restart 0
sleep $((SECONDS_OF_LOAD / 4))
restart 1
wait "$LOAD"
cat "$WORK/load.out"
q() { psql "$DB_URL" -tAc "$1"; }
echo "replies left pending: $(q "SELECT count(*) FROM message WHERE status = 'pending'")"
echo "replies stored as failed (retryable): $(q "SELECT count(*) FROM message WHERE status = 'failed'")"
echo "replies done: $(q "SELECT count(*) FROM message WHERE role = 'assistant' AND status = 'done'")"
echo "chat messages stored: $(q "SELECT count(*) FROM message WHERE role = 'user'")"
