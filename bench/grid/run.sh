#!/usr/bin/env bash
# Board pan/zoom frame times with the fractal grid on vs off, 200 windows, in headless Chromium
# (Playwright for .NET) against a freshly started host. Writes out/grid.json and out/grid.md.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${GRID_PORT:-5187}
need chromium chromium; need curl curl
build_host
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/grid/GridBench"
log "building GridBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/GridBench" >"$OUT/gridbench-build.log" 2>&1 \
  || { cat "$OUT/gridbench-build.log"; exit 1; }
HOST_LOG="$OUT/grid-host.log"
HOST_PID=$(start_host "$PORT" "$REPO/plugins" "$HOST_LOG")
trap 'stop_pid $HOST_PID' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 300
TOKEN=""
for _ in $(seq 1 100); do
  TOKEN=$(grep -o 'setup?token=[^ ]*' "$HOST_LOG" | head -1 | sed 's/^setup?token=//') && [ -n "$TOKEN" ] && break
  sleep 0.1
done
[ -n "$TOKEN" ] || { log "no setup token in $HOST_LOG"; exit 1; }
TOKEN=$(printf '%b' "${TOKEN//%/\\x}")   # the URL carries it percent-encoded
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 900 dotnet "$OUT/GridBench/GridBench.dll" "http://127.0.0.1:$PORT" "$TOKEN" "$OUT" "${FRAMES:-600}" "${ROUNDS:-3}"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT/grid.json" <<'PYL'
import json, sys
r = json.load(open(sys.argv[1]))
# 200 built-in windows with the background grid layer on and off, and 200 plugin cards with 10 live frames (grid on).
print(json.dumps({"bench": "grid", "grid.builtin_p95_ms": r["on"]["p95"], "grid.builtin_p50_ms": r["on"]["p50"], "grid.builtin_layer_off_p95_ms": r["off"]["p95"],
                  "grid.live_p95_ms": r["live"]["p95"] if "live" in r else None, "grid.live_p50_ms": r["live"]["p50"] if "live" in r else None}))
PYL
