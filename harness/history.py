"""The results' history: ``results/history.jsonl``, one line per claim per complete run,
appended, never rewritten.

    python -m harness.history                 # what changed between the last two runs of each tier
    python -m harness.history --last 5        # ... between each consecutive pair of the last 5
    python -m harness.history --runs A B      # ... between runs A and B (run ids, or unique prefixes)
    python -m harness.history --tier full
    python -m harness.history --durations .test_durations   # for pytest-split's --durations-path

Reported per pair of runs, as asv reports regressions: verdicts that flipped, values
that moved beyond the older run's own interval (or, without an interval, changed at
all), claims that stopped running (absent, skipped or errored in the newer run)
and claims that are new.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness import scoreboard

FIELDS = ("id", "tier", "node", "verdict", "value", "interval", "seeds", "seconds", "evidence")
NOT_RUN = ("skipped", "error")


def path(root: Path | None = None) -> Path:
    return (root or scoreboard.results_dir()) / "history.jsonl"


def _interval(entry: dict):
    iv = entry.get("interval")
    if isinstance(iv, dict) and "low" in iv:
        return [iv["low"], iv["high"]]
    return None


def append(board: dict, root: Path | None = None) -> int:
    """Append one line per claim of a complete run's scoreboard. -> lines written."""
    run, env = board["run"], board.get("environment", {})
    common = {"run": run["id"], "time": run["finished"], "commit": run["commit"], "dirty": bool(run["dirty"]),
              "device": env.get("device"), "backend": env.get("backend", "tensorflow"),
              "versions": {k: env.get(k) for k in ("tensorflow", "keras", "numpy", "scipy")}}
    lines = [json.dumps({**common, **{k: e.get(k) for k in FIELDS}, "interval": _interval(e)},
                        sort_keys=True, default=str) for e in board["claims"].values()]
    with open(path(root), "a") as f:
        f.write("".join(line + "\n" for line in lines))
    return len(lines)


def load(root: Path | None = None) -> list:
    p = path(root)
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()] if p.exists() else []


def of(records: list, board: str) -> list:
    """The records of a scoreboard label ('fast': TensorFlow's fast tier, 'jax/fast': JAX's)."""
    backend, tier = scoreboard.split(board)
    return [r for r in records if r["tier"] == tier and r.get("backend", "tensorflow") == backend]


def runs(records: list, board: str) -> list:
    """Run ids of ``board`` (a scoreboard label) in the order they were appended."""
    seen = []
    for r in of(records, board):
        if r["run"] not in seen:
            seen.append(r["run"])
    return seen


def _moved(old: dict, new: dict) -> bool:
    a, b = old.get("value"), new.get("value")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b)):
        return a != b
    iv = old.get("interval")
    if iv and all(isinstance(x, (int, float)) for x in iv):
        return not iv[0] <= b <= iv[1]
    return a != b


def compare(records: list, board: str, older: str, newer: str) -> dict:
    """-> {"flipped": [(id, old verdict, new verdict)], "drifted": [(id, old value, new value)],
    "stopped": [(id, why)], "new": [id]} between two runs of a scoreboard label."""
    def by_id(run):
        return {r["id"]: r for r in of(records, board) if r["run"] == run}
    old, new = by_id(older), by_id(newer)
    out = {"flipped": [], "drifted": [], "stopped": [], "new": sorted(set(new) - set(old))}
    for cid in sorted(old):
        o, n = old[cid], new.get(cid)
        if n is None or (n["verdict"] in NOT_RUN and o["verdict"] not in NOT_RUN):
            out["stopped"].append((cid, "absent" if n is None else n["verdict"]))
        elif n["verdict"] != o["verdict"]:
            out["flipped"].append((cid, o["verdict"], n["verdict"]))
        elif n["verdict"] not in NOT_RUN and _moved(o, n):
            out["drifted"].append((cid, o.get("value"), n.get("value")))
    return out


def latest(records: list, board: str) -> list:
    """The records of ``board``'s latest run."""
    ids = runs(records, board)
    return [r for r in of(records, board) if r["run"] == ids[-1]] if ids else []


def durations(records: list) -> dict:
    """{pytest node id: seconds} from each tier's latest run, in pytest-split's format."""
    out = {}
    for tier in sorted({r["tier"] for r in records}):  # TensorFlow's runs: pytest-split shards those
        out.update({r["node"]: r["seconds"] for r in latest(records, tier)
                    if r.get("node") and r.get("seconds") is not None})
    return out


def file_seconds(records: list, board: str) -> dict:
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
    parser = argparse.ArgumentParser(prog="python -m harness.history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", action="append",
                        help="a scoreboard: fast, full, nightly, benchmark, jax/fast, ... (default: every one)")
    parser.add_argument("--last", type=int, default=2, help="compare each consecutive pair of the last N runs")
    parser.add_argument("--runs", nargs=2, metavar=("OLDER", "NEWER"), help="compare two runs")
    parser.add_argument("--results", type=Path, help="results folder (default: results/)")
    parser.add_argument("--durations", type=Path, metavar="PATH",
                        help="write the last runs' test durations for pytest-split's --durations-path, and stop")
    args = parser.parse_args(argv)
    records = load(args.results)
    if args.durations:
        args.durations.write_text(json.dumps(durations(records), indent=1, sort_keys=True) + "\n")
        return 0
    tiers = args.tier or sorted({scoreboard.label(r["tier"], r.get("backend", "tensorflow")) for r in records})
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
            for cid, a, b in diff["drifted"]:
                print(f"  drifted  {cid}: {a} -> {b} (outside the older run's interval)")
            for cid, why in diff["stopped"]:
                print(f"  stopped  {cid}: {why}")
            for cid in diff["new"]:
                print(f"  new      {cid}")
            if not any(diff.values()):
                print("  no change")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
