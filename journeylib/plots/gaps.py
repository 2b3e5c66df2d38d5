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
    ax.text(1.0, -1.0, "touchpoints fine,\njourney poor", ha="right", va="bottom",
            fontsize="small", color="#8b1a1a", fontweight="bold", zorder=5)
    ax.text(-1.0, 1.0, "touchpoints poor,\njourney good", ha="left", va="top",
            fontsize="small", color="#1f3f73", fontweight="bold", zorder=5)
    n = xs.size
    if n > hexbin_above:
        _density(ax, xs, ys, lim=lim, gridsize=gridsize, colorbar=colorbar, **kwargs)
    else:
        alpha = float(np.clip(12 / np.sqrt(max(n, 1)), 0.15, 0.85))
        kw = {"s": 36 if n < 200 else 14, "color": "#303030", "alpha": alpha,
              "edgecolor": "white", "linewidth": 0.4, "zorder": 3} | kwargs
        ax.scatter(xs, ys, **kw)
    ax.plot(lim, lim, linestyle=":", color=INK, linewidth=1.1, zorder=4, gid="journeylib-identity")
    ax.annotate("rating = " + x.replace("_", "-"), xy=(0.95, 0.95), xytext=(-3, 3),
                textcoords="offset points", rotation=45, rotation_mode="anchor", ha="right",
                va="bottom", fontsize="x-small", color=INK, zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.8})
    ax.axhline(0, color="#b0b0b0", linewidth=0.7, zorder=1)
    ax.axvline(0, color="#b0b0b0", linewidth=0.7, zorder=1)
    gap, lo, hi = _mean_ci(ys - xs, confidence)
    r = float(np.corrcoef(xs, ys)[0, 1]) if n > 2 and xs.std() > 0 and ys.std() > 0 else np.nan
    pct = f"{confidence:.0%}"
    lines = [f"r = {_fmt(r)}" if np.isfinite(r) else "r = n/a",
             f"mean gap {_fmt(gap)}",
             f"{pct} CI [{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else f"{pct} CI n/a",
             f"n = {n:,} journeys"]
    ax.text(-1.0, -1.0, "\n".join(lines), ha="left", va="bottom", fontsize="small", color=INK,
            zorder=5, gid="journeylib-stats",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#cccccc",
                  "alpha": 0.88})
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_aspect("equal", adjustable="box")
    ticks = [-1, -0.5, 0, 0.5, 1]
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.grid(False)
    ax.set_xlabel(f"touchpoints: {x.replace('_', '-')} (valence)")
    ax.set_ylabel(f"journey {y.replace('_', '-')} (valence)")
    return ax


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
        ax.axvspan(lo, hi, color=NEG if mean < 0 else POS, alpha=0.25, linewidth=0, zorder=1,
                   gid="journeylib-gap-ci")
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
    ax.text(0.98 if not right else 0.02, 0.97, f"mean gap {_fmt(mean)}\n{interval}\nn = {gap.size:,}",
            transform=ax.transAxes, ha="right" if not right else "left", va="top",
            fontsize="small", color=INK, gid="journeylib-stats",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#cccccc"})
    ax.set_xlabel(f"gap: {rating} \u2212 {rule.replace('_', '-')} (valence)")
    ax.set_ylabel("journeys")
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(axis="x", visible=False)
    return ax


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
