#!/usr/bin/env bash
# Card open latency + bridge round trip in headless Chromium (Playwright for .NET), against a
# freshly started host with the example plugins. Writes out/browser.json and out/browser.md.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
PORT=${BROWSER_PORT:-5185}
need chromium chromium; need curl curl
build_host
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
APP="$BENCH_DIR/browser/CardOpenBench"
log "building CardOpenBench"
dotnet build "$APP" -c Release -nologo -v q -o "$OUT/CardOpenBench" >"$OUT/cardopenbench-build.log" 2>&1 \
  || { cat "$OUT/cardopenbench-build.log"; exit 1; }
HOST_LOG="$OUT/browser-host.log"
HOST_PID=$(start_host "$PORT" "$REPO/plugins" "$HOST_LOG")
trap 'stop_pid $HOST_PID' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 300
# The catalogue (where the hello card's frame lives) needs a signed-in user: first-run setup.
TOKEN=""
for _ in $(seq 1 100); do
  TOKEN=$(grep -o 'setup[?#]token=[^ ]*' "$HOST_LOG" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$TOKEN" ] && break
  sleep 0.1
done
[ -n "$TOKEN" ] || { log "no setup token in $HOST_LOG"; exit 1; }
TOKEN=$(printf '%b' "${TOKEN//%/\\x}")   # the URL carries it percent-encoded
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 900 dotnet "$OUT/CardOpenBench/CardOpenBench.dll" "http://127.0.0.1:$PORT" "$TOKEN" "$OUT" "${RUNS:-30}" "${ROUND_TRIPS:-2000}"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT/browser.json" "$BENCH_DIR/lib" <<'PYL'
import json, sys
sys.path.insert(0, sys.argv[2])
from summary import num, ratio
r = json.load(open(sys.argv[1]))
# A row the bench could not measure is null in the line, not a StopIteration.
raw = next((x for x in r["roundTrip"]["rows"] if x["Name"].startswith("raw")), {})
val = next((x for x in r["roundTrip"]["rows"] if "validation" in x["Name"] and "no host" not in x["Name"]), {})
r1 = lambda v: None if num(v) is None else round(v, 1)
overhead = ratio(val.get("p50Us"), raw.get("p50Us"))
failures = [f"round trip {name}: not measured" for name, row in (("raw echo", raw), ("validated", val)) if not row.get("p50Us")]
opens = {x["Name"]: x for x in r["cardOpen"]}
print(json.dumps({"bench": "browser", "browser.rtt_validated_p50_us": r1(val.get("p50Us")), "browser.rtt_raw_echo_p50_us": r1(raw.get("p50Us")),
                  "browser.rtt_validation_overhead": None if overhead is None else round(overhead - 1, 3),
                  "browser.card_open_p50_ms": {k: r1(v.get("p50")) for k, v in opens.items()}, "browser.failures": failures}, ensure_ascii=False))
if failures:
    sys.exit("browser bench failed: " + "; ".join(failures))
PYL
