"""Forest plots (issue 21): per board and document, every judged claim's interval against
its own threshold, on one common scale.

A row is one rule part that compares the measurement with a threshold: ``>= t``,
``<= t`` or ``in [a, b]``, alone or as a part of an ``All`` rule, with or without the
``(this budget can only refute|reproduce)`` suffix of RefuteOnly/ReproduceOnly. Exact
parts (``== ...``, ``≈ ...``) are not rows: a claim made only of them is counted in the
title. The rule is read back from the scoreboard's rule string (``parse``); a part that
is neither a threshold nor exact, or whose value is not a number, is skipped and counted.

The x axis is the signed distance to the threshold in units of the threshold's magnitude,
positive on the claim's side: ``(x - t) / |t|`` for ``>= t``, ``(t - x) / |t|`` for
``<= t``, and for a band ``in [a, b]`` the distance to the nearer edge in units of the band
width, ``min(x - a, b - x) / (b - a)``, positive inside. So a reproduced interval lies
wholly right of 0, a refuted one wholly left of it (for the parts that refute it), and an
inconclusive one straddles 0. For a threshold of 0 the unit is the row's largest |value|
(its label is starred). The axis is clipped at ±CLIP; a clipped end is a triangle and the
point's true distance is written beside it.

``write(snapshot)`` saves ``results/<board>/forest-<document>.png`` for every complete
board and returns the SVGs (row labels link to ``#<claim id>``) for the page.
"""
from __future__ import annotations

import dataclasses
import io
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

from harness.engine import scoreboard
from harness.kit import judged, style
from harness.kit.judged import AT_LEAST, BAND, EXACT, UNPARSED, Part, number, parse, part_data  # noqa: F401
from harness.engine.claim import DOCUMENTS, INCONCLUSIVE, REFUTED, REPRODUCED
from harness.settings import BOARDS

matplotlib.use("Agg")  # pyplot is imported where a forest is drawn: a run whose forests are unchanged needs none

COLOURS = {v: style.VERDICT_COLOURS[v] for v in (REPRODUCED, REFUTED, INCONCLUSIVE)}
JUDGED = tuple(COLOURS)
CLIP = 3.0
EPS = 1e-12
DPI = 90
WIDTH = 9.5  # inches
# The plots' style (harness/kit/style.py: its one short font list matters here, as the SVG
# writes it on every text), text kept as text in the SVG.
STYLE = {**style.RC, "svg.fonttype": "none", "svg.hashsalt": "forest"}
XLABEL = "signed distance to the threshold (units of the threshold; > 0: the claim's side)"

def distance(part: Part, x: float, unit: float | None = None) -> float:
    """x's signed distance to ``part``'s threshold, > 0 on the claim's side (see the module
    docstring). unit: the unit to use instead of |t| (a threshold of 0)."""
    if part.kind == BAND:
        a, b = part.bounds
        width = b - a if b > a else max(abs(a), EPS)
        return min(x - a, b - x) / (unit or width)
    (t,) = part.bounds
    scale = unit or max(abs(t), EPS)
    return (x - t) / scale if part.kind == AT_LEAST else (t - x) / scale


def span(part: Part, low: float, high: float, unit: float | None = None) -> tuple:
    """The image of the interval [low, high] under ``distance``, ordered: a band's distance
    peaks at the band's centre, so an interval over the centre reaches that peak."""
    low, high = min(low, high), max(low, high)
    ends = sorted((distance(part, low, unit), distance(part, high, unit)))
    if part.kind == BAND and low <= sum(part.bounds) / 2 <= high:
        ends[1] = distance(part, sum(part.bounds) / 2, unit)
    return ends[0], ends[1]


@dataclass(frozen=True)
class Row:
    claim: str
    part: str
    verdict: str
    rule: str
    point: float  # transformed
    low: float | None = None  # transformed and ordered; None: a single run (no interval)
    high: float | None = None
    unit_from_value: bool = False  # threshold 0: unit = the row's largest |value|

    @property
    def label(self) -> str:
        return f"{self.claim}{' ' + self.part if self.part else ''}{' *' if self.unit_from_value else ''}"


class Rows(list):
    """rows()'s answer: the Row list, with what was not drawn counted."""
    claims = 0  # judged claims with at least one row
    exact = 0  # judged claims whose parts are all exact (== / ≈): not drawn
    skipped = 0  # threshold parts not drawn: unparsable rule part, or a value that is not a number


def rows(board_entries, document: str) -> Rows:
    """The forest's rows for ``document`` in one board's entries (a scoreboard's "claims"
    dict, or a list of entries; positive controls left out), in claim id order, parts in the
    rule's order."""
    entries = board_entries.values() if isinstance(board_entries, dict) else board_entries
    out = Rows()
    for e in sorted((e for e in entries if e.get("document") == document and e.get("verdict") in JUDGED
                     and not e.get("control")),
                    key=lambda e: e["id"]):
        parts = parse(e.get("rule", ""))
        if all(p.kind == EXACT for p in parts):
            out.exact += 1
            continue
        drawn = 0
        for p in parts:
            if p.kind == UNPARSED:
                out.skipped += 1
                continue
            if not p.threshold:
                continue
            value, interval = part_data(e, p)
            x = number(interval.get("point", value) if interval else value)
            if x is None:
                x = number(value)
            lo = number(interval.get("low")) if interval else None
            hi = number(interval.get("high")) if interval else None
            if x is None:
                out.skipped += 1
                continue
            unit = None
            if p.kind != BAND and abs(p.bounds[0]) < EPS:
                unit = max(abs(v) for v in (x, lo, hi) if v is not None and math.isfinite(v)) or 1.0
            if lo is not None and hi is not None:
                low, high = span(p, lo, hi, unit)
            else:
                low = high = None
            out.append(Row(e["id"], p.name, e["verdict"], p.text, distance(p, x, unit), low, high, unit is not None))
            drawn += 1
        out.claims += bool(drawn)
    return out


def _clip(v: float) -> float:
    return max(-CLIP, min(CLIP, v))


def figure(rows: list, title: str):
    """The forest plot of ``rows``: one line per row (interval: a bar with its point;
    single run: a hollow marker), coloured by verdict; row labels link to '#<claim id>'."""
    with style.context(STYLE):
        return _figure(rows, title)


def _figure(rows: list, title: str):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    n = len(rows)
    fig, ax = plt.subplots(figsize=(WIDTH, 1.9 + 0.27 * n), layout="constrained")
    ax.axvspan(0, CLIP + 0.6, color=style.CLAIM_SIDE, alpha=style.ALPHA_SIDE, lw=0)
    ax.axvline(0, color=style.REFERENCE, lw=1.2, ls="--")
    for verdict, colour in COLOURS.items():
        mine = [(i, r) for i, r in enumerate(rows) if r.verdict == verdict]
        bars = [(i, r) for i, r in mine if r.low is not None]
        if bars:
            ax.hlines([i for i, _ in bars], [_clip(r.low) for _, r in bars], [_clip(r.high) for _, r in bars],
                      color=colour, lw=2.4)
            ax.scatter([_clip(r.point) for _, r in bars], [i for i, _ in bars], s=30, color=colour, zorder=3)
        single = [(i, r) for i, r in mine if r.low is None]
        if single:
            ax.scatter([_clip(r.point) for _, r in single], [i for i, _ in single], s=40, facecolor="white",
                       edgecolor=colour, linewidth=1.6, zorder=3)
    clipped = False
    for side, marker in ((1, ">"), (-1, "<")):
        out = [(i, r) for i, r in enumerate(rows)
               if any(v is not None and v * side > CLIP for v in (r.point, r.low, r.high))]
        if out:
            clipped = True
            ax.scatter([side * (CLIP + 0.18)] * len(out), [i for i, _ in out], marker=marker, s=36,
                       color=[COLOURS[r.verdict] for _, r in out], zorder=3)
            for i, r in out:
                if r.point * side > CLIP:
                    ax.text(side * (CLIP - 0.08), i - 0.28, f"{r.point:+.3g}", ha="left" if side < 0 else "right",
                            va="bottom", fontsize=style.SMALL_SIZE - 1, color="#444")
    ax.set_yticks(range(n), [r.label for r in rows], fontsize=style.LABEL_SIZE)
    ax.tick_params(axis="y", left=False)
    for text, r in zip(ax.get_yticklabels(), rows):
        text.set_url(f"#{r.claim}")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(-CLIP - 0.45, CLIP + 0.45)
    ax.set_xticks(range(-int(CLIP), int(CLIP) + 1))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(XLABEL)
    ax.set_title(style.wrap(title, WIDTH), loc="left")
    handles = [Line2D([], [], color=c, lw=2.4, marker="o", ms=5, label=v) for v, c in COLOURS.items()
               if any(r.verdict == v for r in rows)]
    handles.append(Line2D([], [], ls="", marker="o", ms=6, mfc="white", mec="#555", mew=1.6, label="single run"))
    handles.append(Line2D([], [], color=style.REFERENCE, lw=1.2, ls="--", label="threshold"))
    if clipped:
        handles.append(Line2D([], [], ls="", marker=">", ms=6, color="#555", label=f"beyond ±{CLIP:g} (point's value written)"))
    if any(r.unit_from_value for r in rows):
        handles.append(Line2D([], [], ls="", label="* threshold 0: unit = the row's largest |value|"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    return fig


def title(rows: Rows, document: str, board: str) -> str:
    text = f"{document} · {board}: {rows.claims} judged claims ({len(rows)} rows)"
    if rows.exact:
        text += f" + {rows.exact} exact claims not drawn"
    if rows.skipped:
        text += f"; {rows.skipped} rule parts not parsed or not numbers"
    return text


def svg_text(fig) -> str:
    """The figure as an inline SVG element (no XML prolog), text as text."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.DOTALL)
    return re.sub(r"\n\s+", "\n", text)


def save(found: Rows, text: str, stem: Path) -> None:
    """Draw the forest of ``found`` titled ``text`` as ``stem``.png and .svg, unless the PNG holds
    the key of these rows and title (harness/kit/style.py ``key``) and the SVG is there: drawing
    again would write the same files. The SVG is written first, the PNG with its key last."""
    key = style.key([text, [dataclasses.astuple(r) for r in found]], sys.modules[__name__], judged)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    if svg.exists() and style.drawn_from(png) == key:
        return
    import matplotlib.pyplot as plt
    with style.context(STYLE):
        fig = figure(found, text)
        image = io.BytesIO()
        style.save_png(fig, image, DPI, {style.KEY: key})
        drawn = svg_text(fig)  # after the PNG: its layout is kept
    plt.close(fig)
    scoreboard.atomic_write(svg, lambda tmp: Path(tmp).write_text(drawn))
    scoreboard.atomic_write(png, lambda tmp: Path(tmp).write_bytes(image.getvalue()))


def write(snapshot, redraw=None) -> dict:
    """Draw results/<board>/forest-<document>.png and .svg for each complete board in ``redraw``
    (None: every board; a run redraws the boards it published) and document with rows, removing
    a redrawn board's older forest files -> {(board label, document): svg text} of every board,
    the others read from their saved SVGs."""
    out = {}
    for board in BOARDS:
        scores = snapshot.boards[board]
        folder = snapshot.root / board.label
        if redraw is None or board in redraw:
            written = set()
            if scores.get("run", {}).get("complete") and scores["claims"]:
                for document in DOCUMENTS:
                    found = rows(scores["claims"], document)
                    if found:
                        save(found, title(found, document, board.label), folder / f"forest-{document}")
                        written |= {f"forest-{document}.png", f"forest-{document}.svg"}
            for old in folder.glob("forest-*.*") if folder.is_dir() else ():
                if old.name not in written:
                    old.unlink()
        for svg in sorted(folder.glob("forest-*.svg")) if folder.is_dir() else ():
            out[(board.label, svg.stem.removeprefix("forest-"))] = svg.read_text()
    return out
