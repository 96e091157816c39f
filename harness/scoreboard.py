"""The JSON scoreboard: one file per tier, ``results/<tier>/scoreboard.json``.

Layout::

    {"tier": "fast",
     "environment": {...versions, device, git commit of the last run...},
     "claims": {"<claim id>": {<entry>}, ...}}

Entries are merged in: running a subset of the claims updates those entries and
keeps the others. Every write takes an exclusive lock on a side file and
replaces the scoreboard atomically (write to a temporary file, then rename), so
pytest-xdist workers writing at once neither lose entries nor leave half a file.
Plots are written the same way.
"""
from __future__ import annotations

import contextlib
import datetime
import functools
import fcntl
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def results_dir() -> Path:
    """``$CLAIMS_RESULTS_DIR`` or ``<repo>/results``."""
    return Path(os.environ.get("CLAIMS_RESULTS_DIR", ROOT / "results"))


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def dumps(board: dict) -> str:
    """The scoreboard as JSON text with one line per claim: a rerun's diff shows which
    claims changed, and json's C encoder does the work (``indent=`` would switch to
    the pure-Python encoder: 4x slower, seconds per fast-tier run)."""
    def line(value):
        return json.dumps(value, sort_keys=True, allow_nan=False, default=str)
    head = [f"{line(k)}: {line(v)}" for k, v in sorted(board.items()) if k != "claims"]
    claims = ",\n  ".join(f"{line(k)}: {line(v)}" for k, v in sorted(board["claims"].items()))
    return "{" + ",\n".join(head + ['"claims": {\n  ' + claims + "\n}"]) + "}\n"


def write_json(path: Path, board: dict) -> None:
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(dumps(board))
    atomic_write(path, write)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read(tier: str, root: Path | None = None) -> dict:
    path = (root or results_dir()) / tier / "scoreboard.json"
    if not path.exists():
        return {"tier": tier, "environment": {}, "claims": {}}
    with open(path) as f:
        return json.load(f)


def record(tier: str, entry: dict, root: Path | None = None) -> None:
    """Merge one claim's entry (keyed by entry["id"]) into the tier's scoreboard."""
    path = (root or results_dir()) / tier / "scoreboard.json"
    with _locked(path):
        board = read(tier, root)
        board["environment"] = {**environment(), "written": now()}
        board["claims"][entry["id"]] = entry
        write_json(path, board)


def save_figure(fig, path: Path) -> None:
    """Save a matplotlib figure as PNG atomically and close it."""
    import matplotlib.pyplot as plt
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=90, bbox_inches="tight"))
    plt.close(fig)


@functools.lru_cache(maxsize=None)
def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=None)
def environment() -> dict:
    """Versions, machine, device and options of this run (JSON-ready; once per process)."""
    import keras
    import numpy
    import tensorflow as tf
    from harness import device
    return {
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "device": device.describe(),
        "options": device.OPTIONS,
        "git_commit": git_commit(),
    }
