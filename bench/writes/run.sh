#!/usr/bin/env bash
# Card state writes: PUT /api/cards/{board}/{window}/payload (a 220-byte state) closed-loop with 1 client and
# with 16 clients (each its own member and card), side by side with raw SQLite (WAL +
# synchronous=FULL, one transaction per statement, 1 thread, a database file on the same file
# system as the host's data directory): new-row inserts (the stated baseline) and the product's own
# upsert of one row (like for like: the WAL is rewritten in place, not grown), each measured before
# and after the HTTP runs. Every acknowledged
# version must be the previous + 1 and the final state the last acknowledged one (lost writes).
# Writes out/writes.json; the last line is one JSON object with writes.c1_vs_raw and writes.c16_p99_ms.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$BENCH_DIR/lib/host_run.sh"
need curl curl
build_host
build_loadbench
PORT=${PORT:-5194}; DURATION=${DURATION:-15}
W="$OUT/writes"; rm -rf "$W"; mkdir -p "$W"
RAW_DIR=$(mktemp -d)
host_bench "writes" writes "$DURATION" "$RAW_DIR"
rm -rf "$RAW_DIR"
cp "$W/writes.json" "$OUT/writes.json"
"$PY" - "$OUT/writes.json" <<'PYW'
import json, sys
d = json.load(open(sys.argv[1]))
raw = sum(d["rawInsertsPerSecond"]) / 2
print(f'raw WAL+FULL inserts/s {d["rawInsertsPerSecond"]}, one-row upserts/s {d["rawUpsertsPerSecond"]}; c1 {d["c1"]["Rps"]:.0f} req/s p50 {d["c1"]["P50Ms"]} ms p99 {d["c1"]["P99Ms"]} ms ({d["c1VsRaw"]:.2f}x raw); '
      f'c16 {d["c16"]["Rps"]:.0f} req/s p50 {d["c16"]["P50Ms"]} ms p99 {d["c16"]["P99Ms"]} ms; errors {d["c1"]["Errors"] + d["c16"]["Errors"]}; lost {d["lostWrites"]}; load {d["loadBefore"]} -> {d["loadAfter"]}', file=sys.stderr)
print(json.dumps({"bench": "writes", "writes.c1_vs_raw": round(d["c1VsRaw"], 3), "writes.c1_vs_raw_upsert": round(d["c1VsRawUpsert"], 3),
                  "writes.raw_upserts_per_s": round(sum(d["rawUpsertsPerSecond"]) / 2, 1), "writes.c16_p99_ms": d["c16"]["P99Ms"],
                  "writes.c1_rps": d["c1"]["Rps"], "writes.c16_rps": d["c16"]["Rps"], "writes.raw_inserts_per_s": round(raw, 1),
                  "writes.errors": d["c1"]["Errors"] + d["c16"]["Errors"], "writes.lost": d["lostWrites"], "load_before": d["loadBefore"], "load_after": d["loadAfter"]}))
PYW
