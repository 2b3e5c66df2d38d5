"""Where journeys go: :func:`flow_plot`, a multi-stage alluvial diagram in plain matplotlib.

Each column is a moment (the first, the second...), each block a touchpoint
at that moment, and each band the journeys that went from one block to the
next: as wide as their number and coloured by how the moment they arrived at
felt (mean valence; bands into "ended" by the mean journey rating).  The
numbers come from :func:`journeylib.transitions` with ``steps=``, so the
figure and the table agree by construction.  No Graphviz, no browser: bands
are matplotlib ``PathPatch`` cubic Bezier ribbons.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from ..paths import ALIGNMENTS, END, START, _choice, transitions
from .theme import _CMAP, GREY, INK, valence_color

__all__ = ["flow_plot", "band_color", "OTHER", "COLORS"]

#: Block that collects the touchpoints too rare to draw on their own (``min_share``).
OTHER = "(other)"
_NODE_WIDTH = 0.07
_BAND_ALPHA = 0.85


def _merge_rare(tab, min_share, total):
    """Touchpoints met by fewer than ``min_share * total`` journeys at a column become OTHER."""
    if min_share <= 0:
        return tab
    size = tab.groupby(["stage", "to"])["n"].sum()  # block (column stage + 1, name) sizes
    rare = {(s + 1, name) for (s, name), n in size.items()
            if n < min_share * total and name not in (END, START)}
    if not rare:
        return tab
    tab = tab.copy()
    col_to = list(zip(tab["stage"] + 1, tab["to"], strict=True))
    col_from = list(zip(tab["stage"], tab["from"], strict=True))
    tab["to"] = [OTHER if c in rare else c[1] for c in col_to]
    tab["from"] = [OTHER if c in rare else c[1] for c in col_from]
    tab["v_sum"] = tab["valence"].fillna(0) * tab["n"]
    tab["v_n"] = tab["valence"].notna() * tab["n"]
    tab["r_sum"] = tab["rating"].fillna(0) * tab["n"]
    tab["r_n"] = tab["rating"].notna() * tab["n"]
    g = tab.groupby(["stage", "from", "to"], as_index=False, sort=False)[
        ["n", "v_sum", "v_n", "r_sum", "r_n"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        g["valence"] = g["v_sum"] / g["v_n"].where(g["v_n"] > 0)
        g["rating"] = g["r_sum"] / g["r_n"].where(g["r_n"] > 0)
    return g[["stage", "from", "to", "n", "valence", "rating"]]


def _block_order(names, keys):
    """Blocks top to bottom by `keys` (smaller first), with OTHER and then END at the bottom."""
    rank = [(2 if n == END else 1 if n == OTHER else 0, k, str(n)) for n, k in zip(names, keys,
                                                                                  strict=True)]
    return [names[i] for i in sorted(range(len(names)), key=lambda i: rank[i])]


#: What a band's colour can show.
COLORS: tuple[str, ...] = ("valence", "rating")


def band_color(row, color="valence"):
    """The colour :func:`flow_plot` gives a band of the transition table (RGBA, before alpha).

    ``color="valence"``: the mean valence of the moment arrived at, and for a
    band into "ended" the mean journey rating of its journeys;
    ``color="rating"``: the mean journey rating of the band's journeys.

    Examples
    --------
    >>> band_color({"to": "web", "valence": 1.0, "rating": -1.0}) == valence_color(1.0)
    True
    >>> band_color({"to": "web", "valence": 1.0, "rating": -1.0}, "rating") == valence_color(-1.0)
    True
    """
    value = row["rating"] if row["to"] == END or color == "rating" else row["valence"]
    return valence_color(value)


def flow_plot(data, *, steps=5, align="start", negative=0.0, color="valence", min_share=0.02,
              labels=True, colorbar=True, ax=None):
    """Journeys as flows between touchpoints, moment by moment (an alluvial diagram).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).  Journeys with
        ``ordered`` False have no path and are left out with a warning.
    steps : int
        Columns: the first `steps` moments (journeys that go on are cut off
        at the last column; journeys that end earlier flow into "ended").
    align : {"start", "negative"}
        ``"negative"``: the "after a negative moment" view.  Every journey
        starts at its first moment with valence below `negative`, so the
        first column holds the bad moments and the bands show where
        customers went next; journeys without one are left out (the note
        under the figure counts them).
    negative : float
        Valence below which a moment counts as negative.
    color : {"valence", "rating"}
        What a band's colour shows: the mean valence of the moment it leads
        to (bands into "ended": the mean journey rating), or the mean journey
        rating of its journeys (which paths end in a poor rating?).
    min_share : float
        Blocks with fewer than this share of the journeys in the first column
        are merged into one "(other)" block per column (0: keep all).
    labels : bool
        Name the blocks (with their journey counts) where they are tall
        enough to carry a label.  A label sits left of its block, on the
        bands that arrive there, whose colour is that moment's valence.
    colorbar : bool
        A small valence colour scale under the diagram.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The y axis counts journeys: a band's thickness at both ends equals its
    number of journeys, so a block is as tall as the journeys at that
    touchpoint and moment.  Bands leave a block in the order of their
    targets (top first) and enter in the order of their sources, so they
    cross as little as the order of the blocks allows.  Each band is a
    ``PathPatch`` with ``gid="journeylib-flow-band"`` and, for tests and
    tooltips, an attribute ``journeylib_transition = (stage, from, to, n)``;
    each block a ``Rectangle`` with ``gid="journeylib-flow-block"``.

    Examples
    --------
    >>> import journeylib as jl
    >>> sim = jl.simulate_journeys(300, touchpoints=["web", "mail", "phone"], seed=1)
    >>> ax = jl.flow_plot(sim, steps=4)
    >>> bands = [p for p in ax.patches if p.get_gid() == "journeylib-flow-band"]
    >>> t = jl.transitions(sim, steps=4)
    >>> len(bands) == int((t["stage"] >= 1).sum())
    True
    >>> stage, frm, to, n = bands[0].journeylib_transition
    >>> v = bands[0].get_path().vertices
    >>> bool(np.isclose(v[0, 1] - v[7, 1], n))  # the band is as thick as its journeys
    True
    """
    _choice("align", align, ALIGNMENTS)
    _choice("color", color, COLORS)
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"The value for `steps` must be a whole number of at least 2, but "
                         f"{steps!r} was passed.")
    tab = transitions(data, steps=int(steps), align=align, negative=negative)
    n_total = int(tab.attrs["n_journeys"])
    left_out = int(tab.attrs["n_left_out"])
    tab = _merge_rare(tab[["stage", "from", "to", "n", "valence", "rating"]], min_share, n_total)
    if ax is None:
        ax = plt.gca()
    gap = 0.04 * n_total
    stage_size = tab.groupby("stage")["n"].sum()
    stage_blocks = tab.groupby("stage")["to"].nunique()
    top = float((stage_size + gap * (stage_blocks - 1)).max())
    # blocks: column p (1..steps) holds the `to` ends of stage p - 1.  The first column is
    # ordered by size; each later one by the mean height of where its journeys came from (the
    # barycentre heuristic of layered graph drawing), which keeps bands from crossing needlessly.
    blocks = {}
    for p in range(1, int(steps) + 1):
        here = tab[tab["stage"] == p - 1]
        inflow = here.groupby("to", sort=False)["n"].sum()
        if inflow.empty:
            continue
        if p == 1:
            keys = list(-inflow.to_numpy())
        else:
            centre = np.array([np.mean(blocks.get((p - 1, f), (0.0, 0.0))) for f in here["from"]])
            w = here["n"].to_numpy(dtype="float64")
            bary = (pd.Series(centre * w).groupby(here["to"].to_numpy()).sum()
                    / pd.Series(w).groupby(here["to"].to_numpy()).sum())
            keys = [(-bary[name], -inflow[name]) for name in inflow.index]
        y = top
        for name in _block_order(list(inflow.index), keys):
            size = float(inflow[name])
            blocks[(p, name)] = (y - size, y)  # bottom, top
            y -= size + gap
    # bands between column s and s + 1 (stage s)
    used_out = {key: 0.0 for key in blocks}
    used_in = {key: 0.0 for key in blocks}
    rank = {key: -blocks[key][1] for key in blocks}  # higher blocks first
    bands = tab[tab["stage"] >= 1].copy()
    if not bands.empty:
        bands["src_rank"] = [rank[(s, f)] for s, f in zip(bands["stage"], bands["from"],
                                                          strict=True)]
        bands["dst_rank"] = [rank[(s + 1, t)] for s, t in zip(bands["stage"], bands["to"],
                                                              strict=True)]
    x_half = _NODE_WIDTH / 2
    for stage in sorted(bands["stage"].unique()) if not bands.empty else []:
        here = bands[bands["stage"] == stage]
        y_out = {}
        for i, row in here.sort_values(["src_rank", "dst_rank"]).iterrows():
            key = (stage, row["from"])
            y_out[i] = blocks[key][1] - used_out[key]
            used_out[key] += row["n"]
        for i, row in here.sort_values(["dst_rank", "src_rank"]).iterrows():
            key = (stage + 1, row["to"])
            y1 = blocks[key][1] - used_in[key]
            used_in[key] += row["n"]
            _draw_band(ax, stage + x_half, y_out[i], stage + 1 - x_half, y1, float(row["n"]),
                       band_color(row, color), (int(stage), row["from"], row["to"],
                                                int(row["n"])))
    for (p, name), (y0, y1) in blocks.items():
        face = "#d9d9d9" if name == END else INK
        ax.add_patch(Rectangle((p - x_half, y0), _NODE_WIDTH, y1 - y0, facecolor=face,
                               edgecolor="white", linewidth=0.5, zorder=3,
                               gid="journeylib-flow-block"))
        if labels and y1 - y0 >= 0.035 * n_total:
            text = "ended" if name == END else _short(name)
            ax.text(p - x_half - 0.03, (y0 + y1) / 2, f"{text} ({int(round(y1 - y0)):,})",
                    ha="right", va="center", fontsize="x-small", color=INK, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75,
                          "edgecolor": "none"})
    _decorate(ax, int(steps), align, n_total, left_out, top, colorbar, color)
    return ax


def _draw_band(ax, x0, y0, x1, y1, n, color, info):
    """A ribbon from (x0, y0 .. y0 - n) to (x1, y1 .. y1 - n): two cubic Beziers."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 - n), (xm, y1 - n), (xm, y0 - n),
             (x0, y0 - n), (x0, y0)]
    codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO, Path.CURVE4,
             Path.CURVE4, Path.CURVE4, Path.CLOSEPOLY]
    patch = PathPatch(Path(verts, codes), facecolor=color, edgecolor="white", linewidth=0.3,
                      alpha=_BAND_ALPHA, zorder=2, gid="journeylib-flow-band")
    patch.journeylib_transition = info
    ax.add_patch(patch)


def _short(name, width=12, lines=2):
    """A block label: wrapped at spaces onto at most `lines` lines of about `width` characters."""
    parts = textwrap.wrap(str(name), width, break_long_words=False) or [""]
    cut = len(parts) > lines
    parts = [p if len(p) <= width + 4 else p[: width + 3] + "\u2026" for p in parts[:lines]]
    if cut and not parts[-1].endswith("\u2026"):
        parts[-1] = parts[-1] + "\u2026"
    return "\n".join(parts)


def _decorate(ax, steps, align, n_total, left_out, top, colorbar, color):
    ax.set_xlim(1 - 0.9, steps + 0.1)
    ax.set_ylim(-0.02 * top, top * 1.02)
    ax.set_yticks([])
    ax.set_xticks(range(1, steps + 1))
    if align == "negative":
        ticks = ["first negative\nmoment"] + [f"+{i}" for i in range(1, steps)]
    else:
        ticks = ["moment 1"] + [str(i) for i in range(2, steps + 1)]
    ax.set_xticklabels(ticks)
    ax.tick_params(axis="x", length=0)
    ax.grid(False)
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    note = f"{n_total:,} journeys; a band is as wide as its journeys"
    if align == "negative":
        note = (f"{n_total:,} journeys with a negative moment ({left_out:,} without one, "
                "not shown); a band is as wide as its journeys")
    ax.text(0.0, 1.0, note, transform=ax.transAxes, ha="left", va="bottom", fontsize="x-small",
            color=GREY, gid="journeylib-flow-note")
    if colorbar:
        cax = ax.inset_axes([0.66, -0.14, 0.32, 0.025])
        sm = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(-1, 1), cmap=_CMAP)
        cb = ax.figure.colorbar(sm, cax=cax, orientation="horizontal")
        cb.set_ticks([-1, 0, 1])
        cb.ax.tick_params(labelsize="x-small", length=2)
        cb.outline.set_visible(False)
        what = "valence of the moment arrived at (ended: journey rating)" if color == "valence" \
            else "mean journey rating of the band's journeys (valence)"
        cb.set_label(what, fontsize="x-small", color=INK)

