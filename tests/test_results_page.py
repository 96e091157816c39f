"""results/index.html in a real browser (Playwright driving the system's Chromium):
it loads from a file URL without console errors, its counts equal the scoreboards',
filtering to "refuted" shows exactly the refuted claims, a claim's detail shows its
plot, and the "changed" filter shows a verdict that flipped between two runs.

Needs the ``test`` extra (``pip install -e '.[test]'``) and a Chromium
(Debian: ``apt-get install chromium``; or set CLAIMS_CHROMIUM to its path)."""
import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from harness.engine import scoreboard  # noqa: E402
from harness.views import history, report

sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra is not installed")
CHROMIUM = os.environ.get("CLAIMS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no Chromium on this machine (apt-get install chromium)")
COMMITTED = scoreboard.ROOT / "results"


def entry(cid, tier, verdict, doc="001", **fields):
    return {"id": cid, "tier": tier, "document": doc, "verdict": verdict, "value": 1.0, "interval": None,
            "citation": f"{doc} §1, line 1", "quote": "q", "rule": ">= 1", "reason": "r", "port": "",
            "seeds": [0], "run": "r", "commit": "c", "dirty": False,
            "device": "CPU", "options": {}, "evidence": "exact", **fields}


def write_board(root, tier, run, entries):
    board = {"backend": "tensorflow", "tier": tier, "run": {"id": run, "commit": "c", "dirty": [], "complete": True, "started": "s",
                                   "finished": f"f{run}"},
             "environment": {"device": "CPU (2 cores)"}, "claims": {e["id"]: e for e in entries}}
    scoreboard.write_json(root / tier / "scoreboard.json", board)
    history.append(board, root)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser, root: Path):
    tab = browser.new_page()
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((root / "index.html").as_uri())
    return tab, errors


def shown(tab) -> list:
    return tab.eval_on_selector_all("#claims tbody tr", "rows => rows.map(r => r.dataset.claim + '-' + r.dataset.tier)")


@pytest.fixture
def results(tmp_path, run_settings):
    """Two runs of a fast tier (one verdict flips between them) and a full tier with a plot."""
    write_board(tmp_path, "fast", "run1", [entry("a", "fast", "reproduced"), entry("b", "fast", "refuted")])
    write_board(tmp_path, "fast", "run2", [entry("a", "fast", "refuted", doc="000"), entry("b", "fast", "refuted")])
    figure, axes = plt.subplots(figsize=(2, 1.5))
    axes.plot([0, 1], [0, 1])
    scoreboard.save_figure(figure, tmp_path / "full" / "c.png")
    write_board(tmp_path, "full", "run3", [entry("c", "full", "inconclusive", plot="full/c.png"),
                                           entry("d", "full", "skipped", message="dataset absent")])
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    report.write(report.Snapshot.load(tmp_path))
    return tmp_path


def test_counts_filters_detail_and_changes(browser, results):
    tab, errors = open_page(browser, results)
    assert tab.text_content("[data-count='000/fast/refuted']") == "1"
    assert tab.text_content("[data-count='001/fast/refuted']") == "1"
    assert tab.text_content("[data-count='001/full/skipped']") == "1"
    tab.select_option("#filter-verdict", "refuted")
    assert sorted(shown(tab)) == ["a-fast", "b-fast"]
    tab.select_option("#filter-verdict", "")
    tab.select_option("#filter-changed", "yes")
    assert shown(tab) == ["a-fast"]
    assert "flipped since the previous run: reproduced -> refuted" in tab.text_content("#changes")
    tab.select_option("#filter-changed", "")
    tab.click("tr[data-claim='a']")
    assert tab.eval_on_selector_all("#history tr td:nth-child(3)", "cells => cells.map(c => c.textContent)") == [
        "reproduced", "refuted"]
    tab.click("tr[data-claim='c']")
    tab.wait_for_function("document.getElementById('plot') && document.getElementById('plot').complete")
    assert tab.eval_on_selector("#plot", "img => img.naturalWidth") > 0
    assert errors == []


@pytest.mark.skipif(not (COMMITTED / "index.html").exists(), reason="no committed results page")
def test_committed_page_counts_equal_the_scoreboards(browser):
    tab, errors = open_page(browser, COMMITTED)
    boards = {b.label: scoreboard.read(b, COMMITTED) for b in report.BOARDS}
    checked = 0
    for tier, board in boards.items():
        for doc in {e["document"] for e in board["claims"].values()}:
            for verdict in report.VERDICTS:
                want = sum(e["document"] == doc and e["verdict"] == verdict for e in board["claims"].values())
                assert tab.text_content(f"[data-count='{doc}/{tier}/{verdict}']") == str(want), (doc, tier, verdict)
                checked += 1
    tab.select_option("#filter-verdict", "refuted")
    refuted = sorted(f"{e['id']}-{t}" for t, b in boards.items() for e in b["claims"].values() if e["verdict"] == "refuted")
    assert sorted(shown(tab)) == refuted
    assert checked > 0 and errors == []


def test_forest_rows_link_to_their_claims(browser, results):
    tab, errors = open_page(browser, results)
    options = tab.eval_on_selector_all("#forest-select option", "os => os.map(o => o.value)")
    assert options == ["000 fast", "001 fast", "001 full"]
    tab.select_option("#forest-select", "001 full")
    links = tab.eval_on_selector_all("#forest svg a", "as => as.map(a => a.getAttribute('xlink:href'))")
    assert links == ["#c"]  # c is judged; d was skipped
    tab.click("#forest svg a")
    assert tab.text_content("#detail h3") == "c (full)"
    assert errors == []


@pytest.mark.skipif(not (COMMITTED / "index.html").exists(), reason="no committed results page")
def test_committed_forest_shows_one_row_per_judged_threshold_part(browser):
    import re
    tab, errors = open_page(browser, COMMITTED)
    board = scoreboard.read(report.Board("tensorflow", "full"), COMMITTED)
    # Counted from the rule strings: each ">= ", "<= " or "in [" that starts a part of a judged claim's rule.
    want = sorted(e["id"] for e in board["claims"].values()
                  if e["document"] == "001" and e["verdict"] in ("reproduced", "refuted", "inconclusive")
                  for _ in re.findall(r"(?:^|; )(?:\S+ )?(?:>=|<=|in \[)", e["rule"]))
    tab.select_option("#forest-select", "001 full")
    links = tab.eval_on_selector_all("#forest svg a", "as => as.map(a => a.getAttribute('xlink:href'))")
    assert want and sorted(links) == [f"#{cid}" for cid in want]
    assert errors == []
