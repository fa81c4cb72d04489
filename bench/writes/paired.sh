#!/usr/bin/env bash
# One client's card-state PUTs against several host builds and the bare endpoint, interleaved in
# bursts (bench/writes/Interleave "bursts"): each target gets PER_BURST PUTs in turn (the first 5 of
# each burst dropped, so it is measured hot, as a lone client keeps it), BURSTS times, order rotated.
# On a shared machine whose load moves by more than the differences measured, every build sees the
# same moments; compare p50 over the bare endpoint's within the run, not across runs.
#
#   HOSTS="base=/tmp/base/host/Labyrinth.Host.dll branch=/path/to/copy/Labyrinth.Host.dll" bench/writes/paired.sh
#   (a target may carry environment for its host: name=dll,VAR=value,VAR2=value)
# Writes out/writes-paired.json; the last line is one JSON object.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
need curl curl
PER_BURST=${PER_BURST:-40}; BURSTS=${BURSTS:-200}
: "${HOSTS:?HOSTS=\"name=dll [name=dll,VAR=value ...]\"}"
W="$OUT/writes-paired"; rm -rf "$W"; mkdir -p "$W"
dotnet build "$BENCH_DIR/writes/BareWrites" -c Release -nologo -v q -o "$OUT/BareWrites" >"$W/bare-build.log" 2>&1 || { cat "$W/bare-build.log"; exit 1; }
dotnet build "$BENCH_DIR/writes/Interleave" -c Release -nologo -v q -o "$OUT/Interleave" >"$W/interleave-build.log" 2>&1 || { cat "$W/interleave-build.log"; exit 1; }
BASE_PORT=${PORT:-$((20000 + RANDOM % 20000))}
PIDS=(); DATA=()
cleanup() { for p in "${PIDS[@]}"; do stop_pid "$p"; done; rm -rf "${DATA[@]}"; }
trap cleanup EXIT
d=$(mktemp -d); DATA+=("$d")
( exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$OUT/BareWrites/BareWrites.dll" --urls "http://127.0.0.1:$BASE_PORT" --db "$d/bare.db" >"$W/bare.log" 2>&1 ) &
PIDS+=($!)
TARGETS=("bare=http://127.0.0.1:$BASE_PORT"); NAMES=(); PORTS=(); i=0
for spec in $HOSTS; do
  i=$((i + 1)); port=$((BASE_PORT + i)); name=${spec%%=*}; rest=${spec#*=}; dll=${rest%%,*}
  envs=(); [ "$rest" != "$dll" ] && IFS=',' read -r -a envs <<<"${rest#*,}"
  d=$(mktemp -d); DATA+=("$d")
  ( cd "$REPO" && exec env "${envs[@]}" Labyrinth__DataDir="$d" Labyrinth__ExamplePluginsDir="${EXAMPLE_PLUGINS:-$REPO/plugins}" Labyrinth__LoginAttemptsPerMinute=1000000 \
      ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Logging__LogLevel__Labyrinth=Information DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      dotnet "$dll" --urls "http://127.0.0.1:$port" >"$W/host-$name.log" 2>&1 ) &
  PIDS+=($!); NAMES+=("$name"); PORTS+=("$port")
done
for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$BASE_PORT/" && break; sleep 0.2; done
for j in "${!NAMES[@]}"; do
  name=${NAMES[$j]}; port=${PORTS[$j]}; token=""
  wait_http "http://127.0.0.1:$port/healthz" 600
  for _ in $(seq 1 100); do token=$(grep -o 'setup[?#]token=[^ ]*' "$W/host-$name.log" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$token" ] && break; sleep 0.2; done
  TARGETS+=("$name=http://127.0.0.1:$port=$(printf '%b' "${token//%/\\x}")")
done
before=$(cut -d' ' -f1-3 /proc/loadavg)
log "paired: ${#TARGETS[@]} targets, $BURSTS bursts of $PER_BURST (load average $before)"
dotnet "$OUT/Interleave/Interleave.dll" bursts "$PER_BURST" "$BURSTS" "${TARGETS[@]}" >"$W/raw.json"
after=$(cut -d' ' -f1-3 /proc/loadavg)
"$PY" - "$W/raw.json" "$before" "$after" "$OUT/writes-paired.json" <<'PYW'
import json, statistics as st, sys
d = json.load(open(sys.argv[1])); d["loadBefore"], d["loadAfter"] = sys.argv[2], sys.argv[3]
json.dump(d, open(sys.argv[4], "w"))
T = {t["name"]: t for t in d["targets"]}
bare = T["bare"]["burstMedianMs"]
out = {"bench": "writes-paired", "bursts": d["bursts"], "per_burst": d["perBurst"], "load_before": d["loadBefore"], "load_after": d["loadAfter"]}
for name, t in T.items():
    # Per burst, this target's median over the bare endpoint's median in the same rotation; the median of those.
    over = st.median((x - y) * 1000 for x, y in zip(t["burstMedianMs"], bare))
    print(f'{name:20s} p50 {t["p50Ms"]:.3f} ms  p90 {t["p90Ms"]:.3f} ms  over bare (median of bursts) {over:+.0f} µs  errors {t["errors"]}', file=sys.stderr)
    out[f"{name}.p50_ms"] = t["p50Ms"]; out[f"{name}.over_bare_us"] = round(over, 1); out[f"{name}.errors"] = t["errors"]
print(json.dumps(out))
PYW
