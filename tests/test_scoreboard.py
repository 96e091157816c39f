"""Scoreboard writes are merged, atomic and safe when processes write at once; the report adds up."""
import json
import multiprocessing

from harness import report, scoreboard


def entry(claim_id, verdict="reproduced", tier="fast", expected="reproduced", document="000"):
    return {"id": claim_id, "tier": tier, "document": document, "citation": "c", "section": "1",
            "lines": "1", "quote": "q", "document_value": "", "rule": ">= 1", "reason": "r", "port": "",
            "expected": expected, "verdict": verdict, "passed": verdict == expected, "value": 1.5,
            "interval": {"low": 1.2, "high": 1.8}, "samples": [1.2, 1.5, 1.8], "seconds": 2.0}


def test_record_merges_entries_and_keeps_the_others(tmp_path):
    scoreboard.record("fast", entry("a"), root=tmp_path)
    scoreboard.record("fast", entry("b"), root=tmp_path)
    scoreboard.record("fast", entry("a", verdict="refuted"), root=tmp_path)
    board = json.loads((tmp_path / "fast" / "scoreboard.json").read_text())
    assert sorted(board["claims"]) == ["a", "b"]
    assert board["claims"]["a"]["verdict"] == "refuted"
    assert board["environment"]["tensorflow"].startswith("2.")
    assert not [p for p in (tmp_path / "fast").iterdir() if p.name.startswith(".scoreboard")]


def test_scoreboard_text_is_json_with_one_line_per_claim(tmp_path):
    board = {"tier": "fast", "environment": {"python": "3.11"},
             "claims": {"b": entry("b"), "a": entry("a", verdict="refuted")}}
    text = scoreboard.dumps(board)
    assert json.loads(text) == board
    lines = text.splitlines()
    assert len(lines) == 6  # "{environment", tier, "claims": {, a, b, "}}"
    assert lines[3].startswith('  "a": {') and lines[4].startswith('  "b": {')


def _write_many(args):
    root, start = args
    for i in range(start, start + 20):
        scoreboard.record("fast", entry(f"claim{i}"), root=root)


def test_concurrent_writers_lose_no_entry(tmp_path):
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_write_many, [(tmp_path, 0), (tmp_path, 20), (tmp_path, 40), (tmp_path, 60)])
    board = scoreboard.read("fast", tmp_path)
    assert sorted(board["claims"]) == sorted(f"claim{i}" for i in range(80))


def test_report_counts_every_verdict_and_links_the_plots(tmp_path):
    scoreboard.record("fast", entry("a"), root=tmp_path)
    scoreboard.record("fast", entry("b", verdict="refuted", expected="refuted"), root=tmp_path)
    scoreboard.record("full", {**entry("c", verdict="skipped", tier="full"), "reason": "no CIFAR-10",
                               "plot": "full/c.png"}, root=tmp_path)
    text = report.write(tmp_path).read_text()
    assert "| fast | 2 | 1 | 1 | 0 | 0 | 0 | 0 | 2 |" in text
    assert "| full | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 |" in text
    assert "refuted (expected)" in text and "no CIFAR-10" in text
    assert "![c](full/c.png)" in text
    assert "1.5 (95% CI [1.2, 1.8])" in text
