#!/usr/bin/env bash
# Plugin module serving: the same 57 KiB bundle from the host, nginx (1 worker, brotli_static +
# gzip_static, precompressed files), the seed's Flask dev server and (if installable) gunicorn,
# all measured with the same wrk settings in one run. Writes out/serve.json and out/serve.md.
# The host serves plugin files only under a signed-in person's capability URL (/cap/<token>/…):
# the script completes first-run setup and takes the bench card's entry URL from /api/plugins.
# BASE_HOST_DLL=<another build's Labyrinth.Host.dll> adds that build as "host-base", measured with
# its own URL for the same file (a build from before capability URLs: the bare /plugins/… path).
# "bare" is a bare Kestrel endpoint (bench/serve/BareServe) serving the same bytes from memory with
# the same headers: the runtime's floor. After the shared rounds, PINNED_ROUNDS rounds (default 1)
# measure host, bare and nginx with br, each server pinned to CPU 0 and wrk to CPU 1 (taskset), so
# the host's threads get one core like nginx's single worker: serve.pinned_vs_nginx.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
S="$BENCH_DIR/serve"
HOST_PORT=${HOST_PORT:-5181}; NGINX_PORT=5182; FLASK_PORT=5183; GUNI_PORT=5184; BASE_PORT=5186; BARE_PORT=5187
WRK_ARGS=(-t2 -c50 -d"${WRK_DURATION:-10s}" --latency)
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
    token=$(grep -o 'setup?token=[^ ]*' "$hlog" | head -1 | sed 's/^setup?token=//') && [ -n "$token" ] && break
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

# 4. wrk, same settings for every server. The machine may be shared, so the servers are measured
#    interleaved over ROUNDS rounds (each server alone while measured) and the median is reported.
warm() { wrk -t2 -c50 -d2s "$@" >/dev/null 2>&1 || true; }
# cpu_s <server>: CPU seconds (user + system) its processes have used so far, or "null". Throughput
# on a shared machine swings with everyone else's load; CPU time per request barely does.
cpu_s() {
  local pids p t=0
  case $1 in
    host) pids=$HOST_PID;; host-base) pids=${BASE_PID:-};; bare) pids=$BARE_PID;;
    nginx) pids="$(cat "$OUT/nginx.pid") $(pgrep -P "$(cat "$OUT/nginx.pid")" | tr '\n' ' ')";;
    *) echo null; return;;
  esac
  for p in $pids; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done
  python3 -c "print($t / $(getconf CLK_TCK))"
}
SERVERS=(host); [ $HAVE_BASE = 1 ] && SERVERS+=(host-base); SERVERS+=(bare nginx flask); [ $HAVE_GUNI = 1 ] && SERVERS+=(gunicorn)
for name in host $([ $HAVE_BASE = 1 ] && echo host-base) bare nginx; do
  mapfile -t at < <(hdr_of $name)
  warm "${at[@]}" "$(url_of $name)"; warm "${at[@]}" -H 'Accept-Encoding: br' "$(url_of $name)"
done
echo "[" >"$OUT/serve.json"; first=1
for round in $(seq 1 "${ROUNDS:-3}"); do
  for name in "${SERVERS[@]}"; do
    u=$(url_of $name)
    for enc in identity br; do
      hdr=(); [ $enc = br ] && hdr=(-H 'Accept-Encoding: br')
      mapfile -t extra < <(hdr_of $name); hdr+=("${extra[@]}")
      load=$(cut -d' ' -f1 /proc/loadavg)
      log "round $round (load $load): wrk ${WRK_ARGS[*]} ${hdr[*]} $u"
      c0=$(cpu_s $name)
      wrk "${WRK_ARGS[@]}" "${hdr[@]}" "$u" >"$OUT/wrk-$name-$enc-$round.txt" 2>&1
      c1=$(cpu_s $name); cpu=null; [ "$c0" = null ] || cpu=$(python3 -c "print(round($c1 - $c0, 2))")
      j=$(python3 "$S/parse_wrk.py" <"$OUT/wrk-$name-$enc-$round.txt")
      [ $first = 1 ] || echo "," >>"$OUT/serve.json"; first=0
      echo "{\"server\":\"$name\",\"enc\":\"$enc\",\"round\":$round,\"load1\":$load,\"cpu_s\":$cpu,\"r\":$j}" >>"$OUT/serve.json"
    done
  done
done
# Pinned rounds: each server's threads on CPU 0, wrk on CPU 1 (br only).
pid_of() {
  case $1 in
    host) echo "$HOST_PID";; host-base) echo "$BASE_PID";; bare) echo "$BARE_PID";;
    nginx) cat "$OUT/nginx.pid"; pgrep -P "$(cat "$OUT/nginx.pid")";;
  esac
}
PINNED=(host); [ $HAVE_BASE = 1 ] && PINNED+=(host-base); PINNED+=(bare nginx)
for round in $(seq 1 "${PINNED_ROUNDS:-1}"); do
  for name in "${PINNED[@]}"; do
    for p in $(pid_of $name); do taskset -a -p -c 0 "$p" >/dev/null; done
    mapfile -t extra < <(hdr_of $name); hdr=(-H 'Accept-Encoding: br' "${extra[@]}")
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "pinned round $round (load $load): taskset -c 1 wrk ${WRK_ARGS[*]} ${hdr[*]} $(url_of $name)"
    c0=$(cpu_s $name)
    taskset -c 1 wrk "${WRK_ARGS[@]}" "${hdr[@]}" "$(url_of $name)" >"$OUT/wrk-$name-pinned-$round.txt" 2>&1
    c1=$(cpu_s $name); cpu=$(python3 -c "print(round($c1 - $c0, 2))")
    for p in $(pid_of $name); do taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$p" >/dev/null; done
    j=$(python3 "$S/parse_wrk.py" <"$OUT/wrk-$name-pinned-$round.txt")
    echo ",{\"server\":\"$name\",\"enc\":\"br-pinned\",\"round\":$round,\"load1\":$load,\"cpu_s\":$cpu,\"r\":$j}" >>"$OUT/serve.json"
  done
done
echo "]" >>"$OUT/serve.json"

# 5. Table.
python3 - "$OUT/serve.json" "$RAW" "$GZ" "$BR" "$BENCH_DIR/lib" >"$OUT/serve.md" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[5])
from summary import fmt, median_run, num, ratio
rows = json.load(open(sys.argv[1])); raw, gz, br = sys.argv[2:5]
groups = {}
for r in rows: groups.setdefault((r["server"], r["enc"]), []).append(r)
def med(rs):  # the round with the median req/s (its own latencies, not mixed across rounds); {} when no round answered
    m = dict(median_run([r["r"] for r in rs], "rps") or {})
    m["all"] = [round(r["r"]["rps"]) if num(r["r"].get("rps")) is not None else None for r in rs]; m["loads"] = [r["load1"] for r in rs]; return m
get = {k: med(v) for k, v in groups.items()}
print(f"Bundle: {raw} B raw, {gz} B gzip -9, {br} B brotli -q 11. `wrk -t2 -c50 -d10s --latency`, plain and `-H 'Accept-Encoding: br'`.\n")
print("Median round of", len(next(iter(groups.values()), [])), "interleaved rounds; 'all rounds' lists every round's req/s, 'load' the 1-min load average before each.\n")
def cpu_us(key):  # median over rounds of the server's CPU µs per request (null for Flask/gunicorn)
    xs = sorted(r["cpu_s"] * 1e6 / r["r"]["requests"] for r in groups.get(key, []) if r.get("cpu_s") is not None and r["r"].get("requests"))
    return xs[len(xs) // 2] if xs else None
x = lambda v, spec: fmt(v, spec) + ("×" if num(v) is not None else "")
print("| server | Accept-Encoding | req/s (median) | p50 ms | p99 ms | bytes/resp | vs nginx (same enc) | vs bare Kestrel (same enc) | vs Flask dev (same enc) | server CPU µs/req (median) | all rounds req/s | load |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
for (s, e), r in get.items():
    n = get.get(("nginx", e)) or {}; f = get.get(("flask", e)) or {}; b = get.get(("bare", e)) or {}
    print(f"| {s} | {e} | {fmt(r.get('rps'), ',.0f')} | {fmt(r.get('p50_ms'), '.2f')} | {fmt(r.get('p99_ms'), '.2f')} | {fmt(r.get('bytes_per_req'))} | "
          f"{x(ratio(r.get('rps'), n.get('rps')), '.2f')} | {x(ratio(r.get('rps'), b.get('rps')), '.2f')} | " + (x(ratio(r.get('rps'), f.get('rps')), '.1f') if f else "") + f" | {fmt(cpu_us((s, e)), ',.1f', '')} | {r['all']} | {r['loads']} |" + (f" non-2xx {r['non2xx']}" if r.get('non2xx') else ""))
g = lambda k: get.get(k) or {}
h, n, f = g(("host", "br")), g(("nginx", "br")), g(("flask", "br"))
hp, fp = g(("host", "identity")), g(("flask", "identity"))
yn = lambda v: "—" if v is None else "**yes**" if v else "**no**"
at_least = lambda v, goal: None if num(v) is None else v >= goal
print("\n| goal | measured | met |\n|---|---|---|")
print(f"| host ≥ 0.9× nginx (br) | {x(ratio(h.get('rps'), n.get('rps')), '.2f')} ({fmt(h.get('rps'), ',.0f')} vs {fmt(n.get('rps'), ',.0f')} req/s) | {yn(at_least(ratio(h.get('rps'), n.get('rps')), 0.9))} |")
hcpu, ncpu, bcpu = cpu_us(("host", "br")), cpu_us(("nginx", "br")), cpu_us(("bare", "br"))
print(f"| host CPU per request ≤ nginx's (br) | host {fmt(hcpu, ',.1f')} µs, nginx {fmt(ncpu, ',.1f')} µs, bare Kestrel {fmt(bcpu, ',.1f')} µs: nginx/host {x(ratio(ncpu, hcpu), '.2f')} | {yn(at_least(ratio(ncpu, hcpu), 1))} |")
hpin, npin = g(("host", "br-pinned")), g(("nginx", "br-pinned"))
print(f"| host ≥ 0.9× nginx pinned (br, one core each) | {x(ratio(hpin.get('rps'), npin.get('rps')), '.2f')} ({fmt(hpin.get('rps'), ',.0f')} vs {fmt(npin.get('rps'), ',.0f')} req/s) | {yn(at_least(ratio(hpin.get('rps'), npin.get('rps')), 0.9))} |")
p99 = None if num(h.get('p99_ms')) is None or num(hp.get('p99_ms')) is None else max(h['p99_ms'], hp['p99_ms'])
print(f"| host p99 ≤ 2.5 ms | {fmt(h.get('p99_ms'), '.2f')} ms br, {fmt(hp.get('p99_ms'), '.2f')} ms plain | {yn(None if p99 is None else p99 <= 2.5)} |")
fl = [v for v in (ratio(h.get('rps'), f.get('rps')), ratio(hp.get('rps'), fp.get('rps')))]
print(f"| host ≥ 25× Flask dev server | {x(fl[0], '.0f')} br, {x(fl[1], '.0f')} plain | {yn(None if None in fl else min(fl) >= 25)} |")
PY
cat "$OUT/serve.md"
python3 - "$OUT/serve.json" "$BENCH_DIR/lib" <<'PYL'
import json, sys
sys.path.insert(0, sys.argv[2])
from summary import median_run, num, ratio
rows = json.load(open(sys.argv[1])); groups = {}
for r in rows: groups.setdefault((r["server"], r["enc"]), []).append(r)
med = lambda key: median_run([r["r"] for r in groups.get(key, [])], "rps") or {}  # {} when no round answered
h, n, hp, np_ = med(("host", "br")), med(("nginx", "br")), med(("host", "identity")), med(("nginx", "identity"))
loads = [r["load1"] for r in rows]
base = {}
if ("host-base", "br") in groups:
    hb, hbp = med(("host-base", "br")), med(("host-base", "identity"))
    base = {"serve.host_base_br_rps": hb.get("rps"), "serve.host_vs_base_br": ratio(h.get("rps"), hb.get("rps")),
            "serve.host_vs_base_identity": ratio(hp.get("rps"), hbp.get("rps")), "serve.host_base_br_p99_ms": hb.get("p99_ms")}
b, hpin, npin, bpin = med(("bare", "br")), med(("host", "br-pinned")), med(("nginx", "br-pinned")), med(("bare", "br-pinned"))
def cpu_us(key):
    xs = sorted(r["cpu_s"] * 1e6 / r["r"]["requests"] for r in groups.get(key, []) if r.get("cpu_s") is not None and r["r"].get("requests"))
    return round(xs[len(xs) // 2], 1) if xs else None
cpu = {f"serve.{k.replace('-', '_')}_cpu_us_per_req": cpu_us((k, "br")) for k in ("host", "host-base", "bare", "nginx") if (k, "br") in groups}
cpu["serve.br_vs_nginx_cpu"] = ratio(cpu.get("serve.nginx_cpu_us_per_req"), cpu.get("serve.host_cpu_us_per_req"))
base.update(cpu)
p99 = [v for v in (h.get("p99_ms"), hp.get("p99_ms")) if num(v) is not None]
# A server whose every round answered nothing is a failed bench: its figures are null, the line is still printed.
failures = [f"{srv} ({enc}) answered no request in any round" for (srv, enc), rs in sorted(groups.items()) if not any(r["r"].get("rps") for r in rs)]
base.update({"serve.pinned_vs_nginx": ratio(hpin.get("rps"), npin.get("rps")), "serve.bare_br_vs_nginx": ratio(b.get("rps"), n.get("rps")),
             "serve.host_vs_bare_br": ratio(h.get("rps"), b.get("rps")), "serve.bare_pinned_vs_nginx": ratio(bpin.get("rps"), npin.get("rps")),
             "serve.p99_ms": max(p99) if len(p99) == 2 else None, "serve.failures": failures})
print(json.dumps({"bench": "serve", **base, "serve.br_vs_nginx": ratio(h.get("rps"), n.get("rps")), "serve.identity_vs_nginx": ratio(hp.get("rps"), np_.get("rps")),
                  "serve.host_br_rps": h.get("rps"), "serve.nginx_br_rps": n.get("rps"), "serve.host_br_p99_ms": h.get("p99_ms"),
                  "load_before": loads[0] if loads else None, "load_after": loads[-1] if loads else None}))
if failures:
    sys.exit("serve bench failed: " + "; ".join(failures))
PYL
