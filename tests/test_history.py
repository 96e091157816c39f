"""harness.history: records appended per complete run, and what changed between runs."""
import json

from harness import history


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
    assert history.runs(history.load(tmp_path), "fast") == ["r1", "r2"]


def test_compare_names_flips_drift_stops_and_new_claims(tmp_path):
    interval = {"low": 0.9, "high": 1.1, "point": 1.0, "confidence": 0.95, "n": 5, "method": "Student t"}
    history.append(board("r1", {
        "flip": {"verdict": "reproduced", "value": 1.0},
        "drift": {"verdict": "reproduced", "value": 1.0, "interval": interval},
        "steady": {"verdict": "reproduced", "value": 1.05, "interval": interval},
        "gone": {"verdict": "reproduced", "value": 1.0},
        "skips": {"verdict": "reproduced", "value": 1.0}}), tmp_path)
    history.append(board("r2", {
        "flip": {"verdict": "refuted", "value": 1.0},
        "drift": {"verdict": "reproduced", "value": 1.2},
        "steady": {"verdict": "reproduced", "value": 0.95},
        "skips": {"verdict": "skipped"},
        "fresh": {"verdict": "reproduced", "value": 1}}), tmp_path)
    diff = history.compare(history.load(tmp_path), "fast", "r1", "r2")
    assert diff == {"flipped": [("flip", "reproduced", "refuted")], "drifted": [("drift", 1.0, 1.2)],
                    "stopped": [("gone", "absent"), ("skips", "skipped")], "new": ["fresh"]}


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
