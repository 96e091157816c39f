"""claims/baseline.json: how a verdict compares with the accepted one, and what
--accept-verdicts writes."""
import json

import pytest

from harness.engine import baseline
from harness.engine.baseline import CHANGED, NEW, NOT_RUN, SAME


@pytest.mark.parametrize("verdict, accepted, change", [
    ("reproduced", "reproduced", SAME),
    ("refuted", "refuted", SAME),
    ("inconclusive", "inconclusive", SAME),
    ("excluded", "excluded", SAME),
    ("reproduced", None, NEW),
    ("excluded", None, NEW),
    ("reproduced", "refuted", CHANGED),
    ("refuted", "inconclusive", CHANGED),
    ("inconclusive", "reproduced", CHANGED),
    ("excluded", "reproduced", CHANGED),
    # an error or a skip is never "changed": it did not give a verdict to compare
    ("error", "reproduced", NOT_RUN),
    ("skipped", "refuted", NOT_RUN),
    ("error", None, NOT_RUN),
    ("skipped", None, NOT_RUN),
])
def test_change(verdict, accepted, change):
    assert baseline.change(verdict, accepted) == change


def entry(claim_id, verdict, tier="fast"):
    return {"id": claim_id, "tier": tier, "verdict": verdict}


def test_load_without_a_file_is_empty(tmp_path):
    assert baseline.load(tmp_path / "baseline.json") == {}


def test_accept_writes_one_sorted_line_per_key_and_keeps_the_others(tmp_path):
    path = tmp_path / "baseline.json"
    baseline.save({"zeta-fast": "refuted", "alpha-full": "reproduced", "mid-fast": "inconclusive"}, path)
    moved = baseline.accept([
        entry("zeta", "reproduced"),            # changed
        entry("mid", "inconclusive"),           # same: not moved
        entry("beta", "refuted"),               # new
        entry("gamma", "excluded", "full"),     # new
        entry("alpha", "error", "full"),        # an error is never written
        entry("delta", "skipped"),              # a skip is never written
        entry("mid", "skipped", "full"),
    ], path)
    assert moved == ["beta-fast", "gamma-full", "zeta-fast"]
    assert baseline.load(path) == {"alpha-full": "reproduced", "beta-fast": "refuted", "gamma-full": "excluded",
                                   "mid-fast": "inconclusive", "zeta-fast": "reproduced"}
    text = path.read_text()
    assert text == ('{\n'
                    '  "alpha-full": "reproduced",\n'
                    '  "beta-fast": "refuted",\n'
                    '  "gamma-full": "excluded",\n'
                    '  "mid-fast": "inconclusive",\n'
                    '  "zeta-fast": "reproduced"\n'
                    '}\n')
    assert json.loads(text) == baseline.load(path)


def test_accept_into_a_missing_file_and_accepting_twice_moves_nothing(tmp_path):
    path = tmp_path / "baseline.json"
    entries = [entry("b", "reproduced"), entry("a", "refuted"), entry("c", "error")]
    assert baseline.accept(entries, path) == ["a-fast", "b-fast"]
    before = path.read_text()
    assert baseline.accept(entries, path) == []
    assert path.read_text() == before
    assert baseline.accept([], path) == []
    assert baseline.load(path) == {"a-fast": "refuted", "b-fast": "reproduced"}


def test_the_path_follows_claims_baseline_and_the_backend(tmp_path):
    """The settings read CLAIMS_BASELINE (the plugin tests rely on it), else the backend's file."""
    from harness.settings import ROOT, Settings
    target = tmp_path / "elsewhere.json"
    assert Settings.from_environment({"CLAIMS_BASELINE": str(target)}).baseline == target
    assert Settings.from_environment({"KERAS_BACKEND": "jax"}).baseline == ROOT / "claims" / "baseline-jax.json"
    assert Settings.from_environment({}).baseline == ROOT / "claims" / "baseline.json"


def test_a_corrupt_baseline_is_a_bad_file_naming_its_path_and_line(tmp_path):
    from harness.engine.scoreboard import BadFile
    path = tmp_path / "baseline.json"
    path.write_text('{\n  "a-fast": "reproduced",\n  "b-fast": "ref')
    with pytest.raises(BadFile, match=f"^{path}:3: not valid JSON"):
        baseline.load(path)


def test_command_accepts_a_complete_scoreboard_and_refuses_a_partial_one(tmp_path, run_settings):
    from harness.engine import scoreboard
    path = tmp_path / "baseline.json"
    run_settings(results=tmp_path, baseline=path)
    entry = {"id": "a", "tier": "full", "verdict": "refuted"}
    for complete in (False, True):
        scoreboard.write_json(tmp_path / "full" / "scoreboard.json",
                              {"tier": "full", "run": {"id": "r", "complete": complete}, "claims": {"a": entry}})
        if not complete:
            with pytest.raises(SystemExit, match="not from one complete run"):
                baseline.main(["accept", "full"])
            assert not path.exists()
        else:
            assert baseline.main(["accept", "full"]) == 0
            assert baseline.load(path) == {"a-full": "refuted"}


def test_accepting_a_partial_run_needs_a_clean_commit(tmp_path, run_settings):
    """``accept full --partial`` reads results/partial/full/, and only from a clean commit."""
    from harness.engine import scoreboard
    path = tmp_path / "baseline.json"
    run_settings(results=tmp_path, baseline=path)
    entry = {"id": "a", "tier": "full", "verdict": "reproduced"}
    for dirty in (["claims/test_a.py"], []):
        scoreboard.write_json(tmp_path / "partial" / "full" / "scoreboard.json",
                              {"tier": "full", "run": {"id": "r", "commit": "abc", "dirty": dirty, "complete": False},
                               "claims": {"a": entry}})
        if dirty:
            with pytest.raises(SystemExit, match="not from one clean commit"):
                baseline.main(["accept", "full", "--partial"])
            assert not path.exists()
        else:
            assert baseline.main(["accept", "full", "--partial"]) == 0
            assert baseline.load(path) == {"a-full": "reproduced"}
