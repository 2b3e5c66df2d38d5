"""The curve shapes as a picture: :func:`shape_plot`, each cluster's mean curve with its band and n."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats as sps

from ..shapes import _curves, curve_shapes
from .theme import GREY, INK

__all__ = ["shape_plot", "BANDS"]

#: What the band around each mean curve shows.
BANDS: tuple[str, ...] = ("ci", "iqr")


def shape_plot(data, *, shapes=None, k=None, band="ci", confidence=0.95, grid=21, seed=None,
               ax=None, **kwargs):
    """Each shape cluster's mean emotion curve, on a common time axis, with a band and its n.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).
    shapes : pandas.DataFrame, optional
        The :func:`journeylib.curve_shapes` result for `data`, to draw the
        clusters already found; by default they are found here (`k`, `seed`).
    k : int, optional
        Passed to :func:`journeylib.curve_shapes` when `shapes` is not given.
    band : {"ci", "iqr"}
        ``"ci"``: the t interval of the mean curve at each position (at
        `confidence`); ``"iqr"``: the middle half of the journeys (25th to
        75th percentile), which shows how alike the cluster's journeys are.
    confidence : float
    grid : int
        Positions from 0 (first moment) to 1 (last) at which every journey
        is read, by linear interpolation between its moments.
    seed : int, optional
        Passed to :func:`journeylib.curve_shapes`.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to each ``ax.plot`` of a mean curve.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    One line per cluster, largest first, labelled "name (n = ...)" in the
    legend; the line's y-data are the cluster's mean valence at the grid
    positions.  Journeys of different lengths are stretched onto 0..1, so a
    drop at the last of 4 moments and at the last of 12 line up.

    Examples
    --------
    >>> import journeylib as jl
    >>> sim = jl.simulate_journeys(400, length=8, moment_noise=0.1,
    ...                            shapes={"late drop": 0.3}, seed=3)
    >>> shapes = jl.curve_shapes(sim, seed=3)
    >>> ax = jl.shape_plot(sim, shapes=shapes)
    >>> [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()]
    ['steady', 'late drop']
    """
    if band not in BANDS:
        raise ValueError(f"The value for `band` must be one of {BANDS}, but {band!r} was passed.")
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but "
                         f"{confidence!r} was passed.")
    if shapes is None:
        shapes = curve_shapes(data, k=k, seed=seed)
    x = np.linspace(0.0, 1.0, int(grid))
    curves = _curves(data, shapes, x)
    if ax is None:
        ax = plt.gca()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    labels = shapes["cluster"].to_numpy()
    order = (shapes.groupby("cluster")["shape"].agg(["first", "size"])
             .sort_values("size", ascending=False, kind="stable"))
    for i, (cluster, row) in enumerate(order.iterrows()):
        c = curves[labels == cluster]
        n = len(c)
        mean = c.mean(axis=0)
        if band == "ci":
            half = sps.t.ppf((1 + confidence) / 2, max(n - 1, 1)) * c.std(axis=0, ddof=1) \
                / np.sqrt(n) if n > 1 else np.full(len(x), np.nan)
            low, high = mean - half, mean + half
        else:
            low, high = np.percentile(c, [25, 75], axis=0)
        color = colors[i % len(colors)]
        kw = {"color": color, "linewidth": 2.2, "label": f"{row['first']} (n = {n:,})"} | kwargs
        ax.plot(x, mean, **kw)
        ax.fill_between(x, low, high, color=kw["color"], alpha=0.18, linewidth=0,
                        gid="journeylib-shape-band")
    ax.axhline(0, color=GREY, linewidth=0.8, zorder=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xticklabels(["first", "", "middle", "", "last"])
    ax.set_xlabel("position in the journey (moments stretched to 0..1)")
    ax.set_ylabel("valence (\u22121 worst .. +1 best)")
    what = f"{confidence:.0%} CI" if band == "ci" else "middle 50% of journeys"
    ax.legend(title=f"shape\n(band: {what})", loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize="small", title_fontsize="small", frameon=False, labelcolor=INK,
              alignment="left")
    return ax
