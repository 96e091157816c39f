"""harness/views/forest.py: the rule-string parser, the signed distances to the thresholds, the
rows of the committed full scoreboard, and the PNGs and SVGs that write() makes."""
import json
import math
import re
import shutil

import pytest

from harness.views import forest
from harness.engine.claim import (
    INCONCLUSIVE,
    REFUTED,
    REPRODUCED,
    All,
    AtLeast,
    AtMost,
    Between,
    Close,
    Exact,
    Excluded,
    RefuteOnly,
    ReproduceOnly,
)
from harness.views.results import Snapshot
from harness.settings import BOARDS, ROOT

COMMITTED = ROOT / "results"
FULL = COMMITTED / "full" / "scoreboard.json"


def kinds(rule) -> list:
    return [(p.name, p.kind, p.bounds, p.budget) for p in forest.parse(str(rule))]


# --- the parser, on the strings harness/engine/claim.py writes ------------------------------

def test_parses_every_single_rule_form():
    assert kinds(AtLeast(0.5)) == [("", ">=", (0.5,), "")]
    assert kinds(AtMost(1e-06)) == [("", "<=", (1e-06,), "")]
    assert kinds(AtMost(-37.9298)) == [("", "<=", (-37.9298,), "")]  # a negative threshold
    assert kinds(AtLeast(1.38e8)) == [("", ">=", (1.38e8,), "")]  # ':g' writes 1.38e+08
    assert kinds(Between(-0.005, 0.005)) == [("", "in", (-0.005, 0.005), "")]
    assert kinds(RefuteOnly(AtMost(0.985))) == [("", "<=", (0.985,), "refute")]
    assert kinds(ReproduceOnly(AtLeast(2))) == [("", ">=", (2.0,), "reproduce")]
    assert kinds(Exact({"a": [1, 2]})) == [("", "exact", (), "")]
    assert kinds(Close([1.0, 2.0], atol=0.1)) == [("", "exact", (), "")]
    assert kinds(Excluded()) == [("", "exact", (), "")]


def test_parses_an_all_rule_with_mixed_parts():
    rule = All({"acc": AtLeast(0.99), "band": Between(0.07, 0.13), "shape": Exact([100, 10]),
                "shrink": ReproduceOnly(AtMost(0.5)), "low": AtMost(-2), "0.5": Exact("darker"),
                "ratio": Close(1.0, atol=0.01), "gain": RefuteOnly(AtLeast(0))})
    assert kinds(rule) == [("acc", ">=", (0.99,), ""), ("band", "in", (0.07, 0.13), ""), ("shape", "exact", (), ""),
                           ("shrink", "<=", (0.5,), "reproduce"), ("low", "<=", (-2.0,), ""),
                           ("0.5", "exact", (), ""), ("ratio", "exact", (), ""), ("gain", ">=", (0.0,), "refute")]
    assert [p.text for p in forest.parse(str(rule))][:2] == [">= 0.99", "in [0.07, 0.13]"]


def test_an_exact_value_holding_a_separator_is_not_split():
    assert kinds(All({"a": Exact("x; y >= 3"), "b": AtLeast(2)})) == [("a", "exact", (), ""), ("b", ">=", (2.0,), "")]
    assert kinds(Exact({"k": "p; q <= 1"})) == [("", "exact", (), "")]


def test_an_unparseable_part_is_marked_and_skipped_and_counted():
    assert [p.kind for p in forest.parse("a >= 1; b ~ 3; c >= nan")] == [">=", "unparsed", "unparsed"]
    assert [p.kind for p in forest.parse("roughly two")] == ["unparsed"]
    assert [p.kind for p in forest.parse("in [2, 1]")] == ["unparsed"]  # an empty band
    entry = {"id": "x", "document": "001", "verdict": REPRODUCED, "rule": "a >= 1; b ~ 3",
             "value": {"a": 2.0, "b": 3.0}, "interval": None, "evidence": "single run"}
    found = forest.rows([entry], "001")
    assert [(r.claim, r.part) for r in found] == [("x", "a")] and found.skipped == 1 and found.claims == 1


def test_a_positive_control_is_not_a_row_of_its_document():
    entries = [{"id": cid, "document": "001", "verdict": REPRODUCED, "rule": ">= 1", "value": 2.0, "interval": None,
                "evidence": "single run", **extra} for cid, extra in (("x", {}), ("k", {"control": "a published run"}))]
    found = forest.rows(entries, "001")
    assert [r.claim for r in found] == ["x"] and found.claims == 1


# --- the signed distances ------------------------------------------------------------

@pytest.mark.parametrize("rule,on", [(AtLeast(0.5), [0.5]), (AtMost(-2), [-2]), (AtLeast(1e9), [1e9]),
                                     (Between(0.07, 0.13), [0.07, 0.13]), (Between(-1, 1), [-1, 1])])
def test_a_point_on_the_threshold_is_zero(rule, on):
    [part] = forest.parse(str(rule))
    assert all(forest.distance(part, x) == 0 for x in on)


def test_positive_is_the_claims_side_in_units_of_the_threshold():
    [at_least] = forest.parse(">= 2")
    [at_most] = forest.parse("<= -4")
    [band] = forest.parse("in [1, 3]")
    assert forest.distance(at_least, 3) == 0.5 and forest.distance(at_least, 1) == -0.5
    assert forest.distance(at_most, -6) == 0.5 and forest.distance(at_most, -2) == -0.5
    assert forest.distance(band, 2) == 0.5 and forest.distance(band, 1.5) == 0.25
    assert forest.distance(band, 0) == -0.5 and forest.distance(band, 4) == -0.5
    assert forest.span(at_most, -7, -5) == (0.25, 0.75)  # ordered
    assert forest.span(band, 1.5, 2.8) == pytest.approx((0.1, 0.5))  # over the band's centre: reaches its peak


@pytest.mark.parametrize("rule", [AtLeast(0.5), AtMost(-2), AtLeast(-3), Between(0.2, 0.6), AtLeast(0)])
def test_the_sign_of_the_span_is_the_rules_verdict(rule):
    [part] = forest.parse(str(rule))
    unit = 1.0 if str(rule).endswith(" 0") else None
    for low in [-4, -2.5, -1, 0, 0.2, 0.3, 0.5, 0.6, 1, 3]:
        for width in [0, 0.05, 0.4, 2, 6]:
            lo, hi = forest.span(part, low, low + width, unit)
            verdict = rule.verdict(low + width / 2, (low, low + width))
            assert (lo >= 0) == (verdict == REPRODUCED), (rule, low, width)
            assert (hi < 0) == (verdict == REFUTED), (rule, low, width)


def test_reproduced_intervals_of_at_least_rules_lie_on_the_positive_side():
    entries = [{"id": f"c{i}", "document": "000", "verdict": REPRODUCED, "rule": f">= {t:g}", "value": x,
                "interval": {"point": x, "low": lo, "high": hi, "confidence": 0.95, "n": 5, "method": "t"},
                "evidence": "interval"}
               for i, (t, lo, x, hi) in enumerate([(0.5, 0.5, 0.6, 0.7), (-3, -2, -1, 0), (1e-6, 2e-6, 3e-6, 4e-6),
                                                    (0, 0.01, 0.02, 0.03)])]
    found = forest.rows(entries, "000")
    assert len(found) == 4 and all(0 <= r.low <= r.point <= r.high for r in found)
    assert found[0].low == 0  # the interval touching its threshold
    assert found[3].unit_from_value and found[3].high == 1.0  # threshold 0: unit = the largest |value|


# --- the committed full scoreboard ------------------------------------------------------

def committed_rows(path, document):
    claims = json.loads(path.read_text())["claims"]
    return claims, forest.rows(claims, document)


@pytest.mark.skipif(not FULL.exists(), reason="no committed full scoreboard")
def test_one_row_per_judged_threshold_part_of_the_committed_full_scoreboard():
    claims, found = committed_rows(FULL, "001")
    judged = [e for e in claims.values() if e["document"] == "001" and e["verdict"] in (REPRODUCED, REFUTED, INCONCLUSIVE)
              and not e.get("control")]  # positive controls are not rows of their document
    # Counted apart from the parser: each ">= ", "<= " or "in [" that starts a rule part.
    expected = [(e["id"], name or "") for e in judged
                for name in re.findall(r"(?:^|; )(?:(\S+) )?(?:>=|<=|in \[)", e["rule"])]
    assert expected and [(r.claim, r.part) for r in found] == sorted(expected, key=lambda x: x[0])
    assert found.claims == len({cid for cid, _ in expected})
    assert found.exact == sum(not re.search(r"(?:>=|<=|in \[)", e["rule"]) for e in judged)
    assert found.skipped == 0


@pytest.mark.parametrize("board", [b for b in BOARDS if (COMMITTED / b.label / "scoreboard.json").exists()],
                         ids=lambda b: b.label)
def test_every_committed_row_is_on_the_side_its_verdict_says(board):
    """Single-part rules without a budget suffix: reproduced wholly >= 0, refuted wholly < 0,
    inconclusive straddling 0 (as the rule judged the same interval)."""
    claims = json.loads((COMMITTED / board.label / "scoreboard.json").read_text())["claims"]
    for document in {e["document"] for e in claims.values()}:
        for r in forest.rows(claims, document):
            entry = claims[r.claim]
            if r.part or "budget" in entry["rule"]:
                continue
            low, high = (r.low, r.high) if r.low is not None else (r.point, r.point)
            if r.verdict == REPRODUCED:
                assert low >= 0, r
            elif r.verdict == REFUTED:
                assert high < 0, r
            else:
                assert low < 0 <= high, r


# --- the figure and write() -----------------------------------------------------------

def test_figure_has_one_linked_label_per_row_and_clips_far_values():
    entries = [{"id": "far", "document": "001", "verdict": REFUTED, "rule": ">= 1e-06", "value": -0.001,
                "interval": {"point": -0.001, "low": -0.002, "high": -0.0005}, "evidence": "interval"},
               {"id": "near", "document": "001", "verdict": INCONCLUSIVE, "rule": "a <= 1; b == 3",
                "value": {"a": 1.0, "b": 3}, "interval": None, "evidence": "single run"},
               {"id": "flat", "document": "001", "verdict": REPRODUCED, "rule": "== 3", "value": 3}]
    found = forest.rows(entries, "001")
    assert [r.label for r in found] == ["far", "near a"] and found.exact == 1
    fig = forest.figure(found, forest.title(found, "001", "full"))
    [ax] = fig.axes
    assert [t.get_url() for t in ax.get_yticklabels()] == ["#far", "#near"]
    assert ax.get_title(loc="left") == "001 · full: 2 judged claims (2 rows) + 1 exact claims not drawn"
    assert ax.get_xlim()[0] > -forest.CLIP - 1  # the -1000 units are clipped
    svg = forest.svg_text(fig)
    assert svg.startswith("<svg") and 'href="#far"' in svg and 'href="#near"' in svg and "-1e+03" in svg


@pytest.mark.skipif(not FULL.exists(), reason="no committed full scoreboard")
def test_write_saves_pngs_and_returns_svgs_with_claim_links(tmp_path, run_settings):
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    shutil.copytree(COMMITTED / "full", tmp_path / "full", ignore=shutil.ignore_patterns("*.png"))
    (tmp_path / "full" / "forest-999.png").write_bytes(b"stale")
    incomplete = json.loads(FULL.read_text())
    incomplete["tier"], incomplete["run"]["complete"] = "fast", False
    (tmp_path / "fast").mkdir()
    (tmp_path / "fast" / "scoreboard.json").write_text(json.dumps(incomplete))
    svgs = forest.write(Snapshot.load(tmp_path))
    claims = json.loads(FULL.read_text())["claims"]
    documents = sorted(d for d in {e["document"] for e in claims.values()} if forest.rows(claims, d))
    assert sorted(svgs) == [("full", d) for d in documents]  # not the incomplete board
    assert sorted(p.name for p in (tmp_path / "full").glob("forest-*.png")) == [f"forest-{d}.png" for d in documents]
    assert not list((tmp_path / "fast").glob("forest-*.png"))
    for (_, document), svg in svgs.items():
        assert (tmp_path / "full" / f"forest-{document}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        found = forest.rows(claims, document)
        links = re.findall(r'<a xlink:href="#([^"]+)"', svg)
        assert links == [r.claim for r in found]
        assert len(svg) < 80_000, (document, len(svg))
    assert all(math.isfinite(r.point) or abs(r.point) == math.inf for r in forest.rows(claims, "001"))


def test_a_forest_is_drawn_again_only_when_its_rows_or_title_change_and_survives_publishing(tmp_path, run_settings,
                                                                                          monkeypatch):
    from harness.engine import scoreboard
    from harness.settings import Board
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    entries = [{"id": cid, "document": "001", "verdict": "reproduced", "rule": ">= 0.5", "value": value,
                "evidence": "single run", "tier": "fast", "config": {}} for cid, value in (("a", 0.7), ("b", 0.9))]
    run = {"id": "r", "commit": "abc", "dirty": [], "complete": True, "started": "2026-01-01T00:00:00+00:00",
           "finished": "2026-01-01T00:01:00+00:00", "args": []}
    scoreboard.publish(Board("tensorflow", "fast"), entries, run, {}, tmp_path / "fast")
    first = forest.write(Snapshot.load(tmp_path))
    files = {p.name: p.read_bytes() for p in (tmp_path / "fast").glob("forest-*")}
    assert sorted(files) == ["forest-001.png", "forest-001.svg"]
    figure = forest.figure
    monkeypatch.setattr(forest, "figure", lambda *a: pytest.fail("drawn again"))
    scoreboard.publish(Board("tensorflow", "fast"), entries, {**run, "id": "r2"}, {}, tmp_path / "fast")
    assert forest.write(Snapshot.load(tmp_path)) == first
    assert {p.name: p.read_bytes() for p in (tmp_path / "fast").glob("forest-*")} == files
    monkeypatch.setattr(forest, "figure", figure)
    entries[0]["value"] = 0.4
    entries[0]["verdict"] = "refuted"
    scoreboard.publish(Board("tensorflow", "fast"), entries, {**run, "id": "r3"}, {}, tmp_path / "fast")
    moved = forest.write(Snapshot.load(tmp_path))
    assert moved != first and (tmp_path / "fast" / "forest-001.png").read_bytes() != files["forest-001.png"]
