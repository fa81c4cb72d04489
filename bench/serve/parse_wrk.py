#!/usr/bin/env python3
"""Parses `wrk --latency` output into JSON: rps, p50/p99 (ms), transfer bytes/request, errors."""
import json, re, sys

def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n if u == "ms" else n * 1000 if u == "s" else n * 60000

def units(v):
    m = re.match(r"([\d.]+)([KMG]?B)$", v)
    return float(m.group(1)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[m.group(2)]

t = sys.stdin.read()
r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))}
m = re.search(r"(\d+) requests in", t)
r["requests"] = int(m.group(1)) if m else None
for p in ("50", "75", "90", "99"):
    m = re.search(rf"^\s+{p}%\s+(\S+)", t, re.M)
    r[f"p{p}_ms"] = ms(m.group(1)) if m else None
m = re.search(r"Transfer/sec:\s+(\S+)", t)
r["bytes_per_req"] = round(units(m.group(1)) / r["rps"]) if m and r["rps"] else None
m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
r["non2xx"] = int(m.group(1)) if m else 0
m = re.search(r"Socket errors:.*", t)
r["socket_errors"] = m.group(0) if m else ""
print(json.dumps(r))
