#!/usr/bin/env bash
# Broker overhead: the fake OpenAI-compatible upstream (non-streaming chat completion, small JSON)
# called directly vs through the host's network broker (session cookie, grant check, secret
# injection, SSRF-safe connect, NDJSON framing, network log + audit), same machine, same run,
# same wrk settings, interleaved. Writes out/broker.json and out/broker.md.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
B="$BENCH_DIR/broker"
HOST_PORT=${HOST_PORT:-5191}; FAKE_PORT=${FAKE_PORT:-5192}
DURATION=${WRK_DURATION:-10s}; ROUNDS=${ROUNDS:-2}
KEY="sk-bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
FAKE_DLL="$REPO/tests/Labyrinth.FakeUpstream/bin/Release/net10.0/Labyrinth.FakeUpstream.dll"
W="$OUT/broker"; rm -rf "$W"; mkdir -p "$W"

need wrk wrk; need curl curl
if [ ! -f "$HOST_DLL" ] || [ ! -f "$FAKE_DLL" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "building host + fake upstream (Release)"
  (cd "$REPO" && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >/dev/null \
     && dotnet build tests/Labyrinth.FakeUpstream -c Release -v q -nologo >/dev/null)
fi

pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT

( exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$FAKE_DLL" --urls "http://127.0.0.1:$FAKE_PORT" --key "$KEY" --chunk-delay-ms 0 >"$W/fake.log" 2>&1 ) &
pids+=("$!")
HOST_PID=$(start_host "$HOST_PORT" "" "$W/host.log"); pids+=("$HOST_PID")
wait_http "http://127.0.0.1:$HOST_PORT/healthz"
wait_http "http://127.0.0.1:$FAKE_PORT/"

# Set up like an admin and a person would: admin account, allow the unsigned bench plugin, define
# the service (rate limit at its maximum so the bench measures the broker, not the limiter), store
# the key, then a board with the card and the network grant.
H="http://127.0.0.1:$HOST_PORT"; JAR="$W/cookies"
api() { curl -fsS -b "$JAR" -c "$JAR" -H 'X-Labyrinth-Request: 1' -H 'Content-Type: application/json' "$@"; }
TOKEN=""
for _ in $(seq 1 50); do TOKEN=$(grep -o 'setup?token=[A-Za-z0-9_-]*' "$W/host.log" | head -1 | cut -d= -f2) && [ -n "$TOKEN" ] && break; sleep 0.2; done
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
curl -fsS -o /dev/null -b "$JAR" -H 'X-Labyrinth-Request: 1' -H 'Content-Type: application/octet-stream' --data-binary "@$W/plugin.zip" "$H/api/admin/plugins"
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
wrk -t1 -c4 -d3s -s "$W/broker.lua" "$BROKER_URL" >/dev/null
# floor = GET /api/services with the same session: cookie auth + two small queries and no
# upstream, i.e. what any authenticated host API call costs on this machine right now.
{ echo 'wrk.method = "GET"'; printf 'wrk.headers["Cookie"] = "%s"\n' "$COOKIE"; } >"$W/floor.lua"
FLOOR_URL="$H/api/services"
for c in 1 16; do
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  for r in $(seq 1 "$ROUNDS"); do
    for target in direct broker floor; do
      url=$DIRECT_URL; [ "$target" = broker ] && url=$BROKER_URL; [ "$target" = floor ] && url=$FLOOR_URL
      log "c=$c round $r: $target"
      wrk -t"$t" -c"$c" -d"$DURATION" --latency -s "$W/$target.lua" "$url" >"$W/wrk-$target-c$c-r$r.txt"
    done
  done
done

"$PY" - "$W" "$ROUNDS" >"$OUT/broker.json" <<'PYR'
import json, subprocess, sys, statistics, pathlib
w, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
parse = pathlib.Path(w).parent.parent / "serve" / "parse_wrk.py"
res = {}
for c in (1, 16):
    for t in ("direct", "broker", "floor"):
        runs = [json.loads(subprocess.run([sys.executable, str(parse)], input=(w / f"wrk-{t}-c{c}-r{r}.txt").read_text(),
                                          capture_output=True, text=True, check=True).stdout) for r in range(1, rounds + 1)]
        runs.sort(key=lambda x: x["rps"])
        res[f"{t}-c{c}"] = runs[len(runs) // 2]  # the round with the median req/s
print(json.dumps(res, indent=1))
PYR

"$PY" - "$OUT/broker.json" >"$OUT/broker.md" <<'PYM'
import json, sys
r = json.load(open(sys.argv[1]))
print("| connections | path | req/s | p50 ms | p99 ms | non-2xx | socket errors |")
print("|---|---|---:|---:|---:|---:|---|")
for c in (1, 16):
    for t in ("direct", "broker", "floor"):
        x = r[f"{t}-c{c}"]
        print(f"| {c} | {t} | {x['rps']:.0f} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['non2xx']} | {x['socket_errors'] or 'none'} |")
for c in (1, 16):
    d, b = r[f"direct-c{c}"], r[f"broker-c{c}"]
    print(f"\nc={c}: broker overhead p50 +{b['p50_ms'] - d['p50_ms']:.2f} ms, p99 +{b['p99_ms'] - d['p99_ms']:.2f} ms; broker {b['rps']:.0f} req/s vs direct {d['rps']:.0f} req/s")
PYM
cat "$OUT/broker.md"
machine_info | grep -v chromium >"$OUT/broker-machine.md" || true
cat "$OUT/broker-machine.md"
