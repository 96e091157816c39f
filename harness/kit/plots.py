"""Every claim's plot, as data, and its drawing with matplotlib's Agg backend (no screen needed).

A measuring function calls one of the kinds below (``curves``, ``points``, ...) and hands the
answer to ``Measured(figure=...)``. The answer is a *spec*: {"kind": ..., the arguments as
plain JSON}, numbers to 4 significant digits, a histogram as its bin edges and counts. The
``judge`` fixture keeps it in the scoreboard entry (``entry["figure"]``) and saves
``draw(entry)``: the claim's own panel(s), drawn from the spec, above a "judged" panel drawn
from the entry alone (the rule's thresholds, the interval, the per-seed values, the document's
value, the verdict in its colour), with the judgement in the PNG's text metadata (``save``).
An entry without a spec is drawn as its judged panel alone. So every plot can be drawn again
from the committed scoreboards (``python -m harness.views.report --redraw``), and a run copies
the published PNG instead of drawing it when that PNG holds the key of the same entry fields
(``PLOTTED``), drawing code and renderer (harness/kit/style.py ``key``).
"""
import json
import math
import shutil
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from harness.kit import judged, style  # noqa: E402
from harness.kit.style import VERDICT_COLOURS  # noqa: E402,F401  (importable from here too)

LEGEND_ROW = 0.25  # inches: the height of one row of a legend below a panel
# The entry fields a plot is drawn from (``plotted``); nothing else of the entry reaches ``draw``.
PLOTTED = ("figure", "rule", "verdict", "value", "interval", "samples", "measured_seeds", "seeds", "evidence",
           "document_value")


# --- specs: what a measuring function hands the harness --------------------------------

def _plain(x):
    """Numbers to 4 significant digits (NaN and inf: None), arrays and tuples to lists, keys to str."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(f"{x:.4g}") if math.isfinite(x) else None
    return x


def _spec(kind: str, **arguments) -> dict:
    return {"kind": kind, **_plain(arguments)}


def curves(series: dict, *, ylabel: str, title: str, xlabel: str = "epoch", hline=None, log=False) -> dict:
    """Learning curves. series: {label: list of per-seed curves (may differ in length)};
    drawn as the median over seeds with a min-max band. hline: (y, label) reference line."""
    return _spec("curves", series=series, ylabel=ylabel, title=title, xlabel=xlabel, hline=hline, log=log)


def curves_marked(series: dict, marks: dict, **kwargs) -> dict:
    """``curves`` (same arguments) with points drawn on top. marks: {label: [(x, y), ...]},
    e.g. one event per seed."""
    return {**curves(series, **kwargs), "kind": "curves_marked", "marks": _plain(marks)}


def points(groups: dict, *, ylabel: str, title: str, hline=None) -> dict:
    """One dot per seed for each group, with the group median as a bar.
    groups: {label: list of values}; hline: (y, label)."""
    return _spec("points", groups=groups, ylabel=ylabel, title=title, hline=hline)


def reliability(diagrams: dict, *, title: str) -> dict:
    """Reliability diagram. diagrams: {label: harness.kit.calibration.reliability(...) dict}
    (its bins' mean confidence, accuracy and count are kept)."""
    kept = {label: {k: d[k] for k in ("confidence", "accuracy", "count")} for label, d in diagrams.items()}
    return _spec("reliability", diagrams=kept, title=title)


def vectors(vectors: dict, *, title: str) -> dict:
    """2-D vectors drawn as unit-length arrows from the origin. vectors: {label: (x, y)}."""
    return _spec("vectors", vectors=vectors, title=title)


def per_layer_panels(panels: dict, *, title: str, log=True, xlabel: str = "layer", hlines=()) -> dict:
    """Side-by-side per-layer plots. panels: {ylabel: {label: array (n_seeds, n_layers)}},
    drawn as the median over seeds with a min-max band; log: one bool for all panels or one
    per panel; hlines: [(y, label), ...] reference lines on the first panel."""
    logs = [log] * len(panels) if isinstance(log, bool) else list(log)
    return _spec("per_layer_panels", panels=panels, title=title, logs=logs, xlabel=xlabel, hlines=hlines)


def seeds_and_curves(values: dict, curves: dict, *, ylabel: str, curve_ylabel: str, title: str,
                     hline=None) -> dict:
    """Two panels. Left: one dot per seed, values: {seed: final value}, hline: (y, label).
    Right: one learning curve per seed, curves: {seed: [value per epoch]}."""
    return _spec("seeds_and_curves", values=values, curves=curves, ylabel=ylabel, curve_ylabel=curve_ylabel,
                 title=title, hline=hline)


def histogram(samples: dict, *, xlabel: str, title: str, bins=40, band=None) -> dict:
    """Overlaid histograms, samples: {label: 1-D values}, each kept as its ``bins`` bin edges
    and counts; band: (low, high) shaded (e.g. the range the document states)."""
    counted = {}
    for label, values in samples.items():
        counts, edges = np.histogram(np.asarray(values, float), bins=bins)
        counted[label] = {"edges": edges, "counts": counts}
    return _spec("histogram", histograms=counted, xlabel=xlabel, title=title, band=band)


def checkpoints(runs: dict, *, target: float, title: str) -> dict:
    """Accuracy at checkpoints against training seconds. runs: {label: [(seconds,
    accuracy), ...]}; target: the accuracy line the runs race to."""
    return _spec("checkpoints", runs=runs, target=target, title=title)


# --- drawing a spec into a (sub)figure -------------------------------------------------------

def _array(values) -> np.ndarray:
    return np.asarray(values, float)  # None (a non-finite number in the spec) -> NaN


def _reference(ax, line, axis="h") -> None:
    """A dashed reference line: line = (position, label) or None."""
    if line is not None:
        (ax.axhline if axis == "h" else ax.axvline)(line[0], color=style.REFERENCE, ls="--", lw=1, label=line[1])


def _median_band(ax, x, runs, label, **plot) -> None:
    """The median of ``runs`` (n_runs, len(x)) against x, with a min-max band."""
    line, = ax.plot(x, np.median(runs, axis=0), label=label, **plot)
    if len(runs) > 1:
        ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), alpha=0.2, color=line.get_color())


def _draw_curves(fig, series, ylabel, title, xlabel, hline, log):
    ax = fig.subplots()
    for label, runs in series.items():
        n = min(len(r) for r in runs)
        _median_band(ax, np.arange(1, n + 1), _array([r[:n] for r in runs]), label)
    _reference(ax, hline)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return title


def _draw_curves_marked(fig, marks, **curves_spec):
    title = _draw_curves(fig, **curves_spec)
    ax = fig.axes[0]
    for marker, (label, xy) in zip("ovsD^", marks.items()):
        ax.scatter(*_array(xy).reshape(-1, 2).T, marker=marker, facecolors="none", edgecolors="k", zorder=3,
                   label=label)
    return title


def _draw_points(fig, groups, ylabel, title, hline):
    ax = fig.subplots()
    for i, values in enumerate(groups.values()):
        ax.scatter(np.full(len(values), i), _array(values), zorder=3)
        ax.hlines(np.nanmedian(_array(values)), i - 0.3, i + 0.3, color="k")
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set_xlim(-0.6, len(groups) - 0.4)
    _reference(ax, hline)
    ax.set(ylabel=ylabel)
    return title


def _draw_reliability(fig, diagrams, title):
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=style.REFERENCE, ls="--", lw=1, label="perfect calibration")
    for label, d in diagrams.items():
        filled = _array(d["count"]) > 0
        ax.plot(_array(d["confidence"])[filled], _array(d["accuracy"])[filled], marker="o", ms=4, label=label)
    ax.set(xlabel="confidence (mean of the bin)", ylabel="accuracy (of the bin)", xlim=(0, 1), ylim=(0, 1),
           aspect="equal")
    return title


def _draw_vectors(fig, vectors, title):
    ax = fig.subplots()
    for i, (label, v) in enumerate(vectors.items()):
        v = _array(v)
        u = v / np.linalg.norm(v)
        ax.annotate("", xy=u, xytext=(0, 0), arrowprops=dict(arrowstyle="->", lw=2, color=f"C{i}"))
        ax.text(*(u * 1.05), f"{label}\n{np.array2string(v, precision=4)}", fontsize=style.SMALL_SIZE,
                color=f"C{i}")
    ax.set(xlim=(-0.1, 1.3), ylim=(-0.1, 1.3), xlabel="component 1 (unit length)",
           ylabel="component 2 (unit length)", aspect="equal")
    return title


def _draw_per_layer_panels(fig, panels, title, logs, xlabel, hlines):
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, log, (ylabel, series) in zip(axes, logs, panels.items()):
        for label, values in series.items():
            values = np.atleast_2d(_array(values))
            _median_band(ax, np.arange(1, values.shape[1] + 1), values, label, marker="o", ms=3)
        if log:
            ax.set_yscale("log")
        ax.set(xlabel=xlabel, ylabel=ylabel)
    for (y, label), ls in zip(hlines, ("--", ":", "-.")):
        axes[0].axhline(y, color=style.REFERENCE, ls=ls, lw=1, label=label)
    return title


def _draw_seeds_and_curves(fig, values, curves, ylabel, curve_ylabel, title, hline):
    left, right = fig.subplots(1, 2)
    left.scatter(list(values), _array(list(values.values())), zorder=3)
    _reference(left, hline)
    left.set(xlabel="seed", ylabel=ylabel)
    for seed, curve in curves.items():
        right.plot(np.arange(1, len(curve) + 1), _array(curve), marker=".", label=f"seed {seed}")
    right.set(xlabel="epoch", ylabel=curve_ylabel)
    return title


def _draw_histogram(fig, histograms, xlabel, title, band):
    ax = fig.subplots()
    for label, h in histograms.items():
        ax.stairs(h["counts"], h["edges"], fill=True, alpha=0.6, label=label)
    if band is not None:
        ax.axvspan(*band, color="grey", alpha=0.15, label="stated range")
    ax.set(xlabel=xlabel, ylabel="count (values per bin)")
    return title


def _draw_checkpoints(fig, runs, target, title):
    ax = fig.subplots()
    for label, xy in runs.items():
        ax.plot(*_array(xy).reshape(-1, 2).T, marker="o", label=label)
    _reference(ax, (target, f"target {target:.1%}"))
    ax.set(xlabel="training seconds (evaluation excluded)", ylabel="test accuracy")
    return title


DRAW = {"curves": _draw_curves, "curves_marked": _draw_curves_marked, "points": _draw_points,
        "reliability": _draw_reliability, "vectors": _draw_vectors, "per_layer_panels": _draw_per_layer_panels,
        "seeds_and_curves": _draw_seeds_and_curves, "histogram": _draw_histogram, "checkpoints": _draw_checkpoints}
SQUARE = ("reliability", "vectors")  # kinds drawn with equal axes


def _claim_size(spec: dict) -> tuple:
    """(width, height) in inches of a spec's panels, without title and legend."""
    if spec["kind"] == "per_layer_panels":
        return max(style.PANEL[0], 4.6 * len(spec["panels"])), style.PANEL[1]
    if spec["kind"] == "seeds_and_curves":
        return 2 * style.PANEL[0] * 0.85, style.PANEL[1]
    return style.PANEL[0], 4.2 if spec["kind"] in SQUARE else style.PANEL[1]


def _draw_claim(fig, spec: dict) -> None:
    """The claim's panel(s) from ``spec``, with its wrapped title and its legend below."""
    arguments = {k: v for k, v in spec.items() if k != "kind"}
    style.title(fig, DRAW[spec["kind"]](fig, **arguments))
    style.legend(fig, fig.axes)


# --- the judged panel, from the entry alone --------------------------------------------------

def _number(x):
    """x as a float, if it is a finite number (or a string of one), else None."""
    v = judged.number(x)
    return v if v is not None and math.isfinite(v) else None


def _measured(entry: dict, part) -> tuple:
    """(point, low, high, interval dict) of a rule part; low, high None without an interval,
    -inf or inf for an unbounded end."""
    value, interval = judged.part_data(entry, part)
    if interval:
        low, high = (_number(interval[end]) for end in ("low", "high"))
        return (_number(interval.get("point", value)), -math.inf if low is None else low,
                math.inf if high is None else high, interval)
    return _number(value), None, None, None


def _per_seed(entry: dict, part) -> list:
    """The per-seed values of the judged statistic of ``part``: the entry's samples under the
    part's name, or the samples themselves for a one-part rule; [] if they are something else
    (e.g. the two inputs of a ratio)."""
    samples = entry.get("samples")
    if part.name:
        samples = samples.get(part.name) if isinstance(samples, dict) else None
    if not isinstance(samples, list) or not samples:
        return []
    numbers = [_number(s) for s in samples]
    return numbers if all(n is not None for n in numbers) else []


def drawn_parts(entry: dict) -> list:
    """The rule's threshold parts (harness/views/forest.py ``parse``) whose value is a number:
    one strip each in the judged panel."""
    return [p for p in judged.parse(entry.get("rule", "")) if p.threshold and _measured(entry, p)[0] is not None]


def _evidence(entry: dict) -> str:
    seeds = entry.get("measured_seeds") or entry.get("seeds") or []
    return {"interval": f"interval over {len(seeds)} seeds" if seeds else "interval",
            "single run": "single run: the rule read on one run, no interval",
            "exact": "exact: no interval needed"}.get(entry.get("evidence"), entry.get("evidence") or "not judged")


def _notes(entry: dict, parts: list, width: float) -> str:
    """What the strips do not show, wrapped to ``width`` inches: the other parts of the rule
    (exact ones marked) with their values, and the document's words."""
    lines = []
    for p in judged.parse(entry.get("rule", "")):
        if p not in parts:
            value = judged.part_data(entry, p)[0]
            lines.append(f"{p.name + ' ' if p.name else ''}{p.text}: measured {_short(value)[:120]}"
                         + (" (exact)" if p.kind == judged.EXACT else ""))
    if entry.get("document_value"):
        lines.append(f"document: {entry['document_value']}")
    return "\n".join(style.wrap(line, width, style.SMALL_SIZE) for line in lines)


def _strip(ax, entry: dict, part, document: float | None) -> None:
    """One threshold part: its threshold(s) and the claim's side shaded, the interval (bar and
    point) or the single run (hollow), the per-seed values and the document's value (if a number)."""
    colour = VERDICT_COLOURS.get(entry["verdict"], "k")
    point, low, high, interval = _measured(entry, part)
    seeds = _per_seed(entry, part)
    xs = [v for v in (point, low, high, document, *seeds, *part.bounds) if v is not None and math.isfinite(v)]
    pad = 0.08 * (max(xs) - min(xs)) or 0.1 * max(abs(max(xs)), 1e-12)
    left, right = min(xs) - pad, max(xs) + pad
    side = {">=": (part.bounds[0], right), "<=": (left, part.bounds[0]), "in": part.bounds}[part.kind]
    ax.axvspan(*side, color=style.CLAIM_SIDE, alpha=style.ALPHA_SIDE, lw=0, label="the claim's side")
    for t in part.bounds:
        ax.axvline(t, color=style.REFERENCE, ls="--", lw=1.2, label="threshold", gid="threshold")
    if seeds:
        jitter = 0.08 * np.sin(np.arange(len(seeds)) * 2.4)
        ax.scatter(seeds, -0.35 + jitter, s=14, color="#555555", alpha=0.8, lw=0, label="per seed")
    if interval:
        ax.hlines(0, max(low, left), min(high, right), color=colour, lw=3, label="interval")
        for end, marker in ((low, "<"), (high, ">")):  # an unbounded end: an arrow at the axis' edge
            if math.isinf(end):
                ax.scatter([left if end < 0 else right], [0], marker=marker, s=40, color=colour, clip_on=False)
        ax.scatter([point], [0], s=45, color=colour, zorder=3, label="point")
        summary = f"{point:.4g} [{low:.4g}, {high:.4g}], {interval['confidence']:.1%} {interval.get('method', '')}"
    else:
        ax.scatter([point], [0], s=55, facecolor="white", edgecolor=colour, lw=1.8, zorder=3, label="single run")
        summary = f"{point:.4g} ({entry.get('evidence', 'no interval')})"
    if document is not None:
        ax.scatter([document], [0.35], marker="D", s=30, color="k", label="document")
    budget = f" (this budget can only {part.budget})" if part.budget else ""
    ax.set_title(style.wrap(f"{part.name + ': ' if part.name else ''}{part.text}{budget} · measured {summary}",
                            style.width(ax.figure), style.SMALL_SIZE),
                 loc="left", fontsize=style.SMALL_SIZE)
    ax.set(xlim=(left, right), ylim=(-0.6, 0.6), yticks=[])
    ax.grid(axis="y", visible=False)


def _draw_judged(fig, entry: dict, parts: list, notes: str) -> None:
    """The judged panel: the verdict and evidence as its title in the verdict's colour, one
    strip per threshold part, the rest written below."""
    style.title(fig, f"{entry['verdict']} · {_evidence(entry)}", fontweight="bold",
                color=VERDICT_COLOURS.get(entry["verdict"], "k"))
    axes = fig.subplots(len(parts), 1, squeeze=False)[:, 0] if parts else []
    document = _number(entry.get("document_value")) if len(parts) == 1 else None  # the claim's one number
    for ax, part in zip(axes, parts):
        _strip(ax, entry, part, document)
    if len(axes):  # the notes under the last strip, the legend under them
        axes[-1].set_xlabel("\n".join(["the judged statistic, in its own units (one scale per strip)", notes]).strip(),
                            loc="left", fontsize=style.SMALL_SIZE)
        style.legend(fig, axes)
    elif notes:
        fig.supxlabel(notes, x=0.01, ha="left", fontsize=style.SMALL_SIZE)


def draw(entry: dict):
    """The plot of a scoreboard entry: the claim's panel(s) from its spec (``entry["figure"]``,
    if any) above its judged panel -> a matplotlib Figure."""
    spec, parts = entry.get("figure"), drawn_parts(entry)
    width, height = _claim_size(spec) if spec else (style.PANEL[0], 0)
    notes = _notes(entry, parts, width)
    note_lines = notes.count("\n") + 1 if notes else 0
    judged_height = 0.5 + 0.75 * len(parts) + (2 * LEGEND_ROW if parts else 0) + 0.17 * note_lines
    height += 0.5 + 2 * LEGEND_ROW if spec else 0  # title and legend
    with style.context():
        fig = plt.figure(figsize=(width, height + judged_height), layout="constrained")
        if spec:
            top, bottom = fig.subfigures(2, 1, height_ratios=[height, judged_height])
            _draw_claim(top, spec)
        _draw_judged(bottom if spec else fig, entry, parts, notes)
    return fig


# --- the judgement in words and in the PNG -----------------------------------------------------

def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items())
    return str(value)


def judgement_line(entry: dict) -> str:
    """'verdict · rule · value [low, high] (confidence, method)' of a scoreboard entry."""
    iv = entry.get("interval")
    if isinstance(iv, dict) and "low" in iv:
        measured = f"{_short(iv['point'])} [{_short(iv['low'])}, {_short(iv['high'])}] ({iv['confidence']:.3g})"
    elif isinstance(iv, dict):
        measured = "; ".join(f"{k} {_short(v['point'])} [{_short(v['low'])}, {_short(v['high'])}]"
                             for k, v in iv.items())
    else:
        measured = _short(entry.get("value")) + (" (single run)" if entry.get("evidence") == "single run" else "")
    return f"{entry['verdict']} · rule {entry['rule']} · {measured}"


def metadata(entry: dict) -> dict:
    """The PNG text chunks of an entry's plot: Verdict, Rule, Judgement and Thresholds (JSON:
    [[part name, '>=' | '<=' | 'in', bound, ...], ...])."""
    thresholds = [[p.name, p.kind, *p.bounds] for p in judged.parse(entry.get("rule", "")) if p.threshold]
    return {"Verdict": entry["verdict"], "Rule": entry["rule"], "Judgement": judgement_line(entry),
            "Thresholds": json.dumps(thresholds)}


def plotted(entry: dict) -> dict:
    """The fields of a scoreboard entry that its plot is drawn from (``PLOTTED``)."""
    return {k: entry[k] for k in PLOTTED if k in entry}


def save(entry: dict, path, published=None) -> None:
    """Draw ``entry``'s plot (from its ``plotted`` fields only) and save it as the PNG ``path``
    (64 colours), with its ``metadata`` and its key (harness/kit/style.py ``key``). If the PNG
    ``published`` holds the same key, drawing would write its bytes: they are copied instead.
    Callers that replace a published file write to a temporary path and rename it
    (harness/engine/scoreboard.py ``atomic_write``)."""
    entry = plotted(entry)
    key = style.key(entry, sys.modules[__name__], judged)
    if published is not None and style.drawn_from(published) == key:
        shutil.copyfile(published, path)
        return
    with style.context():
        fig = draw(entry)
        style.save_png(fig, path, style.DPI, {**metadata(entry), style.KEY: key})
    plt.close(fig)
