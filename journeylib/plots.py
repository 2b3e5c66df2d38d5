"""Figures: the emotion curve with drawn faces, the gap charts, rule comparison, drivers, NPS.

Every function has seaborn's shape: data first, options keyword-only,
``ax=None`` (the current Axes is used then) and the Axes returned, except
:func:`journey_card`, which makes and returns a whole Figure for a slide.
Nothing here calls ``plt.show()`` or saves a file.

Everything is drawn on valence (-1 = worst, +1 = best; see
:func:`journeylib.valence`), with the colour-blind-safe diverging palette of
:mod:`journeylib.faces` (red = unhappy, blue = happy).
"""

from __future__ import annotations

import difflib
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from scipy import stats as sps

from .faces import _fmt, draw_journey_map, extra_moments, valence_color
from .scales import add_valence

__all__ = [
    "set_theme",
    "emotion_curve",
    "gap_scatter",
    "gap_hist",
    "rule_plot",
    "driver_plot",
    "nps_plot",
    "journey_card",
]

INK = "#262626"
GREY = "#8c8c8c"
NEG = valence_color(-0.85)
POS = valence_color(0.85)
_FALLBACK_RULES = ("mean", "median", "min", "max", "first", "last", "peak", "trough", "peak_end")


# --- theme --------------------------------------------------------------------------------------


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


# --- shared helpers -------------------------------------------------------------------------------


def _need(data, columns, what):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame, not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{what} needs the column(s) {', '.join(map(repr, missing))}; "
            f"the data has {', '.join(map(str, data.columns))}."
        )


def _choice(name, value, options):
    if value not in options:
        raise ValueError(
            f"The value for `{name}` must be one of {tuple(options)!r}, but {value!r} was passed."
        )


def _is_tidy(data):
    return isinstance(data, pd.DataFrame) and {"step", "score", "score_scale"} <= set(data.columns)


def _summary(data):
    """journey_summary of tidy data (metrics module); a minimal vectorised stand-in without it."""
    try:
        from .metrics import journey_summary
    except ImportError:
        d = add_valence(data)
        g = d.groupby("journey_id", sort=True)
        out = pd.DataFrame({"mean": g["valence"].mean(), "rating": g["rating_valence"].first()})
        out["gap"] = out["rating"] - out["mean"]
        return out.reset_index()
    return journey_summary(data)


def _rules():
    try:
        from .metrics import RULES
    except ImportError:
        return _FALLBACK_RULES
    return tuple(RULES)


def _as_summary(summary, columns, what):
    """A journey summary: passed through, or computed from tidy data."""
    if _is_tidy(summary) and not set(columns) <= set(summary.columns):
        summary = _summary(summary)
    _need(summary, [], what)
    return summary


def _check_rule(summary, rule, argname="rule"):
    if rule in summary.columns:
        return
    valid = [r for r in _rules() if r in summary.columns] or list(_rules())
    raise ValueError(
        f"The value for `{argname}` must be one of {tuple(valid)!r}, but {rule!r} was passed."
    )


def _mean_ci(values, confidence):
    """Mean and the t-based confidence interval of a 1-d array (NaN bounds for n < 2)."""
    v = np.asarray(values, dtype="float64")
    n = v.size
    mean = float(v.mean()) if n else np.nan
    if n < 2:
        return mean, np.nan, np.nan
    half = sps.t.ppf((1 + confidence) / 2, n - 1) * v.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _nearest_ids(ids, journey, n=3):
    ids = pd.unique(pd.Series(ids))
    try:
        num = np.asarray(ids, dtype="float64")
        target = float(journey)
    except (TypeError, ValueError):
        names = [str(i) for i in ids]
        close = difflib.get_close_matches(str(journey), names, n=n, cutoff=0.0)
        return close
    order = np.argsort(np.abs(num - target), kind="stable")[:n]
    return [ids[i] for i in order]


def _select_journey(data, journey):
    ids = data["journey_id"]
    mask = (ids == journey).to_numpy(dtype=bool, na_value=False) if not isinstance(journey, str) \
        else (ids.astype(str) == journey).to_numpy(dtype=bool, na_value=False)
    if not mask.any():
        mask = (ids.astype(str) == str(journey)).to_numpy(dtype=bool, na_value=False)
    if not mask.any():
        near = ", ".join(repr(_py(i)) for i in _nearest_ids(ids, journey))
        raise ValueError(
            f"Journey {journey!r} is not in the data ({ids.nunique()} journeys). "
            f"Nearest journey ids: {near}."
        )
    return data.loc[mask]


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


# --- emotion curve -------------------------------------------------------------------------------


def emotion_curve(data, *, journey=None, by="step", lanes=None, wrap=None, face_size=None,
                  confidence=0.95, annotate=True, ax=None, **kwargs):
    """Journey map: the feeling at each moment as a drawn face, against the journey rating.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (one row per moment, see :func:`journeylib.validate`).
        Never modified.
    journey : scalar, optional
        The journey to draw.  When omitted and the data hold one journey, that
        one; with several journeys, the mean curve over all of them.
    by : {"step", "touchpoint"}
        For the mean curve: average per step (position in the journey) or per
        touchpoint (ordered by their mean step).
    lanes : str or list of str, optional
        Columns such as ``"channel"`` or ``"actor"`` shown as swimlane ribbons
        under the curve (one journey only).
    wrap : int, optional
        Characters per line of the touchpoint labels; by default chosen from
        the space each moment gets.
    face_size : float, optional
        Face radius in inches; by default chosen from the space per moment.
    confidence : float
        Level of the band around the mean curve and of the rating's interval.
    annotate : bool
        Label the touchpoint mean and the gap between the rating and it.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to the line through the moments (``color``, ``linewidth``...).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    For one journey: x holds the moments in order, labelled with their
    touchpoints; y is valence with five drawn faces as tick marks.  Each moment
    is a face whose mouth curves with its score and whose colour runs from red
    (unhappy) to blue (happy); a moment without a score is a grey face with
    no mouth.  Extra moments within one stop of a diary (rows without a
    ``stop`` number, or repeating the previous stop) are drawn smaller.  The
    dashed line is the mean valence of the moments; the framed face at the
    right edge is the journey rating, and the arrow between them is the gap
    (rating minus mean).  For many journeys the curve is the mean per step or
    touchpoint with a t-based confidence band, and the rating is the mean
    rating with its interval.

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> df = pd.DataFrame({"journey_id": 1, "step": [1, 2, 3],
    ...                    "touchpoint": ["web shop", "email", "phone"],
    ...                    "score": [2, 1, -2], "score_scale": "smiley5",
    ...                    "rating": -1, "rating_scale": "smiley5"})
    >>> ax = jl.emotion_curve(df)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['web shop', 'email', 'phone']
    >>> from journeylib.faces import find_faces
    >>> [f["sag"] < 0 for f in find_faces(ax)]  # smiles (mouth sags in the middle) where happy
    [True, True, False]
    """
    _need(data, ["journey_id", "step", "touchpoint", "score", "score_scale", "rating",
                 "rating_scale"], "emotion_curve")
    _choice("by", by, ("step", "touchpoint"))
    if ax is None:
        ax = plt.gca()
    if journey is None and data["journey_id"].nunique() > 1:
        return _mean_curve(data, by=by, wrap=wrap, face_size=face_size, confidence=confidence,
                           annotate=annotate, ax=ax, **kwargs)
    sel = data if journey is None else _select_journey(data, journey)
    if isinstance(lanes, str):
        lanes = [lanes]
    lanes = list(lanes or [])
    _need(sel, lanes, "emotion_curve(lanes=...)")
    d = add_valence(sel).sort_values("step", kind="stable")
    v = d["valence"].to_numpy(dtype="float64")
    mean = float(_summary(sel)["mean"].iloc[0])
    rating = float(d["rating_valence"].iloc[0])
    extra = extra_moments(d)
    draw_journey_map(ax, v, d["touchpoint"].to_list(), mean=mean, rating=rating, extra=extra,
           lanes=[(name, d[name].to_list()) for name in lanes], wrap=wrap, face_size=face_size,
           annotate=annotate, **kwargs)
    return ax


def _mean_curve(data, *, by, wrap, face_size, confidence, annotate, ax, **kwargs):
    d = add_valence(data)
    g = d.groupby(by, sort=True, observed=True)
    stats = g["valence"].agg(["mean", "std", "count"])
    if by == "touchpoint":
        stats = stats.loc[g["step"].mean().sort_values(kind="stable").index]
    n = stats["count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        half = sps.t.ppf((1 + confidence) / 2, np.maximum(n - 1, 1)) * stats["std"] / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    summ = _summary(data)
    mean = float(summ["mean"].mean())
    r_mean, r_low, r_high = _mean_ci(summ["rating"].dropna(), confidence)
    labels = [f"{s}" for s in stats.index]
    draw_journey_map(ax, stats["mean"].to_numpy(dtype="float64"), labels, mean=mean, rating=r_mean,
           extra=np.zeros(len(stats), dtype=bool), lanes=[], wrap=wrap, face_size=face_size,
           annotate=annotate, band=(stats["mean"] - half, stats["mean"] + half),
           rating_ci=(r_low, r_high), n_journeys=len(summ), **kwargs)
    if by == "step":
        ax.set_xlabel("step")
    return ax


# --- gap charts -------------------------------------------------------------------------------------


def _pairs(summary, x, y, what, names=("x", "y")):
    summary = _as_summary(summary, [x, y], what)
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


def _levels(values, max_levels):
    """Sorted distinct values when there are at most `max_levels` of them, else None."""
    u = np.unique(values)
    return u if 1 < u.size <= max_levels else None


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


def gap_hist(summary, *, rule="mean", rating="rating", bins="auto", confidence=0.95, ax=None,
             **kwargs):
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
        Level of the t-based interval of the mean gap.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.hist``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> s = pd.DataFrame({"mean": [0.1, 0.5, -0.2, 0.3], "rating": [-0.5, 0.5, 0.0, 0.5]})
    >>> ax = jl.gap_hist(s, rule="mean")
    >>> ax.get_xlabel()
    'gap: rating \u2212 mean (valence)'
    """
    xs, ys = _pairs(summary, rule, rating, "gap_hist", names=("rule", "rating"))
    if ax is None:
        ax = plt.gca()
    gap = ys - xs
    if isinstance(bins, str) and bins == "auto":
        bins = _hist_bins(gap)
    kw = {"color": "#9bb4cf", "edgecolor": "white", "linewidth": 0.6, "zorder": 2} | kwargs
    ax.hist(gap, bins=bins, **kw)
    mean, lo, hi = _mean_ci(gap, confidence)
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
    pct = f"{confidence:.0%}"
    ci = f"{pct} CI [{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else f"{pct} CI n/a"
    right = mean < np.median(gap) if gap.size else True
    ax.text(0.98 if not right else 0.02, 0.97, f"mean gap {_fmt(mean)}\n{ci}\nn = {gap.size:,}",
            transform=ax.transAxes, ha="right" if not right else "left", va="top",
            fontsize="small", color=INK, gid="journeylib-stats",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#cccccc"})
    ax.set_xlabel(f"gap: {rating} \u2212 {rule.replace('_', '-')} (valence)")
    ax.set_ylabel("journeys")
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(axis="x", visible=False)
    return ax


# --- rule comparison, drivers, NPS ----------------------------------------------------------------


def rule_plot(result, *, ax=None, **kwargs):
    """Forest plot of :func:`journeylib.compare_rules`: each rule's score with its interval.

    Rules are listed top to bottom in the order of `result` (best first); the
    best is drawn in blue.  The reference line is 0 for R\u00b2 and 0.5 (chance)
    for AUC.

    Parameters
    ----------
    result : pandas.DataFrame
        Columns ``rule``, ``score``, ``ci_low``, ``ci_high`` and optionally
        ``score_name`` (``"r2"`` or ``"auc"``).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to the markers (``ax.plot``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> res = pd.DataFrame({"rule": ["peak_end", "mean"], "score_name": "r2",
    ...                     "score": [0.41, 0.30], "ci_low": [0.35, 0.22],
    ...                     "ci_high": [0.47, 0.37]})
    >>> ax = jl.rule_plot(res)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['peak_end', 'mean']
    """
    _need(result, ["rule", "score", "ci_low", "ci_high"], "rule_plot")
    if ax is None:
        ax = plt.gca()
    k = len(result)
    y = np.arange(k)[::-1].astype(float)
    score = result["score"].to_numpy(dtype="float64")
    lo = result["ci_low"].to_numpy(dtype="float64")
    hi = result["ci_high"].to_numpy(dtype="float64")
    names = set(result["score_name"].astype(str)) if "score_name" in result.columns else {"score"}
    name = names.pop() if len(names) == 1 else "score"
    ax.hlines(y, lo, hi, color=GREY, linewidth=2.2, zorder=2, gid="journeylib-ci")
    colors = [POS] + [INK] * (k - 1)
    kw = {"marker": "o", "markersize": 8, "linestyle": "none", "zorder": 3} | kwargs
    for yi, si, ci in zip(y, score, colors, strict=True):
        ax.plot([si], [yi], color=ci, **kw)
    ref = {"auc": 0.5, "r2": 0.0}.get(name)
    if ref is not None:
        ax.axvline(ref, color=GREY, linestyle=":", linewidth=1.0, zorder=1)
    for yi, si, h in zip(y, score, hi, strict=True):
        label = f"{si:.2f}".replace("-0.00", "0.00").replace("-", "\u2212")
        ax.annotate(label, xy=(np.nanmax([si, h]), yi), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize="small", color=INK)
    ax.set_yticks(y, result["rule"].astype(str).to_list())
    ax.set_ylim(-0.7, k - 0.3)
    label = {"r2": "cross-validated R\u00b2", "auc": "cross-validated AUC"}.get(name, name)
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
    overkill*.  Labels are moved apart so they do not overlap.

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
    quad = {"concentrate here": (0.01, 0.99, "left", "top"),
            "keep up the good work": (0.99, 0.99, "right", "top"),
            "low priority": (0.01, 0.01, "left", "bottom"),
            "possible overkill": (0.99, 0.01, "right", "bottom")}
    for text, (qx, qy, ha, va) in quad.items():
        ax.text(qx, qy, text, transform=ax.transAxes, ha=ha, va=va, fontsize="small",
                color="#6b6b6b", style="italic", gid="journeylib-quadrant")
    texts = [ax.annotate(nm, xy=(xi, yi), xytext=(7, 0), textcoords="offset points",
                         ha="left", va="center", fontsize="small", color=INK,
                         gid="journeylib-label")
             for nm, xi, yi in zip(names, xs, ys, strict=True)]
    ax.set_xlabel(f"{x} (mean valence)")
    ax.set_ylabel(y)
    ax.grid(False)
    _repel_simple(ax, texts)
    return ax


def _repel_simple(ax, texts, max_iter=300):
    """Shift overlapping labels apart vertically (in points), also off the data points.

    Labels move, points stay; a thin leader line joins a label to its point when it
    moved more than a few points.
    """
    if not texts:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_pt = 72.0 / fig.dpi
    start = [t.xyann[1] for t in texts]
    pts = ax.transData.transform(np.array([t.xy for t in texts], dtype=float))
    r = 5.0 / to_pt  # marker radius (s=70 -> about 4.2 pt) plus a margin, in pixels

    def overlap(a, b):
        return a.x0 < b.x1 + 1 and b.x0 < a.x1 + 1 and a.y0 < b.y1 + 1 and b.y0 < a.y1 + 1

    def shift(idx, dy_px):
        ox, oy = texts[idx].xyann
        texts[idx].xyann = (ox, oy + dy_px * to_pt)

    from matplotlib.transforms import Bbox

    obstacles = [Bbox([[px - r, py - r], [px + r, py + r]]) for px, py in pts]
    for _ in range(max_iter):
        boxes = [t.get_window_extent(renderer) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                a, b = boxes[i], boxes[j]
                if not overlap(a, b):
                    continue
                dy = (min(a.y1, b.y1) - max(a.y0, b.y0)) / 2 + 1.5
                up, down = (i, j) if (a.y0 + a.y1) >= (b.y0 + b.y1) else (j, i)
                shift(up, dy)
                shift(down, -dy)
                boxes[up] = texts[up].get_window_extent(renderer)
                boxes[down] = texts[down].get_window_extent(renderer)
                moved = True
            for k, obs in enumerate(obstacles):
                if k == i or not overlap(boxes[i], obs):
                    continue
                a = boxes[i]
                if (a.y0 + a.y1) / 2 >= (obs.y0 + obs.y1) / 2:
                    shift(i, obs.y1 - a.y0 + 1.5)
                else:
                    shift(i, obs.y0 - a.y1 - 1.5)
                boxes[i] = texts[i].get_window_extent(renderer)
                moved = True
        if not moved:
            break
    for t, y0 in zip(texts, start, strict=True):
        if abs(t.xyann[1] - y0) > 6:
            ax.annotate("", xy=t.xy, xytext=(t.xyann[0] - 1, t.xyann[1]),
                        textcoords="offset points",
                        arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6,
                                    "shrinkA": 0, "shrinkB": 4})


def nps_plot(result, *, label=None, ax=None, **kwargs):
    """Stacked bars of detractors, passives and promoters with the NPS and its margin.

    Parameters
    ----------
    result : pandas.DataFrame
        One row per group, as from :func:`journeylib.nps`: ``share_detractors``,
        ``share_passives``, ``share_promoters`` (fractions or percentages),
        ``nps`` and optionally ``ci_low``/``ci_high`` (the margin shown is half
        their distance) and ``n``.
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
    >>> ax = jl.nps_plot(res)
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
        margin = (result["ci_high"] - result["ci_low"]).to_numpy(dtype="float64") / 2 * scale
    else:
        margin = np.full(len(result), np.nan)
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
    for yi, s, m, rows in zip(y, nps * scale, margin,
                              result["n"] if "n" in result.columns else [None] * k, strict=True):
        txt = f"NPS {_fmt(s, 0)}" + (f" \u00b1 {m:.1f}" if np.isfinite(m) else "")
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


# --- slide -------------------------------------------------------------------------------------------


def journey_card(data, journey, *, lanes=None, figsize=(10, 4.6), title=None):
    """A slide for one journey: its emotion curve and a small table of the key numbers.

    Unlike the other functions this one makes its own figure and returns the
    :class:`~matplotlib.figure.Figure` (not an Axes).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data.  Never modified.
    journey : scalar
        The journey id; an unknown id raises a ``ValueError`` naming the nearest ids.
    lanes : str or list of str, optional
        Swimlanes for the curve (``"channel"``, ``"actor"``).
    figsize : tuple
        Width and height in inches.
    title : str, optional
        Defaults to "Journey <id>".

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the curve, axes 1 the table (touchpoint mean, peak-end,
        journey rating, gap, all on valence).

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> df = pd.DataFrame({"journey_id": 7, "step": [1, 2, 3],
    ...                    "touchpoint": ["web shop", "email", "phone"],
    ...                    "score": [2, 1, -2], "score_scale": "smiley5",
    ...                    "rating": -1, "rating_scale": "smiley5"})
    >>> fig = jl.journey_card(df, 7)
    >>> fig.axes[0].get_title(loc="left")
    'Journey 7'
    """
    _need(data, ["journey_id"], "journey_card")
    sel = _select_journey(data, journey)
    fig = plt.figure(figsize=figsize)
    gs = fig.add_gridspec(1, 2, width_ratios=[3.3, 1], left=0.1, right=0.98, bottom=0.22,
                          top=0.86, wspace=0.12)
    ax = fig.add_subplot(gs[0])
    emotion_curve(sel, lanes=lanes, ax=ax)
    ax.set_title(title or f"Journey {_py(sel['journey_id'].iloc[0])}", loc="left", pad=22,
                 fontweight="bold")
    tab = fig.add_subplot(gs[1])
    tab.axis("off")
    summ = _summary(sel).iloc[0]
    rows = [("touchpoint mean", summ.get("mean", np.nan)),
            ("peak-end", summ.get("peak_end", np.nan)),
            ("journey rating", summ.get("rating", np.nan)),
            ("gap to mean", summ.get("rating", np.nan) - summ.get("mean", np.nan))]
    if "gap_peak_end" in summ.index:
        rows.append(("gap to peak-end", summ["gap_peak_end"]))
    table = tab.table(cellText=[[k, _fmt(float(v)) if pd.notna(v) else "n/a"] for k, v in rows],
                      colLabels=["valence, \u22121..+1", ""], loc="center",
                      cellLoc="left", colWidths=[0.72, 0.34], edges="horizontal")
    table.auto_set_font_size(False)
    table.set_fontsize(10)
    table.scale(1, 1.7)
    for (r, c), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if c == 1:
            cell.set_text_props(ha="right", fontweight="bold")
            cell._loc = "right"
        if r == 0:
            cell.set_text_props(fontsize=8.5, color="#555555")
    moments = len(sel)
    tab.text(0.0, 0.12, f"{moments} moments; gap = journey\nrating minus the touchpoint rule",
             transform=tab.transAxes, fontsize=8, color="#555555", va="top")
    return fig
