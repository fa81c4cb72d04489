#!/usr/bin/env bash
# Bus matching: the host's C# engine and the page's TS engine (segment trie + match cache) vs the
# seed's regex-per-subscription matcher, with 10 / 1,000 / 10,000 / 100,000 subscriptions, on one
# shared workload; delivery sets cross-checked. Then end to end in Chromium: card → card through
# the bridge, and tab → tab through the server. Writes out/bus.json; the last line is the JSON.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
SECONDS_PER_SIZE=${SECONDS_PER_SIZE:-2}
export DOTNET_CLI_TELEMETRY_OPTOUT=1
HERE="$BENCH_DIR/bus"
W="$OUT/bus-workload"
mkdir -p "$W"

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
log "writing the workload"
node "$HERE/workload.mjs" "$W/workload.json"

log "building MatchBench (Release)"
dotnet build "$HERE/MatchBench" -c Release -nologo -v q -o "$OUT/MatchBench" >"$OUT/matchbench-build.log" 2>&1 \
  || { cat "$OUT/matchbench-build.log"; exit 1; }
log "C# engine"
CS=$(timeout 600 dotnet "$OUT/MatchBench/MatchBench.dll" "$W/workload.json" "$SECONDS_PER_SIZE")
echo "$CS" >"$OUT/bus-cs.json"

log "TS engine and the seed's matcher (node $(node --version))"
(cd "$REPO" && npx esbuild "$HERE/ts-bench.ts" --bundle --platform=node --format=esm --log-level=warning --outfile="$OUT/ts-bench.mjs")
TS=$(timeout 900 node "$OUT/ts-bench.mjs" "$W/workload.json" "$SECONDS_PER_SIZE")
echo "$TS" >"$OUT/bus-ts.json"

E2E='{}'
if [ -z "${SKIP_E2E:-}" ]; then
  log "end to end in Chromium"
  E2E=$("$HERE/e2e.sh")
fi

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const [cs, ts, e2e, load] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), JSON.parse(process.argv[3]), process.argv[4]];
const pick = (o, keys, f) => Object.fromEntries(keys.filter((k) => o[k]).map((k) => [k, f(o[k])]));
const out = {
  bench: "bus",
  cs_publish_per_s: pick(cs, ["1000", "10000", "100000"], (v) => v.publish_per_s),
  ts_publish_per_s: pick(ts.ts, ["1000", "10000"], (v) => v.publish_per_s),
  seed_publish_per_s: pick(ts.seed, ["1000", "10000"], (v) => v.publish_per_s),
  cs_bytes_per_publish_cached: pick(cs, ["10", "1000", "10000", "100000"], (v) => v.bytes_per_publish_cached),
  cs_uncached_publish_per_s: pick(cs, ["1000", "10000", "100000"], (v) => v.uncached_publish_per_s),
  ts_publish_per_s_all: pick(ts.ts, ["10", "1000", "10000", "100000"], (v) => v.publish_per_s),
  seed_publish_per_s_all: pick(ts.seed, ["10", "1000", "10000", "100000"], (v) => v.publish_per_s),
  avg_delivered: pick(cs, ["10", "1000", "10000", "100000"], (v) => v.avg_delivered),
  delivery_set_mismatches: ts.mismatches.length,
  ...e2e,
  load_average_end: load,
};
if (ts.mismatches.length) console.error("delivery sets differ:\n" + ts.mismatches.slice(0, 20).join("\n"));
console.log(JSON.stringify(out));
' "$CS" "$TS" "$E2E" "$LOAD_END" | tee "$OUT/bus.json"
