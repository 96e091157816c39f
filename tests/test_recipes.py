"""harness/kit/recipes.py: each distinct training runs exactly once per run, whatever the
pytest-xdist distribution; entries say which recipes they read and who trained them.

A throwaway claims folder (harness.plugin's CLAIMS_DIR pointed at it): two files whose
claims, in two tiers, read one tiny recipe (``tiny_recipes.train``: it logs each training
to a file and sleeps a little, so that workers contend for it) over two seeds."""
import json

import pytest

from test_plugin import POINT_CLAIMS_DIR, board, pytest_run

RECIPE = '''
import os
import time

from harness.kit import recipes


@recipes.shared
def train(seed: int, epochs: int) -> dict:
    with open(os.environ["TINY_LOG"], "a") as log:
        log.write(f"{seed} {epochs} {os.getpid()}\\n")
    time.sleep(0.3)
    return {"loss": [1.0 / (seed + epoch + 1) for epoch in range(epochs)]}
'''

CLAIMS = '''
from harness.engine.claim import AtLeast, Claim, Measured, Tier, claim_test
from tiny_recipes import train


def final_loss(case):
    return Measured(min(case.per_seed(lambda seed: train(seed, 3)["loss"][-1])))


CLAIMS = [Claim(f"{name}_{{i}}", "001", "s", "1", "q", "reads the tiny recipe",
                {{"fast": Tier(AtLeast(0.0), seeds=(0, 1)), "full": Tier(AtLeast(0.0), seeds=(0, 1))}},
                measure=final_loss) for i in range(3)]
test_claims = claim_test(CLAIMS)
'''


@pytest.mark.parametrize("options", [
    ["-m", "fast", "-n", "0"],
    ["-m", "fast", "-n", "2", "--dist", "load"],
    ["-m", "fast", "-n", "2", "--dist", "loadfile"],
    ["-m", "fast or full or nightly", "-n", "2"],  # the README's nightly command's form
], ids=["n0", "load", "loadfile", "nightly-form"])
def test_each_distinct_recipe_trains_once_per_run(tmp_path, options):
    (tmp_path / "claims").mkdir()
    for name in ("alpha", "beta"):
        (tmp_path / "claims" / f"test_{name}.py").write_text(CLAIMS.format(name=name))
    (tmp_path / "tiny_recipes.py").write_text(RECIPE)
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    log = tmp_path / "trained.log"
    rc, output = pytest_run(["claims", *options, "-p", "harness.plugin", "-p", "fake_claims_dir",
                             "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                            tmp_path, cwd=tmp_path, pythonpath=[tmp_path], TINY_LOG=str(log))
    assert rc == 0, output[-3000:]
    trained = log.read_text().splitlines()
    assert sorted(line.split()[0] for line in trained) == ["0", "1"]  # two recipes, each trained once
    tiers = ["fast"] + (["full"] if "full" in options[1] else [])
    for tier in tiers:
        scores = board(tmp_path, tier, partial=False)
        assert scores["run"]["complete"] and scores["run"]["recipes_trained_twice"] == {}
        entries = scores["claims"].values()
        assert len(entries) == 6 and all(len(e["recipes"]) == 2 for e in entries)
        assert all(e["trained_seeds"] == [0, 1] for e in entries)  # what each measurement trained
        assert {r["recipe"] for e in entries for r in e["recipes"]} == set(scores["recipes"])
        for what in scores["recipes"].values():
            assert what["recipe"] == "tiny_recipes.train" and what["arguments"]["epochs"] == 3
    entries = [e for t in tiers for e in board(tmp_path, t, partial=False)["claims"].values()]
    trainers = {(r["recipe"], e["worker"]) for e in entries for r in e["recipes"] if r["trained_here"]}
    assert len(trainers) == 2  # each recipe: one process that trained it
    if options[2] == "2":
        workers = {e["worker"] for t in tiers for e in board(tmp_path, t, partial=False)["claims"].values()}
        assert workers <= {"gw0", "gw1"}


def test_nothing_is_reused_between_runs(tmp_path):
    """Two runs of the same recipes train them twice: once per run."""
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_alpha.py").write_text(CLAIMS.format(name="alpha"))
    (tmp_path / "tiny_recipes.py").write_text(RECIPE)
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    log = tmp_path / "trained.log"
    for _ in range(2):
        rc, output = pytest_run(["claims", "-m", "fast", "-n", "0", "-p", "harness.plugin", "-p", "fake_claims_dir",
                                 "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                                tmp_path, cwd=tmp_path, pythonpath=[tmp_path], TINY_LOG=str(log))
        assert rc == 0, output[-3000:]
    assert len(log.read_text().splitlines()) == 4
    assert not list((tmp_path / ".runs").iterdir())
    assert json.loads((tmp_path / "fast" / "scoreboard.json").read_text())["run"]["recipes_trained_twice"] == {}
