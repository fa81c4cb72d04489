"""Arithmetic for bench summaries that survives a phase that measured nothing.

A swamped host can answer no call in a phase, a driver can fail to write its file, a round can be
missing: the summary must still print its table and its one JSON line, with the value null (a
dash in tables) and a sentence saying what is missing, never a traceback. Imported by the
summaries in bench/*/ (sys.path gets bench/lib); bench/lib/test_summary.py runs them on empty input.
"""
import json
import pathlib
import statistics


def num(v):
    """v when it is a finite number, else None (a bool is not a measurement)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v if v == v and v not in (float("inf"), float("-inf")) else None


def diff(a, b, digits=2):
    """a - b, or None when either is missing."""
    a, b = num(a), num(b)
    return None if a is None or b is None else round(a - b, digits)


def ratio(a, b, digits=3):
    """a / b, or None when either is missing or b is zero."""
    a, b = num(a), num(b)
    return None if a is None or not b else round(a / b, digits)


def median(xs, digits=2):
    """The median of the numbers among xs, or None when there are none."""
    xs = [x for x in (num(v) for v in xs) if x is not None]
    return round(statistics.median(xs), digits) if xs else None


def median_run(runs, key):
    """The run whose runs[i][key] is the median (its own figures, not mixed across runs); None when no run has key."""
    runs = [r for r in runs if r is not None and num(r.get(key)) is not None]
    return sorted(runs, key=lambda r: r[key])[len(runs) // 2] if runs else None


def fmt(v, spec="", none="—"):
    """format(v, spec), or a dash for a missing value."""
    return none if num(v) is None else format(v, spec)


def load_json(path):
    """The JSON in path, or None when the file is missing or not JSON."""
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return None
