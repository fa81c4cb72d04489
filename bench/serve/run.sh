#!/usr/bin/env bash
# Plugin module serving: the same 57 KiB bundle from the host, nginx (1 worker, brotli_static +
# gzip_static, precompressed files), the seed's Flask dev server and (if installable) gunicorn,
# all measured with the same wrk settings in one run. Writes out/serve.json and out/serve.md.
# The host serves plugin files only under a signed-in person's capability URL (/cap/<token>/…):
# the script completes first-run setup and takes the bench card's entry URL from /api/plugins.
# BASE_HOST_DLL=<another build's Labyrinth.Host.dll> adds that build as "host-base", measured with
# its own URL for the same file (a build from before capability URLs: the bare /plugins/… path).
# "bare" is a bare Kestrel endpoint (bench/serve/BareServe) serving the same bytes from memory with
# the same headers: the runtime's floor.
#
# Paired rounds. On this VM every Kestrel process (the bare one too) has stretches at ~47k req/s
# (~23 CPU µs/request) and stretches at ~67k (~16 µs) that come and go within one process over
# minutes, whatever the runtime settings; nginx does not. A median of whole runs follows whichever
# stretch a run lands in, so the script compares servers *within* a round instead:
# - ROUNDS rounds (default 8); in each, host, host-base, bare and nginx are measured back to back
#   with br, then again without Accept-Encoding, each for WRK_DURATION (default 4s), the order
#   rotated by one every round (nobody is always first after a pause, or always after nginx).
# - Every ratio key is the median over rounds of that round's own ratio:
#   serve.br_vs_nginx = median_r(host br req/s in r ÷ nginx br req/s in r), likewise
#   serve.identity_vs_nginx, serve.host_vs_bare_br, serve.host_vs_base_br, serve.bare_br_vs_nginx;
#   _min/_max beside each give the spread, _rounds every round's ratio.
# - serve.host_br_p99_ms / serve.p99_ms: median over rounds of the host's own p99 (br / the worse of
#   br and plain); *_cpu_us_per_req: median of (server CPU user+system over the wrk run ÷ requests);
#   serve.host_minus_bare_cpu_us: median of the same round's difference (the product's own cost).
# - Mode: a Kestrel round is "fast" when its CPU µs/request is at most MODE_SPLIT (default 1.2)
#   times nginx's in the same round, "slow" otherwise (quiet machine: ~1.0 and ~1.4). serve.md lists
#   each round's mode; serve.br_vs_nginx_fast / _slow are the median ratios of the host's rounds in
#   each mode (null when none), so the conclusion does not hang on which mode a run landed in.
# - Pinned: PINNED_ROUNDS rounds (default 4), same rotation, br only, each server's threads on CPU 0
#   (taskset -a) and wrk on CPU 1: serve.pinned_vs_nginx = median_r(host ÷ nginx), also
#   bare_pinned_vs_nginx. One core each: nginx's single worker is one event-loop thread; Kestrel
#   runs its socket threads and the thread pool (several threads) on that core, so the pinned ratio
#   includes what Kestrel's thread hand-offs cost on one core (serve.md lists context switches per
#   request). Unpinned, nginx (1 worker) can use at most one core while Kestrel may use both, each
#   sharing them with wrk.
# - Flask (and gunicorn) are measured FLASK_ROUNDS times (default 1) after the paired rounds, only
#   for the "≥ 25× Flask" goal; at ~1k req/s their rounds do not need pairing.
# - WARM_SECONDS (default 8) of load per server and encoding before the first round (see warm()).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
S="$BENCH_DIR/serve"
HOST_PORT=${HOST_PORT:-5181}; NGINX_PORT=5182; FLASK_PORT=5183; GUNI_PORT=5184; BASE_PORT=5186; BARE_PORT=5187
WRK_DURATION_SHOWN=${WRK_DURATION:-4s}
WRK_ARGS=(-t2 -c50 -d"$WRK_DURATION_SHOWN" --latency)
REL="plugins/dev.labyrinth.bench/1.0.0/cards/bundle.js"
# The host serves plugin files only on the plugin version's own card origin ({label}.cards.localhost,
# docs/operations.md "Card origins"): its requests carry that Host header; the label is
# lower-case base32 of SHA-256("id\nversion"), first 20 characters (CardOrigins.Label).
CARD_LABEL=$(python3 -c 'import base64,hashlib; print(base64.b32encode(hashlib.sha256(b"dev.labyrinth.bench\n1.0.0").digest()).decode().lower()[:20])')
HOST_HDR=(-H "Host: $CARD_LABEL.cards.localhost:$HOST_PORT")

need wrk wrk; need nginx nginx-light; need brotli brotli; need curl curl
need_file /usr/lib/nginx/modules/ngx_http_brotli_static_module.so libnginx-mod-http-brotli-static
need_py flask python3-flask
need_py gunicorn gunicorn || true
build_host
dotnet build "$S/BareServe" -c Release -nologo -v q -o "$OUT/BareServe" >"$OUT/bareserve-build.log" 2>&1 || { cat "$OUT/bareserve-build.log"; exit 1; }

# 1. The bundle (deterministic) and the plugin dir the host installs it from.
mkdir -p "$S/plugin/dist/cards"
python3 "$S/gen_bundle.py" "$REPO/plugins/hello/dist/cards/hello.js" "$S/plugin/dist/cards/bundle.js"
W="$OUT/serve-www"; rm -rf "$W"; mkdir -p "$W/$(dirname "$REL")"
cp "$S/plugin/dist/cards/bundle.js" "$W/$REL"
brotli -q 11 -f -k "$W/$REL"; gzip -9 -n -k -f "$W/$REL"
RAW=$(stat -c%s "$W/$REL"); BR=$(stat -c%s "$W/$REL.br"); GZ=$(stat -c%s "$W/$REL.gz")
log "bundle: $RAW B raw, $GZ B gzip -9, $BR B brotli -q 11 (sha256 $(sha256sum "$W/$REL" | cut -c1-16))"

pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT

# 2. Servers.
HOST_PID=$(start_host "$HOST_PORT" "$S" "$OUT/serve-host.log"); pids+=("$HOST_PID")
HAVE_BASE=0
if [ -n "${BASE_HOST_DLL:-}" ]; then
  HAVE_BASE=1
  BASE_PID=$( (HOST_DLL="$BASE_HOST_DLL"; start_host "$BASE_PORT" "$S" "$OUT/serve-host-base.log") ); pids+=("$BASE_PID")
fi
cat >"$OUT/nginx.conf" <<NGX
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_processes 1;
daemon off;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 1000000;
  types { text/javascript js; }
  client_body_temp_path $OUT/nginx-tmp; proxy_temp_path $OUT/nginx-tmp; fastcgi_temp_path $OUT/nginx-tmp;
  uwsgi_temp_path $OUT/nginx-tmp; scgi_temp_path $OUT/nginx-tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $W;
    brotli_static on;
    gzip_static on;
    gzip_vary on;
    location /plugins/ {
      add_header Access-Control-Allow-Origin "*";
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
  }
}
NGX
mkdir -p "$OUT/nginx-tmp"
nginx -c "$OUT/nginx.conf" -p "$OUT" >"$OUT/nginx.out" 2>&1 & pids+=($!)
dotnet "$OUT/BareServe/BareServe.dll" "$W/$REL" "/$REL" --urls "http://127.0.0.1:$BARE_PORT" >"$OUT/bareserve.log" 2>&1 & pids+=($!); BARE_PID=$!
"$PY" "$S/flask_seed.py" "$W/plugins" "$FLASK_PORT" >"$OUT/flask.log" 2>&1 & pids+=($!)
HAVE_GUNI=0
if "$PY" -c 'import gunicorn' 2>/dev/null; then
  HAVE_GUNI=1
  (cd "$S" && BENCH_PLUGINS_ROOT="$W/plugins" exec "$PY" -m gunicorn -w "$(nproc)" -b "127.0.0.1:$GUNI_PORT" --log-level warning \
      "flask_seed_app:app" ) >"$OUT/gunicorn.log" 2>&1 & pids+=($!)
fi
# The host's URL for the file: first-run setup as the admin, then the bench card's entryUrl.
# entry_path <port> <log>: the path part (/cap/<token>/plugins/…) of that URL, or the bare path.
entry_path() {
  local port=$1 hlog=$2 token="" jar="$OUT/serve-cookies-$1.txt" i
  wait_http "http://127.0.0.1:$port/healthz" 300 >/dev/null
  for i in $(seq 1 100); do
    token=$(grep -o 'setup[?#]token=[^ ]*' "$hlog" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$token" ] && break
    sleep 0.1
  done
  token=$(printf '%b' "${token//%/\\x}")
  curl -fsS -o /dev/null -c "$jar" -H 'Content-Type: application/json' -H 'X-Labyrinth-Request: 1' \
    -d "{\"token\":\"$token\",\"userName\":\"admin\",\"password\":\"bench-password-123\"}" "http://127.0.0.1:$port/api/setup"
  curl -fsS -b "$jar" -H 'X-Labyrinth-Request: 1' "http://127.0.0.1:$port/api/plugins" | python3 -c '
import json, sys, urllib.parse
p = next(p for p in json.load(sys.stdin) if p["id"] == "dev.labyrinth.bench")
print(urllib.parse.urlsplit(p["cards"][0]["entryUrl"]).path)'
}
HOST_REL=$(entry_path "$HOST_PORT" "$OUT/serve-host.log"); HOST_REL=${HOST_REL#/}
log "host URL path: /$HOST_REL"
curl -fsS -o /dev/null "${HOST_HDR[@]}" "http://127.0.0.1:$HOST_PORT/$HOST_REL" || { log "the host does not serve /$HOST_REL on its card origin"; exit 1; }
if curl -fsS -o /dev/null "${HOST_HDR[@]}" "http://127.0.0.1:$HOST_PORT/$REL" 2>/dev/null; then log "the host serves /$REL without a capability token"; exit 1; fi
if [ $HAVE_BASE = 1 ]; then
  BASE_REL=$(entry_path "$BASE_PORT" "$OUT/serve-host-base.log"); BASE_REL=${BASE_REL#/}
  log "host-base URL path: /$BASE_REL"
  curl -fsS -o /dev/null "${HOST_HDR[@]/$HOST_PORT/$BASE_PORT}" "http://127.0.0.1:$BASE_PORT/$BASE_REL" || { log "host-base does not serve /$BASE_REL"; exit 1; }
fi
# url_of <server>: the URL of the same file on that server; hdr_of <server>: its Host header, if any.
url_of() {
  case $1 in
    host) echo "http://127.0.0.1:$HOST_PORT/$HOST_REL";; host-base) echo "http://127.0.0.1:$BASE_PORT/$BASE_REL";;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/$REL";; bare) echo "http://127.0.0.1:$BARE_PORT/$REL";; flask) echo "http://127.0.0.1:$FLASK_PORT/$REL";; gunicorn) echo "http://127.0.0.1:$GUNI_PORT/$REL";;
  esac
}
hdr_of() {
  case $1 in
    host) printf '%s\n' "${HOST_HDR[@]}";; host-base) printf '%s\n' -H "Host: $CARD_LABEL.cards.localhost:$BASE_PORT";;
  esac
}
wait_http "http://127.0.0.1:$NGINX_PORT/$REL"
wait_http "http://127.0.0.1:$FLASK_PORT/$REL"
wait_http "http://127.0.0.1:$BARE_PORT/$REL"
[ $HAVE_GUNI = 1 ] && { wait_http "http://127.0.0.1:$GUNI_PORT/$REL" || HAVE_GUNI=0; }

# 3. Sanity: the same bytes everywhere, and which encoding each server actually sends.
{
  for name in host $([ $HAVE_BASE = 1 ] && echo host-base) bare nginx flask $([ $HAVE_GUNI = 1 ] && echo gunicorn); do
    u=$(url_of $name)
    mapfile -t at < <(hdr_of $name)
    sum=$(curl -fsS "${at[@]}" "$u" | sha256sum | cut -c1-16)
    enc=$(curl -fsS -o /dev/null -D - "${at[@]}" -H 'Accept-Encoding: br' "$u" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
    brlen=$(curl -fsS "${at[@]}" -H 'Accept-Encoding: br' "$u" | wc -c)
    echo "$name sha256=$sum br-request: content-encoding=${enc:-identity} body=${brlen}B"
  done
  echo "--- host response headers (br):"
  curl -fsS -o /dev/null -D - "${HOST_HDR[@]}" -H 'Accept-Encoding: br' "$(url_of host)" | tr -d '\r'
} | tee "$OUT/serve-sanity.txt" >&2

# 4. wrk, same settings for every server, in paired rounds (see the header). Every measurement is
#    one line in out/serve.jsonl; report.py turns them into serve.md, serve.json and the JSON line.
# Each server is warmed WARM_SECONDS (default 8) per encoding before the first round: ~40 s after
# start the host still spent 14 % of its samples in the JIT (tier-1 and PGO recompiles, perf record;
# bare Kestrel 7 %), none a minute later, and a round that pays for that reads as the slow mode.
warm() { wrk -t2 -c50 -d"${WARM_SECONDS:-8}s" "$@" >/dev/null 2>&1 || true; }
pid_of() {
  case $1 in
    host) echo "$HOST_PID";; host-base) echo "${BASE_PID:-}";; bare) echo "$BARE_PID";;
    nginx) cat "$OUT/nginx.pid"; pgrep -P "$(cat "$OUT/nginx.pid")";;
  esac
}
# cpu_s <server>: CPU seconds (user + system) its processes have used so far, or "null". Throughput
# on a shared machine swings with everyone else's load; CPU time per request barely does.
cpu_s() {
  local p t=0 pids; pids=$(pid_of "$1")
  [ -n "$pids" ] || { echo null; return; }
  for p in $pids; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done
  python3 -c "print($t / $(getconf CLK_TCK))"
}
# ctx_of <server>: context switches (voluntary + involuntary) of all its threads so far, or "null".
ctx_of() {
  local p pids; pids=$(pid_of "$1")
  [ -n "$pids" ] || { echo null; return; }
  for p in $pids; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches/{n += $2} END {print n + 0}'
}
# measure <server> <enc: br|identity> <round> <position in the round> [pinned|alloc]
measure() {
  local name=$1 enc=$2 round=$3 pos=$4 pinned=${5:-} u hdr=() extra=() runner=(wrk) p c0 c1 x0 x1 load j kind=$2
  u=$(url_of "$name")
  [ "$enc" = br ] && hdr=(-H 'Accept-Encoding: br')
  mapfile -t extra < <(hdr_of "$name"); hdr+=("${extra[@]}")
  if [ "$pinned" = alloc ]; then
    kind=br-alloc; pinned=""
  elif [ -n "$pinned" ]; then
    kind=br-pinned; runner=(taskset -c 1 wrk)
    for p in $(pid_of "$name"); do taskset -a -p -c 0 "$p" >/dev/null; done
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "$kind round $round.$pos (load $load): ${runner[*]} ${WRK_ARGS[*]} ${hdr[*]} $u"
  c0=$(cpu_s "$name"); x0=$(ctx_of "$name")
  "${runner[@]}" "${WRK_ARGS[@]}" "${hdr[@]}" "$u" >"$OUT/wrk-$name-$kind-$round.txt" 2>&1
  c1=$(cpu_s "$name"); x1=$(ctx_of "$name")
  if [ -n "$pinned" ]; then for p in $(pid_of "$name"); do taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$p" >/dev/null; done; fi
  j=$(python3 "$S/parse_wrk.py" <"$OUT/wrk-$name-$kind-$round.txt")
  python3 - "$name" "$kind" "$round" "$pos" "$load" "$c0" "$c1" "$x0" "$x1" "$j" >>"$OUT/serve.jsonl" <<'PY'
import json, sys
name, kind, rnd, pos, load, c0, c1, x0, x1, r = sys.argv[1:]
num = lambda a, b: None if "null" in (a, b) else round(float(b) - float(a), 3)
print(json.dumps({"server": name, "enc": kind, "round": int(rnd), "pos": int(pos), "load1": float(load),
                  "cpu_s": num(c0, c1), "ctx": num(x0, x1), "r": json.loads(r)}))
PY
}
PAIRED=(host); [ $HAVE_BASE = 1 ] && PAIRED+=(host-base); PAIRED+=(bare nginx)
for name in "${PAIRED[@]}"; do
  mapfile -t at < <(hdr_of $name)
  warm "${at[@]}" "$(url_of $name)"; warm "${at[@]}" -H 'Accept-Encoding: br' "$(url_of $name)"
done
: >"$OUT/serve.jsonl"; : >"$OUT/serve-alloc.jsonl"
# rotated <round>: the paired servers, rotated left by (round - 1).
rotated() { local n=${#PAIRED[@]} i; for i in $(seq 0 $(( n - 1 ))); do echo "${PAIRED[$(( (i + $1 - 1) % n ))]}"; done; }
for round in $(seq 1 "${ROUNDS:-8}"); do
  mapfile -t order < <(rotated "$round")
  for enc in br identity; do
    pos=0; for name in "${order[@]}"; do pos=$((pos + 1)); measure "$name" "$enc" "$round" "$pos"; done
  done
done
for round in $(seq 1 "${PINNED_ROUNDS:-4}"); do
  mapfile -t order < <(rotated "$round")
  pos=0; for name in "${order[@]}"; do pos=$((pos + 1)); measure "$name" br "$round" "$pos" pinned; done
done
for round in $(seq 1 "${FLASK_ROUNDS:-1}"); do
  for name in flask $([ $HAVE_GUNI = 1 ] && echo gunicorn); do
    for enc in br identity; do measure "$name" "$enc" "$round" 1; done
  done
done

# Allocations per request: each Kestrel server once more with br while dotnet-counters samples
# dotnet.gc.heap.total_allocated every second; what was allocated over the session, less its idle
# rate, divided by the run's requests. COUNTERS=<path> uses that dotnet-counters, COUNTERS=0 skips;
# otherwise the one on PATH, or the pinned version installed into out/tools.
COUNTERS=${COUNTERS:-$(command -v dotnet-counters || true)}
if [ -z "$COUNTERS" ]; then
  [ -x "$OUT/tools/dotnet-counters" ] || dotnet tool install dotnet-counters --version 10.0.750501 --tool-path "$OUT/tools" >"$OUT/tools-install.log" 2>&1 || log "dotnet-counters not installed: no allocation figures (see $OUT/tools-install.log)"
  COUNTERS=$OUT/tools/dotnet-counters; [ -x "$COUNTERS" ] || COUNTERS=0
fi
if [ "$COUNTERS" != 0 ]; then
  for name in "${PAIRED[@]}"; do
    [ "$name" = nginx ] && continue
    csv="$OUT/alloc-$name.csv"; rm -f "$csv"
    secs=$(( ${WRK_DURATION_SHOWN%s} + 6 ))  # session start-up, idle before, the run, idle after
    "$COUNTERS" collect -p "$(pid_of "$name")" --counters 'System.Runtime[dotnet.gc.heap.total_allocated]' \
      --refresh-interval 1 --duration "$(printf "00:00:%02d:%02d" $((secs / 60)) $((secs % 60)))" -o "$csv" >"$OUT/alloc-$name.log" 2>&1 & cpid=$!
    sleep 2.5  # the session's start-up and a second of idle rate; the file is written when it ends
    measure "$name" br 1 1 alloc
    wait "$cpid" || true
    [ -s "$csv" ] || { log "dotnet-counters wrote nothing for $name (see $OUT/alloc-$name.log)"; continue; }
    python3 - "$csv" "$OUT/wrk-$name-br-alloc-1.txt" "$name" >>"$OUT/serve-alloc.jsonl" <<'PY'
import csv, json, re, sys
path, wrk, name = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
# Every one-second sample of the session (the idle seconds before, the run with its 50 connections
# opened, the idle seconds after), less the idle rate (the quietest second after the run) times the
# number of samples: what the run allocated, over its requests.
samples = [float(row[-1]) for row in list(csv.reader(open(path)))[1:]]
idle = min(samples[-3:])
requests = int(re.search(r"(\d+) requests in", wrk).group(1))
print(json.dumps({"server": name, "bytes_per_req": round((sum(samples) - idle * len(samples)) / requests, 1),
                  "requests": requests, "idle_bytes_per_s": idle}))
PY
  done
fi

# 5. Tables and the JSON line.
python3 "$S/report.py" "$OUT/serve.jsonl" "$OUT/serve-alloc.jsonl" "$OUT/serve.json" "$RAW" "$GZ" "$BR" "${MODE_SPLIT:-1.2}" "$WRK_DURATION_SHOWN" >"$OUT/serve.md"
cat "$OUT/serve.md"
python3 "$S/report.py" --json "$OUT/serve.jsonl" "$OUT/serve-alloc.jsonl" "$OUT/serve.json" "$RAW" "$GZ" "$BR" "${MODE_SPLIT:-1.2}" "$WRK_DURATION_SHOWN"
