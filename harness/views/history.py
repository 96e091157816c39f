"""The results' history: ``results/history.jsonl``, one line per claim per complete run,
appended, never rewritten.

    python -m harness.views.history                 # what changed between the last two runs of each tier
    python -m harness.views.history --last 5        # ... between each consecutive pair of the last 5
    python -m harness.views.history --runs A B      # ... between runs A and B (run ids, or unique prefixes)
    python -m harness.views.history --tier full
    python -m harness.views.history --durations .test_durations   # for pytest-split's --durations-path

Reported per pair of runs, as asv reports regressions: verdicts that flipped; values
that drifted, with the size of the move (an interval that no longer overlaps the older
run's interval; a point value that moved by more than the tolerance its rule declares,
float round-off for exact claims); rules that changed; claims that stopped running
(absent, skipped or errored in the newer run) and claims that are new.

A torn line (an append that was killed) is reported and skipped, and the next append
starts on a fresh line; any other line that is not JSON is a BadFile naming it.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from harness.engine import scoreboard
from harness.engine.scoreboard import BadFile
from harness.settings import Board

FIELDS = ("id", "tier", "node", "verdict", "value", "interval", "seeds", "seconds", "evidence", "rule",
          "drift_tolerance")
NOT_RUN = ("skipped", "error")


def path(root: Path | None = None) -> Path:
    return (root or scoreboard.results_dir()) / "history.jsonl"


def _interval(entry: dict):
    """[low, high], or {part: [low, high]} for the parts of an ``All``; None without one."""
    iv = entry.get("interval")
    if isinstance(iv, dict) and "low" in iv:
        return [iv["low"], iv["high"]]
    if isinstance(iv, dict):
        return {k: [v["low"], v["high"]] for k, v in iv.items() if isinstance(v, dict) and "low" in v} or None
    return None


def append(board: dict, root: Path | None = None) -> int:
    """Append one line per claim of a complete run's scoreboard. -> lines written."""
    run, env = board["run"], board.get("environment", {})
    common = {"run": run["id"], "time": run["finished"], "commit": run["commit"], "dirty": bool(run["dirty"]),
              "device": env.get("device"), "backend": env.get("backend", "tensorflow"),
              "versions": {k: env.get(k) for k in ("tensorflow", "keras", "numpy", "scipy")}}
    lines = [json.dumps({**common, **{k: e.get(k) for k in FIELDS}, "interval": _interval(e)},
                        sort_keys=True, default=str) for e in board["claims"].values()]
    p = path(root)
    torn = p.exists() and p.stat().st_size and not p.read_bytes().endswith(b"\n")
    with open(p, "a") as f:
        f.write("\n" * bool(torn) + "".join(line + "\n" for line in lines))
    return len(lines)


def load(root: Path | None = None) -> list:
    """Every record. A torn line (cut short by a killed append: no closing brace) is reported
    on stderr and skipped; any other line that is not JSON is a BadFile."""
    p = path(root)
    if not p.exists():
        return []
    lines = p.read_text().splitlines()
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            if line.rstrip().endswith("}"):
                raise BadFile(f"{p}:{number}: not valid JSON ({e.msg})") from None
            print(f"{p}:{number}: torn line (a killed append) skipped", file=sys.stderr)
    return out


def of(records: list, board: Board) -> list:
    """The records of one scoreboard."""
    return [r for r in records if r["tier"] == board.tier and r.get("backend", "tensorflow") == board.backend]


def runs(records: list, board: Board) -> list:
    """Run ids of ``board`` (a scoreboard label) in the order they were appended."""
    seen = []
    for r in of(records, board):
        if r["run"] not in seen:
            seen.append(r["run"])
    return seen


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _points_moved(a, b, tolerance: float) -> bool:
    """Point values (numbers, lists, dicts of them) differ by more than ``tolerance`` relative
    to their size (exact for anything that is not a number)."""
    if _number(a) and _number(b):
        return not math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance * 1e-3)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() != b.keys() or any(_points_moved(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) != len(b) or any(_points_moved(x, y, tolerance) for x, y in zip(a, b))
    return a != b


def drift(old: dict, new: dict) -> str:
    """'' if the value did not move, else how it moved: intervals that do not overlap (both
    runs have one), or a point value beyond the older rule's tolerance (default float
    round-off, 1e-6 relative)."""
    a, b = old.get("interval"), new.get("interval")
    if isinstance(a, list) and isinstance(b, list):
        a, b = {"": a}, {"": b}
    if isinstance(a, dict) and isinstance(b, dict):  # an unbounded end is kept as "-inf" / "inf"
        a, b = ({k: [float(x) for x in v] for k, v in iv.items()} for iv in (a, b))
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        apart = [k for k in a if a[k][1] < b[k][0] or b[k][1] < a[k][0]]
        return "; ".join(f"{k + ' ' if k else ''}interval [{a[k][0]:.4g}, {a[k][1]:.4g}] -> "
                         f"[{b[k][0]:.4g}, {b[k][1]:.4g}]" for k in apart)
    tolerance = old.get("drift_tolerance") or 1e-6
    if _points_moved(old.get("value"), new.get("value"), tolerance):
        x, y = old.get("value"), new.get("value")
        size = f", {abs(y - x) / max(abs(x), 1e-300):.2g} relative" if _number(x) and _number(y) else ""
        return f"{x} -> {y}{size}"
    return ""


def compare(records: list, board: Board, older: str, newer: str) -> dict:
    """-> {"flipped": [(id, old verdict, new verdict)], "drifted": [(id, how)],
    "rule_changed": [(id, old rule, new rule)], "stopped": [(id, why)], "new": [id]}
    between two runs of one scoreboard."""
    def by_id(run):
        return {r["id"]: r for r in of(records, board) if r["run"] == run}
    old, new = by_id(older), by_id(newer)
    out = {"flipped": [], "drifted": [], "rule_changed": [], "stopped": [], "new": sorted(set(new) - set(old))}
    for cid in sorted(old):
        o, n = old[cid], new.get(cid)
        if n is None or (n["verdict"] in NOT_RUN and o["verdict"] not in NOT_RUN):
            out["stopped"].append((cid, "absent" if n is None else n["verdict"]))
        elif n["verdict"] != o["verdict"]:
            out["flipped"].append((cid, o["verdict"], n["verdict"]))
        elif n["verdict"] not in NOT_RUN and drift(o, n):
            out["drifted"].append((cid, drift(o, n)))
        if n is not None and o.get("rule") and n.get("rule") and o["rule"] != n["rule"]:
            out["rule_changed"].append((cid, o["rule"], n["rule"]))
    return out


def latest(records: list, board: Board) -> list:
    """The records of ``board``'s latest run."""
    ids = runs(records, board)
    return [r for r in of(records, board) if r["run"] == ids[-1]] if ids else []


def durations(records: list) -> dict:
    """{pytest node id: seconds} from each tier's latest run, in pytest-split's format."""
    out = {}
    for tier in sorted({r["tier"] for r in records}):  # TensorFlow's runs: pytest-split shards those
        out.update({r["node"]: r["seconds"] for r in latest(records, Board("tensorflow", tier))
                    if r.get("node") and r.get("seconds") is not None})
    return out


def file_seconds(records: list, board: Board) -> dict:
    """{claim file's node path: seconds its claims took} in ``board``'s latest run."""
    out = {}
    for r in latest(records, board):
        if r.get("node") and r.get("seconds") is not None:
            file = r["node"].split("::")[0]
            out[file] = out.get(file, 0.0) + r["seconds"]
    return out


def _resolve(ids: list, prefix: str) -> str:
    found = [r for r in ids if r.startswith(prefix)]
    if len(found) != 1:
        raise SystemExit(f"run {prefix!r}: {'no such run' if not found else 'ambiguous: ' + ', '.join(found)}")
    return found[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.views.history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", action="append",
                        help="a scoreboard: fast, full, nightly, benchmark, jax/fast, ... (default: every one)")
    parser.add_argument("--last", type=int, default=2, help="compare each consecutive pair of the last N runs")
    parser.add_argument("--runs", nargs=2, metavar=("OLDER", "NEWER"), help="compare two runs")
    parser.add_argument("--results", type=Path, help="results folder (default: results/)")
    parser.add_argument("--durations", type=Path, metavar="PATH",
                        help="write the last runs' test durations for pytest-split's --durations-path, and stop")
    args = parser.parse_args(argv)
    try:
        records = load(args.results)
        tiers = [Board.parse(t) for t in args.tier] if args.tier else sorted(
            {Board(r.get("backend", "tensorflow"), r["tier"]) for r in records})
    except (BadFile, ValueError) as e:
        print(f"python -m harness.views.history: {e}", file=sys.stderr)
        return 4
    if args.durations:
        args.durations.write_text(json.dumps(durations(records), indent=1, sort_keys=True) + "\n")
        return 0
    for tier in tiers:
        ids = runs(records, tier)
        pairs = ([tuple(_resolve(ids, p) for p in args.runs)] if args.runs
                 else list(zip(ids[-args.last:], ids[-args.last:][1:])))
        if not pairs:
            print(f"{tier}: {len(ids)} run(s) in the history, nothing to compare")
        for older, newer in pairs:
            diff = compare(records, tier, older, newer)
            print(f"{tier}: {older} -> {newer}")
            for cid, a, b in diff["flipped"]:
                print(f"  flipped  {cid}: {a} -> {b}")
            for cid, how in diff["drifted"]:
                print(f"  drifted  {cid}: {how}")
            for cid, a, b in diff["rule_changed"]:
                print(f"  rule     {cid}: {a} -> {b}")
            for cid, why in diff["stopped"]:
                print(f"  stopped  {cid}: {why}")
            for cid in diff["new"]:
                print(f"  new      {cid}")
            if not any(diff.values()):
                print("  no change")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
