"""Summarises bench/cluster's three runs (sqlite, pg, pg2): out/cluster.json, out/cluster.md and the
one JSON line run.sh ends with. Arguments: <work dir> <barrier ms> <barrier timeouts logged> <json> <md>."""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "lib"))
from summary import diff, ratio  # noqa: E402

work, barrier_ms, barrier_timeouts, json_path, md_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
runs = {name: json.load(open(f"{work}/{name}.json")) for name in ("sqlite", "pg", "pg2")}
machine = open(f"{work}/machine.txt").read().strip()


def r2(x):
    return None if x is None else round(x, 2)


def p50(name):
    return runs[name]["c1"]["P50Ms"]


kill, revoke, bus = runs["pg2"]["kill"], runs["pg2"]["revoke"] or {}, runs["pg2"]["bus"]
summary = {
    "bench": "cluster",
    "kill_p50_ms": kill["p50Ms"], "kill_p99_ms": kill["p99Ms"],
    "revoke_p50_ms": revoke.get("p50Ms"), "revoke_p99_ms": revoke.get("p99Ms"),
    "bus_cross_p50_ms": bus["crossP50Ms"], "bus_cross_p99_ms": bus["crossP99Ms"],
    "bus_local_p50_ms": bus["localP50Ms"], "bus_local_p99_ms": bus["localP99Ms"],
    "sqlite_p50_ms": p50("sqlite"), "pg_p50_ms": p50("pg"), "pg2_p50_ms": p50("pg2"),
    "sqlite_p99_ms": runs["sqlite"]["c1"]["P99Ms"], "pg_p99_ms": runs["pg"]["c1"]["P99Ms"], "pg2_p99_ms": runs["pg2"]["c1"]["P99Ms"],
    "pg_vs_sqlite_added_ms": diff(p50("pg"), p50("sqlite")),
    "pg_vs_sqlite_p50_ratio": ratio(p50("pg"), p50("sqlite"), 2),
    "pg2_vs_pg_added_ms": diff(p50("pg2"), p50("pg")),
    "concurrency": runs["sqlite"]["concurrency"],
    "sqlite_rps": runs["sqlite"]["cN"]["Rps"], "pg_rps": runs["pg"]["cN"]["Rps"], "pg2_rps": runs["pg2"]["cN"]["Rps"],
    "errors": sum(runs[n][c]["Errors"] for n in runs for c in ("c1", "cN")),
    "lost_writes": sum(runs[n]["lostWrites"] for n in runs),
    "kill_missed": kill["missed"], "kill_breakdown_p50_ms": kill["breakdownP50Ms"],
    "kill_response_p50_ms": kill["killResponseP50Ms"],
    "barrier_timeout_ms": barrier_ms, "barrier_timeouts_logged": barrier_timeouts,
    "kill_p99_share_of_barrier_timeout": ratio(kill["p99Ms"], barrier_ms, 2),
    "revoke_ended_otherwise": revoke.get("endedOtherThanRevoked"),
    "revoke_connection_resets": revoke.get("connectionResetInsteadOfRevokedLine"),
    "revoke_breakdown_p50_ms": revoke.get("breakdownP50Ms"),
    "bus_cross_null_reason": bus["crossNullReason"],
    "rounds": kill["rounds"], "bus_publishes": bus["publishes"],
    "load": {n: [runs[n]["loadBefore"], runs[n]["loadAfter"]] for n in runs},
}
summary["goals"] = {
    "kill_p99_le_200ms": summary["kill_p99_ms"] is not None and summary["kill_p99_ms"] <= 200,
    "revoke_p99_le_200ms": summary["revoke_p99_ms"] is not None and summary["revoke_p99_ms"] <= 200,
    "bus_cross_p50_le_10ms": summary["bus_cross_p50_ms"] is not None and summary["bus_cross_p50_ms"] <= 10,
}
json.dump({"summary": summary, "runs": runs}, open(json_path, "w"), indent=2)


def ms(x):
    return "n/a" if x is None else f"{x:.2f}"


def op_row(name, label):
    c1, cn = runs[name]["c1"], runs[name]["cN"]
    ops = " · ".join(f"{k} {ms(v['P50Ms'])}" for k, v in c1["Ops"].items())
    return (f"| {label} | {ms(c1['P50Ms'])} | {ms(c1['P99Ms'])} | {cn['Rps']:.0f} | {ms(cn['P50Ms'])} / {ms(cn['P99Ms'])} | "
            f"{c1['Errors'] + cn['Errors']} | {runs[name]['loadBefore']} → {runs[name]['loadAfter']} | {ops} |")


kb, k99 = kill["breakdownP50Ms"], kill["breakdownP99Ms"]
rb = revoke.get("breakdownP50Ms") or {}
lines = [
    "# bench/cluster",
    "",
    machine,
    "",
    f"Same request mix (boards list, board read, layout PUT, card state PUT, GET /api/plugins), 1 client for latency, "
    f"{summary['concurrency']} clients closed loop for throughput; pg2 alternates every request between A and B.",
    "",
    "| configuration | 1 client p50 ms | 1 client p99 ms | req/s at c=" + str(summary["concurrency"]) + " | c=" + str(summary["concurrency"]) + " p50 / p99 ms | errors | load before → after | p50 per request, ms |",
    "|---|---|---|---|---|---|---|---|",
    op_row("sqlite", "SQLite, one instance"),
    op_row("pg", "PostgreSQL, one instance"),
    op_row("pg2", "PostgreSQL ×2 + Redis, alternated"),
    "",
    f"PostgreSQL vs SQLite: **+{ms(summary['pg_vs_sqlite_added_ms'])} ms** per request at p50 (×{summary['pg_vs_sqlite_p50_ratio']}); "
    f"two instances vs one: +{ms(summary['pg2_vs_pg_added_ms'])} ms. Lost writes: {summary['lost_writes']}.",
    "",
    "| propagation (pg2) | p50 ms | p99 ms | max ms | goal | rounds |",
    "|---|---|---|---|---|---|",
    f"| kill on A → pluginKilled on B (WebSocket) | {ms(kill['p50Ms'])} | {ms(kill['p99Ms'])} | {ms(kill['maxMs'])} | p99 ≤ 200 | {kill['rounds']} ({kill['missed']} missed) |",
    f"| revoke on A → stream through B ends | {ms(revoke.get('p50Ms'))} | {ms(revoke.get('p99Ms'))} | {ms(revoke.get('maxMs'))} | p99 ≤ 200 | {revoke.get('rounds')} ({revoke.get('endedOtherThanRevoked')} other end, {revoke.get('connectionResetInsteadOfRevokedLine')} connection resets) |",
    f"| bus publish on A → tab on B | {ms(bus['crossP50Ms'])} | {ms(bus['crossP99Ms'])} | | p50 ≤ 10 | {bus['publishes']} ({bus['crossMissed']} missed) |",
    f"| bus publish on A → tab on A (baseline) | {ms(bus['localP50Ms'])} | {ms(bus['localP99Ms'])} | | | {bus['publishes']} |",
    "",
]
if bus["crossNullReason"]:
    lines += [f"Bus across instances: n/a, {bus['crossNullReason']}.", ""]
lines += [
    f"Kill, where the time goes (each step from the previous, read off Redis; {kb['samples']} rounds). The bench timestamps "
    "Redis messages in its own subscription callback: on a loaded machine those lag, and a negative step means the bench "
    "saw a message after the effect it caused, so read the split on a quiet machine.",
    "",
    "| step | p50 ms | p99 ms |",
    "|---|---|---|",
    f"| request on A → DB commit + audit + catalogue reload on A → plugins-changed signal published | {ms(kb['requestCommitReloadOnA'])} | {ms(k99['requestCommitReloadOnA'])} |",
    f"| signal → B reloaded and wrote its generation (barrier's applied hash) | {ms(kb['reloadOnB'])} | {ms(k99['reloadOnB'])} |",
    f"| B applied → A saw the barrier complete and published pluginKilled on the backplane | {ms(kb['barrierSeenComplete'])} | {ms(k99['barrierSeenComplete'])} |",
    f"| backplane → B's hub → the client's WebSocket | {ms(kb['signalrToClientOnB'])} | {ms(k99['signalrToClientOnB'])} |",
    "",
    f"Barrier timeout (Labyrinth__Redis__BarrierTimeoutMilliseconds): {barrier_ms} ms; kill p99 is "
    f"{ms(summary['kill_p99_share_of_barrier_timeout'])}× of it; barrier timeouts logged by A and B: {barrier_timeouts}. "
    f"The kill request itself answers after a second announce (pluginsChanged): p50 {ms(kill['killResponseP50Ms'])} ms.",
    "",
    f"Revoke: request on A → card-capability signal {ms(rb.get('requestCommitOnA'))} ms, signal → stream end on B {ms(rb.get('signalToStreamEndOnB'))} ms (p50).",
    "",
]
open(md_path, "w").write("\n".join(lines))
print(json.dumps(summary))
