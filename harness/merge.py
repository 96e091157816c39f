"""Put the shards of a split run back together: ``python -m harness.merge``.

A nightly split over machines runs ``pytest claims -m full --splits N --group k``
(pytest-split, balanced by ``--durations-path`` from ``python -m harness.history
--durations``) on each; every shard writes ``results/shards/<tier>/<k>of<N>/``.
Gathered in one results folder, this command writes each tier's scoreboard, plots,
history lines and report as one run would have: complete only if every shard ran
all it was given, the shards together ran every claim of the tier, and all of them
ran the same commit.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from harness import history, report, scoreboard


def merge_tier(tier: str, root: Path) -> dict:
    """Merge ``root/shards/<tier>/*/`` into ``root/<tier>/`` (or ``root/partial/<tier>/``
    if the merged run is incomplete). -> the merged board."""
    shards = [json.loads(p.read_text()) for p in sorted((root / "shards" / tier).glob("*/scoreboard.json"))]
    if not shards:
        raise SystemExit(f"no shards of the {tier} tier under {root / 'shards' / tier}")
    splits = {s["shard"]["splits"] for s in shards}
    groups = sorted(s["shard"]["group"] for s in shards)
    commits = {s["run"]["commit"] for s in shards}
    entries = {e["id"]: e for s in shards for e in s["claims"].values()}
    known = {c for s in shards for c in s["shard"]["known"]}
    problems = []
    if len(splits) != 1 or groups != list(range(1, max(splits) + 1)):
        problems.append(f"shards {groups} of {sorted(splits)}")
    if len(commits) != 1:
        problems.append(f"commits {sorted(commits)}")
    problems += [f"shard {s['shard']['group']} incomplete" for s in shards if not s["run"]["complete"]]
    missing = sorted(known - {f"{cid}-{tier}" for cid in entries})
    if missing:
        problems.append(f"not run: {', '.join(missing)}")
    runs = [s["run"] for s in shards]
    run = {"id": scoreboard.new_run_id(), "commit": runs[0]["commit"] if len(commits) == 1 else sorted(commits),
           "dirty": sorted({d for r in runs for d in r["dirty"]}), "started": min(r["started"] for r in runs),
           "finished": max(r["finished"] for r in runs), "complete": not problems,
           "shards": [r["id"] for r in runs], "problems": problems, "args": runs[0]["args"]}
    target = root / tier if not problems else root / "partial" / tier
    plots = [p for s in sorted((root / "shards" / tier).glob("*")) for p in sorted(s.glob("*.png"))]
    board = scoreboard.publish(tier, list(entries.values()), run, shards[0]["environment"], target, plots)
    if not problems:
        history.append(board, root)
    return board


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=None, help="results folder (default: results/)")
    parser.add_argument("--keep", action="store_true", help="keep results/shards/ after merging")
    args = parser.parse_args(argv)
    root = args.results or scoreboard.results_dir()
    status = 0
    for tier_dir in sorted((root / "shards").glob("*")):
        board = merge_tier(tier_dir.name, root)
        run = board["run"]
        print(f"{tier_dir.name}: {len(board['claims'])} claims from {len(run['shards'])} shards -> "
              + ("complete run " + run["id"] if run["complete"] else "INCOMPLETE: " + "; ".join(run["problems"])))
        status |= not run["complete"]
        if not args.keep and run["complete"]:
            shutil.rmtree(tier_dir)
    report.write(root)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
