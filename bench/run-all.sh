#!/usr/bin/env bash
# Runs every benchmark in one go, each side by side with its own baseline, and writes
# out/results.md: machine, date, the load average before each bench, each bench's table, and one
# table of goal vs measured vs baseline built from the JSON line each run.sh prints last
# (collected in out/run-all.jsonl). A bench that fails is reported as such; the others still run.
# Not part of ./test.sh. Loopback only; every loop is bounded. ONLY="broker start" runs a subset.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
build_host
R="$OUT/results.md"; J="$OUT/run-all.jsonl"; : >"$J"
{
  echo "# Bench run $(date -u +%Y-%m-%dT%H:%MZ)"; echo
  machine_info
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; echo
} >"$R"

BENCHES=(size serve browser import broker writes start grid ink load bus math devloop cluster)
for name in ${ONLY:-${BENCHES[@]}}; do
  script="$BENCH_DIR/$name/run.sh"; [ "$name" = size ] && script="$BENCH_DIR/size.sh"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  log "== $name (load $load)"
  echo "## $name (\`bench/${script#"$BENCH_DIR/"}\`, load before: $load)" >>"$R"
  if "$script" >"$OUT/run-all-$name.out" 2>"$OUT/run-all-$name.err"; then
    line=$(grep -E '^\{"bench": ?"' "$OUT/run-all-$name.out" | tail -1 || true)
    [ -n "$line" ] && echo "$line" >>"$J" || echo "{\"bench\": \"$name\", \"error\": \"no JSON line\"}" >>"$J"
    [ -f "$OUT/$name.md" ] && cat "$OUT/$name.md" >>"$R" || grep -vE '^\{"bench"' "$OUT/run-all-$name.out" >>"$R" || true
  else
    echo "{\"bench\": \"$name\", \"error\": \"exit $?\"}" >>"$J"
    echo "**failed**; last lines of its log:" >>"$R"; echo '```' >>"$R"; tail -5 "$OUT/run-all-$name.err" >>"$R"; echo '```' >>"$R"
  fi
  echo >>"$R"
done
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R"

"$PY" - "$J" >>"$R" <<'PYG'
import json, sys
got = {}
for line in open(sys.argv[1]):
    d = json.loads(line); got.update({k: v for k, v in d.items() if k != "bench"} | {f"{d['bench']}.error": d.get("error")})
    got.update({f"{d['bench']}.{k}": v for k, v in d.items() if k != "bench" and "." not in k})  # unprefixed keys (cluster's)
def f(k, unit=""):
    v = got.get(k); return "not run" if v is None else f"{v}{unit}"
rows = [  # key, goal, met(v), baseline
    ("serve.br_vs_nginx", "≥ 1.0× nginx (br)", lambda v: v >= 1.0, f"nginx {f('serve.nginx_br_rps', ' req/s')}"),
    ("writes.c1_vs_raw", "≥ 0.5× raw WAL+FULL inserts", lambda v: v >= 0.5, f"raw {f('writes.raw_inserts_per_s', '/s')}"),
    ("writes.c16_p99_ms", "≤ 20 ms", lambda v: v <= 20, "—"),
    ("grid.live_p95_ms", "≤ 16.7 ms", lambda v: v <= 16.7, f"200 built-in windows p95 {f('grid.builtin_p95_ms', ' ms')}"),
    ("broker.after_burst_p50_added_ms", "≤ +2 ms over direct", lambda v: v <= 2, "the upstream called directly, same phase"),
    ("broker.lost_rows", "0 after a graceful stop", lambda v: v == 0, f"{f('broker.calls_ok')} calls"),
    ("start.healthz_ms", "≤ 1,000 ms", lambda v: v <= 1000, f"bare ASP.NET Core {f('start.bare_healthz_ms', ' ms')}"),
    ("start.idle_rss_mib", "≤ 120 MiB", lambda v: v <= 120, f"bare {f('start.bare_idle_rss_mib', ' MiB')}"),
    ("browser.rtt_validation_overhead", "≤ 10 % over a raw echo", lambda v: v <= 0.10, f"raw echo p50 {f('browser.rtt_raw_echo_p50_us', ' µs')}"),
    ("cluster.kill_p99_ms", "≤ 200 ms (kill on A → pluginKilled on B)", lambda v: v <= 200, f"barrier timeout {f('cluster.barrier_timeout_ms', ' ms')}"),
    ("cluster.revoke_p99_ms", "≤ 200 ms (revoke on A → stream through B ends)", lambda v: v <= 200, "—"),
    ("cluster.bus_cross_p50_ms", "≤ 10 ms (publish on A → tab on B)", lambda v: v <= 10, f"same instance p50 {f('cluster.bus_local_p50_ms', ' ms')}"),
    ("cluster.pg_vs_sqlite_added_ms", "per-request cost of PostgreSQL (informational)", None, f"SQLite p50 {f('cluster.sqlite_p50_ms', ' ms')}"),
]
print("## Goals (issue: performance pass)\n\n| key | goal | measured | met | baseline |\n|---|---|---:|---|---|")
for k, goal, met, base in rows:
    v = got.get(k)
    print(f"| `{k}` | {goal} | {f(k)} | {'—' if v is None or met is None else ('**yes**' if met(v) else '**no**')} | {base} |")
PYG
cat "$R"
