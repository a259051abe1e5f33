#!/usr/bin/env bash
# Console refresh cost on a big, live store: 10 million access-log rows and 24 h of per-second rollups for 8
# methods, with a Gatehouse worker serving wrk's traffic (a MOCK route) and writing its access-log rows and
# rollups into the same store while the console measures (at least 5,000 rows/s, checked and printed). The
# anchor, in alternated rounds of the same run: the same console on a store with the same API, idle.
# Prints the first frame and the per-refresh time (queries + render at 160x48), refreshes 0.25 s apart so each
# sees the rows written meanwhile, for the Overview and Logs views at the 5m and 24h windows; medians of rounds.
# Targets: first frame under 150 ms, a refresh under 10 ms. Traffic stays on loopback.
#   scripts/bench-console.sh [rows] [rounds]      (BENCH_LOAD_CONNECTIONS=N: wrk's connections, default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
ROUNDS=${2:-3}
# wrk's connections to the worker: 1 gives 3,000-6,000 rows/s here, 2 above 5,000 in every run; more
# saturate both cores (BENCH_LOAD_CONNECTIONS=4: ~18,000 rows/s), a harsher condition than the target's.
LOAD_CONNECTIONS=${BENCH_LOAD_CONNECTIONS:-2}
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi
if [ -z "${GATEHOUSE_BIN:-}" ]; then
  swift build -c release --product gatehouse >/dev/null
  GATEHOUSE_BIN=.build/release/gatehouse
fi
WORK=$(mktemp -d)
cleanup() {
  [ -f "$WORK/worker.pid" ] && kill "$(cat "$WORK/worker.pid")" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

make_store() {
  local db=$1
  local api
  api=$("$GATEHOUSE_BIN" import examples/petstore.yaml --store "$db" 2>/dev/null)
  "$GATEHOUSE_BIN" deploy --store "$db" --api "$api" --stage prod --var backend=127.0.0.1:9 >/dev/null
  echo "$api"
}

ANCHOR_DB="$WORK/anchor.db"
BIG_DB="$WORK/big.db"
make_store "$ANCHOR_DB" >/dev/null
API=$(make_store "$BIG_DB")
NOW=$(date +%s)
echo "filling $BIG_DB: $ROWS access-log rows, 24 h of per-second rollups for 8 methods..."
start=$(date +%s)
sqlite3 "$BIG_DB" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO access_log (request_id, time, api_id, stage, resource_path, http_method, path, status, latency_ms,
                        integration_latency_ms, request_bytes, response_bytes, source_ip, user_agent, error)
SELECT printf('bench-%d', i), $NOW - 86400 + i * 86400.0 / $ROWS, '$API', 'prod',
       CASE i % 4 WHEN 0 THEN '/pets' WHEN 1 THEN '/pets/{petId}' WHEN 2 THEN '/health' ELSE '/{proxy+}' END,
       CASE WHEN i % 9 = 0 THEN 'POST' ELSE 'GET' END, '/restapis/$API/prod/_user_request_/pets',
       CASE WHEN i % 50 = 0 THEN 500 WHEN i % 13 = 0 THEN 404 WHEN i % 31 = 0 THEN 429 ELSE 200 END,
       (i % 97) * 0.7 + 0.4, (i % 97) * 0.6, 0, 120, '127.0.0.1', 'bench', NULL
FROM n;
WITH RECURSIVE s(t) AS (SELECT $NOW - 86400 UNION ALL SELECT t + 1 FROM s WHERE t < $NOW),
     m(resource, verb) AS (VALUES ('/pets','GET'), ('/pets','POST'), ('/pets/{petId}','GET'), ('/health','GET'),
                                  ('/limited','GET'), ('/slow','GET'), ('/flaky','GET'), ('/{proxy+}','DELETE'))
INSERT INTO metric_second (api_id, stage, resource_path, http_method, second, count, count_4xx, count_5xx, throttled,
                           latency_hist, integration_latency_hist)
SELECT '$API', 'prod', resource, verb, t, 12, t % 3, t % 11 = 0, t % 17 = 0,
       CASE t % 4 WHEN 0 THEN X'52055b0468027b01' WHEN 1 THEN X'4e0355065d02870101' WHEN 2 THEN X'580863039f0101' ELSE X'500a57046f02' END,
       X'500a57046f02'
FROM s, m;
INSERT INTO metric_minute (api_id, stage, resource_path, http_method, minute, count, count_4xx, count_5xx, throttled,
                           latency_hist, integration_latency_hist)
SELECT api_id, stage, resource_path, http_method, second / 60 * 60, sum(count), sum(count_4xx), sum(count_5xx), sum(throttled),
       X'52055b0468027b01', X'500a57046f02'
FROM metric_second GROUP BY api_id, stage, resource_path, http_method, second / 60;
COMMIT;
SQL
echo "filled in $(( $(date +%s) - start )) s; store $(du -h "$BIG_DB" | cut -f1)"

# The live worker: every limit raised (no call throttled), the MOCK route driven by wrk during each live
# measurement. Its telemetry writer batches rows into the big store as it would in production.
"$GATEHOUSE_BIN" throttle set --store "$BIG_DB" --account --rate 100000000 --burst 100000000 >/dev/null
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$GATEHOUSE_BIN" serve --store "$BIG_DB" --listen "127.0.0.1:$PORT" --admin 127.0.0.1:0 --log-level warning > "$WORK/serve.out" 2>&1 &
echo $! > "$WORK/worker.pid"
URL="http://127.0.0.1:$PORT/restapis/$API/prod/_user_request_/health"
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200 ] && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200 ] || { echo "the worker does not answer $URL: $(cat "$WORK/serve.out")" >&2; exit 1; }

last_row() { sqlite3 "$BIG_DB" "PRAGMA busy_timeout=5000; SELECT coalesce(max(rowid),0) FROM access_log" | tail -1; }
# measure STORE VIEW WINDOW: one console benchmark line (first frame, refresh median, worst).
measure() { "$GATEHOUSE_BIN" console --store "$1" --bench 20 --bench-interval 0.25 --bench-view "$2" --window "$3"; }
# live VIEW WINDOW: the same on the big store while wrk drives the worker; prints "LINE|rows per second".
live() {
  wrk -t1 -c"$LOAD_CONNECTIONS" -d30s "$URL" > "$WORK/wrk.out" 2>&1 &
  local w=$!
  sleep 2
  local r0 t0 r1 t1 line
  r0=$(last_row); t0=$(date +%s.%N)
  line=$(measure "$BIG_DB" "$1" "$2")
  r1=$(last_row); t1=$(date +%s.%N)
  kill "$w" 2>/dev/null; wait "$w" 2>/dev/null || true
  echo "$line|$(python3 -c "print(round(($r1 - $r0) / ($t1 - $t0)))")"
}
field() { sed -E "s/.*$1 ([0-9.]+) ms.*/\\1/"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-up: the worker's first minutes on a big store include its start-up housekeeping (retention), so the
# rounds start once it writes at full rate.
wrk -t1 -c"$LOAD_CONNECTIONS" -d60s "$URL" > /dev/null 2>&1 &
WARM=$!
for _ in $(seq 30); do
  a=$(last_row); sleep 1; b=$(last_row)
  [ $((b - a)) -ge 5000 ] && break
done
kill "$WARM" 2>/dev/null; wait "$WARM" 2>/dev/null || true
echo "warm: the worker wrote $((b - a)) rows in the last second of the warm-up" >&2

RESULTS="$WORK/results"
for round in $(seq "$ROUNDS"); do
  for view in 1 3; do
    for window in 5m 24h; do
      anchor=$(measure "$ANCHOR_DB" "$view" "$window")
      big=$(live "$view" "$window")
      echo "$view $window anchor $(echo "$anchor" | field 'first frame') $(echo "$anchor" | field median) $(echo "$anchor" | field worst) 0" >> "$RESULTS"
      echo "$view $window live $(echo "${big%|*}" | field 'first frame') $(echo "${big%|*}" | field median) $(echo "${big%|*}" | field worst) ${big##*|}" >> "$RESULTS"
    done
  done
  echo "round $round done" >&2
done

printf '%-9s %-6s %-7s %12s %15s %14s %10s\n' view window store "first frame" "refresh median" "refresh worst" "rows/s"
for view in 1 3; do
  name=$([ "$view" = 1 ] && echo Overview || echo Logs)
  for window in 5m 24h; do
    for store in anchor live; do
      sel() { awk -v v="$view" -v w="$window" -v s="$store" -v c="$1" '$1==v && $2==w && $3==s {print $c}' "$RESULTS" | median; }
      printf '%-9s %-6s %-7s %9s ms %12s ms %11s ms %10s\n' "$name" "$window" "$store" "$(sel 4)" "$(sel 5)" "$(sel 6)" "$(sel 7)"
    done
    a=$(awk -v v="$view" -v w="$window" '$1==v && $2==w && $3=="anchor" {print $5}' "$RESULTS" | median)
    b=$(awk -v v="$view" -v w="$window" '$1==v && $2==w && $3=="live" {print $5}' "$RESULTS" | median)
    echo "  refresh ratio live/anchor: $(echo "scale=2; $b / $a" | bc -l)"
  done
done
echo "every run (view window store first-frame refresh-median refresh-worst rows/s):"
sed 's/^/  /' "$RESULTS"
slowest=$(awk '$3=="live" {print $7 + 0}' "$RESULTS" | sort -n | head -1)
echo "the worker wrote at least $slowest rows/s during every live measurement (target: 5,000)"
[ "$slowest" -ge 5000 ] || echo "WARNING: below 5,000 rows/s: these live figures do not meet the benchmark's condition" >&2
