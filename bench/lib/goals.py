#!/usr/bin/env python3
"""The goals table of bench/run-all.sh, from the JSON lines each run.sh printed last.

  goals.py <run-all.jsonl>

A bench that failed, printed a broken line or measured nothing (null) shows "not run" or its
value with no verdict; the table is always printed.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import num  # noqa: E402


def collect(lines):
    got = {}
    for line in lines:
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if not isinstance(d, dict) or "bench" not in d:
            continue
        got.update({k: v for k, v in d.items() if k != "bench"} | {f"{d['bench']}.error": d.get("error")})
        got.update({f"{d['bench']}.{k}": v for k, v in d.items() if k != "bench" and "." not in k})  # unprefixed keys (cluster's)
    return got


def table(got):
    def f(k, unit=""):
        v = got.get(k)
        return "not run" if v is None else f"{v}{unit}"

    rows = [  # key, goal, met(v), baseline
        ("serve.br_vs_nginx", "≥ 1.0× nginx (br)", lambda v: v >= 1.0, f"nginx {f('serve.nginx_br_rps', ' req/s')}"),
        ("writes.c1_vs_raw", "≥ 0.5× raw WAL+FULL inserts", lambda v: v >= 0.5, f"raw {f('writes.raw_inserts_per_s', '/s')}"),
        ("writes.c16_p99_ms", "≤ 20 ms", lambda v: v <= 20, "—"),
        ("grid.live_p95_ms", "≤ 16.7 ms", lambda v: v <= 16.7, f"200 built-in windows p95 {f('grid.builtin_p95_ms', ' ms')}"),
        ("broker.after_burst_p50_added_ms", "≤ +2 ms over direct", lambda v: v <= 2, "the upstream called directly, same phase"),
        ("broker.lost_rows", "0 after a graceful stop", lambda v: v == 0, f"{f('broker.calls_ok')} calls"),
        ("start.healthz_ms", "≤ 1,000 ms", lambda v: v <= 1000, f"bare ASP.NET Core {f('start.bare_healthz_ms', ' ms')}"),
        ("start.idle_rss_mib", "≤ 120 MiB", lambda v: v <= 120, f"bare {f('start.bare_idle_rss_mib', ' MiB')}"),
        # The same two goals for the deployment artifact (dotnet publish -r linux-x64, ReadyToRun);
        # the rows above are the Release build that dotnet run and the tests start.
        ("start.published_healthz_ms", "≤ 1,000 ms (published, ReadyToRun)", lambda v: v <= 1000, f"Release build {f('start.healthz_ms', ' ms')}"),
        ("start.published_idle_rss_mib", "≤ 120 MiB (published, ReadyToRun)", lambda v: v <= 120, f"Release build {f('start.idle_rss_mib', ' MiB')}"),
        ("browser.rtt_validation_overhead", "≤ 10 % over a raw echo", lambda v: v <= 0.10, f"raw echo p50 {f('browser.rtt_raw_echo_p50_us', ' µs')}"),
        ("cluster.kill_p99_ms", "≤ 200 ms (kill on A → pluginKilled on B)", lambda v: v <= 200, f"barrier timeout {f('cluster.barrier_timeout_ms', ' ms')}"),
        ("cluster.revoke_p99_ms", "≤ 200 ms (revoke on A → stream through B ends)", lambda v: v <= 200, "—"),
        ("cluster.bus_cross_p50_ms", "≤ 10 ms (publish on A → tab on B)", lambda v: v <= 10, f"same instance p50 {f('cluster.bus_local_p50_ms', ' ms')}"),
        ("cluster.pg_vs_sqlite_added_ms", "per-request cost of PostgreSQL (informational)", None, f"SQLite p50 {f('cluster.sqlite_p50_ms', ' ms')}"),
    ]
    out = ["## Goals (issue: performance pass)\n\n| key | goal | measured | met | baseline |\n|---|---|---:|---|---|"]
    for k, goal, met, base in rows:
        v = num(got.get(k))
        out.append(f"| `{k}` | {goal} | {f(k)} | {'—' if v is None or met is None else ('**yes**' if met(v) else '**no**')} | {base} |")
    return "\n".join(out)


if __name__ == "__main__":
    try:
        lines = pathlib.Path(sys.argv[1]).read_text().splitlines()
    except OSError:
        lines = []
    print(table(collect(lines)))
