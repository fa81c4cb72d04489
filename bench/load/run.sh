#!/usr/bin/env bash
# Members at once. N simulated members (own account, board and card each) loop: list boards → read
# the board → layout PUT (moves the card) → payload PUT (a counter).
#   paced:  MEMBERS_LIST members (default "50 200") at RATE requests/s each (default 1) for DURATION s
#   stress: the same cycle closed-loop (no think time), beside a closed-loop GET /api/auth/me floor
#           with the same members and cookies, measured before and after the stress in the same run.
# A fresh host per run. Lost writes = members whose last acknowledged layout or card state is not
# what the host returns at the end. Writes out/load.json and out/load.md; the last line is one JSON
# object. LOAD_HOST_DLL=<path> runs the same driver against another build (e.g. main's).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$BENCH_DIR/lib/host_run.sh"
need curl curl
build_host
build_loadbench
PORT=${PORT:-5193}; DURATION=${DURATION:-30}; RATE=${RATE:-1}; MEMBERS_LIST=${MEMBERS_LIST:-"50 200"}; MODES=${MODES:-"paced stress"}
W="$OUT/load"; rm -rf "$W"; mkdir -p "$W"
for m in $MEMBERS_LIST; do
  case " $MODES " in *" paced "*) host_bench "paced-m$m" load "$m" "$DURATION" "$RATE";; esac
  case " $MODES " in *" stress "*) host_bench "stress-m$m" stress "$m" "$DURATION";; esac
done

"$PY" - "$W" >"$OUT/load.json" <<'PYJ'
import json, sys, pathlib
w = pathlib.Path(sys.argv[1])
print(json.dumps({p.stem: json.loads(p.read_text()) for p in sorted(w.glob("*.json"))}, indent=1))
PYJ
"$PY" - "$OUT/load.json" >"$OUT/load.md" <<'PYM'
import json, sys
r = json.load(open(sys.argv[1]))
print("| run | members | req/s | p50 ms | p99 ms | errors | lost writes | list p99 | read p99 | layout p99 | payload p99 | load avg before → after |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for name, d in r.items():
    s = d.get("stress", d)
    ops = s["Ops"]
    p = lambda k: f'{ops[k]["P99Ms"]:.1f}' if k in ops else "–"
    print(f'| {name} | {s["Members"]} | {s["Rps"]:.0f} | {s["P50Ms"]:.1f} | {s["P99Ms"]:.1f} | {s["Errors"]} | {s["LostWrites"]} | {p("list")} | {p("read")} | {p("layout")} | {p("payload")} | {d["loadBefore"]} → {d["loadAfter"]} |')
    if "floorRps" in d:
        print(f'| {name} floor (GET /api/auth/me) | {s["Members"]} | {d["floorRps"]:.0f} | {d["floor"]["P50Ms"]:.1f} | {d["floor"]["P99Ms"]:.1f} | {d["floor"]["Errors"] + d["floor2"]["Errors"]} | – | | | | | stress/floor = {d["ratio"]:.2f}× |')
PYM
cat "$OUT/load.md"
"$PY" - "$OUT/load.json" <<'PYL'
import json, sys
r = json.load(open(sys.argv[1]))
out = {"bench": "load"}
for name, d in r.items():
    s = d.get("stress", d)
    out[f"{name}.rps"] = s["Rps"]; out[f"{name}.p50_ms"] = s["P50Ms"]; out[f"{name}.p99_ms"] = s["P99Ms"]
    out[f"{name}.errors"] = s["Errors"]; out[f"{name}.lost_writes"] = s["LostWrites"]
    if "ratio" in d:
        out[f"{name}.vs_floor"] = round(d["ratio"], 3)
print(json.dumps(out))
PYL
