"""harness/engine/scoreboard.py: a run stages its entries, publishing replaces a tier's
folder (scoreboard and plots) and nothing else, killed runs are swept, the JSON
has one line per claim, and the provenance is git's. Which folder a run publishes
to (results/<tier>/ for a complete run, results/partial/<tier>/ otherwise) is the
plugin's choice: tests/test_plugin.py runs it."""
import json
import os
import subprocess
import sys

import pytest

from harness.engine import scoreboard
from harness.settings import Board

RUN = "20260101T000000Z-0000test"
FAST = Board("tensorflow", "fast")


@pytest.fixture(autouse=True)
def run_env(tmp_path, run_settings):
    """Every test here: its own results root and run id, the main process."""
    run_settings(results=tmp_path, run_id=RUN, worker="main")


def entry(claim_id, verdict="reproduced", tier="fast"):
    return {"id": claim_id, "tier": tier, "verdict": verdict, "value": 1.5, "seeds": [0, 1, 2],
            "interval": {"point": 1.5, "low": 1.2, "high": 1.8, "confidence": 0.95, "n": 3, "method": "Student t"}}


def run(complete):
    return {"id": RUN, "commit": "abc1234", "dirty": [], "started": "s", "finished": "f", "complete": complete,
            "args": ["claims", "-m", "fast"]}


def png(path, content=b"\x89PNG fake"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_the_results_root_and_the_staging_folder_follow_the_settings(tmp_path):
    assert scoreboard.results_dir() == tmp_path
    assert scoreboard.run_id() == RUN
    assert scoreboard.staging() == tmp_path / ".runs" / RUN


def test_entries_of_every_worker_are_gathered(tmp_path, run_settings):
    run_settings(results=tmp_path, run_id=RUN, worker="gw0")
    scoreboard.append_entry(entry("a"))
    scoreboard.write_staged("collected", {"cases": ["a-fast"], "whole": False})
    run_settings(results=tmp_path, run_id=RUN, worker="gw1")
    scoreboard.append_entry(entry("b"))
    scoreboard.append_entry(entry("c", tier="full"))
    scoreboard.write_staged("collected", {"cases": ["b-fast", "c-full"], "whole": True})
    staged = tmp_path / ".runs" / RUN
    assert sorted(p.name for p in staged.iterdir()) == ["collected-gw0.json", "collected-gw1.json",
                                                        "entries-gw0.jsonl", "entries-gw1.jsonl"]
    assert [e["id"] for e in scoreboard.staged_entries()] == ["a", "b", "c"]
    assert scoreboard.read_staged("collected") == [{"cases": ["a-fast"], "whole": False},
                                                   {"cases": ["b-fast", "c-full"], "whole": True}]
    scoreboard.finish_staging()
    assert not staged.exists()


def test_publishing_replaces_the_tier_and_its_plots(tmp_path):
    """What a complete run does with results/<tier>/ (the plugin picks the folder)."""
    committed = tmp_path / "fast"
    scoreboard.write_json(committed / "scoreboard.json",
                          {"tier": "fast", "run": {"id": "old"}, "environment": {}, "claims": {"old": entry("old")}})
    png(committed / "old.png")                       # a plot of a claim that is gone
    png(committed / "a.png", b"old plot of a")
    png(tmp_path / ".runs" / RUN / "fast" / "a.png", b"new plot of a")
    png(tmp_path / ".runs" / RUN / "fast" / "b.png", b"new plot of b")
    png(tmp_path / ".runs" / RUN / "full" / "c.png", b"another tier's plot")
    plots = scoreboard.staged_plots("fast")
    assert [p.name for p in plots] == ["a.png", "b.png"]
    board = scoreboard.publish(FAST, [entry("a"), entry("b", "refuted")], run(True), {"python": "3.11"},
                               committed, plots)
    assert sorted(p.name for p in committed.iterdir()) == ["a.png", "b.png", "scoreboard.json"]
    assert (committed / "a.png").read_bytes() == b"new plot of a"
    assert (committed / "b.png").read_bytes() == b"new plot of b"
    expected = {"backend": "tensorflow", "tier": "fast", "run": run(True), "environment": {"python": "3.11"},
                "claims": {"a": entry("a"), "b": entry("b", "refuted")}}
    assert board == expected and scoreboard.read(FAST) == expected
    assert not [p for p in committed.iterdir() if p.name.endswith(".tmp")]
    assert oct((committed / "scoreboard.json").stat().st_mode & 0o777) == "0o644"
    scoreboard.finish_staging()
    assert not (tmp_path / ".runs" / RUN).exists() and (committed / "a.png").exists()


def test_publishing_a_partial_run_leaves_the_committed_tier_alone(tmp_path):
    committed = tmp_path / "fast"
    scoreboard.write_json(committed / "scoreboard.json",
                          {"tier": "fast", "run": {"id": "old"}, "environment": {}, "claims": {"a": entry("a")}})
    png(committed / "a.png", b"committed plot")
    before = {p.name: p.read_bytes() for p in committed.iterdir()}
    partial = tmp_path / "partial" / "fast"
    png(partial / "stale.png")                       # from an earlier partial run
    png(tmp_path / ".runs" / RUN / "fast" / "a.png", b"partial plot")
    board = scoreboard.publish(FAST, [entry("a", "refuted")], run(False), {}, partial,
                               scoreboard.staged_plots("fast"), note="extra fields land in the board")
    assert {p.name: p.read_bytes() for p in committed.iterdir()} == before
    assert sorted(p.name for p in partial.iterdir()) == ["a.png", "scoreboard.json"]
    assert (partial / "a.png").read_bytes() == b"partial plot"
    assert board["note"] == "extra fields land in the board"
    written = json.loads((partial / "scoreboard.json").read_text())
    assert written["run"]["complete"] is False and written["claims"]["a"]["verdict"] == "refuted"
    assert scoreboard.read(FAST)["claims"]["a"]["verdict"] == "reproduced"


def test_read_without_a_scoreboard_is_empty(tmp_path):
    assert scoreboard.read(Board("tensorflow", "full")) == {"tier": "full", "run": {}, "environment": {}, "claims": {}}


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_dead_runs_and_keeps_live_ones(tmp_path):
    runs = tmp_path / ".runs"
    for name, pid in {"dead": dead_pid(), "live": os.getpid(), "garbled": "not a pid"}.items():
        (runs / name).mkdir(parents=True)
        (runs / name / "pid").write_text(str(pid))
        (runs / name / "entries-main.jsonl").write_text("{}\n")
    (runs / "no-pid-file").mkdir()
    (runs / RUN).mkdir()                                   # this run's own folder, before its pid is written
    stray = tmp_path / "fast" / ".scoreboard.json.x1y2.tmp"  # an atomic write killed half-way
    png(stray)
    png(tmp_path / "fast" / "kept.png")
    removed = scoreboard.sweep_stale_runs()
    assert sorted(p.name for p in removed) == [".scoreboard.json.x1y2.tmp", "dead", "garbled", "no-pid-file"]
    assert sorted(p.name for p in runs.iterdir()) == [RUN, "live"]
    assert (runs / "live" / "entries-main.jsonl").exists()
    assert not stray.exists() and (tmp_path / "fast" / "kept.png").exists()
    assert scoreboard.sweep_stale_runs() == []


def test_dumps_is_json_with_one_line_per_claim():
    board = {"tier": "fast", "run": run(True), "environment": {"python": "3.11"},
             "claims": {"b": entry("b"), "a": entry("a", verdict="refuted")}}
    text = scoreboard.dumps(board)
    assert json.loads(text) == board
    lines = text.splitlines()
    assert len(lines) == 7  # environment, run, tier, "claims": {, a, b, }}
    assert [line.split(":")[0] for line in lines[:4]] == ['{"environment"', '"run"', '"tier"', '"claims"']
    assert lines[4].startswith('  "a": {"id": "a"') and lines[5].startswith('  "b": {"id": "b"')
    assert lines[6] == "}}" and text.endswith("}}\n")
    with pytest.raises(ValueError):  # NaN is not JSON: an entry never holds a raw NaN
        scoreboard.dumps({**board, "claims": {"a": {"value": float("nan")}}})


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def fresh_git_state():
    scoreboard.git_state.cache_clear()
    yield
    scoreboard.git_state.cache_clear()


def test_git_state_is_the_commit_and_the_changed_paths_outside_results(tmp_path, monkeypatch, fresh_git_state):
    repo = tmp_path / "repo"
    (repo / "results" / "fast").mkdir(parents=True)
    (repo / "claims").mkdir()
    (repo / "claims" / "test_x.py").write_text("x = 1\n")
    (repo / "results" / "fast" / "scoreboard.json").write_text("{}\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True).stdout
    monkeypatch.setattr(scoreboard, "ROOT", repo)
    assert scoreboard.git_state() == {"commit": head.strip(), "dirty": []}
    scoreboard.git_state.cache_clear()
    (repo / "claims" / "test_x.py").write_text("x = 2\n")
    (repo / "claims" / "new.py").write_text("")
    (repo / "results" / "fast" / "scoreboard.json").write_text("{changed}\n")  # results/ does not count
    state = scoreboard.git_state()
    assert state["commit"] == head.strip()
    assert sorted(state["dirty"]) == ["claims/new.py", "claims/test_x.py"]


def test_git_state_outside_a_repository_is_unknown(tmp_path, monkeypatch, fresh_git_state):
    monkeypatch.setattr(scoreboard, "ROOT", tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert scoreboard.git_state() == {"commit": "unknown", "dirty": []}


def test_git_state_of_this_repository(fresh_git_state):
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=scoreboard.ROOT, capture_output=True,
                          text=True).stdout.strip()
    state = scoreboard.git_state()
    assert state["commit"] == head and len(head) >= 7
    assert isinstance(state["dirty"], list) and len(state["dirty"]) <= 20
    assert not [p for p in state["dirty"] if p.startswith("results/")]


def test_every_file_beside_a_board_comes_from_its_run(tmp_path):
    """pytest-benchmark's JSON is published with the benchmark board like a plot: a run that
    wrote none leaves none behind from an earlier run."""
    committed = tmp_path / "benchmark"
    png(committed / scoreboard.BENCHMARK_JSON, b'{"from": "an earlier run"}')
    scoreboard.publish(FAST, [entry("a")], run(True), {}, committed, scoreboard.staged_plots("benchmark"))
    assert sorted(p.name for p in committed.iterdir()) == ["scoreboard.json"]
    png(tmp_path / ".runs" / RUN / "benchmark" / scoreboard.BENCHMARK_JSON, b'{"from": "this run"}')
    png(tmp_path / ".runs" / RUN / "benchmark" / "a.png", b"plot")
    files = scoreboard.staged_plots("benchmark")
    scoreboard.publish(FAST, [entry("a")], run(True), {}, committed, files)
    assert (committed / scoreboard.BENCHMARK_JSON).read_bytes() == b'{"from": "this run"}'
    assert sorted(p.name for p in committed.iterdir()) == ["a.png", scoreboard.BENCHMARK_JSON, "scoreboard.json"]
