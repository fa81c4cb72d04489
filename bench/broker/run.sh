#!/usr/bin/env bash
# Broker overhead: the fake OpenAI-compatible upstream (non-streaming chat completion, small JSON)
# called directly vs through the host's network broker (session cookie, grant check, secret
# injection, SSRF-safe connect, NDJSON framing, network log + audit), same machine, same run,
# same settings, interleaved. Then whether the broker keeps up after a burst and keeps every audit
# row:
#   1. closed loop, 1 connection (wrk): direct, broker, floor — ROUNDS rounds
#   2. steady: RATE req/s open loop (bench/broker/BrokerPaced, latency from each request's
#      scheduled start) for PACED_SECONDS: direct, then broker
#   3. per round: closed loop, 16 connections (wrk): direct, floor, then broker — the burst — and
#      at once the broker at RATE req/s again ("after burst"), then direct at RATE req/s beside it
#   4. the host is stopped gracefully (SIGTERM); the database is reopened and its network-log and
#      secret.use audit rows are counted against every call that was answered 200 with the
#      stream's end line; `labyrinth audit verify` checks the hash chain
# Writes out/broker.json and out/broker.md; the last line printed is one JSON object.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
B="$BENCH_DIR/broker"
HOST_PORT=${HOST_PORT:-5191}; FAKE_PORT=${FAKE_PORT:-5192}
DURATION=${WRK_DURATION:-10s}; ROUNDS=${ROUNDS:-2}
RATE=${RATE:-200}; PACED_SECONDS=${PACED_SECONDS:-10}; GRACE=${GRACE:-10}
HOST_DLL=${BROKER_HOST_DLL:-$HOST_DLL}  # another build of the host, e.g. main's, for a before/after
# BROKER_TRACE=1: a dotnet-trace (sampled thread time, speedscope) of the host during round 1's
# after-burst phase, written to out/broker/after-burst.speedscope.json (bench/broker/profile.py reads it).
TRACE=${BROKER_TRACE:-}
CLI_DLL="$REPO/src/Labyrinth.Cli/bin/Release/net10.0/Labyrinth.Cli.dll"
KEY="sk-bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
FAKE_DLL="$REPO/tests/Labyrinth.FakeUpstream/bin/Release/net10.0/Labyrinth.FakeUpstream.dll"
W="$OUT/broker"; rm -rf "$W"; mkdir -p "$W"

need wrk wrk; need curl curl
if [ ! -f "$HOST_DLL" ] || [ ! -f "$FAKE_DLL" ] || [ ! -f "$CLI_DLL" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "building host + CLI + fake upstream (Release)"
  (cd "$REPO" && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >/dev/null \
     && dotnet build src/Labyrinth.Cli -c Release -v q -nologo >/dev/null \
     && dotnet build tests/Labyrinth.FakeUpstream -c Release -v q -nologo >/dev/null)
fi
dotnet build "$B/BrokerPaced" -c Release -nologo -v q -o "$OUT/BrokerPaced" >"$W/paced-build.log" 2>&1 || { cat "$W/paced-build.log"; exit 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# The host's CPU time (user + system, clock ticks) so far: what a phase cost the host per call
# holds up on a shared machine where latency does not.
host_cpu() { awk '{print $14+$15}' "/proc/$HOST_PID/stat" 2>/dev/null || echo 0; }

pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT

( exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$FAKE_DLL" --urls "http://127.0.0.1:$FAKE_PORT" --key "$KEY" --chunk-delay-ms 0 >"$W/fake.log" 2>&1 ) &
pids+=("$!")
DATA=$(mktemp -d)
HOST_PID=$(start_host "$HOST_PORT" "" "$W/host.log" "$DATA"); pids+=("$HOST_PID")
wait_http "http://127.0.0.1:$HOST_PORT/healthz"
wait_http "http://127.0.0.1:$FAKE_PORT/"

# Set up like an admin and a person would: admin account, allow the unsigned bench plugin, define
# the service (rate limit at its maximum so the bench measures the broker, not the limiter), store
# the key, then a board with the card and the network grant.
H="http://127.0.0.1:$HOST_PORT"; JAR="$W/cookies"
api() { curl -sS --fail-with-body -b "$JAR" -c "$JAR" -H 'X-Labyrinth-Request: 1' -H 'Content-Type: application/json' "$@"; }
TOKEN=""
for _ in $(seq 1 50); do TOKEN=$(grep -o 'setup[?#]token=[A-Za-z0-9_-]*' "$W/host.log" | head -1 | cut -d= -f2) && [ -n "$TOKEN" ] && break; sleep 0.2; done
api -o /dev/null -d "{\"token\":\"$TOKEN\",\"userName\":\"admin\",\"password\":\"bench-password-123\"}" "$H/api/setup"
api -o /dev/null -X PUT -d '{"unsignedAllowlist":["dev.bench.broker"]}' "$H/api/admin/policy"
"$PY" - "$W/plugin.zip" <<'PYZ'
import json, sys, zipfile
manifest = {"id": "dev.bench.broker", "name": "Broker bench", "version": "1.0.0", "minHostAPIVersion": "1.0.0",
            "cards": [{"typeID": "net", "name": "Net", "runtime": {"kind": "web", "entry": "cards/net.js"},
                       "defaultSizePt": {"width": 320, "height": 240}, "capabilities": ["network:bench"]}]}
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("manifest.json", json.dumps(manifest))
    z.writestr("cards/net.js", "export function mountPlugin() { return () => {}; }")
PYZ
curl -sS --fail-with-body -o /dev/null -b "$JAR" -H 'X-Labyrinth-Request: 1' -H 'Content-Type: application/octet-stream' --data-binary "@$W/plugin.zip" "$H/api/admin/plugins"
api -o /dev/null -d "{\"id\":\"bench\",\"displayName\":\"Bench\",\"baseUrl\":\"http://127.0.0.1:$FAKE_PORT/v1\",\"methods\":[\"POST\"],\"pathPrefixes\":[\"/chat/completions\"],\"secret\":{\"in\":\"header\",\"name\":\"Authorization\",\"template\":\"Bearer {secret}\"},\"timeoutSeconds\":30,\"maxRequestBytes\":65536,\"maxResponseBytes\":1048576,\"ratePerMinute\":100000,\"allowStreaming\":true,\"allowPrivateNetwork\":true,\"enabled\":true}" "$H/api/admin/services"
api -o /dev/null -d "{\"name\":\"bench key\",\"serviceId\":\"bench\",\"value\":\"$KEY\"}" "$H/api/admin/secrets"
BOARD=$(api -d '{"name":"Bench"}' "$H/api/boards" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
WINDOW=$(api -H 'If-Match: "1"' -d '{"kind":"plugin","plugin":{"pluginId":"dev.bench.broker","typeID":"net"}}' "$H/api/boards/$BOARD/windows" \
  | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["window"]["id"])')
api -o /dev/null -d '{"capability":"network:bench"}' "$H/api/cards/$BOARD/$WINDOW/grants"
COOKIE=$(awk '$6=="labyrinth.auth"{print $6"="$7}' "$JAR")

CHAT='{"model":"fake-gpt","messages":[{"role":"user","content":"ping"}]}'
BROKER_BODY=$("$PY" -c 'import json,sys; print(json.dumps({"method":"POST","path":"/chat/completions","headers":{"content-type":"application/json"},"body":sys.argv[1],"stream":False}))' "$CHAT")
DIRECT_URL="http://127.0.0.1:$FAKE_PORT/v1/chat/completions"
BROKER_URL="$H/api/cards/$BOARD/$WINDOW/network/bench"

# Sanity: both answer the same completion, and the broker's answer ends cleanly.
curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$CHAT" "$DIRECT_URL" >"$W/direct-sample.json"
api -d "$BROKER_BODY" "$BROKER_URL" >"$W/broker-sample.ndjson"
grep -q '"status":200' "$W/broker-sample.ndjson" && grep -q '"end":true' "$W/broker-sample.ndjson" \
  || { log "broker sanity check failed:"; cat "$W/broker-sample.ndjson" >&2; exit 1; }

lua() { # lua <file> <body> <header lines...>
  local f=$1 body=$2; shift 2
  { echo 'wrk.method = "POST"'; printf 'wrk.body = %s\n' "$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$body")"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    for h in "$@"; do printf 'wrk.headers["%s"] = "%s"\n' "${h%%:*}" "${h#*: }"; done; } >"$f"
}
lua "$W/direct.lua" "$CHAT" "Authorization: Bearer $KEY"
lua "$W/broker.lua" "$BROKER_BODY" "Cookie: $COOKIE" "X-Labyrinth-Request: 1"

# Warm both paths (JIT, connection pools), then interleave direct/broker per round.
wrk -t1 -c4 -d3s -s "$W/direct.lua" "$DIRECT_URL" >/dev/null
wrk -t1 -c4 -d3s --latency -s "$W/broker.lua" "$BROKER_URL" >"$W/wrk-warmup.txt"
# floor = GET /api/services with the same session: cookie auth + two small queries and no
# upstream, i.e. what any authenticated host API call costs on this machine right now.
{ echo 'wrk.method = "GET"'; printf 'wrk.headers["Cookie"] = "%s"\n' "$COOKIE"; } >"$W/floor.lua"
FLOOR_URL="$H/api/services"
printf '%s' "$CHAT" >"$W/direct.body"; printf '%s' "$BROKER_BODY" >"$W/broker.body"

closed() { # closed <target> <connections> <file>
  local url=$DIRECT_URL t; [ "$1" = broker ] && url=$BROKER_URL; [ "$1" = floor ] && url=$FLOOR_URL
  t=$([ "$2" = 1 ] && echo 1 || echo 2)
  log "c=$2: $1 (load $(loadavg))"
  echo "$(loadavg)" >"$3.load"
  local c0; c0=$(host_cpu)
  wrk -t"$t" -c"$2" -d"$DURATION" --latency -s "$W/$1.lua" "$url" >"$3"
  echo $(( $(host_cpu) - c0 )) >"$3.cpu"
}
paced() { # paced <target> <file>: RATE req/s for PACED_SECONDS, open loop
  log "paced $RATE/s: $1 (load $(loadavg))"
  local before tracer="" c0; before=$(loadavg); c0=$(host_cpu)
  if [ -n "$TRACE" ] && [ "$1" = broker ] && [ "$(basename "$2")" = paced-broker-after-r1.json ]; then
    local host_proc; host_proc=$(pgrep -P "$HOST_PID" dotnet || echo "$HOST_PID")
    "${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}" collect -p "$host_proc" --profile dotnet-sampled-thread-time \
      --duration "00:00:00:$(printf '%02d' "$PACED_SECONDS")" -o "$W/after-burst.nettrace" --format Speedscope >"$W/trace.log" 2>&1 &
    tracer=$!
  fi
  if [ "$1" = broker ]; then
    dotnet "$OUT/BrokerPaced/BrokerPaced.dll" "$BROKER_URL" "$RATE" "$PACED_SECONDS" "$GRACE" "$W/broker.body" "Cookie: $COOKIE" "X-Labyrinth-Request: 1" >"$2"
  else
    dotnet "$OUT/BrokerPaced/BrokerPaced.dll" "$DIRECT_URL" "$RATE" "$PACED_SECONDS" "$GRACE" "$W/direct.body" "Authorization: Bearer $KEY" >"$2"
  fi
  local ticks=$(( $(host_cpu) - c0 ))
  [ -z "$tracer" ] || wait "$tracer" || true
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["load_before"]=sys.argv[2]; d["load_after"]=sys.argv[3]; d["host_cpu_ms"]=int(sys.argv[4])*1000/int(sys.argv[5]); json.dump(d, open(sys.argv[1], "w"))' "$2" "$before" "$(loadavg)" "$ticks" "$(getconf CLK_TCK)"
}

for r in $(seq 1 "$ROUNDS"); do
  for target in direct broker floor; do closed "$target" 1 "$W/wrk-$target-c1-r$r.txt"; done
done
paced direct "$W/paced-direct-steady.json"
paced broker "$W/paced-broker-steady.json"
for r in $(seq 1 "$ROUNDS"); do
  closed direct 16 "$W/wrk-direct-c16-r$r.txt"
  closed floor 16 "$W/wrk-floor-c16-r$r.txt"
  closed broker 16 "$W/wrk-broker-c16-r$r.txt"   # the burst
  paced broker "$W/paced-broker-after-r$r.json"   # at once after it
  paced direct "$W/paced-direct-after-r$r.json"
done

# Graceful stop, then count what the database holds.
log "stopping the host (SIGTERM) (load $(loadavg))"
stop_started=$(date +%s.%N)
kill -TERM "$HOST_PID"
for _ in $(seq 1 1200); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$HOST_PID" 2>/dev/null && STOPPED=false || STOPPED=true
STOP_MS=$("$PY" -c 'import sys,time; print(round((time.time()-float(sys.argv[1]))*1000))' "$stop_started")
pids=("${pids[@]/$HOST_PID}")
"$PY" - "$DATA/labyrinth.db" >"$W/rows.json" <<'PYC'
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(json.dumps({"network_log_rows": db.execute("SELECT COUNT(*) FROM NetworkLog WHERE ServiceId = 'bench'").fetchone()[0],
                  "network_log_ok_rows": db.execute("SELECT COUNT(*) FROM NetworkLog WHERE ServiceId = 'bench' AND Status = 200 AND Error IS NULL").fetchone()[0],
                  "audit_rows": db.execute("SELECT COUNT(*) FROM AuditEntries WHERE Action = 'secret.use'").fetchone()[0]}))
PYC
dotnet "$CLI_DLL" audit verify "$DATA/labyrinth.db" >"$W/verify.txt" 2>&1 && CHAIN=true || CHAIN=false
echo "{\"stop_ms\": $STOP_MS, \"stopped\": $STOPPED, \"chain_valid\": $CHAIN}" >"$W/stop.json"

# A phase that completed nothing is reported (null figures, "broker.failures"), not a traceback.
"$PY" "$B/summary.py" write "$W" "$ROUNDS" "$(getconf CLK_TCK)" "$RATE" "$OUT/broker.json" "$OUT/broker.md"
cat "$OUT/broker.md"
machine_info | grep -v chromium >"$OUT/broker-machine.md" || true
cat "$OUT/broker-machine.md"
# The last line: every key, null where a phase measured nothing; exit 1 when one did.
"$PY" "$B/summary.py" line "$OUT/broker.json"
