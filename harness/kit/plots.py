"""One figure per claim, drawn with matplotlib's Agg backend (no screen needed).

Each function returns a Figure; the ``judge`` fixture stamps it with the judgement
(``stamp``: verdict, rule, the judged value and interval, in the verdict's colour) and
saves it next to the scoreboard as ``<claim id>.png``, with the same judgement in the
PNG's text metadata.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

VERDICT_COLOURS = {"reproduced": "#1a9641", "refuted": "#d7191c", "inconclusive": "#e69500",
                   "skipped": "#777777", "error": "#7b3294", "excluded": "#777777"}


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


def stamp(fig, entry: dict) -> dict:
    """Write the judgement under the figure, in the verdict's colour -> the PNG metadata
    that records it (verdict, rule, interval)."""
    import textwrap
    text = textwrap.fill(judgement_line(entry), width=110)
    fig.text(0.01, 0.005, text, fontsize=7, color=VERDICT_COLOURS.get(entry["verdict"], "k"),
             ha="left", va="bottom", wrap=True)
    fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.14 + 0.03 * text.count("\n")))
    return {"Verdict": entry["verdict"], "Rule": entry["rule"], "Judgement": judgement_line(entry)}


def curves(series: dict, *, ylabel: str, title: str, xlabel: str = "epoch", hline=None, log=False):
    """Learning curves. series: {label: list of per-seed curves (may differ in length)};
    draws the median over seeds with a min-max band. hline: (y, label) reference line."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, runs in series.items():
        n = min(len(r) for r in runs)
        values = np.array([r[:n] for r in runs], float)
        x = np.arange(1, n + 1)
        line, = ax.plot(x, np.median(values, axis=0), label=label)
        if len(values) > 1:
            ax.fill_between(x, values.min(axis=0), values.max(axis=0), alpha=0.2, color=line.get_color())
    if hline is not None:
        ax.axhline(hline[0], color="k", ls="--", lw=1, label=hline[1])
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return fig


def points(groups: dict, *, ylabel: str, title: str, hline=None):
    """One dot per seed for each group, with the group median as a bar.
    groups: {label: list of values}; hline: (y, label)."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for i, (label, values) in enumerate(groups.items()):
        ax.scatter(np.full(len(values), i), values, zorder=3)
        ax.hlines(np.median(values), i - 0.3, i + 0.3, color="k")
    ax.set_xticks(range(len(groups)), list(groups), fontsize=8)
    if hline is not None:
        ax.axhline(hline[0], color="r", ls="--", lw=1, label=hline[1])
        ax.legend(fontsize=8)
    ax.set(ylabel=ylabel, title=title)
    return fig


def reliability(diagrams: dict, *, title: str):
    """Reliability diagram. diagrams: {label: harness.kit.calibration.reliability(...) dict}."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for label, d in diagrams.items():
        ok = np.asarray(d["count"]) > 0
        ax.plot(np.asarray(d["confidence"])[ok], np.asarray(d["accuracy"])[ok], marker="o", label=label)
    ax.set(xlabel="confidence", ylabel="accuracy", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=8)
    return fig


def vectors(vectors: dict, *, title: str):
    """2-D vectors drawn as unit-length arrows from the origin. vectors: {label: (x, y)}."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for i, (label, v) in enumerate(vectors.items()):
        v = np.asarray(v, float)
        u = v / np.linalg.norm(v)
        ax.annotate("", xy=u, xytext=(0, 0), arrowprops=dict(arrowstyle="->", lw=2, color=f"C{i}"))
        ax.text(*(u * 1.05), f"{label}\n{np.array2string(v, precision=4)}", fontsize=7, color=f"C{i}")
    ax.set(xlim=(-0.1, 1.3), ylim=(-0.1, 1.3), xlabel="component 1 (unit length)",
           ylabel="component 2 (unit length)", title=title, aspect="equal")
    return fig


def per_layer_panels(panels: dict, *, title: str, log=True, xlabel: str = "layer"):
    """Side-by-side per_layer plots. panels: {ylabel: series}, series as in per_layer
    ({label: array (n_seeds, n_layers)}, median with a min-max band); log: one bool
    for all panels or one per panel."""
    logs = [log] * len(panels) if isinstance(log, bool) else list(log)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    for ax, is_log, (ylabel, series) in zip(axes[0], logs, panels.items()):
        for label, values in series.items():
            values = np.atleast_2d(np.asarray(values, float))
            layers = np.arange(1, values.shape[1] + 1)
            line, = ax.plot(layers, np.median(values, axis=0), marker="o", ms=3, label=label)
            ax.fill_between(layers, values.min(axis=0), values.max(axis=0), alpha=0.2,
                            color=line.get_color())
        if is_log:
            ax.set_yscale("log")
        ax.set(xlabel=xlabel, ylabel=ylabel)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def seeds_and_curves(values: dict, curves: dict, *, ylabel: str, curve_ylabel: str, title: str, hline=None):
    """Two panels. Left: one dot per seed, values: {seed: final value}, hline: (y, label).
    Right: one learning curve per seed, curves: {seed: [value per epoch]}."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.scatter([str(s) for s in values], list(values.values()), zorder=3)
    if hline is not None:
        left.axhline(hline[0], color="r", ls="--", lw=1, label=hline[1])
        left.legend(fontsize=8)
    left.set(xlabel="seed", ylabel=ylabel)
    for seed, curve in curves.items():
        right.plot(np.arange(1, len(curve) + 1), curve, marker=".", label=f"seed {seed}")
    right.set(xlabel="epoch", ylabel=curve_ylabel)
    right.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def histogram(samples: dict, *, xlabel: str, title: str, bins=40, band=None):
    """Overlaid histograms, samples: {label: 1-D values}; band: (low, high) shaded (e.g. the
    range the document states)."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, values in samples.items():
        ax.hist(np.asarray(values, float), bins=bins, alpha=0.6, label=label)
    if band is not None:
        ax.axvspan(*band, color="grey", alpha=0.15, label="stated range")
    ax.set(xlabel=xlabel, ylabel="count", title=title)
    ax.legend(fontsize=8)
    return fig


def curves_marked(series: dict, marks: dict, **kwargs):
    """``curves`` (same arguments) with points drawn on top. marks: {label: [(x, y), ...]},
    e.g. one event per seed."""
    fig = curves(series, **kwargs)
    ax = fig.axes[0]
    for marker, (label, xy) in zip("ovsD^", marks.items()):
        ax.scatter(*np.asarray(xy, float).T, marker=marker, facecolors="none", edgecolors="k", zorder=3,
                   label=label)
    ax.legend(fontsize=8)
    return fig


def checkpoints(runs: dict, *, target: float, title: str):
    """Accuracy at checkpoints against training seconds. runs: {label: [(seconds,
    accuracy), ...]}; target: the accuracy line the runs race to."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, xy in runs.items():
        ax.plot(*np.asarray(xy, float).T, marker="o", label=label)
    ax.axhline(target, color="k", ls="--", lw=1, label=f"target {target:.1%}")
    ax.set(xlabel="training seconds (evaluation excluded)", ylabel="test accuracy", title=title)
    ax.legend(fontsize=8)
    return fig
