#!/usr/bin/env python3
"""bench/serve's report: reads out/serve.jsonl (one line per wrk run) and prints serve.md, or with
--json the bench's JSON line; writes serve.json (every run, as a list) either way.

Ratios are paired: each round's ratio is taken between the servers measured back to back in that
round, and a key is the median of those ratios (run.sh's header says why)."""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "lib"))
from summary import median  # noqa: E402  (bench/lib: the helpers every bench summary shares)

args = sys.argv[1:]
as_json = args[0] == "--json"
if as_json:
    args = args[1:]
jsonl, alloc_jsonl, out_json, raw, gz, br, mode_split, duration = args
mode_split = float(mode_split)
rows = [json.loads(line) for line in open(jsonl) if line.strip()]
alloc = {a["server"]: a for a in (json.loads(line) for line in open(alloc_jsonl) if line.strip())}
rows_all, rows = rows, [r for r in rows if r["enc"] != "br-alloc"]  # the allocation runs are not paired
json.dump(rows_all, open(out_json, "w"), indent=0)

by = {(r["server"], r["enc"], r["round"]): r for r in rows}
servers = [s for s in ("host", "host-base", "bare", "nginx") if any(r["server"] == s for r in rows)]
kestrel = [s for s in servers if s != "nginx"]


def rounds(enc):
    return sorted({r["round"] for r in rows if r["enc"] == enc and r["server"] in servers})


def rps(s, enc, rnd):
    r = by.get((s, enc, rnd))
    return r["r"]["rps"] if r and r["r"]["rps"] else None


def us(s, enc, rnd):  # server CPU µs per request in that run
    r = by.get((s, enc, rnd))
    if not r or r.get("cpu_s") is None or not r["r"].get("requests"):
        return None
    return r["cpu_s"] * 1e6 / r["r"]["requests"]


def ctx(s, enc, rnd):  # context switches per request in that run
    r = by.get((s, enc, rnd))
    if not r or r.get("ctx") is None or not r["r"].get("requests"):
        return None
    return r["ctx"] / r["r"]["requests"]


def mode(s, enc, rnd):
    """fast/slow for a Kestrel run: its CPU µs/request against nginx's in the same round."""
    if s == "nginx" or enc == "identity":  # sendfile vs Kestrel's copy: the µs ratio means nothing there
        return ""
    mine, ng = us(s, enc, rnd), us("nginx", enc, rnd)
    if mine is None or not ng:
        return "?"
    return "fast" if mine <= mode_split * ng else "slow"


def ratios(a, b, enc, only_mode=None):
    out = []
    for rnd in rounds(enc):
        x, y = rps(a, enc, rnd), rps(b, enc, rnd)
        if x and y and (only_mode is None or mode(a, enc, rnd) == only_mode):
            out.append(round(x / y, 3))
    return out


def med(xs):
    return median(xs, 3)


def paired(a, b, enc, only_mode=None):
    xs = ratios(a, b, enc, only_mode)
    return {"median": med(xs), "min": min(xs) if xs else None, "max": max(xs) if xs else None, "rounds": xs}


def per_server(s, enc, field):
    return [by[(s, enc, rnd)]["r"][field] for rnd in rounds(enc) if (s, enc, rnd) in by]


def cpu_med(s, enc):
    return med([us(s, enc, rnd) for rnd in rounds(enc)])


def diff_med(a, b, enc):
    return med([us(a, enc, rnd) - us(b, enc, rnd) for rnd in rounds(enc)
                if us(a, enc, rnd) is not None and us(b, enc, rnd) is not None])


host_p99_br = med(per_server("host", "br", "p99_ms"))
host_p99_plain = med(per_server("host", "identity", "p99_ms"))
loads = [r["load1"] for r in rows]
failures = [f"{s} ({enc}) answered no request in any round" for s in ("host", "nginx") for enc in ("br", "identity")
            if not any(rps(s, enc, rnd) for rnd in rounds(enc))]
key = {
    "serve.br_vs_nginx": paired("host", "nginx", "br"),
    "serve.identity_vs_nginx": paired("host", "nginx", "identity"),
    "serve.pinned_vs_nginx": paired("host", "nginx", "br-pinned"),
    "serve.host_vs_bare_br": paired("host", "bare", "br"),
    "serve.bare_br_vs_nginx": paired("bare", "nginx", "br"),
    "serve.bare_pinned_vs_nginx": paired("bare", "nginx", "br-pinned"),
}
if "host-base" in servers:
    key["serve.host_vs_base_br"] = paired("host", "host-base", "br")
    key["serve.host_vs_base_identity"] = paired("host", "host-base", "identity")
    key["serve.host_vs_base_pinned"] = paired("host", "host-base", "br-pinned")

if as_json:
    j = {"bench": "serve"}
    for k, v in key.items():
        j[k] = v["median"]
        j[k + "_min"], j[k + "_max"], j[k + "_rounds"] = v["min"], v["max"], v["rounds"]
    j["serve.br_vs_nginx_fast"] = paired("host", "nginx", "br", "fast")["median"]
    j["serve.br_vs_nginx_slow"] = paired("host", "nginx", "br", "slow")["median"]
    j["serve.host_br_modes"] = [mode("host", "br", rnd) for rnd in rounds("br")]
    j["serve.bare_br_modes"] = [mode("bare", "br", rnd) for rnd in rounds("br")]
    j["serve.host_br_p99_ms"] = host_p99_br
    j["serve.p99_ms"] = max((x for x in (host_p99_br, host_p99_plain) if x is not None), default=None)
    for s in servers:
        j[f"serve.{s.replace('-', '_')}_br_rps"] = med(per_server(s, "br", "rps"))
        j[f"serve.{s.replace('-', '_')}_cpu_us_per_req"] = cpu_med(s, "br")
    if "host-base" in servers:
        j["serve.host_base_br_p99_ms"] = med(per_server("host-base", "br", "p99_ms"))
    h, n = j.get("serve.host_cpu_us_per_req"), j.get("serve.nginx_cpu_us_per_req")
    j["serve.br_vs_nginx_cpu"] = round(n / h, 3) if h and n else None
    j["serve.host_minus_bare_cpu_us"] = diff_med("host", "bare", "br")
    j["serve.host_pinned_cpu_us_per_req"] = cpu_med("host", "br-pinned")
    j["serve.nginx_pinned_cpu_us_per_req"] = cpu_med("nginx", "br-pinned")
    f = med(per_server("flask", "br", "rps"))
    j["serve.flask_br_rps"] = f
    for s, a in alloc.items():
        j[f"serve.{s.replace('-', '_')}_alloc_bytes_per_req"] = a["bytes_per_req"]
    j["serve.rounds"], j["serve.pinned_rounds"] = len(rounds("br")), len(rounds("br-pinned"))
    j["load_before"], j["load_after"], j["load_max"] = (loads[0], loads[-1], max(loads)) if loads else (None, None, None)
    # A server that answered nothing in every round of an encoding is a failed bench: the line is
    # still printed with its figures null, then the script says what failed and exits non-zero.
    j["serve.failures"] = failures
    print(json.dumps(j))
    sys.exit("serve bench failed: " + "; ".join(failures) if failures else 0)

f1 = lambda x: "—" if x is None else f"{x:,.1f}"
f2 = lambda x: "—" if x is None else f"{x:.2f}"
k0 = lambda x: "—" if x is None else f"{x / 1000:.1f}k"
print(f"Bundle: {raw} B raw, {gz} B gzip -9, {br} B brotli -q 11. Each run `wrk -t2 -c50 -d{duration} --latency`, "
      f"plain and `-H 'Accept-Encoding: br'`; {len(rounds('br'))} paired rounds, {len(rounds('br-pinned'))} pinned rounds. "
      f"Load average (1 min) {min(loads, default='—')}–{max(loads, default='—')}.\n")
print("Ratios are paired: each round's ratio between servers measured back to back in that round; the "
      "key is the median of those. A Kestrel run's mode is *fast* when its CPU µs/request ≤ "
      f"{mode_split}× nginx's in the same round, else *slow*.\n")

for enc, title in (("br", "br"), ("identity", "no Accept-Encoding"), ("br-pinned", "br, pinned: server on CPU 0, wrk on CPU 1")):
    rs = rounds(enc)
    if not rs:
        continue
    print(f"### Rounds, {title}: req/s (server CPU µs/request, mode{', context switches/request' if enc == 'br-pinned' else ''})\n")
    cols = ["round", "order", "load"] + servers + ["host ÷ nginx", "host ÷ bare"] + (["host ÷ base"] if "host-base" in servers else [])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * 3 + "---:|" * (len(cols) - 3))
    for rnd in rs:
        order = sorted((r for r in rows if r["enc"] == enc and r["round"] == rnd and r["server"] in servers), key=lambda r: r["pos"])
        cells = [str(rnd), " → ".join(r["server"] for r in order), f"{min(r['load1'] for r in order)}–{max(r['load1'] for r in order)}"]
        for s in servers:
            x = rps(s, enc, rnd)
            extra = [f1(us(s, enc, rnd))] + ([mode(s, enc, rnd)] if s != "nginx" else [])
            if enc == "br-pinned":
                extra.append(f2(ctx(s, enc, rnd)))
            cells.append(f"{k0(x)} ({', '.join(extra)})")
        def q(a, b):
            x, y = rps(a, enc, rnd), rps(b, enc, rnd)
            return f"{x / y:.2f}×" if x and y else "—"
        cells += [q("host", "nginx"), q("host", "bare")] + ([q("host", "host-base")] if "host-base" in servers else [])
        print("| " + " | ".join(cells) + " |")
    print()

print("### Per server (medians over rounds)\n")
print("| server | run | req/s | p50 ms | p99 ms | bytes/resp | CPU µs/req | rounds req/s | modes |")
print("|---|---|---:|---:|---:|---:|---:|---|---|")
for enc in ("br", "identity", "br-pinned"):
    for s in servers + ["flask", "gunicorn"]:
        xs = per_server(s, enc, "rps") if s in servers else [r["r"]["rps"] for r in rows if r["server"] == s and r["enc"] == enc]
        if not xs:
            continue
        rr = [r for r in rows if r["server"] == s and r["enc"] == enc]
        p = lambda field: med([r["r"][field] for r in rr])
        modes = " ".join(mode(s, enc, r["round"]) for r in rr) if s in kestrel else ""
        print(f"| {s} | {enc} | {f1(med(xs))} | {f2(p('p50_ms'))} | {f2(p('p99_ms'))} | {rr[0]['r'].get('bytes_per_req')} | "
              f"{f1(cpu_med(s, enc)) if s in servers else '—'} | {', '.join(k0(x) for x in xs)} | {modes} |")
print()

if alloc:
    print("### Allocations per request (br, one unpinned run each while dotnet-counters samples dotnet.gc.heap.total_allocated)\n")
    print("| server | bytes/request | requests | idle bytes/s around the run (subtracted) |\n|---|---:|---:|---:|")
    for s, a in alloc.items():
        print(f"| {s} | {a['bytes_per_req']:,.1f} | {a['requests']:,} | {a['idle_bytes_per_s']:,.0f} |")
    print()

print("### Paired ratios\n")
print("| ratio | median | min | max | every round |\n|---|---:|---:|---:|---|")
for k, v in key.items():
    print(f"| `{k}` | {f2(v['median'])}× | {f2(v['min'])}× | {f2(v['max'])}× | {', '.join(f'{x:.2f}' for x in v['rounds'])} |")
for m in ("fast", "slow"):
    v = paired("host", "nginx", "br", m)
    print(f"| host ÷ nginx (br), host's {m} rounds only | {f2(v['median'])}× | {f2(v['min'])}× | {f2(v['max'])}× | {', '.join(f'{x:.2f}' for x in v['rounds'])} |")
print()

yn = lambda b: "**yes**" if b else "**no**"
bv, pv = key["serve.br_vs_nginx"]["median"], key["serve.pinned_vs_nginx"]["median"]
hc, nc, bc = cpu_med("host", "br"), cpu_med("nginx", "br"), cpu_med("bare", "br")
fl = med([r["r"]["rps"] for r in rows if r["server"] == "flask" and r["enc"] == "br"])
fp = med([r["r"]["rps"] for r in rows if r["server"] == "flask" and r["enc"] == "identity"])
hb, hp = med(per_server("host", "br", "rps")), med(per_server("host", "identity", "rps"))
print("| goal | measured | met |\n|---|---|---|")
if bv is not None:
    print(f"| host ≥ 1.0× nginx (br, paired median) | {bv:.2f}× (rounds {key['serve.br_vs_nginx']['min']:.2f}–{key['serve.br_vs_nginx']['max']:.2f}) | {yn(bv >= 1.0)} |")
if pv is not None:
    print(f"| host ≥ 0.9× nginx pinned (br, one core each, paired median) | {pv:.2f}× (rounds {key['serve.pinned_vs_nginx']['min']:.2f}–{key['serve.pinned_vs_nginx']['max']:.2f}) | {yn(pv >= 0.9)} |")
if hc and nc and bc:
    print(f"| host CPU per request ≤ nginx's (br) | host {hc:.1f} µs, bare {bc:.1f} µs, nginx {nc:.1f} µs; host − bare, paired: {f1(diff_med('host', 'bare', 'br'))} µs | {yn(hc <= nc)} |")
p99 = max((x for x in (host_p99_br, host_p99_plain) if x is not None), default=None)
print(f"| host p99 ≤ 2.5 ms (median of rounds) | {f2(host_p99_br)} ms br, {f2(host_p99_plain)} ms plain | {'—' if p99 is None else yn(p99 <= 2.5)} |")
for failure in failures:
    print(f"\n**Failed:** {failure}.")
if fl and fp and hb and hp:
    print(f"| host ≥ 25× Flask dev server | {hb / fl:.0f}× br, {hp / fp:.0f}× plain | {yn(min(hb / fl, hp / fp) >= 25)} |")
