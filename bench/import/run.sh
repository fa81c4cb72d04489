#!/usr/bin/env bash
# Import + verify of a generated 10 MB, 1,000-file package and of the hello package: Core only
# (PackageValidator + PackageSignature) and end to end through a freshly started
# host (POST /api/admin/plugins with a personal access token). Writes out/import.json and out/import.md.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
need curl curl
build_host
# Incremental: measure the import path as it is in the working tree, not a stale Release build.
log "building host (Release, incremental)"
(cd "$REPO" && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >"$OUT/importbench-host-build.log" 2>&1) \
  || { cat "$OUT/importbench-host-build.log"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/import/ImportBench"
log "building ImportBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/ImportBench" >"$OUT/importbench-build.log" 2>&1 \
  || { cat "$OUT/importbench-build.log"; exit 1; }
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 900 dotnet "$OUT/ImportBench/ImportBench.dll" "$REPO" "$OUT" "$HOST_DLL" "${RUNS:-10}" "${WARMUPS:-2}" >/dev/null
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/import.md"
cat "$OUT/import.md"
