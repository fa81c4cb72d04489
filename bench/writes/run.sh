#!/usr/bin/env bash
# Card state writes: PUT /api/cards/{board}/{window}/payload (a 220-byte state) closed-loop with 1 client and
# with 16 clients (each its own member and card), side by side with raw SQLite (WAL +
# synchronous=FULL, one transaction per statement, 1 thread, a database file on the same file
# system as the host's data directory): new-row inserts (the stated baseline) and the product's own
# upsert of one row (like for like: the WAL is rewritten in place, not grown), each measured before
# and after the HTTP runs; and a bare Kestrel endpoint on the same runtime doing the same PUT (the
# same body parse and upsert, no auth/CSRF/card check/EF: bench/writes/BareWrites), with 1 client
# just before and just after the host's, so the table reads raw insert / bare HTTP+upsert / host.
# Every acknowledged
# version must be the previous + 1 and the final state the last acknowledged one (lost writes).
# Writes out/writes.json; the last line is one JSON object with writes.c1_vs_raw and writes.c16_p99_ms.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$BENCH_DIR/lib/host_run.sh"
need curl curl
build_host
build_loadbench
PORT=${PORT:-5194}; BARE_PORT=${BARE_PORT:-5195}; DURATION=${DURATION:-15}
W="$OUT/writes"; rm -rf "$W"; mkdir -p "$W"
dotnet build "$BENCH_DIR/writes/BareWrites" -c Release -nologo -v q -o "$OUT/BareWrites" >"$W/bare-build.log" 2>&1 || { cat "$W/bare-build.log"; exit 1; }
RAW_DIR=$(mktemp -d)
( exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$OUT/BareWrites/BareWrites.dll" --urls "http://127.0.0.1:$BARE_PORT" --db "$RAW_DIR/bare.db" >"$W/bare.log" 2>&1 ) &
BARE_PID=$!
trap 'stop_pid "$BARE_PID"' EXIT
wait_http_any() { for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; return 1; }
wait_http_any "http://127.0.0.1:$BARE_PORT/"
host_bench "writes" writes "$DURATION" "$RAW_DIR" "http://127.0.0.1:$BARE_PORT"
stop_pid "$BARE_PID"
rm -rf "$RAW_DIR"
cp "$W/writes.json" "$OUT/writes.json"
"$PY" - "$OUT/writes.json" "$BENCH_DIR/lib" <<'PYW'
import json, sys
sys.path.insert(0, sys.argv[2])
from summary import fmt, median, num
d = json.load(open(sys.argv[1]))
r3 = lambda v: None if num(v) is None else round(v, 3)
failures = [f"{k}: the host completed no write" for k in ("c1", "c16") if not (d.get(k) or {}).get("Rps")]
raw = median(d["rawInsertsPerSecond"], 1)
bare = d.get("bare") or []
print(f'raw WAL+FULL inserts/s {d["rawInsertsPerSecond"]}, one-row upserts/s {d["rawUpsertsPerSecond"]}; bare Kestrel c1 {[round(x["Rps"]) for x in bare]} req/s p50 {[x["P50Ms"] for x in bare]} ms ({(d.get("bareVsRaw") or 0):.2f}x raw, host c1 {(d.get("c1VsBare") or 0):.2f}x bare); c1 {d["c1"]["Rps"]:.0f} req/s p50 {d["c1"]["P50Ms"]} ms p99 {d["c1"]["P99Ms"]} ms ({fmt(d.get("c1VsRaw"), ".2f")}x raw); '
      f'c16 {d["c16"]["Rps"]:.0f} req/s p50 {d["c16"]["P50Ms"]} ms p99 {d["c16"]["P99Ms"]} ms; errors {d["c1"]["Errors"] + d["c16"]["Errors"]}; lost {d["lostWrites"]}; load {d["loadBefore"]} -> {d["loadAfter"]}', file=sys.stderr)
print(json.dumps({"bench": "writes", "writes.c1_vs_raw": r3(d.get("c1VsRaw")), "writes.c1_vs_raw_upsert": r3(d.get("c1VsRawUpsert")),
                  "writes.raw_upserts_per_s": median(d["rawUpsertsPerSecond"], 1), "writes.c16_p99_ms": d["c16"]["P99Ms"],
                  "writes.c1_rps": d["c1"]["Rps"], "writes.c1_p50_ms": d["c1"]["P50Ms"],
                  "writes.bare_c1_rps": median([x["Rps"] for x in bare], 1),
                  "writes.bare_vs_raw": r3(d.get("bareVsRaw")), "writes.c1_vs_bare": r3(d.get("c1VsBare")), "writes.c16_rps": d["c16"]["Rps"], "writes.raw_inserts_per_s": raw,
                  "writes.errors": d["c1"]["Errors"] + d["c16"]["Errors"], "writes.lost": d["lostWrites"], "load_before": d["loadBefore"], "load_after": d["loadAfter"],
                  "writes.failures": failures}))
if failures:
    sys.exit("writes bench failed: " + "; ".join(failures))
PYW
