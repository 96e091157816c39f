"""results/README.md and the page's data, rendered from a results snapshot: what changed
against the baseline is computed when rendering, so accepting a verdict afterwards
(``python -m harness.engine.baseline accept``) removes it from "changed" with no re-run; corrupt
files are one-line usage errors."""
import shutil

import pytest

from harness.engine import baseline, scoreboard
from harness.views import forest, page, report
from harness.views.results import Snapshot
from harness.settings import Board

FULL = Board("tensorflow", "full")


def publish_full(root, verdict):
    entry = {"id": "a", "tier": "full", "document": "001", "verdict": verdict, "value": 1.0, "interval": None,
             "seeds": [0], "config": {}, "rule": ">= 2", "evidence": "single run"}
    run = {"id": "r1", "commit": "abc", "dirty": [], "started": "2026-01-01T00:00:00+00:00",
           "finished": "2026-01-01T00:01:00+00:00", "complete": True, "args": []}
    scoreboard.publish(FULL, [entry], run, {"device": "CPU (2 cores)"}, root / "full")


def changed_on_page(root) -> list:
    return [e["id"] for e in page.entries(Snapshot.load(root))[1] if e["changed"]]


def test_accepting_after_the_run_removes_the_change_from_readme_and_page(tmp_path, run_settings):
    accepted = tmp_path / "baseline.json"
    run_settings(results=tmp_path, baseline=accepted)
    baseline.save({"a-full": "reproduced"}, accepted)
    publish_full(tmp_path, "refuted")
    report.write(Snapshot.load(tmp_path))
    assert "- a (full): reproduced -> **refuted**" in (tmp_path / "README.md").read_text()
    assert changed_on_page(tmp_path) == ["a"]
    assert page.entries(Snapshot.load(tmp_path))[1][0]["accepted"] == "reproduced"
    assert baseline.main(["accept", "full"]) == 0
    assert baseline.load(accepted) == {"a-full": "refuted"}
    assert report.main(["--results", str(tmp_path)]) == 0  # rendered again, nothing run
    assert "Changed since the accepted baseline" not in (tmp_path / "README.md").read_text()
    assert changed_on_page(tmp_path) == []


def test_a_corrupt_scoreboard_is_one_line_naming_the_file_and_rc_4(tmp_path, run_settings, capsys):
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "scoreboard.json").write_text('{"tier": "full",\n "claims": {')
    with pytest.raises(scoreboard.BadFile, match=r"full/scoreboard.json:2: not valid JSON"):
        Snapshot.load(tmp_path)
    assert report.main(["--results", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "full/scoreboard.json:2" in err


def test_a_judged_claim_missing_from_an_existing_baseline_is_flagged_not_silently_new(tmp_path, run_settings):
    accepted = tmp_path / "baseline.json"
    run_settings(results=tmp_path, baseline=accepted)
    baseline.save({"other-full": "reproduced"}, accepted)
    publish_full(tmp_path, "refuted")
    [entry] = page.entries(Snapshot.load(tmp_path))[1]
    assert entry["changed"] and entry["changes"] == ["no accepted verdict in baseline.json: review and accept it"]


def test_as_written_failures_are_counted_by_cause(tmp_path, run_settings):
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    changed, wrong = "library changed since the document", "code wrong on any version"
    entries = [{"id": "a", "tier": "fast", "document": "002", "verdict": "refuted",
                "details": {"failure": {"cause": changed, "type": "TypeError", "message": "m"}}},
               {"id": "b", "tier": "fast", "document": "002", "verdict": "refuted",
                "details": {"failure": {"first": {"cause": wrong, "type": "ValueError", "message": "m"}, "second": None}}},
               {"id": "c", "tier": "fast", "document": "002", "verdict": "refuted", "details": {}}]
    run = {"id": "r1", "commit": "abc", "dirty": [], "started": "s", "finished": "f", "complete": True, "args": []}
    scoreboard.publish(Board("tensorflow", "fast"), entries, run, {}, tmp_path / "fast")
    lines = report.as_written(Snapshot.load(tmp_path))
    assert lines[-1] == f"- **fast**: {wrong}: 1 (b); {changed}: 1 (a)"


def test_the_committed_results_render_a_page_under_1_mb(tmp_path, run_settings):
    """The page holds a summary (the last runs of each claim are in its board's details.js):
    rendered again from the committed scoreboards, history and forest plots, it stays small."""
    committed = scoreboard.ROOT / "results"
    if not (committed / "history.jsonl").exists():
        pytest.skip("no committed results")
    for path in committed.rglob("*"):
        if path.name in ("scoreboard.json", "history.jsonl") or path.name.startswith("forest-") and path.suffix == ".svg":
            (tmp_path / path.relative_to(committed)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, tmp_path / path.relative_to(committed))
    run_settings(results=tmp_path)
    snapshot = Snapshot.load(tmp_path)
    page.write(snapshot, forest.write(snapshot, redraw=()))
    assert (tmp_path / "index.html").stat().st_size < 1_000_000
    assert (committed / "index.html").stat().st_size < 1_000_000
