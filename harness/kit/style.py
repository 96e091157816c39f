"""The one look of every plot (the claims' plots, harness/kit/plots.py, and the forest plots,
harness/views/forest.py): fonts and sizes, the six verdicts' colours, titles wrapped to fit
their width, legends outside the data, PNGs of 64 colours."""
import textwrap

VERDICT_COLOURS = {"reproduced": "#1a9641", "refuted": "#d7191c", "inconclusive": "#e69500",
                   "skipped": "#777777", "error": "#7b3294", "excluded": "#777777"}
CLAIM_SIDE = "#1a9641"  # the shading of the side of a threshold that the claim is on (alpha ALPHA_SIDE)
ALPHA_SIDE = 0.06
REFERENCE = "#333333"  # thresholds and reference lines (dashed)
PANEL = (6.0, 3.2)  # one claim panel, inches (width, height)
TITLE_SIZE, LABEL_SIZE, SMALL_SIZE = 10, 9, 8  # points
DPI = 80  # a claim's plot

RC = {"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial"], "font.size": LABEL_SIZE,
      "axes.titlesize": TITLE_SIZE, "axes.labelsize": LABEL_SIZE, "xtick.labelsize": SMALL_SIZE,
      "ytick.labelsize": SMALL_SIZE, "legend.fontsize": SMALL_SIZE, "legend.frameon": False,
      "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd",
      "grid.linewidth": 0.6, "axes.axisbelow": True}


def wrap(text: str, width_in: float, size: float = TITLE_SIZE) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``size`` points (DejaVu Sans
    averages about 0.6 em per character)."""
    return textwrap.fill(text, width=max(20, int(width_in * 72 / (0.6 * size))))


def width(fig) -> float:
    """A figure's or subfigure's width in inches."""
    return fig.bbox.width / fig.figure.dpi


def title(fig, text: str, **text_style) -> None:
    """A (sub)figure's title, left-aligned and wrapped to its width."""
    fig.suptitle(wrap(text, width(fig)), x=0.01, ha="left", fontsize=TITLE_SIZE, **text_style)


def legend(fig, axes) -> None:
    """One legend for ``axes`` (labels once each), below them in ``fig``, outside the data."""
    found = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            found.setdefault(label, handle)
    if found:  # as many columns as the longest label leaves room for (a handle is about 4 characters)
        columns = int(width(fig) * 72 / (0.6 * SMALL_SIZE * (max(map(len, found)) + 6)))
        fig.legend(found.values(), found.keys(), loc="outside lower center", ncols=max(1, min(3, len(found), columns)))


def save_png(fig, path, dpi: int, metadata: dict | None = None) -> None:
    """A PNG of 64 colours (a plot has few, and it is a third of the full-colour size), with
    ``metadata`` as its text chunks. The figure is drawn once, at ``dpi``, straight into an image
    (``savefig`` would lay it out in one draw and render it in another), and its layout is then
    kept: a later ``savefig`` of the same figure (the forest's SVG) does not lay it out again."""
    from PIL import Image, PngImagePlugin  # matplotlib's own dependency

    fig.set_dpi(dpi)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(physical=True), fig.canvas.buffer_rgba())
    image = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    info = PngImagePlugin.PngInfo()
    for key, text in (metadata or {}).items():
        info.add_itxt(key, text)
    image.save(path, format="png", optimize=True, pnginfo=info)
