"""Figures of statistics results: :func:`rule_plot`, :func:`driver_plot` and :func:`nps_plot`.

Each draws a result frame as it comes (``compare_rules`` from :mod:`journeylib.stats`,
``key_drivers`` from :mod:`journeylib.drivers`, ``nps`` from :mod:`journeylib.netpromoter`), one row per rule, touchpoint or group.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._common import _fmt, _need
from .theme import GREY, INK, NEG, POS, valence_color

__all__ = ["rule_plot", "driver_plot", "nps_plot"]

def rule_plot(result, *, ax=None, **kwargs):
    """Forest plot of :func:`journeylib.compare_rules`: each rule's score with its interval.

    Rules are listed top to bottom in the order of `result` (best first).  The
    best is a filled blue dot; a rule the data cannot tell from the best (its
    paired interval of the difference to the best holds 0, columns
    ``diff_ci_low``/``diff_ci_high``) is an open blue circle; the others are
    dark dots.  Rules left out (no score, a ``note`` saying why) are not
    drawn.  The reference line is 0 for R² and 0.5 (chance) for AUC; for
    log-loss lower is better, and the axis says so.

    Parameters
    ----------
    result : pandas.DataFrame
        Columns ``rule``, ``score``, ``ci_low``, ``ci_high`` and optionally
        ``score_name`` (``"r2"``, ``"auc"`` or ``"log_loss"``),
        ``diff_ci_low`` and ``diff_ci_high``.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to the markers (``ax.plot``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> res = pd.DataFrame({"rule": ["peak_end", "mean", "last"], "score_name": "r2",
    ...                     "score": [0.41, 0.38, None], "ci_low": [0.35, 0.30, None],
    ...                     "ci_high": [0.47, 0.45, None], "diff_ci_low": [0.0, -0.06, None],
    ...                     "diff_ci_high": [0.0, 0.01, None]})
    >>> import matplotlib.pyplot as plt
    >>> ax = jl.rule_plot(res, ax=plt.figure().gca())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['peak_end', 'mean']
    >>> ax.lines[1].get_markerfacecolor()  # mean: not distinguishable from the best
    'none'
    """
    _need(result, ["rule", "score", "ci_low", "ci_high"], "rule_plot")
    if ax is None:
        ax = plt.gca()
    result = result[result["score"].notna()]
    k = len(result)
    y = np.arange(k)[::-1].astype(float)
    score = result["score"].to_numpy(dtype="float64")
    lo = result["ci_low"].to_numpy(dtype="float64")
    hi = result["ci_high"].to_numpy(dtype="float64")
    names = set(result["score_name"].astype(str)) if "score_name" in result.columns else {"score"}
    name = names.pop() if len(names) == 1 else "score"
    if {"diff_ci_low", "diff_ci_high"} <= set(result.columns):
        d_lo = result["diff_ci_low"].to_numpy(dtype="float64")
        d_hi = result["diff_ci_high"].to_numpy(dtype="float64")
        tied = (d_lo <= 0) & (d_hi >= 0)
    else:
        tied = np.zeros(k, dtype=bool)
    ax.hlines(y, lo, hi, color=GREY, linewidth=2.2, zorder=2, gid="journeylib-ci")
    kw = {"marker": "o", "markersize": 8, "linestyle": "none", "zorder": 3} | kwargs
    for i, (yi, si) in enumerate(zip(y, score, strict=True)):
        if i == 0:
            ax.plot([si], [yi], color=POS, **kw)
        elif tied[i]:
            ax.plot([si], [yi], color=POS, markerfacecolor="none", markeredgewidth=1.8, **kw)
        else:
            ax.plot([si], [yi], color=INK, **kw)
    ref = {"auc": 0.5, "r2": 0.0}.get(name)
    if ref is not None:
        ax.axvline(ref, color=GREY, linestyle=":", linewidth=1.0, zorder=1)
    for yi, si, h in zip(y, score, hi, strict=True):
        label = f"{si:.2f}".replace("-0.00", "0.00").replace("-", "\u2212")
        ax.annotate(label, xy=(np.nanmax([si, h]), yi), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize="small", color=INK)
    ax.set_yticks(y, result["rule"].astype(str).to_list())
    ax.set_ylim(-0.7, k - 0.3)
    label = {"r2": "cross-validated R\u00b2", "auc": "AUC of the rule's ranking",
             "log_loss": "cross-validated log-loss (lower is better)"}.get(name, name)
    if tied[1:].any():
        label += "\nopen circle: not distinguishable from the best"
    ax.set_xlabel(label)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True, color="#ececec")
    right = np.nanmax(np.r_[hi, score])
    left = np.nanmin(np.r_[lo, score, ref if ref is not None else np.nan])
    pad = 0.12 * (right - left if right > left else 1.0)
    ax.set_xlim(left - pad / 2, right + pad * 1.6)
    return ax


def driver_plot(result, *, x="performance", y="importance", label="touchpoint", ax=None,
                **kwargs):
    """Importance-performance chart (Martilla and James 1977) of :func:`journeylib.key_drivers`.

    Each touchpoint is a point at its performance (x, mean valence) and its
    importance (y) with the interval of the importance; dashed crosshairs at
    the means split the chart into four quadrants: *concentrate here* (important,
    performing poorly), *keep up the good work*, *low priority* and *possible
    overkill*.  Each label takes the nearest spot around its point that
    covers no other point, interval or label (joined to its point by a thin
    line when it had to move farther out), and the quadrant names take a free
    spot in their quadrant, so that with 14 touchpoints nothing is hidden.

    Parameters
    ----------
    result : pandas.DataFrame
        Columns `label`, `x`, `y`, and optionally ``ci_low``/``ci_high`` (of `y`).
    x, y, label : str
        Column names.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> res = pd.DataFrame({"touchpoint": ["web", "email", "phone"],
    ...                     "importance": [0.2, 0.5, 0.4], "performance": [0.6, -0.1, 0.2]})
    >>> ax = jl.driver_plot(res)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "journeylib-label")
    ['email', 'phone', 'web']
    """
    _need(result, [label, x, y], "driver_plot")
    if ax is None:
        ax = plt.gca()
    xs = result[x].to_numpy(dtype="float64")
    ys = result[y].to_numpy(dtype="float64")
    names = result[label].astype(str).to_list()
    if {"ci_low", "ci_high"} <= set(result.columns):
        lo = result["ci_low"].to_numpy(dtype="float64")
        hi = result["ci_high"].to_numpy(dtype="float64")
        ax.vlines(xs, lo, hi, color="#bdbdbd", linewidth=1.4, zorder=2, gid="journeylib-ci")
    else:
        lo, hi = ys, ys
    mx, my = float(np.nanmean(xs)), float(np.nanmean(ys))
    colors = [valence_color(v) for v in xs]
    kw = {"s": 70, "c": colors, "edgecolor": INK, "linewidth": 0.8, "zorder": 3} | kwargs
    ax.scatter(xs, ys, **kw)
    ax.axvline(mx, color=GREY, linestyle="--", linewidth=0.9, zorder=1)
    ax.axhline(my, color=GREY, linestyle="--", linewidth=0.9, zorder=1)
    xr = np.nanmax(xs) - np.nanmin(xs) or 1.0
    yr = np.nanmax(hi) - np.nanmin(lo) or 1.0
    ax.set_xlim(np.nanmin(xs) - 0.15 * xr, np.nanmax(xs) + 0.35 * xr)
    ax.set_ylim(np.nanmin(lo) - 0.12 * yr, np.nanmax(hi) + 0.15 * yr)
    ax.set_xlabel(f"{x} (mean valence)")
    ax.set_ylabel(y)
    ax.grid(False)
    _label_drivers(ax, names, xs, ys, lo, hi, (mx, my), order=np.argsort(-np.nan_to_num(ys), kind="stable"))
    return ax


# label offsets in points, nearest first: right, left, above, below, then the diagonals, farther out
_OFFSETS = [(dx * d, dy * d, ha, va) for d in (7, 14, 24, 36, 50, 66)
            for dx, dy, ha, va in ((1, 0, "left", "center"), (-1, 0, "right", "center"),
                                   (0, 1, "center", "bottom"), (0, -1, "center", "top"),
                                   (0.8, 0.8, "left", "bottom"), (-0.8, 0.8, "right", "bottom"),
                                   (0.8, -0.8, "left", "top"), (-0.8, -0.8, "right", "top"),
                                   (0.45, 1, "left", "bottom"), (-0.45, 1, "right", "bottom"),
                                   (0.45, -1, "left", "top"), (-0.45, -1, "right", "top"))]


def _label_drivers(ax, names, xs, ys, lo, hi, cross, order):
    """Quadrant names and point labels where they cover no point, no interval and no other label.

    Quadrant names go in a free spot of their quadrant (more headroom is made when none is free);
    each point's label takes the nearest free offset around its point, most important point first,
    joined to it by a thin line when it sits farther away than the first ring. A label with no
    free offset at all takes the one that collides least.
    """
    from ._placement import axes_box, fraction_box, hits, inside, overlaps, place_text, to_fraction

    def obstacles():
        box = axes_box(ax)
        fx, fy = to_fraction(ax, xs, ys)
        _, flo = to_fraction(ax, xs, lo)
        _, fhi = to_fraction(ax, xs, hi)
        r = 5.5 * ax.figure.dpi / 72  # marker s=70 (radius about 4.2 pt) and its edge, in pixels
        return (np.r_[fx, fx], np.r_[fy, (flo + fhi) / 2],
                np.r_[np.full(fx.size, r / box.width), np.full(fx.size, 1.5 / box.width)],
                np.r_[np.full(fx.size, r / box.height), np.abs(fhi - flo) / 2])

    taken = []
    quadrants = {"concentrate here": (0, 1), "keep up the good work": (1, 1), "low priority": (0, 0),
                 "possible overkill": (1, 0)}
    for text, (right, top) in quadrants.items():
        t = ax.text(0, 0, text, transform=ax.transAxes, fontsize="small", color="#6b6b6b",
                    style="italic", gid="journeylib-quadrant")
        for _ in range(5):
            cx, cy = (float(v) for v in to_fraction(ax, cross[0], cross[1]))
            region = (cx if right else 0.0, cy if top else 0.0, 1.0 if right else cx, 1.0 if top else cy)
            corner = (0.99 if right else 0.01, 0.99 if top else 0.01)
            spots = [(corner[0], corner[1], "right" if right else "left", "top" if top else "bottom")]
            spots += [(px, corner[1], spots[0][2], spots[0][3])
                      for px in np.linspace(region[0] + 0.01, region[2] - 0.01, 12)]
            if place_text(ax, t, spots, obstacles(), taken):
                break
            y0, y1 = ax.get_ylim()  # no free spot: more room above (or below) the points
            ax.set_ylim((y0, y1 + 0.12 * (y1 - y0)) if top else (y0 - 0.12 * (y1 - y0), y1))
    obs = obstacles()
    texts = [ax.annotate(nm, xy=(xi, yi), xytext=(7, 0), textcoords="offset points", ha="left",
                         va="center", fontsize="small", color=INK, gid="journeylib-label")
             for nm, xi, yi in zip(names, xs, ys, strict=True)]  # in the order of the rows
    for i in order:
        t = texts[i]
        best, fewest = None, None
        for dx, dy, ha, va in _OFFSETS:
            t.xyann = (dx, dy)
            t.set_horizontalalignment(ha)
            t.set_verticalalignment(va)
            frac = fraction_box(ax, t, grow=1.05, margin_px=1.5)
            clashes = int(hits(frac, obs)) + sum(overlaps(frac, b) for b in taken) + (not inside(frac, 0))
            if fewest is None or clashes < fewest:
                best, fewest = (dx, dy, ha, va, frac), clashes
            if clashes == 0:
                break
        dx, dy, ha, va, frac = best
        t.xyann = (dx, dy)
        t.set_horizontalalignment(ha)
        t.set_verticalalignment(va)
        taken.append(frac)
        if abs(dx) + abs(dy) > 8:
            ax.annotate("", xy=(xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points",
                        arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6,
                                    "shrinkA": 1, "shrinkB": 4}, gid="journeylib-leader")


def nps_plot(result, *, label=None, ax=None, **kwargs):
    """Stacked bars of detractors, passives and promoters with the NPS and its margin.

    Parameters
    ----------
    result : pandas.DataFrame
        One row per group, as from :func:`journeylib.nps`: ``share_detractors``,
        ``share_passives``, ``share_promoters`` (fractions or percentages),
        ``nps`` and optionally ``ci_low``/``ci_high`` (shown as they are, as
        "NPS 33 (18 to 47)": the adjusted interval of :func:`journeylib.nps`
        is not symmetric around the NPS) and ``n``.
    label : str, optional
        Column naming each row's group; by default the index when there are
        several rows.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> res = pd.DataFrame({"nps": [33.3], "ci_low": [18.7], "ci_high": [47.9], "n": [100],
    ...                     "share_detractors": [1 / 6], "share_passives": [1 / 3],
    ...                     "share_promoters": [0.5]})
    >>> import matplotlib.pyplot as plt
    >>> ax = jl.nps_plot(res, ax=plt.figure().gca())
    >>> [round(float(p.get_width()), 1) for p in ax.patches]
    [16.7, 33.3, 50.0]
    """
    cols = ["share_detractors", "share_passives", "share_promoters", "nps"]
    _need(result, cols, "nps_plot")
    if ax is None:
        ax = plt.gca()
    shares = result[cols[:3]].to_numpy(dtype="float64")
    pct = shares * 100 if np.nanmax(np.nansum(shares, axis=1)) <= 1.0 + 1e-9 else shares
    nps = result["nps"].to_numpy(dtype="float64")
    implied = pct[:, 2] - pct[:, 0]
    scale = 100.0 if np.allclose(nps * 100, implied, atol=0.6) and not np.allclose(
        nps, implied, atol=0.6) else 1.0
    if "ci_low" in result.columns and "ci_high" in result.columns:
        bounds = result[["ci_low", "ci_high"]].to_numpy(dtype="float64") * scale
    else:
        bounds = np.full((len(result), 2), np.nan)
    if label is not None:
        names = result[label].astype(str).to_list()
    elif len(result) > 1:
        names = [str(i) for i in result.index]
    else:
        names = ["all"]
    k = len(result)
    y = np.arange(k)[::-1].astype(float)
    left = np.zeros(k)
    parts = [("detractors (0\u20136)", NEG, "white"), ("passives (7\u20138)", "#e0e0e0", INK),
             ("promoters (9\u201310)", POS, "white")]
    for j, (name, color, ink) in enumerate(parts):
        kw = {"height": 0.6, "edgecolor": "white", "linewidth": 1.0} | kwargs
        ax.barh(y, pct[:, j], left=left, color=color, label=name, **kw)
        for yi, w, l0 in zip(y, pct[:, j], left, strict=True):
            if w >= 7:
                ax.text(l0 + w / 2, yi, f"{w:.0f}%", ha="center", va="center", color=ink,
                        fontsize="small", fontweight="bold")
        left = left + pct[:, j]
    for yi, s, (lo, hi), rows in zip(y, nps * scale, bounds,
                                     result["n"] if "n" in result.columns else [None] * k,
                                     strict=True):
        txt = f"NPS {_fmt(s, 0)}"
        if np.isfinite(lo) and np.isfinite(hi):
            txt += f" ({_fmt(lo, 0)} to {_fmt(hi, 0)})"
        if rows is not None and np.isfinite(rows):
            txt += f"\nn = {int(rows):,}"
        ax.annotate(txt, xy=(100, yi), xytext=(8, 0), textcoords="offset points", ha="left",
                    va="center", fontsize="small", fontweight="bold", color=INK,
                    annotation_clip=False, gid="journeylib-nps")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, k - 0.4)
    ax.set_xlabel("share of respondents (%)")
    ax.grid(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False,
              fontsize="small", handlelength=1.2, borderaxespad=0.2)
    return ax
