"""The accepted verdicts: ``claims/baseline.json``, one line per claim and tier
(``claims/baseline-jax.json``, ``baseline-torch.json`` for the other Keras backends:
a verdict may depend on the framework).

A claim's verdict is the scientific result and is reported as it comes out. Whether
its pytest test passes is a separate question: is the verdict the one accepted in
the baseline? A changed verdict fails the test until someone looks at it and
accepts it on purpose (``pytest claims -m fast --accept-verdicts``), committing the
baseline's diff with the reason, as pytest-regressions' ``--force-regen`` does for
its data files. A claim with no accepted verdict yet passes and is reported "new".

Only judged verdicts are accepted (reproduced, refuted, inconclusive, excluded):
an error always fails, and a skip is not a verdict (``--claims-strict`` fails it).
"""
from __future__ import annotations

import json
from pathlib import Path

from harness import settings
from harness.engine.claim import EXCLUDED, INCONCLUSIVE, REFUTED, REPRODUCED
from harness.engine.scoreboard import read_json

JUDGED = (REPRODUCED, REFUTED, INCONCLUSIVE, EXCLUDED)
SAME, NEW, CHANGED, NOT_RUN = "same", "new", "changed", "not run"


def path() -> Path:
    """This run's baseline (harness/settings.py): claims/baseline.json, or baseline-<backend>.json."""
    return settings.current().baseline


def load(file: Path | None = None) -> dict:
    """{'<claim id>-<tier>': verdict}; empty if there is no baseline yet; BadFile if unreadable."""
    file = file or path()
    return read_json(file) if file.exists() else {}


def save(accepted: dict, file: Path | None = None) -> None:
    """One line per key, sorted, so that a diff shows exactly what was accepted."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(accepted.items())]
    (file or path()).write_text("{\n" + ",\n".join(lines) + "\n}\n")


def change(verdict: str, accepted: str | None) -> str:
    """How a verdict compares with the accepted one: same, new, changed, or not run (skipped
    or an error: no verdict to compare, e.g. a TensorFlow-only claim on JAX)."""
    if verdict not in JUDGED:
        return NOT_RUN
    if accepted is None:
        return NEW
    return SAME if verdict == accepted else CHANGED


def accept(entries: list, file: Path | None = None) -> list:
    """Write the judged verdicts of ``entries`` into the baseline (other keys kept).
    -> the keys whose accepted verdict changed or was added."""
    accepted = load(file)
    updated = {f"{e['id']}-{e['tier']}": e["verdict"] for e in entries if e["verdict"] in JUDGED}
    moved = sorted(k for k, v in updated.items() if accepted.get(k) != v)
    save({**accepted, **updated}, file)
    return moved


def main(argv=None) -> int:
    """``python -m harness.engine.baseline accept full benchmark``: accept the verdicts of the
    committed scoreboards of those tiers (each must come from one complete run), e.g.
    after reviewing a nightly run, without running it again. ``--partial``: the verdicts of
    results/partial/<board>/ instead (a run of some claims, e.g. those a change touched), which
    must come from a clean commit."""
    import argparse

    from harness.engine import scoreboard
    parser = argparse.ArgumentParser(prog="python -m harness.engine.baseline", description=main.__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["accept"])
    parser.add_argument("tiers", nargs="+", choices=settings.TIERS)
    parser.add_argument("--partial", action="store_true", help="accept a partial run's verdicts (clean commit only)")
    args = parser.parse_args(argv)
    for tier in args.tiers:
        board = settings.current().board(tier)
        where = Path("partial") / board.label if args.partial else Path(board.label)
        scores = scoreboard.read(board, scoreboard.results_dir() / "partial" if args.partial else None)
        run = scores["run"]
        if not (run.get("commit") and not run.get("dirty")) if args.partial else not run.get("complete"):
            raise SystemExit(f"results/{where}/scoreboard.json is not from one "
                             f"{'clean commit' if args.partial else 'complete run'}: nothing accepted")
        moved = accept(list(scores["claims"].values()))
        print(f"{where}: run {run['id']}: {len(moved)} accepted verdicts changed or added: {', '.join(moved)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
