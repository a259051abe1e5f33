#!/usr/bin/env bash
# Throughput and p99 of the gateway against its anchor, the same backend called directly, measured in the
# same run with wrk and printed as ratios. Usage: scripts/bench-proxy.sh [seconds-per-run] [connections]
# Builds release unless GATEHOUSE_BIN points at a binary. Traffic stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ -z "${GATEHOUSE_BIN:-}" ]; then
  swift build -c release --product gatehouse >/dev/null
  GATEHOUSE_BIN=.build/release/gatehouse
fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export GATEHOUSE_STORE="$WORK/bench.db"

"$GATEHOUSE_BIN" sample-backend --listen 127.0.0.1:0 > "$WORK/backend.out" &
for _ in $(seq 50); do grep -q listening "$WORK/backend.out" 2>/dev/null && break; sleep 0.1; done
BACKEND_PORT=$(grep -o '[0-9]*$' "$WORK/backend.out")
API=$("$GATEHOUSE_BIN" import examples/petstore.yaml 2>/dev/null)
"$GATEHOUSE_BIN" deploy --api "$API" --stage prod --var "backend=127.0.0.1:$BACKEND_PORT" >/dev/null
"$GATEHOUSE_BIN" serve --listen 127.0.0.1:0 --log-level warning > "$WORK/serve.out" &
for _ in $(seq 50); do grep -q serving "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
GATEWAY_PORT=$(grep -o '[0-9]*$' "$WORK/serve.out")

declare -A URLS=(
  [direct]="http://127.0.0.1:$BACKEND_PORT/pets"
  [proxy]="http://127.0.0.1:$GATEWAY_PORT/restapis/$API/prod/_user_request_/pets"
  [mock]="http://127.0.0.1:$GATEWAY_PORT/restapis/$API/prod/_user_request_/health"
)
declare -A RPS P99
for round in 1 2 3; do
  for name in direct proxy mock; do
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${URLS[$name]}")
    RPS[$name]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
    P99[$name]+="$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}') "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
anchor=$(echo "${RPS[direct]}" | median)
printf '%-8s %12s %10s %10s\n' target "req/s (med)" ratio "p99 ms"
for name in direct proxy mock; do
  r=$(echo "${RPS[$name]}" | median); p=$(echo "${P99[$name]}" | median)
  printf '%-8s %12.0f %10.2f %10.2f\n' "$name" "$r" "$(echo "$r / $anchor" | bc -l)" "$p"
done
rows=$(sqlite3 "$GATEHOUSE_STORE" "SELECT count(*) FROM access_log" 2>/dev/null || echo "?")
dropped=$(sqlite3 "$GATEHOUSE_STORE" "SELECT max(telemetry_dropped) FROM worker" 2>/dev/null || echo "?")
echo "access-log rows written during the run: $rows (telemetry dropped: $dropped)"
