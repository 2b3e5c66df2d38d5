"""The house look: :func:`set_theme`, the valence palette and the shared colours.

The palette is ColorBrewer's RdYlBu (red = unhappy, pale yellow = neutral,
blue = happy), a diverging scheme ColorBrewer marks as colour-blind safe: the
two ends differ on the blue-yellow axis that deuteranopes and protanopes keep.
:func:`valence_color` maps a valence (-1..+1) onto it; ``NEG`` and ``POS`` are
its unhappy and happy accents, ``INK`` the text colour and ``GREY`` the muted one.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

__all__ = ["set_theme", "valence_color", "INK", "GREY", "NEG", "POS"]

INK = "#262626"
GREY = "#8c8c8c"

# ColorBrewer RdYlBu, trimmed at both ends so the darkest shades (where the
# features would vanish) are not used.
_CMAP = mpl.colors.LinearSegmentedColormap.from_list(
    "journeylib_valence", mpl.colormaps["RdYlBu"](np.linspace(0.08, 0.92, 256))
)


def valence_color(v):
    """RGBA colour of valence `v` (-1..+1) on the colour-blind-safe diverging palette.

    NaN (an unrated moment) is light grey.

    Examples
    --------
    >>> from journeylib.plots.theme import valence_color
    >>> r, g, b, a = valence_color(-1.0)
    >>> bool(r > b)   # unhappy is red
    True
    >>> r, g, b, a = valence_color(1.0)
    >>> bool(b > r)   # happy is blue
    True
    """
    v = float(v)
    if np.isnan(v):
        return (0.85, 0.85, 0.85, 1.0)
    return tuple(float(c) for c in _CMAP((np.clip(v, -1, 1) + 1) / 2))


NEG = valence_color(-0.85)
POS = valence_color(0.85)


def set_theme(*, context="notebook", font_scale=1.0):
    """One look for every journeylib figure (seaborn's ``set_theme`` with house settings).

    White background with a light horizontal grid, no top or right spine, the
    DejaVu Sans font that ships with matplotlib (identical PNGs on every
    machine), and a colour cycle that stays distinguishable for colour-blind
    readers (blue, vermilion, grey, yellow, from ColorBrewer RdYlBu and
    Okabe-Ito).  Changes matplotlib's global settings, as seaborn does.

    Examples
    --------
    >>> import journeylib as jl
    >>> jl.set_theme()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["axes.spines.top"]
    False
    """
    import seaborn as sns

    sns.set_theme(
        context=context,
        style="whitegrid",
        font="DejaVu Sans",
        font_scale=font_scale,
        palette=[POS, "#d55e00", "#7f7f7f", "#e6ab02", "#009e73", "#cc79a7"],
        rc={
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#4d4d4d",
            "grid.color": "#e6e6e6",
            "axes.grid.axis": "y",
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
        },
    )
