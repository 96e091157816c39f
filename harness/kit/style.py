"""The one look of every plot (the claims' plots, harness/kit/plots.py, and the forest plots,
harness/views/forest.py): fonts and sizes, the six verdicts' colours, titles wrapped to fit
their width, legends outside the data, PNGs of 64 colours.

A drawing is a pure function of its inputs, so a PNG holds the key of what it was drawn from
(``key``, in its ``KEY`` text chunk): a published plot whose key equals the one a run would
draw from is already that run's plot, byte for byte, and is copied instead of drawn again."""
import functools
import hashlib
import json
import sys
import textwrap
from pathlib import Path

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
KEY = "Drawn-from"  # the PNG text chunk that holds ``key``


def context(rc: dict = RC):
    """matplotlib's own defaults with ``rc``, not the user's matplotlibrc: a plot looks the same
    on every machine, so its key needs no one's settings. Around drawing *and* rendering: some
    settings (e.g. text hinting) are read when the canvas is drawn."""
    import matplotlib.style
    return matplotlib.style.context(["default", rc])


@functools.cache
def _renderer() -> bytes:
    """What renders a plot besides its code: matplotlib's, Pillow's and numpy's versions and the
    font files that the plots' fonts resolve to (contents, not paths: the same in every clone)."""
    import matplotlib
    import numpy
    import PIL
    from matplotlib import font_manager
    fonts = {font_manager.findfont(font_manager.FontProperties(family=RC["font.sans-serif"], weight=weight))
             for weight in ("normal", "bold")}
    digest = hashlib.sha256(f"{matplotlib.__version__} {PIL.__version__} {numpy.__version__}".encode())
    for font in sorted(fonts):
        digest.update(Path(font).read_bytes())
    return digest.digest()


def key(inputs, *modules) -> str:
    """sha256 hex of everything a drawing is a function of: its ``inputs`` (JSON), the source of
    the ``modules`` that draw it and of this one, and its renderer (``_renderer``)."""
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode())
    for module in (sys.modules[__name__], *modules):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(_renderer())
    return digest.hexdigest()


def drawn_from(path) -> str | None:
    """The key held by the PNG ``path`` (``save_png``'s ``KEY`` chunk); None without one."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as image:
            return image.info.get(KEY)
    except (OSError, UnidentifiedImageError):
        return None


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
