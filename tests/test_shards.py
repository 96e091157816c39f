"""A split run put back together equals one run: the fast tier in 2 pytest-split shards,
merged by ``python -m harness.views.merge``, against the committed unsharded run (runs the whole
fast tier once more, in two processes, one after the other); shards of another backend's
board (``shards/jax/fast/``) merge into that board."""
import json
import math
import os
import subprocess
import sys

import pytest

from harness.engine import scoreboard
from harness.views import merge
from harness.settings import Board

ROOT = scoreboard.ROOT
FAST = Board("tensorflow", "fast")
COMMITTED = scoreboard.read(FAST, ROOT / "results")


def same(a, b) -> bool:
    """Equal, numbers to 1e-6 relative (a float's last bits may differ between processes)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return a == b


@pytest.mark.skipif(not COMMITTED["run"].get("complete"), reason="no complete unsharded fast run in results/fast")
def test_two_shards_merged_equal_one_run(tmp_path):
    env = {**os.environ, "CLAIMS_RESULTS_DIR": str(tmp_path), "CLAIMS_BASELINE": str(tmp_path / "baseline.json")}
    env.pop("CLAIMS_RUN_ID", None)
    (tmp_path / "baseline.json").write_text((ROOT / "claims" / "baseline.json").read_text())
    for group in (1, 2):
        out = subprocess.run([sys.executable, "-m", "pytest", "claims", "-m", "fast", "-n", "0", "-q",
                              "-p", "no:cacheprovider", "--splits", "2", "--group", str(group),
                              "--splitting-algorithm", "least_duration"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        assert (tmp_path / "shards" / "fast" / f"{group}of2" / "scoreboard.json").exists()
    assert not (tmp_path / "fast").exists()  # a shard is not a complete run
    assert merge.main(["--results", str(tmp_path)]) == 0
    merged = scoreboard.read(FAST, tmp_path)
    assert merged["run"]["complete"] and len(merged["run"]["shards"]) == 2
    assert merged["claims"].keys() == COMMITTED["claims"].keys()
    for cid, entry in COMMITTED["claims"].items():
        mine = merged["claims"][cid]
        assert mine["verdict"] == entry["verdict"], cid
        assert same(mine["value"], entry["value"]), (cid, mine["value"], entry["value"])
    assert sorted(p.name for p in (tmp_path / "fast").glob("*.png")) == sorted(
        p.name for p in (ROOT / "results" / "fast").glob("*.png"))
    assert [json.loads(x)["run"] for x in (tmp_path / "history.jsonl").read_text().splitlines()] == \
        [merged["run"]["id"]] * len(merged["claims"])


def test_shards_of_jax_fast_merge_into_the_jax_fast_board(tmp_path, run_settings):
    run_settings(results=tmp_path)
    jax = Board("jax", "fast")
    for group, claim in ((1, "a"), (2, "b")):
        run = {"id": f"r{group}", "commit": "abc", "dirty": [], "started": "s", "finished": "f", "complete": True,
               "args": []}
        entry = {"id": claim, "tier": "fast", "verdict": "reproduced", "value": 1.0, "document": "000"}
        scoreboard.publish(jax, [entry], run, {"backend": "jax"}, tmp_path / "shards" / "jax" / "fast" / f"{group}of2",
                           shard={"group": group, "splits": 2, "known": ["a-fast", "b-fast"]})
    assert merge.main(["--results", str(tmp_path)]) == 0
    merged = scoreboard.read(jax, tmp_path)
    assert merged["backend"] == "jax" and merged["run"]["complete"] and sorted(merged["claims"]) == ["a", "b"]
    assert not (tmp_path / "shards" / "jax" / "fast").exists() and not (tmp_path / "fast").exists()
