#!/usr/bin/env python3
"""Bench summaries on empty and partial input: they report, never crash. Run by ./test.sh (well under a second).

  python3 bench/lib/test_summary.py
"""
import contextlib
import io
import json
import pathlib
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "broker"))
import goals  # noqa: E402
import summary as broker_summary_lib  # noqa: E402,F401  (bench/lib/summary, the helpers)
from summary import diff, fmt, median, median_run, ratio  # noqa: E402

import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("broker_summary", HERE.parent / "broker" / "summary.py")
broker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(broker)

WRK = """Running 10s test @ http://127.0.0.1:1/
  Latency Distribution
     50%  {p50}
     75%  1.00ms
     90%  1.00ms
     99%  {p99}
  {n} requests in 10.00s, 1.00MB read
Requests/sec:    {rps}
Transfer/sec:    100.00KB
"""


def paced(completed, p50):
    return {"rate": 200, "seconds": 10, "sent": 2000, "completed": completed, "ok": completed, "non2xx": 0, "noEnd": 0, "errors": 0,
            "notCompleted": 2000 - completed, "statuses": {"200": completed} if completed else {}, "p50_ms": p50, "p90_ms": p50, "p99_ms": p50,
            "max_ms": p50, "load_before": "1 1 1", "load_after": "1 1 1", "host_cpu_ms": 10.0}


def full_run(w, after_completed=2000):
    for c in (1, 16):
        for t in ("direct", "broker", "floor"):
            f = w / f"wrk-{t}-c{c}-r1.txt"
            f.write_text(WRK.format(p50="0.50ms", p99="2.00ms", n=1000, rps="100.00"))
            pathlib.Path(f"{f}.load").write_text("1 1 1")
            pathlib.Path(f"{f}.cpu").write_text("10")
    (w / "wrk-warmup.txt").write_text(WRK.format(p50="0.50ms", p99="2.00ms", n=100, rps="30.00"))
    for name in ("direct-steady", "broker-steady", "direct-after-r1"):
        (w / f"paced-{name}.json").write_text(json.dumps(paced(2000, 1.0)))
    (w / "paced-broker-after-r1.json").write_text(json.dumps(paced(after_completed, 1.5 if after_completed else None)))
    (w / "rows.json").write_text(json.dumps({"network_log_rows": 99999, "network_log_ok_rows": 99999, "audit_rows": 99999}))
    (w / "stop.json").write_text(json.dumps({"stop_ms": 100, "stopped": True, "chain_valid": True}))


class Helpers(unittest.TestCase):
    def test_Helpers_MissingOrZero_GiveNone(self):
        self.assertIsNone(ratio(1, 0))
        self.assertIsNone(ratio(None, 1))
        self.assertIsNone(diff(1, None))
        self.assertIsNone(median([]))
        self.assertIsNone(median([None, float("nan")]))
        self.assertIsNone(median_run([], "rps"))
        self.assertIsNone(median_run([{"rps": None}], "rps"))
        self.assertEqual(fmt(None, ".2f"), "—")
        self.assertEqual(ratio(3, 2), 1.5)
        self.assertEqual(median_run([{"rps": 3}, {"rps": 1}, {"rps": 2}], "rps"), {"rps": 2})


class Broker(unittest.TestCase):
    def line(self, w):
        r = broker.summarize(w, 1, 100)
        broker.markdown(r, 200)  # renders
        out = pathlib.Path(w) / "broker.json"
        out.write_text(json.dumps(r))
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            code = broker.main(["summary.py", "line", str(out)])
        return code, json.loads(stdout.getvalue().strip().splitlines()[-1])

    def test_Broker_NothingMeasured_PrintsEveryKeyAndFails(self):
        with tempfile.TemporaryDirectory() as w:
            code, line = self.line(w)
        self.assertEqual(code, 1)
        self.assertEqual(line["bench"], "broker")
        self.assertIsNone(line["broker.after_burst_p50_added_ms"])
        self.assertEqual(line["broker.after_burst_completed"], 0)
        self.assertTrue(line["broker.failures"])

    def test_Broker_AfterBurstCompletedNothing_SaysSoAndFails(self):
        with tempfile.TemporaryDirectory() as d:
            w = pathlib.Path(d)
            full_run(w, after_completed=0)
            code, line = self.line(w)
        self.assertEqual(code, 1)
        self.assertEqual(line["broker.after_burst_completed"], 0)
        self.assertIsNone(line["broker.after_burst_p50_added_ms"])
        self.assertEqual(line["broker.c1_p50_added_ms"], 0.0)
        self.assertTrue(any("broker-after-r1: completed 0" in f for f in line["broker.failures"]), line["broker.failures"])

    def test_Broker_EveryPhaseAnswered_Passes(self):
        with tempfile.TemporaryDirectory() as d:
            w = pathlib.Path(d)
            full_run(w)
            code, line = self.line(w)
        self.assertEqual(code, 0, line["broker.failures"])
        self.assertEqual(line["broker.after_burst_p50_added_ms"], 0.5)
        self.assertEqual(line["broker.lost_rows"], 0)


class Serve(unittest.TestCase):
    def report(self, rows, *flags):
        import subprocess
        with tempfile.TemporaryDirectory() as d:
            w = pathlib.Path(d)
            (w / "serve.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            (w / "alloc.jsonl").write_text("")
            return subprocess.run([sys.executable, str(HERE.parent / "serve" / "report.py"), *flags, str(w / "serve.jsonl"),
                                   str(w / "alloc.jsonl"), str(w / "serve.json"), "1", "2", "3", "1.2", "4s"],
                                  capture_output=True, text=True)

    def test_Serve_HostAnsweredNothing_PrintsTheLineAndFails(self):
        run = lambda s, rps: {"server": s, "enc": "br", "round": 1, "pos": 1, "load1": 1.0, "cpu_s": 1.0, "ctx": 1,
                              "r": {"rps": rps, "requests": 4000 if rps else None, "p50_ms": 1.0, "p99_ms": 2.0, "bytes_per_req": 100}}
        rows = [run("host", None), run("nginx", 1000.0)]
        got = self.report(rows, "--json")
        self.assertEqual(got.returncode, 1, got.stderr)
        line = json.loads(got.stdout.strip().splitlines()[-1])
        self.assertIsNone(line["serve.br_vs_nginx"])
        self.assertIn("host (br) answered no request in any round", line["serve.failures"])
        self.assertEqual(self.report(rows).returncode, 0, self.report(rows).stderr)  # the table renders

    def test_Serve_NoRunAtAll_PrintsTheLineAndFails(self):
        got = self.report([], "--json")
        self.assertEqual(got.returncode, 1, got.stderr)
        self.assertEqual(json.loads(got.stdout.strip().splitlines()[-1])["bench"], "serve")


class Goals(unittest.TestCase):
    def test_Goals_BrokenNullAndMissingLines_StillPrintTheTable(self):
        got = goals.collect(['{"bench": "broker", "broker.after_burst_p50_added_ms": null, "broker.lost_rows": "?"}',
                             '{"bench": "serve", "serve.br_vs_nginx": 1.2}', '{"bench": "writ', "", '[1]'])
        text = goals.table(got)
        self.assertIn("| `serve.br_vs_nginx` | ≥ 1.0× nginx (br) | 1.2 | **yes** |", text)
        self.assertIn("| `broker.after_burst_p50_added_ms` | ≤ +2 ms over direct | not run | — |", text)
        self.assertIn("| `writes.c1_vs_raw` | ≥ 0.5× raw WAL+FULL inserts | not run | — |", text)


if __name__ == "__main__":
    unittest.main(verbosity=1)
