"""The JSON scoreboards: one per tier, ``results/<tier>/scoreboard.json``, each written
whole by one complete run.

Layout::

    {"tier": "fast",
     "run": {"id", "commit", "dirty", "started", "finished", "complete", "args"},
     "environment": {versions, CPU model and vector extensions, threads, device, options},
     "claims": {"<claim id>": {<entry>}, ...}}

While a run goes, every process (each pytest-xdist worker, or the one pytest
process) appends its entries, one JSON line each, to its own file in the run's
staging folder ``results/.runs/<run id>/`` and saves plots there. At the end the
main process gathers them; a tier whose every claim ran (the whole ``claims/``
folder collected, nothing deselected but other tiers, the session not interrupted)
replaces ``results/<tier>/`` (scoreboard and plots). A partial run (``-k``, one
file, an interrupted run) leaves the committed scoreboards alone and writes
``results/partial/<tier>/`` instead; a shard of a split run (pytest-split's
``--splits N --group k``) writes ``results/shards/<tier>/<k>of<N>/``, which
``python -m harness.views.merge`` puts back together. A killed run leaves only its staging folder, swept by the next run.
"""
from __future__ import annotations

import contextlib
import datetime
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from harness import settings
from harness.settings import ROOT, Board


def results_dir() -> Path:
    """The run's results folder (``$CLAIMS_RESULTS_DIR`` or ``<repo>/results``)."""
    return settings.current().results


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def dumps(board: dict) -> str:
    """The scoreboard as JSON text with one line per claim, so that a rerun's diff
    shows which claims changed (json's C encoder: ``indent=`` would be 4x slower)."""
    def line(value):
        return json.dumps(value, sort_keys=True, allow_nan=False, default=str)
    head = [f"{line(k)}: {line(v)}" for k, v in sorted(board.items()) if k != "claims"]
    claims = ",\n  ".join(f"{line(k)}: {line(v)}" for k, v in sorted(board["claims"].items()))
    return "{" + ",\n".join(head + ['"claims": {\n  ' + claims + "\n}"]) + "}\n"


def write_json(path: Path, board: dict) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(dumps(board)))


class BadFile(Exception):
    """A results or baseline file that cannot be read: its path and line say where."""


def read_json(path: Path):
    """The JSON in ``path``; BadFile naming the file and line if it is not JSON."""
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise BadFile(f"{path}:{e.lineno}: not valid JSON ({e.msg}): fix or restore it "
                      f"(git checkout -- {path.name} in its folder)") from None


def read(board: Board, root: Path | None = None) -> dict:
    """The committed scoreboard of ``board``, or an empty one."""
    path = (root or results_dir()) / board.label / "scoreboard.json"
    if not path.exists():
        return {"tier": board.tier, "run": {}, "environment": {}, "claims": {}}
    return read_json(path)


# --- the run and its staging folder ------------------------------------------

def run_id() -> str:
    """This run's id (harness/settings.py; workers get it with the settings)."""
    return settings.current().run_id


BENCHMARK_JSON = "pytest-benchmark.json"


def staging(root: Path | None = None) -> Path:
    return (root or results_dir()) / ".runs" / run_id()


def sweep_stale_runs(root: Path | None = None) -> list:
    """Remove the staging folders of runs whose process is gone (killed runs) and
    stray temporary files of atomic writes. -> what was removed."""
    root = root or results_dir()
    removed = []
    for folder in (root / ".runs").glob("*"):
        pid_file = folder / "pid"
        alive = False
        with contextlib.suppress(ValueError, OSError):
            os.kill(int(pid_file.read_text()), 0)
            alive = True
        if folder.name != run_id() and not alive:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    for tmp in root.glob("*/.*.tmp"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def worker_name() -> str:
    return settings.current().worker


def append_entry(entry: dict, root: Path | None = None) -> None:
    """Append one entry to this process's staging file (flushed at once, so a killed
    run keeps what it measured)."""
    path = staging(root) / f"entries-{worker_name()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(entry, sort_keys=True, allow_nan=False, default=str) + "\n")
        f.flush()


def write_staged(name: str, value, root: Path | None = None) -> None:
    write_json_plain(staging(root) / f"{name}-{worker_name()}.json", value)


def write_json_plain(path: Path, value) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(value, sort_keys=True, default=str)))


def read_staged(name: str, root: Path | None = None) -> list:
    """Every process's ``<name>-<worker>.json`` of this run."""
    return [json.loads(p.read_text()) for p in sorted(staging(root).glob(f"{name}-*.json"))]


def staged_entries(root: Path | None = None) -> list:
    return [json.loads(line) for p in sorted(staging(root).glob("entries-*.jsonl"))
            for line in p.read_text().splitlines() if line.strip()]


RUN_FILES = ("*.png", BENCHMARK_JSON)  # what a run writes beside its scoreboard
VIEW_FILES = "forest-*"  # drawn from the board after publishing, kept or replaced by harness/views/forest.py


def publish(board: Board, entries: list, run: dict, environment: dict, target: Path, plots=(), **extra) -> dict:
    """Write ``target/scoreboard.json`` from a run's entries and move the run's files
    (``plots``: its PNGs and pytest-benchmark JSON) in, replacing what ``target`` held, so that
    every file beside a scoreboard comes from its run (a plot that the run would draw as the
    published one was drawn, from the same key, is that file: harness/kit/plots.py ``save``);
    the forest plots are the views' (``VIEW_FILES``). -> the board."""
    target.mkdir(parents=True, exist_ok=True)
    for old in (f for pattern in RUN_FILES for f in target.glob(pattern) if not f.match(VIEW_FILES)):
        old.unlink()
    for plot in plots:
        shutil.copyfile(plot, target / Path(plot).name)
    out = {"backend": board.backend, "tier": board.tier, "run": run, "environment": environment,
           "claims": {e["id"]: e for e in entries}, **extra}
    write_json(target / "scoreboard.json", out)
    return out


def staged_plots(tier: str, root: Path | None = None) -> list:
    """The files this run wrote for ``tier``: plots, and pytest-benchmark's JSON (benchmark tier)."""
    return sorted(f for pattern in RUN_FILES for f in (staging(root) / tier).glob(pattern))


def finish_staging(root: Path | None = None) -> None:
    """Remove this run's staging folder once its tiers are published."""
    shutil.rmtree(staging(root), ignore_errors=True)


# --- provenance ---------------------------------------------------------------

def _git(*args) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return out.stdout.rstrip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.lru_cache(maxsize=None)
def git_state() -> dict:
    """{"commit": short hash or "unknown", "dirty": [changed paths outside results/]}."""
    changed = _git("status", "--porcelain", "--", ".", ":!results")
    return {"commit": _git("rev-parse", "--short", "HEAD") or "unknown",
            "dirty": [line[3:] for line in changed.splitlines() if line.strip()][:20]}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def cpu() -> dict:
    """CPU model and the vector extensions that matter for float32 kernels."""
    info = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    flags = set(info.get("flags", "").split())
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile")
    return {"model": info.get("model name", platform.processor() or platform.machine()),
            "vector_extensions": [f for f in wanted if f in flags],
            "oneDNN_max_isa": settings.environ("ONEDNN_MAX_CPU_ISA")}


def versions() -> dict:
    out = {"python": sys.version.split()[0]}
    for name in ("keras", "numpy", "scipy", "matplotlib"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


@functools.lru_cache(maxsize=None)
def environment() -> dict:
    """Versions (the backend's and its framework's included), machine, threads, device and
    options of this process (JSON-ready). Imports Keras and its backend: call it in the
    processes that run claims."""
    from harness.kit import backend, device
    return {**versions(), **backend.versions(), "platform": platform.platform(), "cpu": cpu(),
            "cpu_count": os.cpu_count(), "threads": backend.threads(), "device": device.describe(),
            "options": settings.current().options}
