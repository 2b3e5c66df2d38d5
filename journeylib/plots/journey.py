"""One journey (or the mean of many) as a picture: :func:`emotion_curve` and :func:`journey_card`.

:func:`emotion_curve` picks the journey, computes valences and the touchpoint
mean, and hands the arrays to :func:`journeylib.plots.journey_map.draw_journey_map`;
:func:`journey_card` puts that curve next to a table of the key numbers on a slide.
"""

from __future__ import annotations

import difflib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats as sps

from ..checks import ensure_valid
from ..scales import add_valence
from ._common import _fmt, _mean_ci, _need, _summary
from .journey_map import draw_journey_map

__all__ = ["emotion_curve", "journey_card", "extra_moments"]

def emotion_curve(data, *, journey=None, by="step", lanes=None, wrap=None, face_size=None,
                  confidence=0.95, annotate=True, text=False, ax=None, **kwargs):
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
    text : bool or {"nl", "en"}, default False
        Overlay what the words say as a second line: the data's
        ``text_valence`` column when it has one, else
        :func:`journeylib.text_sentiment` of its ``text`` column (True reads
        Dutch; pass ``"en"`` for English).  For many journeys, the mean per
        step or touchpoint.
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
    (rating minus mean).  Moments without an order (``ordered`` False: survey
    items from :func:`journeylib.from_wide`) are drawn as faces without a
    line between them, and a band as bars.  For many journeys the curve is the mean per step or
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
    >>> from journeylib.plots.faces import find_faces
    >>> [f["sag"] < 0 for f in find_faces(ax)]  # smiles (mouth sags in the middle) where happy
    [True, True, False]
    >>> words = df.assign(text=["Overzichtelijk.", "Duidelijke mail.", "Lang in de wacht."])
    >>> ax = jl.emotion_curve(words, text=True, ax=plt.figure().gca())
    >>> line = [a for a in ax.lines if a.get_gid() == "journeylib-text"][0]
    >>> line.get_ydata().round(2).tolist()
    [0.5, 0.45, -0.3]
    """
    _need(data, ["journey_id", "step", "touchpoint", "score", "score_scale", "rating",
                 "rating_scale"], "emotion_curve")
    _choice("by", by, ("step", "touchpoint"))
    data = ensure_valid(data)  # the contract first: never draw numbers from broken data
    if ax is None:
        ax = plt.gca()
    if text is not False:
        _choice("text", text, (False, True, "nl", "en"))
        data = _with_text_valence(data, text)
    if journey is None and data["journey_id"].nunique() > 1:
        return _mean_curve(data, by=by, wrap=wrap, face_size=face_size, confidence=confidence,
                           annotate=annotate, ax=ax, text=text is not False, **kwargs)
    sel = data if journey is None else _select_journey(data, journey)
    if isinstance(lanes, str):
        lanes = [lanes]
    lanes = list(lanes or [])
    _need(sel, lanes, "emotion_curve(lanes=...)")
    d = add_valence(sel).sort_values("step", kind="stable")
    v = d["valence"].to_numpy(dtype="float64")
    summ = _summary(sel, metrics=["mean", "rating"]).iloc[0]  # one validation, one definition
    mean, rating = float(summ["mean"]), float(summ["rating"])
    extra = extra_moments(d)
    draw_journey_map(ax, v, d["touchpoint"].to_list(), mean=mean, rating=rating, extra=extra,
           lanes=[(name, d[name].to_list()) for name in lanes], wrap=wrap, face_size=face_size,
           annotate=annotate, connect=_ordered(d),
           text_line=d["text_valence"].to_numpy(dtype="float64") if text is not False else None,
           **kwargs)
    return ax


def _with_text_valence(data, text):
    """`data` with a ``text_valence`` column (its own, or scored from ``text``)."""
    if "text_valence" in data.columns:
        return data
    _need(data, ["text"], "emotion_curve(text=...)")
    from ..text import add_text_sentiment

    return add_text_sentiment(data, lang="nl" if text is True else text)


def _ordered(data):
    """Whether the moments have an order to draw a line along (all journeys ordered)."""
    return "ordered" not in data.columns or bool(data["ordered"].all())


def _mean_curve(data, *, by, wrap, face_size, confidence, annotate, ax, text=False, **kwargs):
    d = add_valence(data)
    g = d.groupby(by, sort=True, observed=True)
    stats = g["valence"].agg(["mean", "std", "count"])
    if by == "touchpoint":
        stats = stats.loc[g["step"].mean().sort_values(kind="stable").index]
    n = stats["count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        half = sps.t.ppf((1 + confidence) / 2, np.maximum(n - 1, 1)) * stats["std"] / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    summ = _summary(data, metrics=["mean", "rating"])
    mean = float(summ["mean"].mean())
    r_mean, r_low, r_high = _mean_ci(summ["rating"].dropna(), confidence)
    labels = [f"{s}" for s in stats.index]
    draw_journey_map(ax, stats["mean"].to_numpy(dtype="float64"), labels, mean=mean, rating=r_mean,
           extra=np.zeros(len(stats), dtype=bool), lanes=[], wrap=wrap, face_size=face_size,
           annotate=annotate,
           # a mean of valence lies in -1..+1: the intervals of a few journeys are cut there
           band=(np.maximum(stats["mean"] - half, -1.0), np.minimum(stats["mean"] + half, 1.0)),
           rating_ci=(max(r_low, -1.0), min(r_high, 1.0)), n_journeys=len(summ), connect=_ordered(data),
           text_line=g["text_valence"].mean().loc[stats.index].to_numpy() if text else None,
           **kwargs)
    if by == "step":
        ax.set_xlabel("step")
    return ax


def journey_card(data, journey, *, lanes=None, fig=None, figsize=(10, 4.6), title=None):
    """A slide for one journey: its emotion curve and a small table of the key numbers.

    A figure-level function (like seaborn's ``relplot``): it lays out two
    axes of its own, in `fig` or in a new figure, and returns the
    :class:`~matplotlib.figure.Figure` (not an Axes).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data.  Never modified.
    journey : scalar
        The journey id; an unknown id raises a ``ValueError`` naming the nearest ids.
    lanes : str or list of str, optional
        Swimlanes for the curve (``"channel"``, ``"actor"``).
    fig : matplotlib.figure.Figure or SubFigure, optional
        Draw into this (empty) figure, e.g. one panel of ``plt.figure().subfigures(1, 2)``;
        by default a new figure of size `figsize` is made.
    figsize : tuple
        Width and height in inches of the new figure (ignored when `fig` is given).
    title : str, optional
        Defaults to "Journey <id>".

    Returns
    -------
    matplotlib.figure.Figure
        `fig` when given, else the new figure.  Its first new axes holds the
        curve, the second the table (touchpoint mean, peak-end, journey
        rating, gap, all on valence).

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
    >>> import matplotlib.pyplot as plt
    >>> left, right = plt.figure(figsize=(16, 4.6)).subfigures(1, 2)
    >>> jl.journey_card(df, 7, fig=right, title="Same journey") is right
    True
    """
    _need(data, ["journey_id"], "journey_card")
    sel = _select_journey(data, journey)
    if fig is None:
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
            ("gap to mean", summ.get("gap", np.nan))]
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


def extra_moments(d):
    """Which moments are extra faces within a diary stop, drawn smaller by :func:`emotion_curve`.

    Parameters
    ----------
    d : pandas.DataFrame
        The rows of one journey in drawing order, optionally with a ``stop``
        column (diaries: the stop number each moment belongs to).

    Returns
    -------
    numpy.ndarray of bool
        One per row: True where ``stop`` is missing or repeats an earlier
        stop (the first moment of each stop is the main one); all False
        without a ``stop`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> extra_moments(pd.DataFrame({"stop": [1, 1, 2, None, 3]})).tolist()
    [False, True, False, True, False]
    >>> extra_moments(pd.DataFrame({"score": [1, 2]})).tolist()
    [False, False]
    """
    if "stop" not in d.columns:
        return np.zeros(len(d), dtype=bool)
    stop = d["stop"]
    return (stop.isna() | stop.duplicated(keep="first")).to_numpy(dtype=bool)


def _choice(name, value, options):
    if value not in options:
        raise ValueError(
            f"The value for `{name}` must be one of {tuple(options)!r}, but {value!r} was passed."
        )


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


def _py(v):
    return v.item() if isinstance(v, np.generic) else v
