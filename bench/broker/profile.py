#!/usr/bin/env python3
# Reads the speedscope trace `BROKER_TRACE=1 bench/broker/run.sh` writes
# (out/broker/after-burst.speedscope.json, dotnet-trace sampled thread time) and prints where the
# host's on-CPU samples went: each sample counts for the first category (in the order below) with
# a frame on its stack, and the share of it spent stopped for a GC.
#   python3 bench/broker/profile.py [trace.speedscope.json]
import json, sys, re, collections
f = sys.argv[1] if len(sys.argv) > 1 else str(__import__("pathlib").Path(__file__).parent.parent / "out" / "broker" / "after-burst.speedscope.json")
cats = [
 ("writer (network log + audit rows)", r"BrokerRecordWriter"),
 ("answer relayed to the client (BrokerStreamResult)", r"BrokerStreamResult"),
 ("upstream HTTP client (send/receive, pool)", r"System\.Net\.Http!|ResilienceHandler|Polly"),
 ("broker checks (grant, service, key reads; rate limit)", r"BrokerService"),
 ("session check (cookie + account read)", r"CookieAuthenticationHandler|SessionValidation"),
 ("card lookup (CardFilter, window read)", r"CardFilter"),
 ("Kestrel + middleware (parse, routing, body bind)", r"Kestrel|HttpProtocol|Microsoft\.AspNetCore"),
 ("thread-pool workers spinning for work", r"LowLevelLifoSemaphore"),
 ("socket event loop", r"SocketAsyncEngine"),
]
d = json.load(open(f)); frames = [x["name"] for x in d["shared"]["frames"]]
c = collections.Counter(); gc = collections.Counter(); tot = 0
for p in d["profiles"]:
    stack = []; last = None
    for e in p["events"]:
        if last is not None and stack:
            names = [frames[i] for i in stack]
            if names[-1] == "CPU_TIME":
                dt = e["at"] - last; tot += dt
                joined = "\n".join(names)
                cat = "other"
                # most specific first: scan from the leaf up for the first category hit
                for label, rx in cats:
                    if any(re.search(rx, n) for n in names):
                        cat = label; break
                c[cat] += dt
                if any("PollGC" in n for n in names): gc[cat] += dt
        last = e["at"]
        if e["type"] == "O": stack.append(e["frame"])
        elif stack: stack.pop()
print(f"CPU samples: {tot:.0f} ms")
for k, v in c.most_common(): print(f"{100*v/tot:5.1f}%  {k}   (of it waiting for GC: {100*gc[k]/tot:.1f}%)")
