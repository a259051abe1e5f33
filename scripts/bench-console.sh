#!/usr/bin/env bash
# Console refresh cost on a big store: 10 million access-log rows and 24 h of per-second rollups for 8
# methods, against the same console on a store with the same API and no traffic (the anchor, same run).
# Prints the first frame and the per-refresh time (queries + render at 160x48) for the 5m and 24h windows.
# Targets: first frame under 150 ms, a refresh under 10 ms. Usage: scripts/bench-console.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${GATEHOUSE_BIN:-}" ]; then
  swift build -c release --product gatehouse >/dev/null
  GATEHOUSE_BIN=.build/release/gatehouse
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

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

measure() { "$GATEHOUSE_BIN" console --store "$1" --bench 30 --window "$2"; }
printf '%-8s %-6s %s\n' store window result
for window in 5m 24h; do
  anchor=$(measure "$ANCHOR_DB" "$window")
  big=$(measure "$BIG_DB" "$window")
  printf '%-8s %-6s %s\n' anchor "$window" "$anchor" big "$window" "$big"
  a=$(echo "$anchor" | sed -E 's/.*median ([0-9.]+) ms.*/\1/'); b=$(echo "$big" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
  echo "  refresh ratio big/anchor ($window): $(echo "scale=2; $b / $a" | bc -l)"
done
