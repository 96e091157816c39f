"""results/index.html in a real browser (Playwright driving the system's Chromium), from a
file URL: no console errors; the first screen (1280x800) shows what changed and the counts;
a deep link opens its claim, with readable details, its plot and its history; search and
filters show the counts the scoreboards give; positive controls and power are shown apart;
the forest plot has one row per judged claim of the selected document and board.

Needs the ``test`` extra (``pip install -e '.[test]'``) and a Chromium
(Debian: ``apt-get install chromium``; or set CLAIMS_CHROMIUM to its path)."""
import os
import re
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from harness.engine import scoreboard  # noqa: E402
from harness.kit import style  # noqa: E402
from harness.views import history, report  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra is not installed")
CHROMIUM = os.environ.get("CLAIMS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no Chromium on this machine (apt-get install chromium)")
COMMITTED = scoreboard.ROOT / "results"
committed_page = pytest.mark.skipif(not (COMMITTED / "index.html").exists(), reason="no committed results page")


def entry(cid, tier, verdict, doc="001", **fields):
    return {"id": cid, "tier": tier, "document": doc, "verdict": verdict, "value": 1.0, "interval": None,
            "citation": f"{doc} §1, line 1", "quote": f"quote of {cid}", "rule": ">= 1", "reason": "r", "port": "",
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


def open_page(browser, root: Path, claim: str = ""):
    tab = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((root / "index.html").as_uri() + (f"#{claim}" if claim else ""))
    return tab, errors


def shown(tab) -> list:
    return tab.eval_on_selector_all("tr.claim:not([hidden])", "rows => rows.map(r => r.dataset.claim)")


def cells(tab, selector) -> list:
    return tab.eval_on_selector_all(selector, "cells => cells.map(c => c.textContent)")


def detail(tab, claim):
    """Wait for ``claim``'s details to be open and loaded."""
    return tab.wait_for_selector(f"tr.detail[data-claim='{claim}'] .board-detail")


@pytest.fixture
def results(tmp_path, run_settings):
    """Two runs of a fast tier (a flips between them, b has a post-hoc mark, e is inconclusive
    with its power piloted) and a full tier with a plot, a skip and a positive control."""
    write_board(tmp_path, "fast", "run1", [entry("a", "fast", "reproduced"), entry("b", "fast", "refuted")])
    write_board(tmp_path, "fast", "run2", [
        entry("a", "fast", "refuted", doc="000"), entry("b", "fast", "refuted", post_hoc="threshold moved after run1"),
        entry("e", "fast", "inconclusive", power={"probability": 0.42, "pilot": "pilot run p1"})])
    figure, axes = plt.subplots(figsize=(2, 1.5))
    axes.plot([0, 1], [0, 1])
    (tmp_path / "full").mkdir(parents=True, exist_ok=True)
    style.save_png(figure, tmp_path / "full" / "c.png", style.DPI)
    plt.close(figure)
    interval = {"point": 1.0, "low": 0.5, "high": 1.5, "confidence": 0.95, "method": "Student t", "n": 3}
    write_board(tmp_path, "full", "run3", [
        entry("c", "full", "inconclusive", plot="full/c.png", interval=interval, samples=[0.5, 1.0, 1.5], seeds=[0, 1, 2]),
        entry("d", "full", "skipped", message="dataset absent"),
        entry("k", "full", "reproduced", control="Srivastava et al. 2014, table 2")])
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    report.write(report.Snapshot.load(tmp_path))
    return tmp_path


def test_the_first_screen_shows_the_changes_and_the_counts(browser, results):
    tab, errors = open_page(browser, results)
    changes = tab.text_content("#changes")
    assert "Flipped since the previous run (1)" in changes and "a fast: reproduced -> refuted" in changes
    assert "New since the previous run (1)" in changes and "Post-hoc marks" in changes
    assert "threshold moved after run1" in changes
    for selector in ("#changes h3", "#counts [data-count='001/fast/refuted']"):
        box = tab.locator(selector).first.bounding_box()
        assert box and box["y"] + box["height"] <= 800, selector
    assert tab.text_content("[data-count='000/fast/refuted']") == "1"
    assert tab.text_content("[data-count='001/fast/refuted']") == "1"
    assert tab.text_content("[data-count='001/full/skipped']") == "1"
    # The positive control is counted apart from its document.
    assert tab.text_content("[data-count='001/full/reproduced']") == "0"
    assert tab.text_content("[data-count='controls/full/reproduced']") == "1"
    assert cells(tab, "#controls tr.claim") and shown(tab)[-1] == "k"
    assert errors == []


def test_a_deep_link_opens_its_claim_with_readable_details(browser, results):
    tab, errors = open_page(browser, results, "c")
    detail(tab, "c")
    assert tab.get_attribute("tr.claim[data-claim='c']", "aria-expanded") == "true"
    text = tab.text_content("tr.detail[data-claim='c']")
    assert "quote of c" in text and "power not piloted" in text and "Student t" in text and "seed 2" in text
    assert "{" not in text  # tables, not JSON
    tab.wait_for_function("document.querySelector('tr.detail img.plot').complete")
    assert tab.eval_on_selector("tr.detail img.plot", "img => img.naturalWidth") > 0
    assert tab.get_attribute("tr.detail img.plot", "loading") == "lazy"
    # A row opens with Enter too; its history has a sparkline and a table.
    tab.focus("tr.claim[data-claim='a']")
    tab.keyboard.press("Enter")
    detail(tab, "a")
    assert cells(tab, "tr.detail[data-claim='a'] .history tr td:nth-child(3)") == ["reproduced", "refuted"]
    assert tab.locator("tr.detail[data-claim='a'] svg.spark circle").count() == 2
    assert "power 0.42 (pilot: pilot run p1)" in tab.text_content("tr.claim[data-claim='e']")
    assert errors == []


def test_search_and_filters(browser, results):
    tab, errors = open_page(browser, results)
    tab.select_option("#filter-verdict", "refuted")
    assert sorted(shown(tab)) == ["a", "b"] and tab.text_content("#shown-results") == "2"
    tab.select_option("#filter-verdict", "")
    tab.select_option("#filter-changed", "yes")
    assert shown(tab) == ["a", "e"]  # a flipped, e is new since the previous run
    tab.select_option("#filter-changed", "")
    tab.keyboard.press("/")
    tab.keyboard.type("quote of d")
    assert shown(tab) == ["d"]
    assert errors == []


def test_forest_rows_link_to_their_claims(browser, results):
    tab, errors = open_page(browser, results)
    options = tab.eval_on_selector_all("#forest-select option", "os => os.map(o => o.value)")
    assert options == ["000 fast", "001 fast", "001 full"]
    tab.select_option("#forest-select", "001 full")
    tab.wait_for_selector("#forest[data-board='full'] svg a")
    links = tab.eval_on_selector_all("#forest svg a", "as => as.map(a => a.getAttribute('xlink:href'))")
    assert links == ["#c"]  # c is judged; d was skipped; k is a positive control
    tab.click("#forest svg a")
    detail(tab, "c")
    assert errors == []


def committed_boards() -> dict:
    return {b.label: scoreboard.read(b, COMMITTED) for b in report.BOARDS if scoreboard.read(b, COMMITTED)["claims"]}


@committed_page
def test_committed_page_counts_and_filters_equal_the_scoreboards(browser):
    tab, errors = open_page(browser, COMMITTED)
    boards = committed_boards()
    for label, board in boards.items():
        claims = board["claims"].values()
        for doc in {e["document"] for e in claims}:
            for verdict in report.VERDICTS:
                want = sum(e["document"] == doc and e["verdict"] == verdict and not e.get("control") for e in claims)
                assert tab.text_content(f"[data-count='{doc}/{label}/{verdict}']") == str(want), (doc, label, verdict)
    for label, board in boards.items():
        b = report.Board.parse(label)
        tab.select_option("#filter-tier", b.tier)
        tab.select_option("#filter-backend", b.backend)
        for verdict in ("refuted", "inconclusive"):
            tab.select_option("#filter-verdict", verdict)
            want = sorted(e["id"] for e in board["claims"].values() if e["verdict"] == verdict)
            assert sorted(shown(tab)) == want and tab.text_content("#shown-results") == str(len(want)), (label, verdict)
    tab.select_option("#filter-tier", "")
    tab.select_option("#filter-backend", "")
    tab.select_option("#filter-verdict", "refuted")
    tab.fill("#search", "dropout")
    found = [e for board in boards.values() for e in board["claims"].values() if e["verdict"] == "refuted"
             and "dropout" in f"{e['id']} {e['quote']} {e['citation']} {e.get('control') or ''}".lower()]
    assert sorted(shown(tab)) == sorted({e["id"] for e in found})
    assert tab.text_content("#shown-results") == str(len(found))
    assert errors == []


@committed_page
def test_committed_deep_link_opens_its_claim(browser):
    boards = committed_boards()
    cid = next(e["id"] for e in boards["fast"]["claims"].values() if e.get("plot") and e.get("samples"))
    tab, errors = open_page(browser, COMMITTED, cid)
    detail(tab, cid)
    row = tab.locator(f"tr.claim[data-claim='{cid}']").bounding_box()
    assert row and 0 <= row["y"] < 800
    sections = tab.eval_on_selector_all(f"tr.detail[data-claim='{cid}'] .board-detail", "ds => ds.map(d => d.dataset.board)")
    assert sections == [label for label, board in boards.items() if cid in board["claims"]]
    assert errors == []


@committed_page
def test_committed_forest_shows_one_row_per_judged_threshold_part(browser):
    tab, errors = open_page(browser, COMMITTED)
    board = scoreboard.read(report.Board("tensorflow", "full"), COMMITTED)
    # Counted from the rule strings: each ">= ", "<= " or "in [" that starts a part of a judged claim's rule.
    want = sorted(e["id"] for e in board["claims"].values()
                  if e["document"] == "001" and e["verdict"] in ("reproduced", "refuted", "inconclusive")
                  and not e.get("control")  # positive controls are not rows of their document
                  for _ in re.findall(r"(?:^|; )(?:\S+ )?(?:>=|<=|in \[)", e["rule"]))
    tab.select_option("#forest-select", "001 full")
    tab.wait_for_selector("#forest[data-board='full'][data-document='001'] svg a")
    links = tab.eval_on_selector_all("#forest svg a", "as => as.map(a => a.getAttribute('xlink:href'))")
    assert want and sorted(links) == [f"#{cid}" for cid in want]
    assert errors == []
