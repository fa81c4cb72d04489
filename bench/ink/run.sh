#!/usr/bin/env bash
# A board with 10,000 ink strokes vs the same board without ink, in headless Chromium (Playwright
# for .NET) against a freshly started host: load (strokes request start → ink fully painted) and
# pan/zoom frame times. Writes out/ink.json and out/ink.md; the last line is the JSON summary.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${INK_PORT:-5188}
need chromium chromium; need curl curl
build_host
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/ink/InkBench"
log "building InkBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/InkBench" >"$OUT/inkbench-build.log" 2>&1 \
  || { cat "$OUT/inkbench-build.log"; exit 1; }
HOST_LOG="$OUT/ink-host.log"
HOST_PID=$(start_host "$PORT" "" "$HOST_LOG")
trap 'stop_pid $HOST_PID' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 300
TOKEN=""
for _ in $(seq 1 100); do
  TOKEN=$(grep -o 'setup[?#]token=[^ ]*' "$HOST_LOG" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$TOKEN" ] && break
  sleep 0.1
done
[ -n "$TOKEN" ] || { log "no setup token in $HOST_LOG"; exit 1; }
TOKEN=$(printf '%b' "${TOKEN//%/\\x}")   # the URL carries it percent-encoded
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $LOAD_BEFORE"
timeout 1200 dotnet "$OUT/InkBench/InkBench.dll" "http://127.0.0.1:$PORT" "$TOKEN" "$OUT" "${STROKES:-10000}" "${FRAMES:-600}" "${ROUNDS:-3}" "${LOADS:-5}" >&2
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average after: $LOAD_AFTER"
cat "$OUT/ink.md" >&2
python3 - "$OUT/ink.json" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"bench": "ink", "strokes": d["strokes"], "load_ms": round(d["ink"]["load_p50"], 1),
                  "load_ms_max": round(d["ink"]["load_max"], 1), "panzoom_p95_ms": round(d["ink"]["p95"], 1),
                  "baseline_panzoom_p95_ms": round(d["none"]["p95"], 1), "load_avg_before": sys.argv[2], "load_avg_after": sys.argv[3]}))
PY
