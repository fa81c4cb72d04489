#!/usr/bin/env bash
# Start time and idle memory: process start -> first 200 from /healthz, then RSS after IDLE
# seconds, for
#   bare   a bare ASP.NET Core app answering /healthz (bench/start/BareApp, same runtime): the floor
#   first  the host with the example plugins on a new data directory (installs them)
#   again  the host restarted on that data directory (what every later start costs). The first
#          start creates the admin through the setup link (measure.py, BENCH_SETUP_ADMIN), after its
#          /healthz answer, so "again" is the restart of an instance in use: one that still waits for
#          its first admin makes and prints a setup link at every start (the key ring unlocked for
#          it, ~190 CPU ms), which no deployment in use does.
# and, with BASE_HOST_DLL=<another build's Labyrinth.Host.dll> (e.g. main's), base-first and
# base-again for that build on its own data directory, in the same rounds.
# The start.* keys without a prefix are the Release build (`dotnet build -c Release`, what the tests
# and the benches start; precompiled after the build unless built with -p:LabyrinthReadyToRun=false). PUBLISHED=1 (the default) also measures published-first / published-again: this
# checkout published as operators deploy it (`dotnet publish -r linux-x64`, ReadyToRun;
# docs/operations.md), reported as start.published_*; start.publish_s is how long that publish
# took (incremental: seconds when nothing changed). PUBLISHED_HOST_DLL=<a published
# Labyrinth.Host.dll> measures that one instead of publishing; PUBLISHED=0 leaves it out.
# ROUNDS rounds, interleaved, median per variant; the load average is read before each start.
# Each start reports wall time and the CPU time the server used until its first 200 (compare builds
# by the latter on a shared machine: it barely moves with the load average).
# Writes out/start.json and out/start.md; the last line printed is one JSON object.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
ROUNDS=${ROUNDS:-3}; IDLE=${IDLE:-5}; PORT=${PORT:-5196}
W="$OUT/start"; rm -rf "$W"; mkdir -p "$W"
build_host
PUBLISHED=${PUBLISHED:-1}; PUBLISH_S=null
if [ "$PUBLISHED" = 1 ] && [ -z "${PUBLISHED_HOST_DLL:-}" ]; then
  log "publishing the host for linux-x64 (ReadyToRun) to $OUT/published"
  t=$(date +%s.%N)
  (cd "$REPO" && dotnet publish src/Labyrinth.Host -c Release -r linux-x64 --self-contained false -p:LabyrinthSkipWebBuild=true \
     -nologo -v q -o "$OUT/published") >"$W/publish.log" 2>&1 || { cat "$W/publish.log"; exit 1; }
  PUBLISH_S=$(echo "$(date +%s.%N) - $t" | bc)
  PUBLISHED_HOST_DLL="$OUT/published/Labyrinth.Host.dll"
fi
[ "$PUBLISHED" = 1 ] || PUBLISHED_HOST_DLL=
dotnet build "$BENCH_DIR/start/BareApp" -c Release -nologo -v q -o "$W/BareApp" >"$W/bare-build.log" 2>&1 || { cat "$W/bare-build.log"; exit 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
COMMON_ENV='"ASPNETCORE_ENVIRONMENT": "Production", "Logging__LogLevel__Default": "Warning", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"'
SETUP_ENV=', "BENCH_SETUP_ADMIN": "1", "Logging__LogLevel__Labyrinth.Setup": "Information"'

measure() { # measure <variant> <round> <env-json-extra> <command...>
  local variant=$1 round=$2 extra=$3; shift 3
  local load; load=$(loadavg)
  log "round $round: $variant (load $load)"
  START_LOG_DIR="$W" "$PY" "$BENCH_DIR/start/measure.py" "$PORT" "$IDLE" "$REPO" "{$COMMON_ENV$extra}" "$@" \
    | "$PY" -c 'import json,sys; d=json.load(sys.stdin); d.update(variant=sys.argv[1], round=int(sys.argv[2]), load=sys.argv[3]); print(json.dumps(d))' "$variant" "$round" "$load" \
    >>"$W/runs.jsonl"
}

for r in $(seq 1 "$ROUNDS"); do
  DATA=$(mktemp -d)
  measure bare "$r" "" dotnet "$W/BareApp/BareApp.dll" --urls "http://127.0.0.1:$PORT"
  HOST_ENV=", \"Labyrinth__DataDir\": \"$DATA\", \"Labyrinth__ExamplePluginsDir\": \"$REPO/plugins\""
  measure first "$r" "$HOST_ENV$SETUP_ENV" dotnet "$HOST_DLL" --urls "http://127.0.0.1:$PORT"
  measure again "$r" "$HOST_ENV" dotnet "$HOST_DLL" --urls "http://127.0.0.1:$PORT"
  rm -rf "$DATA"
  if [ -n "${PUBLISHED_HOST_DLL:-}" ]; then
    DATA=$(mktemp -d)
    HOST_ENV=", \"Labyrinth__DataDir\": \"$DATA\", \"Labyrinth__ExamplePluginsDir\": \"$REPO/plugins\""
    measure published-first "$r" "$HOST_ENV$SETUP_ENV" dotnet "$PUBLISHED_HOST_DLL" --urls "http://127.0.0.1:$PORT"
    measure published-again "$r" "$HOST_ENV" dotnet "$PUBLISHED_HOST_DLL" --urls "http://127.0.0.1:$PORT"
    rm -rf "$DATA"
  fi
  if [ -n "${BASE_HOST_DLL:-}" ]; then
    DATA=$(mktemp -d)
    HOST_ENV=", \"Labyrinth__DataDir\": \"$DATA\", \"Labyrinth__ExamplePluginsDir\": \"$REPO/plugins\""
    measure base-first "$r" "$HOST_ENV$SETUP_ENV" dotnet "$BASE_HOST_DLL" --urls "http://127.0.0.1:$PORT"
    measure base-again "$r" "$HOST_ENV" dotnet "$BASE_HOST_DLL" --urls "http://127.0.0.1:$PORT"
    rm -rf "$DATA"
  fi
done

"$PY" - "$W/runs.jsonl" "$OUT/start.json" >"$OUT/start.md" <<'PYS'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
res = {}
variants = [v for v in ("bare", "first", "again", "published-first", "published-again", "base-first", "base-again") if any(x["variant"] == v for x in runs)]
for v in variants:
    xs = [x for x in runs if x["variant"] == v]
    med = lambda k: None if any(x[k] is None for x in xs) else round(statistics.median(x[k] for x in xs), 1)
    res[v] = {"healthz_ms": med("healthz_ms"), "cpu_ms": med("cpu_ms"), "idle_rss_mib": med("idle_rss_mib"), "peak_rss_mib": med("peak_rss_mib"),
              "stop_ms": med("stop_ms"), "runs": xs}
json.dump(res, open(sys.argv[2], "w"), indent=1)
print("| variant | healthz ms (median) | each round | CPU ms to healthz (median) | each round | idle RSS MiB | peak RSS MiB | stop ms | load (1/5/15 min) before each start |")
print("|---|---:|---|---:|---|---:|---:|---:|---|")
labels = {"bare": "bare ASP.NET Core app", "first": "host (Release build), first start (installs the examples)", "again": "host (Release build), restart on the same data",
          "published-first": "host published for linux-x64 (ReadyToRun), first start", "published-again": "host published for linux-x64 (ReadyToRun), restart on the same data",
          "base-first": "base build, first start", "base-again": "base build, restart on the same data"}
for v in variants:
    x, label = res[v], labels[v]
    print(f"| {label} | {x['healthz_ms']} | {', '.join(str(r['healthz_ms']) for r in x['runs'])} | {x['cpu_ms']} | {', '.join(str(r['cpu_ms']) for r in x['runs'])} | {x['idle_rss_mib']} | {x['peak_rss_mib']} | {x['stop_ms']} | {'; '.join(r['load'] for r in x['runs'])} |")
PYS
cat "$OUT/start.md"
"$PY" - "$OUT/start.json" "$PUBLISH_S" <<'PYL'
import json, sys
r = json.load(open(sys.argv[1]))
publish_s = json.loads(sys.argv[2])
pub = lambda v, k: r.get(v, {}).get(k)
print(json.dumps({"bench": "start", "start.healthz_ms": r["again"]["healthz_ms"], "start.first_healthz_ms": r["first"]["healthz_ms"],
                  "start.bare_healthz_ms": r["bare"]["healthz_ms"],
                  "start.cpu_ms": r["again"]["cpu_ms"], "start.bare_cpu_ms": r["bare"]["cpu_ms"], "start.base_cpu_ms": r.get("base-again", {}).get("cpu_ms"), "start.idle_rss_mib": r["again"]["idle_rss_mib"],
                  "start.bare_idle_rss_mib": r["bare"]["idle_rss_mib"], "start.base_healthz_ms": r.get("base-again", {}).get("healthz_ms"),
                  "start.published_healthz_ms": pub("published-again", "healthz_ms"), "start.published_cpu_ms": pub("published-again", "cpu_ms"),
                  "start.published_idle_rss_mib": pub("published-again", "idle_rss_mib"), "start.published_first_healthz_ms": pub("published-first", "healthz_ms"),
                  "start.publish_s": None if publish_s is None else round(publish_s, 1),
                  "start.admin_created": all(x.get("setup") for v in r if v.endswith("first") for x in r[v]["runs"]),
                  "load_before": r["bare"]["runs"][0]["load"], "load_after": r[list(r)[-1]]["runs"][-1]["load"]}))
PYL
