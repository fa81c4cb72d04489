#!/usr/bin/env bash
# Bus latency end to end in headless Chromium (Playwright for .NET) against a fresh host with the
# example plugins, bus and bridge rates raised so the bench measures latency, not the limits.
# Prints one JSON object (card_to_card_*, tab_to_tab_*); called by run.sh.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${BUS_PORT:-5187}
need chromium chromium; need curl curl
build_host
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
log "building BusE2EBench"
dotnet build "$BENCH_DIR/bus/BusE2EBench" -c Release -nologo -v q -o "$OUT/BusE2EBench" >"$OUT/buse2ebench-build.log" 2>&1 \
  || { cat "$OUT/buse2ebench-build.log" >&2; exit 1; }
export Labyrinth__Bus__PublishesPerSecond=10000 Labyrinth__Bus__PublishBurst=10000
export Labyrinth__Bridge__MessagesPerSecond=10000 Labyrinth__Bridge__Burst=10000
HOST_LOG="$OUT/bus-host.log"
HOST_PID=$(start_host "$PORT" "$REPO/plugins" "$HOST_LOG")
trap 'stop_pid $HOST_PID' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 300
timeout 900 dotnet "$OUT/BusE2EBench/BusE2EBench.dll" "http://127.0.0.1:$PORT" "$HOST_LOG" "${ROUND_TRIPS:-300}"
