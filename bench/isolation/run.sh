#!/usr/bin/env bash
# Card isolation (bench/RESULTS.md, "Card isolation"): host setTimeout lateness while a card posts
# ~50 MB to its parent (listener reading event.data vs reading only source and ports), and ticks of
# a second card's timer while another card spins (same origin vs an origin per card). Headless
# Chromium through Playwright for .NET; pages come from Playwright's router (nothing listens).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
need chromium chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/isolation/IsolationBench"
log "building IsolationBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/IsolationBench" >"$OUT/isolationbench-build.log" 2>&1 \
  || { cat "$OUT/isolationbench-build.log"; exit 1; }
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 900 dotnet "$OUT/IsolationBench/IsolationBench.dll" "${RUNS:-5}"
