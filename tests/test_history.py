"""harness.views.history: records appended per complete run, and what changed between runs."""
import json

import pytest

from harness.views import history
from harness.engine.scoreboard import BadFile
from harness.settings import Board

FAST = Board("tensorflow", "fast")


def board(run, claims):
    return {"run": {"id": run, "finished": f"t{run}", "commit": "abc", "dirty": []},
            "environment": {"device": "CPU (2 cores)", "tensorflow": "2.21.0"},
            "claims": {cid: {"id": cid, "tier": "fast", **fields} for cid, fields in claims.items()}}


def test_append_writes_one_line_per_claim_and_never_rewrites(tmp_path):
    history.append(board("r1", {"a": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    history.append(board("r2", {"a": {"verdict": "refuted", "value": 2.0},
                                "b": {"verdict": "reproduced", "value": 3}}), tmp_path)
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert [json.loads(x)["run"] for x in lines] == ["r1", "r2", "r2"]
    assert json.loads(lines[0])["versions"]["tensorflow"] == "2.21.0"
    assert history.runs(history.load(tmp_path), FAST) == ["r1", "r2"]


def interval(low, high):
    return {"low": low, "high": high, "point": (low + high) / 2, "confidence": 0.95, "n": 5, "method": "Student t"}


def test_compare_names_flips_real_drift_rule_changes_stops_and_new_claims(tmp_path):
    """Drift is a move that means something: intervals that no longer overlap, or a point value
    beyond its rule's tolerance (float round-off by default); last-digit noise is not drift."""
    history.append(board("r1", {
        "flip": {"verdict": "reproduced", "value": 1.0},
        "apart": {"verdict": "reproduced", "value": 1.0, "interval": interval(0.9, 1.1)},
        "overlapping": {"verdict": "reproduced", "value": 1.05, "interval": interval(0.9, 1.1)},
        "round_off": {"verdict": "reproduced", "value": {"x": 7.766857749, "y": 300.015951}},
        "moved": {"verdict": "reproduced", "value": 0.77},
        "tolerant": {"verdict": "reproduced", "value": 1.0, "drift_tolerance": 0.01},
        "rule": {"verdict": "reproduced", "value": 1.0, "rule": ">= 0.5"},
        "gone": {"verdict": "reproduced", "value": 1.0},
        "skips": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    history.append(board("r2", {
        "flip": {"verdict": "refuted", "value": 1.0},
        "apart": {"verdict": "reproduced", "value": 1.3, "interval": interval(1.2, 1.4)},
        "overlapping": {"verdict": "reproduced", "value": 0.95, "interval": interval(0.85, 1.0)},
        "round_off": {"verdict": "reproduced", "value": {"x": 7.766856947, "y": 300.015952}},
        "moved": {"verdict": "reproduced", "value": 1.42},
        "tolerant": {"verdict": "reproduced", "value": 1.005},
        "rule": {"verdict": "reproduced", "value": 1.0, "rule": ">= 0.6"},
        "skips": {"verdict": "skipped"},
        "fresh": {"verdict": "reproduced", "value": 1}}), tmp_path)
    diff = history.compare(history.load(tmp_path), FAST, "r1", "r2")
    assert diff == {"flipped": [("flip", "reproduced", "refuted")],
                    "drifted": [("apart", "interval [0.9, 1.1] -> [1.2, 1.4]"), ("moved", "0.77 -> 1.42, 0.84 relative")],
                    "rule_changed": [("rule", ">= 0.5", ">= 0.6")],
                    "stopped": [("gone", "absent"), ("skips", "skipped")], "new": ["fresh"]}


def test_a_torn_line_is_reported_and_skipped_and_the_next_append_starts_fresh(tmp_path, capsys):
    history.append(board("r1", {"a": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    path = tmp_path / "history.jsonl"
    path.write_text(path.read_text() + '{"run": "r2", "id": "a", "ti')  # a killed append
    assert [r["run"] for r in history.load(tmp_path)] == ["r1"]
    assert "history.jsonl:2: torn line" in capsys.readouterr().err
    history.append(board("r3", {"a": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    assert [r["run"] for r in history.load(tmp_path)] == ["r1", "r3"]
    assert history.main(["--results", str(tmp_path)]) == 0


def test_a_corrupt_line_before_the_last_is_a_bad_file_and_the_command_a_usage_error(tmp_path, capsys):
    history.append(board("r1", {"a": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    path = tmp_path / "history.jsonl"
    path.write_text('{"run": r1}\n' + path.read_text())
    with pytest.raises(BadFile, match="history.jsonl:1: not valid JSON"):
        history.load(tmp_path)
    assert history.main(["--results", str(tmp_path)]) == 4
    assert "history.jsonl:1" in capsys.readouterr().err


def test_command_prints_the_flip(tmp_path, capsys):
    history.append(board("r1", {"a": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    history.append(board("r2", {"a": {"verdict": "inconclusive", "value": 1.0}}), tmp_path)
    assert history.main(["--results", str(tmp_path)]) == 0
    assert "flipped  a: reproduced -> inconclusive" in capsys.readouterr().out


def test_durations_for_pytest_split_come_from_each_tiers_last_run(tmp_path):
    history.append(board("r1", {"a": {"verdict": "reproduced", "node": "claims/x.py::t[a-fast]", "seconds": 1.0}}), tmp_path)
    history.append(board("r2", {"a": {"verdict": "reproduced", "node": "claims/x.py::t[a-fast]", "seconds": 2.5}}), tmp_path)
    out = tmp_path / "durations.json"
    assert history.main(["--results", str(tmp_path), "--durations", str(out)]) == 0
    assert json.loads(out.read_text()) == {"claims/x.py::t[a-fast]": 2.5}


def test_an_unbounded_interval_is_compared_not_a_crash():
    """A Fieller interval can be unbounded; its ends are stored as "-inf" and "inf"."""
    old = {"interval": {"a": ["-inf", "inf"], "b": [0.1, 0.2]}, "value": {"a": 0.3, "b": 0.15}}
    new = {"interval": {"a": [0.2, 0.4], "b": [0.3, 0.4]}, "value": {"a": 0.3, "b": 0.35}}
    assert history.drift(old, new) == "b interval [0.1, 0.2] -> [0.3, 0.4]"
