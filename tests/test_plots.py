"""harness/kit/plots.py: every plot kind's spec survives JSON and draws; every committed plot
is drawn again from its scoreboard entry alone and carries its rule's thresholds and its verdict."""
import json

import numpy as np
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from PIL import Image

from harness.engine import scoreboard
from harness.kit import plots
from harness.kit.style import VERDICT_COLOURS
from harness.settings import BOARDS, ROOT, Board
from harness.views import forest, report

COMMITTED = ROOT / "results"
RNG = np.random.default_rng(0)

SPECS = {
    "curves": lambda: plots.curves({"a": [[1.0, 0.5, 0.25], [1.0, 0.6]], "b": [[2.0, float("nan"), 1.0]]},
                                   ylabel="loss", title="two curves", hline=(0.5, "half"), log=True),
    "curves_marked": lambda: plots.curves_marked({"a": [[1, 2, 3]]}, {"peak": [(3, 3)]}, ylabel="accuracy",
                                                 title="marked"),
    "points": lambda: plots.points({"x": np.array([0.1, 0.2]), "y": [0.3]}, ylabel="value", title="points",
                                   hline=(0.25, "document")),
    "reliability": lambda: plots.reliability(
        {"model": {"edges": np.linspace(0, 1, 4), "confidence": np.array([0.2, 0.5, 0.9]),
                   "accuracy": np.array([0.1, 0.5, 0.8]), "count": np.array([0, 4, 9])}}, title="calibration"),
    "vectors": lambda: plots.vectors({"g": (0.009, 0.99996), "clipped": np.array([0.9, 1.0])}, title="vectors"),
    "per_layer_panels": lambda: plots.per_layer_panels(
        {"std": {"a": RNG.random((3, 5))}, "mean": {"a": RNG.random((3, 5)), "b": RNG.random(5)}},
        title="per layer", log=[True, False], hlines=[(1e-3, "floor")]),
    "seeds_and_curves": lambda: plots.seeds_and_curves({0: 0.99, 1: 0.98}, {0: [0.5, 0.9], 1: [0.4, 0.95]},
                                                       ylabel="test accuracy", curve_ylabel="training accuracy",
                                                       title="seeds", hline=(0.99, "99%")),
    "histogram": lambda: plots.histogram({"angle": RNG.uniform(-60, 60, 10_000)}, xlabel="degrees",
                                         title="histogram", bins=20, band=(-60, 60)),
    "checkpoints": lambda: plots.checkpoints({"seed 0": [(1.0, 0.9), (2.5, 0.99)]}, target=0.99,
                                             title="race"),
}

ENTRY = {"id": "c", "verdict": "refuted", "rule": "a >= 0.5; b in [1, 2]; shape == [3]", "evidence": "interval",
         "value": {"a": 0.3, "b": 1.5, "shape": [3]},
         "interval": {"a": {"point": 0.3, "low": 0.2, "high": 0.4, "confidence": 0.975, "method": "Student t"},
                      "b": {"point": 1.5, "low": 1.2, "high": 1.8, "confidence": 0.975, "method": "Student t"}},
         "samples": {"a": [0.25, 0.3, 0.35], "b": [1.3, 1.5, 1.7]}, "seeds": [0, 1, 2], "document_value": "half"}


def thresholds_drawn(fig) -> list:
    """The x positions of the figure's threshold lines."""
    return sorted(line.get_xdata()[0] for ax in fig.axes for line in ax.get_lines() if line.get_gid() == "threshold")


def texts(fig) -> list:
    return [t for t in fig.findobj(Text) if t.get_text()]


def carries_verdict(fig, verdict: str) -> bool:
    """Some text of the figure names the verdict, in the verdict's colour."""
    return any(t.get_text().startswith(verdict) and t.get_color() == VERDICT_COLOURS[verdict] for t in texts(fig))


# --- specs: JSON round trip and drawing ----------------------------------------------------

@pytest.mark.parametrize("kind", SPECS)
def test_each_kind_is_a_small_json_spec_that_draws_the_same_after_a_round_trip(kind, tmp_path):
    spec = SPECS[kind]()
    assert spec["kind"] == kind
    text = json.dumps(spec, allow_nan=False)  # plain JSON: numbers, lists, strings
    assert json.loads(text) == spec
    entry = {**ENTRY, "figure": json.loads(text)}
    fig = plots.draw(entry)
    claim_axes = len(fig.axes) - len(plots.drawn_parts(entry))
    assert claim_axes == {"per_layer_panels": 2, "seeds_and_curves": 2}.get(kind, 1)
    assert any(t.get_text().startswith(spec["title"]) for t in texts(fig))  # the claim's title, unwrapped here
    plots.plt.close(fig)
    plots.save(entry, tmp_path / "c.png")
    with Image.open(tmp_path / "c.png") as png:
        assert png.size[0] >= 6 * 80 and png.text["Verdict"] == "refuted"


def test_a_histogram_keeps_edges_and_counts_not_samples():
    spec = SPECS["histogram"]()
    [h] = spec["histograms"].values()
    assert len(h["edges"]) == 21 and len(h["counts"]) == 20 and sum(h["counts"]) == 10_000
    assert len(json.dumps(spec)) < 1000


def test_numbers_are_rounded_and_non_finite_ones_are_null():
    spec = plots.curves({"a": [[1 / 3, float("inf"), np.float32(2.5)]]}, ylabel="y", title="t")
    assert spec["series"] == {"a": [[0.3333, None, 2.5]]}


def test_a_long_title_is_wrapped_to_the_figure_width():
    title = "bins pool the seeds; " * 12
    fig = plots.draw({**ENTRY, "figure": plots.reliability({}, title=title)})
    [suptitle] = [t for t in texts(fig) if t.get_text().startswith("bins pool")]
    assert suptitle.get_text().count("\n") >= 2
    fig.canvas.draw()
    box = suptitle.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width  # not cut at either end


# --- the judged panel ------------------------------------------------------------------------

def test_the_judged_panel_has_a_strip_per_threshold_part_with_interval_seeds_and_verdict():
    fig = plots.draw(ENTRY)
    assert len(fig.axes) == 2  # a and b; the exact part is written below
    assert thresholds_drawn(fig) == [0.5, 1.0, 2.0]
    assert carries_verdict(fig, "refuted")
    strip = fig.axes[0]
    assert strip.get_title(loc="left") == "a: >= 0.5 · measured 0.3 [0.2, 0.4], 97.5% Student t"
    seeds = [c for c in strip.collections if c.get_label() == "per seed"]
    assert sorted(seeds[0].get_offsets()[:, 0]) == [0.25, 0.3, 0.35]
    notes = fig.axes[-1].get_xlabel()
    assert "shape == [3]: measured [3] (exact)" in notes and "document: half" in notes


def test_a_single_run_is_hollow_and_a_numeric_document_value_is_drawn():
    entry = {"id": "s", "verdict": "reproduced", "rule": ">= 0.99", "evidence": "single run", "value": 0.992,
             "interval": None, "samples": [0.992, 0.993], "document_value": "0.99"}
    fig = plots.draw(entry)
    [ax] = fig.axes
    labels = {c.get_label() for c in ax.collections}
    assert {"single run", "document", "per seed"} <= labels and "interval" not in labels
    assert any("single run" in t.get_text() for t in texts(fig))


def test_an_exact_claim_is_its_verdict_and_values_without_axes():
    fig = plots.draw({"id": "e", "verdict": "reproduced", "rule": "== 0", "evidence": "exact", "value": 0})
    assert fig.axes == [] and carries_verdict(fig, "reproduced")
    assert any("exact" in t.get_text() for t in texts(fig))


def test_the_png_metadata_holds_verdict_rule_judgement_and_thresholds(tmp_path):
    plots.save(ENTRY, tmp_path / "c.png")
    with Image.open(tmp_path / "c.png") as png:
        assert (png.text["Verdict"], png.text["Rule"]) == ("refuted", ENTRY["rule"])
        assert png.text["Judgement"] == plots.judgement_line(ENTRY)
        assert json.loads(png.text["Thresholds"]) == [["a", ">=", 0.5], ["b", "in", 1, 2]]


# --- every committed plot, from its entry alone ------------------------------------------

def committed_plots() -> list:
    found = []
    for board in BOARDS:
        path = COMMITTED / board.label / "scoreboard.json"
        if path.exists():
            found += [pytest.param(e, id=f"{board.label}/{cid}")
                      for cid, e in json.loads(path.read_text())["claims"].items() if e.get("plot")]
    return found


@pytest.mark.parametrize("entry", committed_plots())
def test_every_committed_plot_is_drawn_from_its_entry_with_its_thresholds_and_verdict(entry):
    fig = plots.draw(json.loads(json.dumps(entry)))
    assert carries_verdict(fig, entry["verdict"])
    drawn = plots.drawn_parts(entry)
    assert thresholds_drawn(fig) == sorted(t for p in drawn for t in p.bounds)
    written = " ".join(t.get_text() for t in texts(fig))
    for part in forest.parse(entry["rule"]):  # every part is drawn as a strip or written
        assert part in drawn or part.text in written
    plots.plt.close(fig)


def test_redraw_draws_plots_with_a_spec_again_and_the_others_only_when_asked(tmp_path, run_settings, capsys):
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    run = {"id": "r1", "commit": "abc", "dirty": [], "started": "2026-01-01T00:00:00+00:00",
           "finished": "2026-01-01T00:01:00+00:00", "complete": True, "args": []}
    entries = [{**ENTRY, "id": "new", "tier": "full", "document": "001", "config": {}, "plot": "full/new.png",
                "figure": SPECS["points"]()},
               {**ENTRY, "id": "old", "tier": "full", "document": "001", "config": {}, "plot": "full/old.png"}]
    scoreboard.publish(Board("tensorflow", "full"), entries, run, {"device": "CPU"}, tmp_path / "full")
    for name in ("new.png", "old.png"):
        (tmp_path / "full" / name).write_bytes(b"committed")
    assert report.main(["--results", str(tmp_path), "--redraw"]) == 0
    assert "1 plots drawn again" in capsys.readouterr().out
    assert (tmp_path / "full" / "old.png").read_bytes() == b"committed"  # kept: its curves are not in the entry
    with Image.open(tmp_path / "full" / "new.png") as png:
        assert png.text["Verdict"] == "refuted"
    assert report.main(["--results", str(tmp_path), "--redraw-all"]) == 0
    with Image.open(tmp_path / "full" / "old.png") as png:  # the judged panel alone
        assert png.text["Verdict"] == "refuted"
    assert (tmp_path / "README.md").exists() and (tmp_path / "index.html").exists()


def test_save_png_draws_the_laid_out_figure_once_and_keeps_its_layout(tmp_path):
    """style.save_png renders the figure as savefig does at that dpi (the same pixels, laid out by
    constrained layout, then 64 colours), and leaves the layout in place for a later SVG."""
    import io

    from harness.kit import style
    entry = {**ENTRY, "figure": SPECS["curves"]()}
    reference = plots.draw(entry)
    buffer = io.BytesIO()
    reference.savefig(buffer, format="png", dpi=style.DPI)
    plots.plt.close(reference)
    fig = plots.draw(entry)
    style.save_png(fig, tmp_path / "c.png", style.DPI)
    with Image.open(buffer) as want, Image.open(tmp_path / "c.png") as got:
        assert got.size == want.size == (round(fig.get_figwidth() * style.DPI), round(fig.get_figheight() * style.DPI))
        assert len(got.getcolors(256)) <= 64
        quantized = want.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).convert("RGB")
        assert np.array_equal(np.asarray(got.convert("RGB")), np.asarray(quantized))
    positions = [ax.get_position().bounds for ax in fig.axes]
    fig.savefig(io.StringIO(), format="svg")
    assert [ax.get_position().bounds for ax in fig.axes] == positions
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)  # an inert placeholder
    plots.plt.close(fig)


# --- a plot is a function of its key: the published one is copied when a run would draw it again ---

def test_a_plot_holds_its_key_and_drawing_it_again_writes_the_same_bytes(tmp_path):
    from harness.kit import style
    entry = {**ENTRY, "figure": SPECS["curves"]()}
    plots.save(entry, tmp_path / "a.png")
    plots.save({**entry, "seconds": 1.5, "started": "later", "message": "other"}, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()  # the cache's premise
    assert style.drawn_from(tmp_path / "a.png") == style.key(plots.plotted(entry), plots, plots.judged)
    assert style.drawn_from(tmp_path / "missing.png") is None
    (tmp_path / "text.png").write_text("not a png")
    assert style.drawn_from(tmp_path / "text.png") is None


def test_the_key_changes_with_every_plotted_field_and_the_drawing_code_only(tmp_path):
    from harness.kit import style
    entry = {**ENTRY, "figure": SPECS["points"](), "measured_seeds": [0, 1, 2], "seconds": 2.0}
    key = style.key(plots.plotted(entry), plots, plots.judged)
    for field in plots.PLOTTED:
        moved = style.key(plots.plotted({**entry, field: "moved"}), plots, plots.judged)
        assert moved != key, field
    for field in ("seconds", "started", "config", "nodeid", "plot"):
        assert style.key(plots.plotted({**entry, field: "moved"}), plots, plots.judged) == key, field
    code = tmp_path / "code.py"
    code.write_text("A = 1\n")
    module = type("Module", (), {"__file__": str(code)})
    before = style.key(plots.plotted(entry), module)
    code.write_text("A = 2\n")
    assert style.key(plots.plotted(entry), module) != before


def test_a_published_plot_with_the_same_key_is_copied_and_any_other_is_drawn(tmp_path, monkeypatch):
    entry = {**ENTRY, "figure": SPECS["curves"]()}
    published = tmp_path / "published.png"
    plots.save(entry, published)
    draw = plots.draw
    monkeypatch.setattr(plots, "draw", lambda entry: pytest.fail("drawn again"))
    plots.save({**entry, "seconds": 9.0}, tmp_path / "copied.png", published)
    assert (tmp_path / "copied.png").read_bytes() == published.read_bytes()
    monkeypatch.setattr(plots, "draw", draw)
    moved = {**entry, "verdict": "reproduced"}
    plots.save(moved, tmp_path / "moved.png", published)
    plots.save(moved, tmp_path / "fresh.png")
    assert (tmp_path / "moved.png").read_bytes() == (tmp_path / "fresh.png").read_bytes() != published.read_bytes()
    (tmp_path / "edited.png").write_bytes(b"edited by hand")
    plots.save(entry, tmp_path / "redrawn.png", tmp_path / "edited.png")
    assert (tmp_path / "redrawn.png").read_bytes() == published.read_bytes()


def test_a_users_matplotlib_settings_do_not_change_a_plot(tmp_path):
    import matplotlib
    entry = {**ENTRY, "figure": SPECS["curves"]()}
    plots.save(entry, tmp_path / "defaults.png")
    with matplotlib.rc_context({"font.size": 20, "lines.linewidth": 6, "axes.facecolor": "black",
                                "text.hinting": "none", "axes.grid": False}):
        plots.save(entry, tmp_path / "user.png")
    assert (tmp_path / "user.png").read_bytes() == (tmp_path / "defaults.png").read_bytes()
