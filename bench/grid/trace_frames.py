#!/usr/bin/env python3
"""Where a board frame goes, from a trace written by `TRACE=<dir> bench/grid/run.sh`.

Usage: trace_frames.py <trace.json> [--long N]

Prints, for the board page's renderer (the process whose main thread ran the most rAF callbacks):
- frame accounting: rAF callbacks, main frames begun, commits, activations and frames drawn by its
  compositor, and frames the display drew: in the cost mode each rAF should have been drawn;
- the mean time per frame of each stage (main thread, compositor, raster workers, the display),
  by wall time and by thread CPU time where the trace has it;
- the N longest intervals between main frames, with what ran in each, to see what a missed frame
  was made of.
"""
import json
import sys
from collections import defaultdict

# Main-thread stages, by event name. Nested events are counted once: each name below is a stage of
# its own in Blink's lifecycle (UpdateLayoutTree = style, Layout, PrePaint, Paint, layerisation).
MAIN = [
    ("rAF callbacks", {"FireAnimationFrame"}),
    ("microtasks", {"RunMicrotasks"}),
    ("event dispatch", {"EventDispatch"}),
    ("style", {"UpdateLayoutTree"}),
    ("layout", {"Layout"}),
    ("pre-paint", {"PrePaint"}),
    ("paint", {"Paint"}),
    ("layerise", {"PaintArtifactCompositor::Update"}),
    ("GC", {"MinorGC", "MajorGC", "V8.GC_SCAVENGER", "V8.GC_MARK_COMPACTOR", "V8.GCScavenger", "V8.GCFinalizeMC",
            "V8.GC_MC_INCREMENTAL", "V8.GCIncrementalMarking", "V8.GC_MC_SWEEP", "V8.GC_MC_INCREMENTAL_START"}),
    ("BeginMainFrame (whole)", {"ProxyMain::BeginMainFrame"}),
]
COMPOSITOR = [
    ("commit", {"ProxyImpl::Commit"}),
    ("activate", {"LayerTreeHostImpl::ActivateSyncTree"}),
    ("prepare tiles", {"ProxyImpl::ScheduledActionPrepareTiles"}),
    ("draw", {"ProxyImpl::ScheduledActionDraw"}),
]
RASTER = {"RasterTask", "TaskSetFinishedTaskImpl", "ImageDecodeTask"}
DISPLAY = {"Display::DrawAndSwap", "DisplayScheduler::DrawAndSwap"}


def load(path):
    with open(path) as f:
        data = json.load(f)
    return data["traceEvents"] if isinstance(data, dict) else data


def main():
    path = sys.argv[1]
    long_n = int(sys.argv[sys.argv.index("--long") + 1]) if "--long" in sys.argv else 8
    ev = load(path)
    tname = {}
    pname = {}
    for e in ev:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            tname[(e["pid"], e["tid"])] = e["args"]["name"]
        if e.get("ph") == "M" and e.get("name") == "process_name":
            pname[e["pid"]] = e["args"]["name"]
    # Complete events only ('X'); B/E pairs are rare in these categories.
    xs = [e for e in ev if e.get("ph") == "X" and "dur" in e]
    raf_by_pid = defaultdict(int)
    for e in xs:
        if e["name"] == "FireAnimationFrame":
            raf_by_pid[e["pid"]] += 1
    if not raf_by_pid:
        sys.exit("no FireAnimationFrame events: was the trace taken with devtools.timeline?")
    pid = max(raf_by_pid, key=raf_by_pid.get)
    main_tid = next((t for (p, t), n in tname.items() if p == pid and n == "CrRendererMain"), None)
    comp_tid = next((t for (p, t), n in tname.items() if p == pid and n == "Compositor"), None)

    def on(thread, names):
        return sorted((e for e in xs if (e["pid"], e["tid"]) == thread and e["name"] in names), key=lambda e: e["ts"])

    bmf = on((pid, main_tid), {"ProxyMain::BeginMainFrame"})
    if len(bmf) < 3:
        sys.exit("fewer than 3 main frames on the board renderer")
    # The measured stretch: from the first main frame with a rAF callback to the last one.
    rafs = on((pid, main_tid), {"FireAnimationFrame"})
    t0, t1 = rafs[0]["ts"], rafs[-1]["ts"] + rafs[-1]["dur"]
    bmf = [e for e in bmf if t0 - 20_000 <= e["ts"] <= t1]
    frames = len(bmf)

    def count(names, pids=None, phases=("X", "I", "i", "n", "b", "R")):
        return sum(1 for e in ev if e.get("name") in names and e.get("ph") in phases and (pids is None or e["pid"] in pids)
                   and t0 - 20_000 <= e.get("ts", 0) <= t1 + 50_000)

    print(f"{path}")
    print(f"board renderer pid {pid} ({pname.get(pid, '?')}), main thread {main_tid}, compositor {comp_tid}")
    print(f"measured stretch {(t1 - t0) / 1000:.0f} ms")
    print("frame accounting (board renderer unless said):")
    print(f"  rAF callbacks (FireAnimationFrame)      {len(rafs)}")
    print(f"  main frames (ProxyMain::BeginMainFrame) {frames}")
    print(f"  commits (ProxyImpl::Commit)             {count({'ProxyImpl::Commit'}, {pid})}")
    print(f"  activations (ActivateSyncTree)          {count({'LayerTreeHostImpl::ActivateSyncTree'}, {pid})}")
    print(f"  draws (ProxyImpl::ScheduledActionDraw)  {count({'ProxyImpl::ScheduledActionDraw'}, {pid})}")
    print(f"  frames drawn (DrawFrame, timeline)      {count({'DrawFrame'}, {pid})}")
    print(f"  dropped (DroppedFrame, timeline)        {count({'DroppedFrame'}, {pid})}")
    print(f"  display draws (Display::DrawAndSwap, any process) {count({'Display::DrawAndSwap'})}")

    def within(e):
        return t0 - 20_000 <= e["ts"] <= t1

    def sums(thread_filter, names):
        wall = cpu = 0.0
        has_cpu = True
        for e in xs:
            if e["name"] in names and thread_filter(e) and within(e):
                wall += e["dur"]
                if "tdur" in e:
                    cpu += e["tdur"]
                else:
                    has_cpu = False
        return wall / 1000 / frames, (cpu / 1000 / frames if has_cpu else None)

    def row(label, w, c):
        print(f"  {label:<28} {w:7.2f} ms" + (f"   cpu {c:6.2f} ms" if c is not None else ""))

    print(f"per main frame (mean over {frames}):")
    for label, names in MAIN:
        row(label, *sums(lambda e: e["pid"] == pid and e["tid"] == main_tid, names))
    for label, names in COMPOSITOR:
        row("compositor: " + label, *sums(lambda e: e["pid"] == pid and e["tid"] == comp_tid, names))
    row("raster (all threads, pid)", *sums(lambda e: e["pid"] == pid, RASTER))
    row("raster (other processes)", *sums(lambda e: e["pid"] != pid, RASTER))
    row("display draw (viz)", *sums(lambda e: True, {"Display::DrawAndSwap"}))
    # Other renderers (card frames) and the rest: their main threads' top-level tasks.
    other = defaultdict(float)
    for e in xs:
        if e["name"] in ("ThreadControllerImpl::RunTask", "RunTask") and within(e) and e["pid"] != pid:
            other[(pname.get(e["pid"], str(e["pid"])), tname.get((e["pid"], e["tid"]), str(e["tid"])))] += e["dur"]
    top = sorted(other.items(), key=lambda kv: -kv[1])[:8]
    if top:
        print("other processes' busiest threads (tasks, ms per frame):")
        for (p, t), d in top:
            print(f"  {p} / {t}: {d / 1000 / frames:.2f}")

    # Thread CPU per frame (tdur: what the frame's work took, less the time its threads waited for
    # a core): the main frame, and the raster tasks started before the next one.
    if all("tdur" in b for b in bmf):
        ras = sorted((e for e in xs if e["pid"] == pid and e["name"] == "RasterTask"), key=lambda e: e["ts"])
        main_cpu = [b["tdur"] / 1000 for b in bmf]
        raster_cpu = []
        for i, b in enumerate(bmf):
            end = bmf[i + 1]["ts"] if i + 1 < len(bmf) else b["ts"] + 50_000
            raster_cpu.append(sum(e.get("tdur", 0) for e in ras if b["ts"] <= e["ts"] < end) / 1000)
        both = [a + b for a, b in zip(main_cpu, raster_cpu)]

        def pct(a, q):
            s = sorted(a)
            return s[min(len(s) - 1, max(0, -(-len(s) * q // 100) - 1))]

        for label, a in (("main thread", main_cpu), ("raster", raster_cpu), ("main + raster", both)):
            print(f"thread CPU per frame, {label}: mean {sum(a) / len(a):.1f}, p50 {pct(a, 50):.1f}, p95 {pct(a, 95):.1f}, max {max(a):.1f} ms")

    # Longest gaps between main frames, and what filled them.
    gaps = [(bmf[i + 1]["ts"] - bmf[i]["ts"], bmf[i]["ts"], bmf[i + 1]["ts"]) for i in range(len(bmf) - 1)]
    gaps.sort(reverse=True)
    hist = defaultdict(int)
    for g, _, _ in gaps:
        hist[round(g / 16_667)] += 1
    print("intervals between main frames, in 16.67 ms units: " + ", ".join(f"{k}: {v}" for k, v in sorted(hist.items())))
    print(f"{long_n} longest intervals:")
    for g, a, b in gaps[:long_n]:
        inside = defaultdict(float)
        for e in xs:
            if a <= e["ts"] < b and e["dur"] > 1000:
                th = tname.get((e["pid"], e["tid"]), str(e["tid"]))
                who = "board" if e["pid"] == pid else pname.get(e["pid"], str(e["pid"]))
                inside[f"{who}/{th}: {e['name']}"] += e["dur"]
        top = sorted(inside.items(), key=lambda kv: -kv[1])[:10]
        print(f"  {g / 1000:6.1f} ms at +{(a - t0) / 1000:.0f} ms: " + "; ".join(f"{k} {v / 1000:.1f}" for k, v in top))


if __name__ == "__main__":
    main()
