#!/usr/bin/env python3
"""Summarises bench/broker/run.sh's measurements.

  summary.py write <work dir> <rounds> <clock ticks/s> <rate> <out json> <out md>
  summary.py line <out json>     prints the one JSON line; exits 1 when a phase measured nothing

A phase that completed nothing (a swamped host answers no paced call, wrk got no answer) or a
file that is missing is a failure, not a crash: its figures are null, the JSON line still has
every key, and "broker.failures" says what went wrong.
"""
import json
import pathlib
import sys

BENCH = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(BENCH / "lib"), str(BENCH / "serve")]
from parse_wrk import parse  # noqa: E402
from summary import diff, fmt, load_json, median, median_run, num  # noqa: E402


def wrk(path):
    """wrk --latency output as a dict, or None when the file is missing."""
    try:
        return parse(pathlib.Path(path).read_text())
    except OSError:
        return None


def read(path, default=None):
    try:
        return pathlib.Path(path).read_text().strip()
    except OSError:
        return default


def summarize(w, rounds, tck):
    w = pathlib.Path(w)
    res = {"closed": {}, "paced": {}, "failures": []}
    fail = res["failures"].append
    for c in (1, 16):
        for t in ("direct", "broker", "floor"):
            runs = []
            for r in range(1, rounds + 1):
                f = w / f"wrk-{t}-c{c}-r{r}.txt"
                x = wrk(f)
                if x is None:
                    fail(f"{t} c={c} round {r}: no wrk output ({f.name})")
                    continue
                x["load"] = read(f"{f}.load", "")
                cpu = num(int(read(f"{f}.cpu", "0") or 0)) or 0
                x["host_cpu_ms"] = cpu * 1000 / tck
                x["host_cpu_ms_per_call"] = round(x["host_cpu_ms"] / x["requests"], 3) if num(x.get("requests")) else None
                if not x.get("requests"):
                    fail(f"{t} c={c} round {r}: wrk completed no request")
                runs.append(x)
            res["closed"][f"{t}-c{c}-all"] = runs
            res["closed"][f"{t}-c{c}"] = median_run(runs, "rps")  # the round with the median req/s
    for f in sorted(w.glob("paced-*.json")):
        x = load_json(f)
        if x is None:
            fail(f"{f.name}: not written or not JSON")
            continue
        res["paced"][f.stem[len("paced-"):]] = x
    for name in ["direct-steady", "broker-steady"] + [f"{p}-after-r{r}" for r in range(1, rounds + 1) for p in ("broker", "direct")]:
        x = res["paced"].get(name)
        if x is None:
            fail(f"paced {name}: no result")
        elif not x.get("completed"):
            fail(f"paced {name}: completed 0 of {x.get('sent', 0)} calls (statuses {x.get('statuses', {})}, not completed {x.get('notCompleted', 0)})")
    # Every call answered 200 with the stream's end line must have its rows: wrk counts answers
    # (non-2xx apart), the paced driver checks the end line itself; +1 for the sanity call.
    warm = wrk(w / "wrk-warmup.txt") or {}
    answered = 1 + (warm.get("requests") or 0) - (warm.get("non2xx") or 0)
    for c in (1, 16):
        answered += sum((x.get("requests") or 0) - (x.get("non2xx") or 0) for x in res["closed"][f"broker-c{c}-all"])
    answered += sum(v.get("ok") or 0 for k, v in res["paced"].items() if k.startswith("broker-"))
    rows = load_json(w / "rows.json")
    stop = load_json(w / "stop.json")
    if rows is None:
        fail("rows.json: the database was not counted")
    if stop is None:
        fail("stop.json: the stop was not recorded")
    audit = {"broker_calls_ok": answered, "network_log_rows": None, "network_log_ok_rows": None, "audit_rows": None,
             "stop_ms": None, "stopped": None, "chain_valid": None, **(rows or {}), **(stop or {})}
    kept = [v for v in (audit["network_log_ok_rows"], audit["audit_rows"]) if num(v) is not None]
    audit["lost_rows"] = max(0, answered - min(kept)) if kept else None
    res["audit"] = audit
    p50 = lambda name: (res["paced"].get(name) or {}).get("p50_ms")
    after = [diff(p50(f"broker-after-r{r}"), p50(f"direct-after-r{r}")) for r in range(1, rounds + 1)]
    res["summary"] = {"steady_p50_added_ms": diff(p50("broker-steady"), p50("direct-steady")),
                      "after_burst_p50_added_ms_rounds": after, "after_burst_p50_added_ms": median(after)}
    return res


def markdown(r, rate):
    out = ["Closed loop (wrk), median-req/s round:\n",
           "| connections | path | req/s | p50 ms | p99 ms | non-2xx | socket errors | host CPU ms per call | load (1/5/15 min) before each round |",
           "|---|---|---:|---:|---:|---:|---|---:|---|"]
    for c in (1, 16):
        for t in ("direct", "broker", "floor"):
            x = r["closed"][f"{t}-c{c}"] or {}
            loads = "; ".join(y["load"] for y in r["closed"][f"{t}-c{c}-all"])
            out.append(f"| {c} | {t} | {fmt(x.get('rps'), '.0f')} | {fmt(x.get('p50_ms'), '.2f')} | {fmt(x.get('p99_ms'), '.2f')} | {fmt(x.get('non2xx'))} | "
                       f"{x.get('socket_errors') or 'none'} | {fmt(x.get('host_cpu_ms_per_call'))} | {loads} |")
    for c in (1, 16):
        d, b = r["closed"][f"direct-c{c}"] or {}, r["closed"][f"broker-c{c}"] or {}
        out.append(f"\nc={c}: broker overhead p50 +{fmt(diff(b.get('p50_ms'), d.get('p50_ms')))} ms, p99 +{fmt(diff(b.get('p99_ms'), d.get('p99_ms')))} ms; "
                   f"broker {fmt(b.get('rps'), '.0f')} req/s vs direct {fmt(d.get('rps'), '.0f')} req/s")
    out += [f"\nOpen loop at {rate} req/s (latency from each request's scheduled start):\n",
            "| phase | path | sent | completed | ok | non-2xx (statuses) | not completed | p50 ms | p90 ms | p99 ms | host CPU ms per call | load before → after |",
            "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"]
    for k, x in r["paced"].items():
        path, phase = k.split("-", 1)
        st = ", ".join(f"{s}: {n}" for s, n in (x.get("statuses") or {}).items() if not s.startswith("2"))
        per_call = round(x.get("host_cpu_ms", 0) / x["completed"], 3) if x.get("completed") else None
        out.append(f"| {phase} | {path} | {x.get('sent')} | {x.get('completed')} | {x.get('ok')} | {x.get('non2xx')}{' (' + st + ')' if st else ''} | "
                   f"{x.get('notCompleted')} | {fmt(x.get('p50_ms'))} | {fmt(x.get('p90_ms'))} | {fmt(x.get('p99_ms'))} | {fmt(per_call)} | "
                   f"{x.get('load_before', '?')} → {x.get('load_after', '?')} |")
    s, a = r["summary"], r["audit"]
    out.append(f"\nSteady broker p50 added over direct: +{fmt(s['steady_p50_added_ms'])} ms; after the burst: +{fmt(s['after_burst_p50_added_ms'])} ms "
               f"(rounds: {s['after_burst_p50_added_ms_rounds']})")
    out.append(f"\nAudit after a graceful stop ({fmt(a['stop_ms'])} ms to exit): {a['broker_calls_ok']} broker calls answered 200 with the end line; "
               f"{fmt(a['network_log_ok_rows'])} network-log rows with status 200 ({fmt(a['network_log_rows'])} in all), {fmt(a['audit_rows'])} secret.use audit rows; "
               f"lost {fmt(a['lost_rows'])}; chain verifies: {a['chain_valid']}")
    if r["failures"]:
        out.append("\n**Failed:** " + "; ".join(r["failures"]) + ".")
    return "\n".join(out)


def json_line(r):
    s, a, c = r["summary"], r["audit"], r["closed"]
    get = lambda name, key: (c.get(name) or {}).get(key)
    after = [v for k, v in r["paced"].items() if k.startswith("broker-after")]
    direct_after = sorted(k for k in r["paced"] if k.startswith("direct-after"))
    first_c1 = (c.get("direct-c1-all") or [{}])[0]
    return {"bench": "broker",
            "broker.after_burst_p50_added_ms": s["after_burst_p50_added_ms"], "broker.steady_p50_added_ms": s["steady_p50_added_ms"],
            "broker.after_burst_completed": sum(x.get("completed") or 0 for x in after), "broker.after_burst_sent": sum(x.get("sent") or 0 for x in after),
            "broker.c1_p50_added_ms": diff(get("broker-c1", "p50_ms"), get("direct-c1", "p50_ms")),
            "broker.c1_rps": get("broker-c1", "rps"), "broker.c16_rps": get("broker-c16", "rps"),
            "broker.c1_host_cpu_ms_per_call": get("broker-c1", "host_cpu_ms_per_call"), "broker.c16_host_cpu_ms_per_call": get("broker-c16", "host_cpu_ms_per_call"),
            "broker.calls_ok": a["broker_calls_ok"], "broker.network_log_rows": a["network_log_ok_rows"], "broker.audit_rows": a["audit_rows"],
            "broker.lost_rows": a["lost_rows"], "broker.chain_valid": a["chain_valid"], "broker.stop_ms": a["stop_ms"],
            "broker.failures": r["failures"],
            "load_before": first_c1.get("load"), "load_after": r["paced"][direct_after[-1]].get("load_after") if direct_after else None}


def main(argv):
    if argv[1:2] == ["write"]:
        w, rounds, tck, rate, out_json, out_md = argv[2], int(argv[3]), int(argv[4]), argv[5], argv[6], argv[7]
        r = summarize(w, rounds, tck)
        pathlib.Path(out_json).write_text(json.dumps(r, indent=1))
        pathlib.Path(out_md).write_text(markdown(r, rate) + "\n")
        return 0
    if argv[1:2] == ["line"]:
        r = json.loads(pathlib.Path(argv[2]).read_text())
        print(json.dumps(json_line(r)))
        if r["failures"]:
            print("broker bench failed: " + "; ".join(r["failures"]), file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
