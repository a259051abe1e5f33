#!/usr/bin/env bash
# Throttle accuracy: how many calls a flood gets admitted against what the limit allows. A worker serves a
# MOCK method that requires an API key; wrk floods it for DURATION seconds with one key, in three set-ups:
# the plan's per-key limit, the plan's per-method limit for that key, and the stage's per-method limit. What
# the limit allows is rate × duration + burst (the bucket starts full); admitted = wrk's requests minus its
# non-2xx line. Every answer must be 200 or 429 (checked in the access log), or the round does not count.
# Prints admitted vs allowed per round and the median error; the target is within ±5 % over 10 s.
#   scripts/bench-throttle.sh [duration-seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ROUNDS=${2:-3}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${GATEHOUSE_BIN:-}" ]; then
  swift build -c release --product gatehouse >/dev/null
  GATEHOUSE_BIN=.build/release/gatehouse
fi
WORK=$(mktemp -d)
cleanup() {
  [ -f "$WORK/worker.pid" ] && kill "$(cat "$WORK/worker.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/api.yaml" <<'YAML'
openapi: 3.0.1
info: {title: Throttled, version: "1"}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
paths:
  /flood:
    get:
      security: [{api_key: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"ok":true}'}}}
YAML
DB="$WORK/g.db"
API=$("$GATEHOUSE_BIN" import "$WORK/api.yaml" --store "$DB" 2>/dev/null)
"$GATEHOUSE_BIN" deploy --store "$DB" --api "$API" --stage prod >/dev/null
"$GATEHOUSE_BIN" throttle set --store "$DB" --account --rate 100000 --burst 100000 >/dev/null
KEY=$("$GATEHOUSE_BIN" key create --store "$DB" --name flood | cut -f2)
KEY_ID=$("$GATEHOUSE_BIN" key list --store "$DB" | awk 'NR==2 {print $1}')
PLAN=$("$GATEHOUSE_BIN" plan create --store "$DB" --name bench --stage "$API/prod")
"$GATEHOUSE_BIN" plan add-key --store "$DB" --plan "$PLAN" --key "$KEY_ID" >/dev/null
"$GATEHOUSE_BIN" serve --store "$DB" --listen 127.0.0.1:0 --log-level error > "$WORK/worker.out" 2>&1 &
echo $! > "$WORK/worker.pid"
for _ in $(seq 1 100); do grep -q serving "$WORK/worker.out" && break; sleep 0.1; done
PORT=$(grep -o 'serving .* on http://[0-9.]*:[0-9]*' "$WORK/worker.out" | sed 's/.*://')
URL="http://127.0.0.1:$PORT/restapis/$API/prod/_user_request_/flood"

# scope rate burst: sets only that limit (the others far above it) and waits until the worker applies it.
configure() {
  local scope=$1 rate=$2 burst=$3
  "$GATEHOUSE_BIN" plan update "$PLAN" --store "$DB" --clear-throttle >/dev/null
  "$GATEHOUSE_BIN" plan throttle --store "$DB" --plan "$PLAN" --stage "$API/prod" --method 'GET /flood' --clear >/dev/null 2>&1 || true
  "$GATEHOUSE_BIN" throttle set --store "$DB" --api "$API" --stage prod --method 'GET /flood' --clear >/dev/null 2>&1 || true
  case $scope in
    plan) "$GATEHOUSE_BIN" plan update "$PLAN" --store "$DB" --rate "$rate" --burst "$burst" >/dev/null ;;
    plan-method) "$GATEHOUSE_BIN" plan throttle --store "$DB" --plan "$PLAN" --stage "$API/prod" --method 'GET /flood' --rate "$rate" --burst "$burst" >/dev/null ;;
    stage-method) "$GATEHOUSE_BIN" throttle set --store "$DB" --api "$API" --stage prod --method 'GET /flood' --rate "$rate" --burst "$burst" >/dev/null ;;
  esac
  sleep 1.5  # the worker polls the store every 0.25 s; then the bucket refills to its burst
  sleep "$(python3 -c "print($burst / $rate + 0.2)")"
}

printf '%-13s %6s %6s %9s %9s %8s\n' scope rate burst allowed admitted error
RESULTS="$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for setup in "plan 200 50" "plan-method 120 20" "stage-method 300 100"; do
    read -r scope rate burst <<< "$setup"
    configure "$scope" "$rate" "$burst"
    before=$(sqlite3 "$DB" "SELECT COALESCE(MAX(id),0) FROM access_log")
    out=$(wrk -t2 -c8 -d"${DURATION}s" -H "x-api-key: $KEY" "$URL")
    total=$(echo "$out" | awk '/requests in/ {print $1}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    non2xx=${non2xx:-0}
    sleep 1.5  # telemetry reaches the store
    other=$(sqlite3 "$DB" "SELECT COUNT(*) FROM access_log WHERE id > $before AND status NOT IN (200, 429)")
    if [ "$other" != "0" ]; then echo "round $round $scope: $other answers other than 200/429; not counted"; continue; fi
    admitted=$((total - non2xx))
    python3 - "$scope" "$rate" "$burst" "$admitted" "$DURATION" "$RESULTS" <<'PY'
import sys
scope, rate, burst, admitted, duration, results = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
allowed = rate * duration + burst
error = (admitted - allowed) / allowed * 100
print(f"{scope:<13} {rate:6.0f} {burst:6d} {allowed:9.0f} {admitted:9d} {error:+7.2f}%")
open(results, "a").write(f"{scope} {error}\n")
PY
  done
done
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {}
for scope, error in rows: by.setdefault(scope, []).append(float(error))
for scope, errors in by.items():
    median = statistics.median(errors)
    print(f"median {scope:<13} {median:+.2f}%  {'within' if abs(median) <= 5 else 'OUTSIDE'} ±5%")
PY
