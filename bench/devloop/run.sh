#!/usr/bin/env bash
# The plugin dev loop: save → the open card re-mounted on the new version with its state kept,
# with the real CLI (`labyrinth plugin dev`), a real host and headless Chromium; baseline in the
# same run: the same saves finished by a full page reload. EDITS (default 20) saves of each.
# Writes out/devloop.json and ends with one JSON line {"bench":"devloop",…}.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${DEVLOOP_PORT:-5187}
EDITS=${EDITS:-20}
need chromium chromium; need curl curl
build_host
CLI_DLL="$REPO/src/Labyrinth.Cli/bin/Release/net10.0/Labyrinth.Cli.dll"
[ -f "$CLI_DLL" ] || (cd "$REPO" && dotnet build src/Labyrinth.Cli -c Release -v q -nologo >/dev/null)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/devloop/DevLoopBench"
log "building DevLoopBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/DevLoopBench" >"$OUT/devloopbench-build.log" 2>&1 \
  || { cat "$OUT/devloopbench-build.log"; exit 1; }

WORK=$(mktemp -d /tmp/labyrinth-devloop-XXXXXX)   # outside the repository, as an author's folder is
HOST_LOG="$OUT/devloop-host.log"
HOST_PID=$(start_host "$PORT" "" "$HOST_LOG")
trap 'stop_pid $HOST_PID; rm -rf "$WORK"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 300
TOKEN=""
for _ in $(seq 1 100); do
  TOKEN=$(grep -o 'setup[?#]token=[^ ]*' "$HOST_LOG" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$TOKEN" ] && break
  sleep 0.1
done
[ -n "$TOKEN" ] || { log "no setup token in $HOST_LOG"; exit 1; }
TOKEN=$(printf '%b' "${TOKEN//%/\\x}")

# The tutorial's first steps: the scaffold (its SDK from this host's /sdk/ tarball) and npm install.
log "plugin new + npm install in $WORK"
LABYRINTH_SERVER="http://127.0.0.1:$PORT" dotnet "$CLI_DLL" plugin new com.bench.dice --dir "$WORK/dice" >/dev/null
(cd "$WORK/dice" && npm install --no-audit --no-fund --prefer-offline >/dev/null 2>&1)
# npm may answer the SDK's URL from its cache: measure the build tool of this checkout, not an older one.
if ! cmp -s "$WORK/dice/node_modules/@labyrinth/sdk/bin/labyrinth-build.mjs" "$REPO/sdk/bin/labyrinth-build.mjs"; then
  log "npm installed an older SDK than this checkout's (cached tarball): installing the host's tarball again"
  (cd "$WORK/dice" && npm install --no-audit --no-fund --prefer-online "http://127.0.0.1:$PORT/sdk/$(ls "$REPO/web/dist/sdk" | grep -m1 '\.tgz$')" >/dev/null 2>&1)
  cmp -s "$WORK/dice/node_modules/@labyrinth/sdk/bin/labyrinth-build.mjs" "$REPO/sdk/bin/labyrinth-build.mjs" \
    || { log "the host serves another SDK than sdk/ (run npm run build -w web)"; exit 1; }
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $LOAD_BEFORE"
RESULT=$(timeout 1200 dotnet "$OUT/DevLoopBench/DevLoopBench.dll" "http://127.0.0.1:$PORT" "$TOKEN" "$WORK/dice" "$CLI_DLL" "$OUT" "$EDITS" | tail -1)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average after: $LOAD_AFTER"
"$PY" - "$RESULT" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PYL'
import json, sys
r = json.loads(sys.argv[1])
r["loadavg_before"] = sys.argv[2]
r["loadavg_after"] = sys.argv[3]
print(json.dumps(r, ensure_ascii=False))
PYL
