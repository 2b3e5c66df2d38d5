"""The gap between the journey rating and its touchpoints: :func:`gap_scatter` and :func:`gap_hist`.

Both take a :func:`journeylib.journey_summary` frame (or tidy data, summarised
first).  Above a few thousand journeys the scatter becomes log-count density
bins aligned with the answer levels; the histogram's bins follow the lattice
that gaps of a few answers lie on.
"""

from __future__ import annotations

import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..metrics import as_summary
from ._common import _fmt, _mean_ci
from .theme import GREY, INK, NEG, POS

__all__ = ["gap_scatter", "gap_hist"]

#: A gap on valence (a rating minus a rule, both in -1..+1) lies within -GAP_RANGE..+GAP_RANGE.
GAP_RANGE = 2.0


def gap_scatter(summary, *, x="mean", y="rating", hexbin_above=5000, gridsize=41,
                confidence=0.95, colorbar=True, ax=None, **kwargs):
    """Each journey a point: touchpoint summary (x) against the journey rating (y).

    Parameters
    ----------
    summary : pandas.DataFrame
        A :func:`journeylib.journey_summary` frame (or tidy data, summarised
        first).  Never modified.
    x, y : str
        Columns on valence; `x` is usually a rule (``"mean"``, ``"peak_end"``).
    hexbin_above : int
        Above this many journeys, draw density bins (log counts) instead of
        points, so a million journeys render in about a second: hexagons when
        both variables are continuous, cells centred on the answer levels when
        one takes only a few values (a 5-point rating), so the bins line up
        with the data instead of cutting through it.
    gridsize : int
        Bins across a continuous axis.
    colorbar : bool
        Add a colour bar for the density bins.
    confidence : float
        Level of the interval for the mean gap (t-based).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.scatter``, ``ax.hexbin`` or ``ax.pcolormesh``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The dotted diagonal is "rating = x": points under it rated the journey
    worse than its touchpoints.  The shaded lower-right quadrant holds the
    PayPal pattern (touchpoints fine, journey poor), the upper-left one the
    recovered journeys (touchpoints poor, journey good).  The box gives
    Pearson's r, the mean gap (y - x) with its t-based interval, and n.

    When journeys share a point (answers on a few levels: 230 reviews giving
    every aspect and the flight 5 of 5), each point is one marker whose area
    is proportional to the number of journeys on it, with a key of sizes; the
    collection's ``journeylib_counts`` holds the numbers.  The statistics box,
    the quadrant labels, the diagonal's name and the key go where they cover
    no data: a free corner of their quadrant, else outside the axes on the
    right (the diagonal's name is left out when it finds no room).

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> s = pd.DataFrame({"journey_id": [1, 2, 3, 4], "mean": [0.1, 0.5, -0.2, 0.3],
    ...                   "rating": [-0.5, 0.5, 0.0, 0.5]})
    >>> ax = jl.gap_scatter(s)
    >>> ax.get_xlabel()
    'touchpoints: mean (valence)'
    """
    xs, ys = _pairs(summary, x, y, "gap_scatter")
    if ax is None:
        ax = plt.gca()
    lim = (-1.06, 1.06)
    ax.add_patch(Rectangle((0, lim[0]), lim[1], -lim[0], facecolor=NEG, alpha=0.13,
                           edgecolor="none", zorder=0, gid="journeylib-paypal"))
    ax.add_patch(Rectangle((lim[0], 0), -lim[0], lim[1], facecolor=POS, alpha=0.13,
                           edgecolor="none", zorder=0, gid="journeylib-recovered"))
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_aspect("equal", adjustable="box")
    n = xs.size
    counts = None
    if n > hexbin_above:
        _density(ax, xs, ys, lim=lim, gridsize=gridsize, colorbar=colorbar, **kwargs)
        cell = (lim[1] - lim[0]) / gridsize
        px, py = np.unique(np.round(np.column_stack([xs, ys]) / cell) * cell, axis=0).T
        half = np.full(px.size, 0.5 * cell / (lim[1] - lim[0]))
        fx, fy = (px - lim[0]) / (lim[1] - lim[0]), (py - lim[0]) / (lim[1] - lim[0])
        obstacles = (fx, fy, half, half)
    else:
        pts, counts = np.unique(np.column_stack([xs, ys]), axis=0, return_counts=True)
        base = 36 if n < 200 else 14
        if counts.max() > 1:  # journeys on the same point: one marker, its area proportional to them
            unit = float(np.clip(_MAX_AREA / counts.max(), _MIN_UNIT, base))
            alpha = 0.55
            px, py, sizes = pts[:, 0], pts[:, 1], unit * counts
        else:
            unit, alpha = base, float(np.clip(12 / np.sqrt(max(n, 1)), 0.15, 0.85))
            px, py, sizes = xs, ys, np.full(n, float(base))
        kw = {"s": sizes, "color": "#303030", "alpha": alpha, "edgecolor": "white",
              "linewidth": 0.4, "zorder": 3, "gid": "journeylib-points"} | kwargs
        points = ax.scatter(px, py, **kw)
        points.journeylib_counts = counts if counts.max() > 1 else np.ones(n, dtype=int)
        points.journeylib_unit = unit
        obstacles = _point_obstacles(ax, px, py, np.asarray(points.get_sizes()) * np.ones(len(px)))
    ax.plot(lim, lim, linestyle=":", color=INK, linewidth=1.1, zorder=4, gid="journeylib-identity")
    ax.axhline(0, color="#b0b0b0", linewidth=0.7, zorder=1)
    ax.axvline(0, color="#b0b0b0", linewidth=0.7, zorder=1)
    gap, lo, hi = _mean_ci(ys - xs, confidence)
    r = float(np.corrcoef(xs, ys)[0, 1]) if n > 2 and xs.std() > 0 and ys.std() > 0 else np.nan
    pct = f"{confidence:.0%}"
    lines = [f"r = {_fmt(r)}" if np.isfinite(r) else "r = n/a",
             f"mean gap {_fmt(gap)}",
             f"{pct} CI [{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else f"{pct} CI n/a",
             f"n = {n:,} journeys"]
    ticks = [-1, -0.5, 0, 0.5, 1]
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.grid(False)
    ax.set_xlabel(f"touchpoints: {x.replace('_', '-')} (valence)")
    ax.set_ylabel(f"journey {y.replace('_', '-')} (valence)")
    _label_scatter(ax, "\n".join(lines), x, obstacles,
                   key=(counts, unit) if counts is not None and counts.max() > 1 else None)
    return ax


_MAX_AREA = 400.0  # points**2 of the largest marker when journeys share points
_MIN_UNIT = 2.5  # points**2 per journey at least, so that a single journey stays visible
_QUADRANTS = {  # text, colour, the quadrant (axes fractions x0, y0, x1, y1) its spots lie in
    "journeylib-paypal-label": ("touchpoints fine,\njourney poor", "#8b1a1a", (0.5, 0.0, 1.0, 0.5)),
    "journeylib-recovered-label": ("touchpoints poor,\njourney good", "#1f3f73", (0.0, 0.5, 0.5, 1.0)),
}


def _spots(x0, y0, x1, y1, corner, step=0.06):
    """Candidate anchors in a region (axes fractions), nearest `corner` (x, y) first; each anchored on
    the side facing that corner, so the box reaches into the region."""
    pad = 0.02
    xs = np.arange(x0 + pad, x1 - pad + 1e-9, step)
    ys = np.arange(y0 + pad, y1 - pad + 1e-9, step)
    cx, cy = corner
    grid = sorted((abs(x - cx) + abs(y - cy), x, y) for x in xs for y in ys)
    ha = "right" if cx > (x0 + x1) / 2 else "left"
    va = "top" if cy > (y0 + y1) / 2 else "bottom"
    return [(cx, cy, ha, va)] + [(x, y, ha, va) for _, x, y in grid]


def _point_obstacles(ax, px, py, sizes):
    """Markers as obstacles: centres in axes fractions and radii (from their area in points**2)."""
    from ._placement import axes_box, to_fraction

    box = axes_box(ax)
    radius_px = np.sqrt(np.asarray(sizes, float)) / 2 * ax.figure.dpi / 72 + 1.0
    fx, fy = to_fraction(ax, px, py)
    return fx, fy, radius_px / box.width, radius_px / box.height


def _label_scatter(ax, stats, x, obstacles, key=None):
    """Statistics box, quadrant labels, the identity line's name and the size key, each where it covers
    no data (inside the axes if there is room, else outside on the right)."""
    from ._placement import place_text

    taken = []
    for gid, (text, color, (x0, y0, x1, y1)) in _QUADRANTS.items():
        t = ax.text(0, 0, text, transform=ax.transAxes, fontsize="small", color=color,
                    fontweight="bold", zorder=5, gid=gid)
        corner = (x1 - 0.02, y0 + 0.02) if "paypal" in gid else (x0 + 0.02, y1 - 0.02)
        if not place_text(ax, t, _spots(x0, y0, x1, y1, corner), obstacles, taken):
            t.set_position((1.04, 0.0 if "paypal" in gid else 0.16))
            t.set_horizontalalignment("left")
            t.set_verticalalignment("bottom")
    box = ax.text(0, 0, stats, fontsize="small", color=INK, zorder=5, gid="journeylib-stats",
                  transform=ax.transAxes,
                  bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#cccccc",
                        "alpha": 0.88})
    spots = [q for corner in ((0.02, 0.02), (0.02, 0.98), (0.98, 0.02), (0.98, 0.98))
             for q in _spots(0, 0, 1, 1, corner, step=0.5)]  # the four corners
    spots += _spots(0, 0, 1, 1, (0.02, 0.02), step=0.06)[1:]
    if not place_text(ax, box, spots, obstacles, taken):
        box.set_position((1.04, 1.0))
        box.set_horizontalalignment("left")
        box.set_verticalalignment("top")
    name = ax.text(0, 0, "rating = " + x.replace("_", "-"), rotation=45, rotation_mode="anchor",
                   fontsize="x-small", color=INK, zorder=5, transform=ax.transData,
                   gid="journeylib-identity-label")
    spots = [(v, v, "right", "bottom") for v in (0.95, 0.75, -0.45, -0.7, 0.55, -0.2, 0.3)]
    if not place_text(ax, name, [_to_axes(ax, sx, sy) + (ha, va) for sx, sy, ha, va in spots],
                      obstacles, taken):
        name.remove()  # the diagonal is drawn and explained in the docstring; no room for its name
    else:
        name.set_transform(ax.transAxes)
    if key is not None:
        _size_key(ax, *key, obstacles, taken)


def _to_axes(ax, x, y):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0))


def _size_key(ax, counts, unit, obstacles, taken):
    """A legend of marker sizes: how many journeys a marker of each size stands for."""
    from matplotlib.lines import Line2D

    from ._placement import place_legend

    top = int(counts.max())
    shown = [c for c in (1, 10, 100, 1000, 10000) if c < top] + [top]
    handles = [Line2D([], [], marker="o", linestyle="none", color="#303030", alpha=0.55,
                      markeredgecolor="white", markersize=float(np.sqrt(unit * c))) for c in shown]
    labels = [f"{c:,}" for c in shown]
    legend = ax.legend(handles, labels, title="journeys", fontsize="x-small", title_fontsize="x-small",
                       frameon=True, framealpha=0.88, labelspacing=1.0, borderpad=0.6,
                       handletextpad=0.9)
    legend.set_gid("journeylib-size-key")
    legend.set_zorder(6)
    spots = [q for corner in ((0.02, 0.02), (0.98, 0.02), (0.02, 0.98), (0.98, 0.98))
             for q in _spots(0, 0, 1, 1, corner, step=0.5)]
    for corner in ((0.02, 0.02), (0.98, 0.98), (0.02, 0.98), (0.98, 0.02)):  # then anywhere, corner-wise
        spots += [q for q in _spots(0, 0, 1, 1, corner, step=0.06)[1:]
                  if (q[0] < 0.5) == (corner[0] < 0.5) and (q[1] < 0.5) == (corner[1] < 0.5)]
    if not place_legend(ax, legend, spots, obstacles, taken):  # outside, between box and labels
        legend.set_bbox_to_anchor((1.03, 0.5), transform=ax.transAxes)
        legend._loc = legend.codes["center left"]  # noqa: SLF001 - the public setter is the constructor
    return legend


def gap_hist(summary, *, rule="mean", rating="rating", bins="auto", confidence=0.95, ci=None,
             ci_label=None, ax=None, **kwargs):
    """Distribution of the gap between the journey rating and a touchpoint rule.

    Parameters
    ----------
    summary : pandas.DataFrame
        A :func:`journeylib.journey_summary` frame (or tidy data).  Never modified.
    rule : str
        The column the rating is compared with (``"mean"``, ``"peak_end"``...).
    rating : str
        The journey-level outcome column.
    bins : int, sequence or str
        Passed to ``ax.hist``.
    confidence : float
        Level of the t-based interval of the mean gap (drawn unless `ci` is given).
    ci : (float, float), optional
        An interval for the mean gap computed elsewhere, drawn instead of the
        t interval: e.g. the bootstrap interval of :func:`journeylib.gap_test`,
        ``tuple(res[["ci_low", "ci_high"]].iloc[0])``, so the figure shows the
        interval the table reports.
    ci_label : str, optional
        What the box calls the interval; by default ``"95% t interval"`` (at
        `confidence`) for the computed one and ``"given interval"`` for `ci`.
        Say what `ci` is, e.g. ``"95% bootstrap CI"``.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.hist``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The solid line is the mean gap, the shaded band its interval, the dotted
    line no gap; the box repeats the mean, the interval (named) and n.

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> s = pd.DataFrame({"mean": [0.1, 0.5, -0.2, 0.3], "rating": [-0.5, 0.5, 0.0, 0.5]})
    >>> ax = jl.gap_hist(s, rule="mean")
    >>> ax.get_xlabel()
    'gap: rating \u2212 mean (valence)'
    >>> box = [t for t in ax.texts if t.get_gid() == "journeylib-stats"][0]
    >>> print(box.get_text())
    mean gap \u22120.05
    95% t interval
    [\u22120.65, +0.55]
    n = 4
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = jl.gap_hist(s, ci=(-0.4, 0.2), ci_label="95% bootstrap CI", ax=ax)
    >>> print([t for t in ax.texts if t.get_gid() == "journeylib-stats"][0].get_text())
    mean gap \u22120.05
    95% bootstrap CI
    [\u22120.40, +0.20]
    n = 4
    """
    xs, ys = _pairs(summary, rule, rating, "gap_hist", names=("rule", "rating"))
    if ax is None:
        ax = plt.gca()
    gap = ys - xs
    if isinstance(bins, str) and bins == "auto":
        bins = _hist_bins(gap)
    kw = {"color": "#9bb4cf", "edgecolor": "white", "linewidth": 0.6, "zorder": 2} | kwargs
    ax.hist(gap, bins=bins, **kw)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.1)  # headroom for the line labels above the tallest bar
    mean, lo, hi = _mean_ci(gap, confidence)
    if ci is None:
        label = ci_label or f"{confidence:.0%} t interval"
    else:
        lo, hi = _interval(ci)
        label = ci_label or "given interval"
    if np.isfinite(lo):
        # drawn within the gaps that can occur (-2..+2 on valence); the box gives the bounds as
        # computed (a t interval of a handful of journeys reaches beyond them)
        ax.axvspan(max(lo, -GAP_RANGE), min(hi, GAP_RANGE), color=NEG if mean < 0 else POS,
                   alpha=0.25, linewidth=0, zorder=1, gid="journeylib-gap-ci")
    ax.axvline(mean, color=INK, linewidth=1.6, zorder=3, gid="journeylib-gap-mean")
    ax.axvline(0, color=GREY, linewidth=1.0, linestyle=":", zorder=3, gid="journeylib-zero")
    side = 1 if mean >= 0 else -1  # "mean" on the far side of its line from 0, "no gap" opposite
    ax.annotate("mean", xy=(mean, 1), xycoords=ax.get_xaxis_transform(), xytext=(3 * side, -3),
                textcoords="offset points", ha="left" if side > 0 else "right", va="top",
                fontsize="x-small", color=INK)
    ax.annotate("no gap", xy=(0, 1), xycoords=ax.get_xaxis_transform(), xytext=(-3 * side, -3),
                textcoords="offset points", ha="right" if side > 0 else "left", va="top",
                fontsize="x-small", color=GREY)
    # the interval on a line of its own under its name keeps the box narrow
    interval = f"{label}\n[{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else f"{label} n/a"
    # the box goes in the top corner farther from the mean and zero lines, so no label collides
    x0, x1 = ax.get_xlim()
    lines_at = np.mean([(v - x0) / (x1 - x0) for v in (0.0, mean) if np.isfinite(v)])
    right = lines_at > 0.5  # lines on the right half: box on the left
    box = ax.text(0.98 if not right else 0.02, 0.97, f"mean gap {_fmt(mean)}\n{interval}\nn = {gap.size:,}",
                  transform=ax.transAxes, ha="right" if not right else "left", va="top",
                  fontsize="small", color=INK, gid="journeylib-stats",
                  bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#cccccc"})
    ax.set_xlabel(f"gap: {rating} \u2212 {rule.replace('_', '-')} (valence)")
    ax.set_ylabel("journeys")
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    _place_hist_box(ax, box, right)
    ax.grid(axis="x", visible=False)
    return ax


def _place_hist_box(ax, box, right):
    """The statistics box in a top corner clear of the bars and of the line labels; more headroom
    above the bars when neither corner is clear, else outside the axes on the right."""
    from ._placement import fraction_box, place_text, to_fraction

    bars = [p for p in ax.patches if p.get_gid() is None and p.get_height() > 0]
    corners = [(0.02, 0.97, "left", "top"), (0.98, 0.97, "right", "top")]
    corners = corners if right else corners[::-1]
    for _ in range(6):
        x0, y0 = to_fraction(ax, [b.get_x() for b in bars], [0.0] * len(bars))
        x1, y1 = to_fraction(ax, [b.get_x() + b.get_width() for b in bars], [b.get_height() for b in bars])
        obstacles = ((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2)
        labels = [fraction_box(ax, t, grow=1.0) for t in ax.texts if t is not box]
        if place_text(ax, box, corners, obstacles, labels):
            return
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
    box.set_position((1.03, 1.0))
    box.set_horizontalalignment("left")


def _interval(ci):
    """(low, high) as floats; a ValueError for anything else."""
    try:
        lo, hi = (float(v) for v in ci)
    except (TypeError, ValueError):
        raise ValueError(f"The value for `ci` must be a pair (low, high), but {ci!r} was passed.") \
            from None
    if lo > hi:
        raise ValueError(f"The value for `ci` must have low <= high, but {ci!r} was passed.")
    return lo, hi


def _pairs(summary, x, y, what, names=("x", "y")):
    summary = as_summary(summary)
    _check_rule(summary, x, names[0])
    if y not in summary.columns:
        raise ValueError(f"The value for `{names[1]}` must be a column of the summary "
                         f"({', '.join(map(str, summary.columns))}), but {y!r} was passed.")
    xs = summary[x].to_numpy(dtype="float64", na_value=np.nan)
    ys = summary[y].to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.all():
        warnings.warn(f"{what}: {int((~ok).sum())} journey(s) without {x!r} or {y!r} left out.",
                      UserWarning, stacklevel=3)
    return xs[ok], ys[ok]


def _check_rule(summary, rule, argname="rule"):
    if rule in summary.columns:
        return
    valid = [r for r in _rules() if r in summary.columns] or list(_rules())
    raise ValueError(
        f"The value for `{argname}` must be one of {tuple(valid)!r}, but {rule!r} was passed."
    )


def _rules():
    from ..metrics import RULES

    return tuple(RULES)


def _density(ax, xs, ys, *, lim, gridsize, colorbar, **kwargs):
    """Log-count density of many points: hexbin, or cells aligned with discrete levels."""
    from matplotlib.colors import LogNorm

    (ex, gx), (ey, gy) = _edges(xs, lim, gridsize), _edges(ys, lim, gridsize)
    cmap = mpl.colors.LinearSegmentedColormap.from_list(
        "journeylib_density", mpl.colormaps["Greys"](np.linspace(0.18, 1.0, 256)))
    if gx == gy == "grid":
        kw = {"gridsize": gridsize, "bins": "log", "mincnt": 1, "cmap": cmap,
              "extent": (*lim, *lim), "linewidths": 0.2, "zorder": 2} | kwargs
        art = ax.hexbin(xs, ys, **kw)
    else:
        counts, _, _ = np.histogram2d(xs, ys, bins=[ex, ey])
        if gx == "levels":
            counts[1::2, :] = 0  # the empty cells between levels
        if gy == "levels":
            counts[:, 1::2] = 0
        masked = np.ma.masked_equal(counts.T, 0)
        kw = {"cmap": cmap, "norm": LogNorm(vmin=1, vmax=max(counts.max(), 2)), "zorder": 2,
              "gid": "journeylib-density"} | kwargs
        art = ax.pcolormesh(ex, ey, masked, **kw)
    if colorbar:
        cb = ax.figure.colorbar(art, ax=ax, shrink=0.7, pad=0.03, aspect=25)
        cb.set_label("journeys per cell (log scale)", fontsize="small")
        cb.outline.set_visible(False)
    return art


def _edges(values, lim, gridsize):
    """Bin edges for one axis of the density plot, and whether it is a few discrete levels.

    A handful of levels (a 5-point rating) gets a narrow cell around each level with empty
    cells between; up to `gridsize` levels (means of a few answers) get contiguous cells
    from midpoint to midpoint, so no bin falls between two lattice points; anything else a
    regular grid.
    """
    few = _levels(values, 15)
    if few is not None:
        half = 0.32 * np.min(np.diff(few))
        return np.column_stack([few - half, few + half]).ravel(), "levels"
    some = _levels(values, gridsize)
    if some is not None:
        mid = (some[1:] + some[:-1]) / 2
        return np.r_[2 * some[0] - mid[0], mid, 2 * some[-1] - mid[-1]], "lattice"
    width = (lim[1] - lim[0]) / gridsize  # an odd gridsize centres a bin on 0 (a common mean)
    return (np.arange(gridsize + 1) - gridsize / 2) * width, "grid"


def _levels(values, max_levels):
    """Sorted distinct values when there are at most `max_levels` of them, else None."""
    u = np.unique(values)
    return u if 1 < u.size <= max_levels else None


def _hist_bins(gap, max_bins=50):
    """Bins for gaps.  Gaps of ratings and means of a few answers lie on a lattice; bins
    are then whole multiples of the lattice step centred on lattice points, so no bin is
    empty by construction (at most `max_bins` of them).  Otherwise numpy's "auto" edges,
    at most `max_bins` bins (finer bins comb when a fine lattice hides in the data)."""
    u = np.unique(np.round(gap, 6))
    if u.size < 2:
        return "auto"
    auto = np.histogram_bin_edges(gap, "auto")
    capped = auto if len(auto) <= max_bins + 1 else np.linspace(auto[0], auto[-1], max_bins + 1)
    step = float(np.min(np.diff(u)))
    span = float(u[-1] - u[0])
    on_lattice = np.allclose(np.round((u - u[0]) / step) * step, u - u[0], atol=1e-5)
    if not on_lattice or span / step > 5000:
        return capped
    width = step * max(1, int(np.ceil(span / step / max_bins)))
    return np.arange(u[0] - width / 2, u[-1] + width, width)
