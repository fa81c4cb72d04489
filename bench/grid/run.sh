#!/usr/bin/env bash
# Board pan/zoom frame times in headless Chromium (Playwright for .NET) against a freshly started
# host: 200 built-in windows with the fractal grid on and off, and 10 live + 190 closed plugin
# cards. Writes out/grid.json and out/grid.md.
#
# Side by side: with BASE_DIR set to a copy of another build (BASE_DIR/host/Labyrinth.Host.dll,
# BASE_DIR/web/dist, BASE_DIR/frame/dist; see bench/grid/save-base.sh) a second host serves that
# build and every round measures both, interleaved, in the same browser, so load drift hits both
# alike. The JSON line then carries the base's figures beside the branch's. BRANCH_DIR (same
# layout) puts another saved build in the branch's place, to try an experiment against main.
#
# Each run starts from "Fit" (the whole board in view), so every run and every build draws the same
# scenes. SHOTS=<dir> screenshots each board per build at the end (fit, ~0.47x, ~1.0x).
#
# Besides the rAF frame times, each run records the CPU time of the whole browser (every process
# it started) per frame: on a loaded, shared machine frame times swing with other people's work,
# while CPU per frame says how much work a frame costs, which is what a change to the board moves.
#
# Two modes per run, same scenes: "vsync" (the browser as a person runs it; the keys
# grid.*_p50_ms / grid.*_p95_ms and grid.*_missed) and "cost" (a second browser with the frame-rate
# limit off and every compositor stage run before a frame is drawn, so a rAF delta is what the frame
# costs instead of a multiple of 16.67 ms; the keys grid.*_cost_p50_ms / grid.*_cost_p95_ms). COST=0
# skips the cost mode. TRACE=<dir> writes a trace per run; bench/grid/trace_frames.py summarises one.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${GRID_PORT:-5187}
BASE_PORT=$((PORT + 1))
need chromium chromium; need curl curl
build_host
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/grid/GridBench"
log "building GridBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/GridBench" >"$OUT/gridbench-build.log" 2>&1 \
  || { cat "$OUT/gridbench-build.log"; exit 1; }

# setup_token <host log>: the first-run setup token the host logged (percent-decoded).
setup_token() {
  local token=""
  for _ in $(seq 1 100); do
    token=$(grep -o 'setup[?#]token=[^ ]*' "$1" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$token" ] && break
    sleep 0.1
  done
  [ -n "$token" ] || { log "no setup token in $1"; exit 1; }
  printf '%b' "${token//%/\\x}"   # the URL carries it percent-encoded
}

PIDS=()
trap 'for p in "${PIDS[@]}"; do stop_pid "$p"; done' EXIT
TARGETS=()
HOST_LOG="$OUT/grid-host.log"
if [ -n "${BRANCH_DIR:-}" ]; then   # another saved build in the branch's place (an experiment)
  PIDS+=("$(HOST_DLL="$BRANCH_DIR/host/Labyrinth.Host.dll" Labyrinth__WebRoot="$BRANCH_DIR/web/dist" \
    Labyrinth__FrameRoot="$BRANCH_DIR/frame/dist" start_host "$PORT" "$REPO/plugins" "$HOST_LOG")")
else
  PIDS+=("$(start_host "$PORT" "$REPO/plugins" "$HOST_LOG")")
fi
if [ -n "${BASE_DIR:-}" ]; then
  [ -f "$BASE_DIR/host/Labyrinth.Host.dll" ] || { log "no $BASE_DIR/host/Labyrinth.Host.dll"; exit 1; }
  BASE_LOG="$OUT/grid-base-host.log"
  PIDS+=("$(HOST_DLL="$BASE_DIR/host/Labyrinth.Host.dll" Labyrinth__WebRoot="$BASE_DIR/web/dist" \
    Labyrinth__FrameRoot="$BASE_DIR/frame/dist" start_host "$BASE_PORT" "$REPO/plugins" "$BASE_LOG")")
fi
wait_http "http://127.0.0.1:$PORT/healthz" 900
TARGETS+=("branch|http://127.0.0.1:$PORT|$(setup_token "$HOST_LOG")")
if [ -n "${BASE_DIR:-}" ]; then
  wait_http "http://127.0.0.1:$BASE_PORT/healthz" 900
  TARGETS+=("base|http://127.0.0.1:$BASE_PORT|$(setup_token "$BASE_LOG")")
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $LOAD_BEFORE"
timeout 1800 dotnet "$OUT/GridBench/GridBench.dll" "$OUT" "${FRAMES:-600}" "${ROUNDS:-3}" "${TARGETS[@]}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average after: $LOAD_AFTER"
"$PY" - "$OUT/grid.json" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PYL'
import json, sys
r = json.load(open(sys.argv[1]))
p = lambda t, k, q: round(r[t][k][q], 2) if t in r and k in r[t] else None
# 200 built-in windows with the background grid layer on and off, and 200 plugin cards with 10 live frames (grid on).
# grid.<board>_p50/p95_ms: rAF deltas under vsync (multiples of 16.67 ms), with _missed = frames
# whose delta is over 17.5 ms; grid.<board>_cost_p50/p95_ms: the same scenes with the frame-rate
# limit off, what one frame costs (fits 60 Hz when <= 16.7); _cpu_ms_per_frame: browser CPU (all its
# processes, vsync'd run), the figure that holds on a loaded machine.
def keys(prefix, t):
    o = {}
    for board, v in (("builtin", "on"), ("live", "live")):
        o.update({f"grid.{prefix}{board}_p95_ms": p(t, v, "p95"), f"grid.{prefix}{board}_p50_ms": p(t, v, "p50"),
                  f"grid.{prefix}{board}_missed": p(t, v, "slow"), f"grid.{prefix}{board}_frames": p(t, v, "frames"),
                  f"grid.{prefix}{board}_cost_p95_ms": p(t, v + "_cost", "p95"), f"grid.{prefix}{board}_cost_p50_ms": p(t, v + "_cost", "p50"),
                  f"grid.{prefix}{board}_cpu_ms_per_frame": p(t, v, "cpu_ms_per_frame")})
    if t in r and "pan" in r[t]:  # VARIANTS with pan: the board panned without zooming
        o.update({f"grid.{prefix}pan_p95_ms": p(t, "pan", "p95"), f"grid.{prefix}pan_missed": p(t, "pan", "slow"),
                  f"grid.{prefix}pan_cost_p95_ms": p(t, "pan_cost", "p95"), f"grid.{prefix}pan_cost_p50_ms": p(t, "pan_cost", "p50"),
                  f"grid.{prefix}pan_cpu_ms_per_frame": p(t, "pan", "cpu_ms_per_frame")})
    return o
out = {"bench": "grid", **keys("", "branch"), "grid.builtin_layer_off_p95_ms": p("branch", "off", "p95")}
if "base" in r:
    out.update(keys("base_", "base"))
out.update({"load_before": sys.argv[2], "load_after": sys.argv[3]})
print(json.dumps(out))
PYL
