"""A snapshot of the results, loaded once: every committed scoreboard, the history and the
accepted verdicts of each backend as they are now. The README writer (harness/views/report.py)
and the page (harness/views/page.py) render from it; what changed against the baseline is
computed here, when rendering, never frozen into an entry, so accepting a verdict later
(``python -m harness.engine.baseline accept``) shows at the next rendering without a re-run.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from harness import settings
from harness.engine import baseline, scoreboard
from harness.views import history
from harness.engine.claim import ERROR, EXCLUDED, INCONCLUSIVE, REFUTED, REPRODUCED, SKIPPED
from harness.settings import BACKENDS, BOARDS, ROOT, Board

VERDICTS = (REPRODUCED, REFUTED, INCONCLUSIVE, SKIPPED, ERROR, EXCLUDED)
TESTED = (REPRODUCED, REFUTED, INCONCLUSIVE)


def baseline_path(backend: str) -> Path:
    """The accepted verdicts of ``backend``: this run's baseline for its own backend (it may
    be moved with CLAIMS_BASELINE), claims/baseline-<backend>.json for the others."""
    run = settings.current()
    if backend == run.backend:
        return run.baseline
    return ROOT / "claims" / ("baseline.json" if backend == "tensorflow" else f"baseline-{backend}.json")


def failures(entry: dict) -> dict:
    """{snippet ('' for one in all): {cause, type, message}}: the failures of the document's
    code an as-written claim recorded (harness/kit/failures.py: ``details.failure``)."""
    failure = (entry.get("details") or {}).get("failure")
    found = failure if isinstance(failure, dict) and "cause" not in failure else {"": failure}
    return {k: f for k, f in found.items() if isinstance(f, dict) and f.get("cause")}


@dataclass(frozen=True)
class Snapshot:
    root: Path
    boards: dict  # {Board: scoreboard dict}, every board (empty ones included)
    records: list  # results/history.jsonl
    accepted: dict  # {backend: {"<claim id>-<tier>": verdict}}
    baselines: dict  # {backend: Path}

    @classmethod
    def load(cls, root: Path | None = None) -> Snapshot:
        """BadFile if a scoreboard or baseline is not valid JSON (a torn history line is skipped)."""
        root = root or scoreboard.results_dir()
        paths = {b: baseline_path(b) for b in BACKENDS}
        return cls(root, {b: scoreboard.read(b, root) for b in BOARDS}, history.load(root),
                   {b: baseline.load(p) for b, p in paths.items()}, paths)

    def claims(self, board: Board) -> dict:
        return self.boards[board]["claims"]

    @functools.cached_property
    def _records_by_board(self) -> dict:
        out: dict = {}
        for r in self.records:
            out.setdefault((r.get("backend", "tensorflow"), r["tier"]), []).append(r)
        return out

    def history(self, board: Board) -> list:
        """``board``'s history records, in the order they were appended (history.of, grouped once)."""
        return self._records_by_board.get((board.backend, board.tier), [])

    def accepted_verdict(self, board: Board, entry: dict) -> str | None:
        return self.accepted[board.backend].get(f"{entry['id']}-{board.tier}")

    def change(self, board: Board, entry: dict) -> str:
        """same, new, changed or not run, against the baseline as it is now."""
        return baseline.change(entry["verdict"], self.accepted_verdict(board, entry))

    def since_previous(self, board: Board) -> dict:
        """history.compare between the board's last two runs, if the last is the committed one."""
        runs = history.runs(self.history(board), board)
        if len(runs) < 2 or runs[-1] != self.boards[board]["run"].get("id"):
            return {}
        return history.compare(self.history(board), board, runs[-2], runs[-1])
