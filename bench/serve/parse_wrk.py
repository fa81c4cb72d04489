#!/usr/bin/env python3
"""Parses `wrk --latency` output into JSON: rps, p50/p99 (ms), transfer bytes/request, errors; null for what it lacks."""
import json, re, sys

def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n if u == "ms" else n * 1000 if u == "s" else n * 60000

def units(v):
    m = re.match(r"([\d.]+)([KMG]?B)$", v)
    return float(m.group(1)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[m.group(2)]


def parse(t):
    """wrk output text as a dict; None for each figure it lacks."""
    m = re.search(r"Requests/sec:\s+([\d.]+)", t)
    r = {"rps": float(m.group(1)) if m else None}  # None: wrk printed no summary (it failed or was killed)
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
    return r


if __name__ == "__main__":
    print(json.dumps(parse(sys.stdin.read())))
