"""Put the shards of a split run back together: ``python -m harness.views.merge``.

A nightly split over machines runs ``pytest claims -m full --splits N --group k``
(pytest-split, balanced by ``--durations-path`` from ``python -m harness.views.history
--durations``) on each; every shard writes ``results/shards/<board>/<k>of<N>/`` (board:
``full``, or ``jax/full`` on another backend).
Gathered in one results folder, this command writes each tier's scoreboard, plots,
history lines and report as one run would have: complete only if every shard ran
all it was given, the shards together ran every claim of the tier, and all of them
ran the same commit.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from harness import settings
from harness.engine import scoreboard
from harness.views import history, report
from harness.settings import BOARDS, Board


def merge_board(board: Board, root: Path) -> dict:
    """Merge ``root/shards/<board>/*/`` into ``root/<board>/`` (or ``root/partial/<board>/``
    if the merged run is incomplete). -> the merged scoreboard."""
    folder = root / "shards" / board.label
    shards = [scoreboard.read_json(p) for p in sorted(folder.glob("*/scoreboard.json"))]
    if not shards:
        raise SystemExit(f"no shards of {board} under {folder}")
    tier = board.tier
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
    run = {"id": settings.new_run_id(), "commit": runs[0]["commit"] if len(commits) == 1 else sorted(commits),
           "dirty": sorted({d for r in runs for d in r["dirty"]}), "started": min(r["started"] for r in runs),
           "finished": max(r["finished"] for r in runs), "complete": not problems,
           "shards": [r["id"] for r in runs], "problems": problems, "args": runs[0]["args"]}
    target = root / board.label if not problems else root / "partial" / board.label
    plots = [p for s in sorted(folder.glob("*")) for p in sorted(s.glob("*.png"))]
    recipes = {k: v for s in shards for k, v in s.get("recipes", {}).items()}
    merged = scoreboard.publish(board, list(entries.values()), run, shards[0]["environment"], target, plots,
                                recipes=recipes)
    if not problems:
        history.append(merged, root)
    return merged


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.views.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=None, help="results folder (default: results/)")
    parser.add_argument("--keep", action="store_true", help="keep results/shards/ after merging")
    args = parser.parse_args(argv)
    root = args.results or scoreboard.results_dir()
    status = 0
    merged_boards = set()
    boards = [b for b in BOARDS if any((root / "shards" / b.label).glob("*/scoreboard.json"))]
    if not boards:
        print(f"python -m harness.views.merge: no shards under {root / 'shards'}", file=sys.stderr)
        return 4
    for board in boards:
        try:
            merged = merge_board(board, root)
        except scoreboard.BadFile as e:
            print(f"python -m harness.views.merge: {e}", file=sys.stderr)
            return 4
        run = merged["run"]
        print(f"{board}: {len(merged['claims'])} claims from {len(run['shards'])} shards -> "
              + ("complete run " + run["id"] if run["complete"] else "INCOMPLETE: " + "; ".join(run["problems"])))
        status |= not run["complete"]
        merged_boards.add(board)
        if not args.keep and run["complete"]:
            shutil.rmtree(root / "shards" / board.label)
    report.write(report.Snapshot.load(root), redraw=merged_boards)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
