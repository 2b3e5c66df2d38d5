"""Data-quality checks to run before any gap between touchpoints and the journey is reported.

A gap analysis assumes three things the data may quietly break: that the rating
is a judgement of its own (not computed from the touchpoint scores), that the
touchpoints and the rating measure related things, and that each journey is
counted once with a real date.  :func:`check_consistency` measures each and
says in words what looks wrong.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .checks import ensure_valid
from .metrics import journey_summary
from .scales import add_valence, from_valence

__all__ = ["check_consistency", "PLACEHOLDER_DATES"]

#: Dates that systems write when they have none (the Unix epoch, the spreadsheet epoch).
PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01")

_COLUMNS = ["check", "value", "threshold", "flagged", "message"]


def _row(check, value, threshold, flagged, message):
    return {"check": check, "value": float(value), "threshold": float(threshold),
            "flagged": bool(flagged), "message": message}


def _fmt(x, spec=".2f"):
    return "n/a" if not np.isfinite(x) else format(x, spec)


def check_consistency(data, *, unrelated=0.2, derived=0.9, min_overlap=20):
    """Data-quality report for journey data: is a gap analysis on it meaningful?

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (see :func:`journeylib.schema.validate`).  Never modified.
    unrelated : float, default 0.2
        A correlation below this counts as "unrelated".
    derived : float, default 0.9
        A share of journeys at or above this whose rating equals the rounded mean
        of their touchpoints counts as "derived".
    min_overlap : int, default 20
        Journeys two touchpoints must share before their correlation is used.

    Returns
    -------
    pandas.DataFrame
        One row per check, columns ``check``, ``value``, ``threshold`` (NaN
        where none applies), ``flagged`` and ``message`` (in words):

        ``journeys``
            number of journeys (context, never flagged).
        ``touchpoint_correlation``
            median Pearson r over pairs of touchpoints (on valence, pairwise
            complete, pairs sharing at least `min_overlap` journeys); flagged
            below `unrelated`: "touchpoints look unrelated to each other".
        ``rating_correlation``
            r between the rating and the mean of the journey's touchpoints;
            flagged below `unrelated`: "rating unrelated to touchpoints".
        ``rating_correlation[<touchpoint>]``
            one row per touchpoint (in journey order: by mean ``step``): its r with
            the rating; flagged below `unrelated`.
        ``derived_rating``
            share of journeys whose rating equals the mean of its touchpoints,
            mapped onto the rating's scale and rounded (halves to even); flagged
            at or above `derived`: "rating looks derived from the touchpoints".
        ``duplicates``
            number of journeys identical to an earlier one in every column but
            ``journey_id``; flagged above 0.  Without a free-text column two
            journeys with the same details and scores count as duplicates even
            when different people made them: include the text where there is one.
        ``placeholder_dates``
            number of journeys dated 1970-01-01 or 1900-01-01 (NaN without a
            ``timestamp`` column); flagged above 0.

    Notes
    -----
    Correlations use valence (-1..+1), so ratings on per-row scales (a 1-5 and
    a 1-10 overall in one file) are comparable.  The rating is compared with
    the journey's ``mean`` as :func:`journeylib.journey_summary` defines it
    (the mean of all scored moments, so a touchpoint met twice counts twice);
    in the per-touchpoint and pairwise correlations a repeated touchpoint
    enters with its mean.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 2, 2, 3, 3], "step": [1, 2] * 3,
    ...                    "touchpoint": ["web", "phone"] * 3, "score": [4, 2, 5, 5, 1, 2],
    ...                    "score_scale": "likert5", "rating": [3, 3, 5, 5, 2, 2],
    ...                    "rating_scale": "likert5"})
    >>> report = check_consistency(df, min_overlap=3)
    >>> report[["check", "value", "flagged"]]
                           check     value  flagged
    0                   journeys  3.000000    False
    1     touchpoint_correlation  0.693375    False
    2         rating_correlation  0.994192    False
    3    rating_correlation[web]  0.891042    False
    4  rating_correlation[phone]  0.944911    False
    5             derived_rating  1.000000     True
    6                 duplicates  0.000000    False
    7          placeholder_dates       NaN    False
    >>> print(report.loc[5, "message"])
    rating looks derived from the touchpoints: 100.0% of 3 journeys rate exactly the rounded mean of their touchpoints (threshold 90%)
    """
    df = add_valence(ensure_valid(data))
    # touchpoints in journey order: by mean step, ties by first appearance
    df = df.sort_values(["journey_id", "step"], kind="stable")
    first_seen = pd.unique(df["touchpoint"].to_numpy())
    mean_step = df.groupby("touchpoint", observed=True)["step"].mean().reindex(first_seen)
    order = mean_step.sort_values(kind="stable").index.to_numpy()
    wide = df.pivot_table(index="journey_id", columns="touchpoint", values="valence",
                          aggfunc="mean", observed=True, sort=True).reindex(columns=order)
    # the journey's touchpoint mean and rating (valence): journey_summary's definitions
    summ = journey_summary(df, metrics=["mean", "rating"]).set_index("journey_id")
    # the raw rating and its scale, to compare with the mean mapped onto that scale
    journeys = df.groupby("journey_id", sort=True).agg(
        rating=("rating", "first"), rating_scale=("rating_scale", "first"))
    summ = summ.reindex(journeys.index)
    wide = wide.reindex(journeys.index)
    rows = [_row("journeys", len(journeys), np.nan, False,
                 f"{len(journeys)} journeys, {len(df)} touchpoint moments, "
                 f"{len(order)} distinct touchpoints")]

    # touchpoints with each other
    corr = wide.corr(min_periods=min_overlap).to_numpy()
    pairs = corr[np.triu_indices(len(order), k=1)]
    pairs = pairs[np.isfinite(pairs)]
    med = float(np.median(pairs)) if len(pairs) else np.nan
    if not len(pairs):
        msg = f"no pair of touchpoints shares {min_overlap} journeys: correlation not computed"
    elif med < unrelated:
        msg = (f"touchpoints look unrelated to each other: median r = {med:.2f} over "
               f"{len(pairs)} pairs")
    else:
        msg = f"touchpoints move together: median r = {med:.2f} over {len(pairs)} pairs"
    rows.append(_row("touchpoint_correlation", med, unrelated, med < unrelated, msg))

    # touchpoints with the rating
    rv = summ["rating"]
    mean_v = summ["mean"]
    r_all = mean_v.corr(rv) if (mean_v.notna() & rv.notna()).sum() >= 3 else np.nan
    if not np.isfinite(r_all):
        msg = "too few journeys with both a rating and touchpoint scores to correlate them"
    elif r_all < unrelated:
        msg = f"rating unrelated to touchpoints: r = {r_all:.2f} with their mean"
    else:
        msg = f"rating follows the touchpoints: r = {r_all:.2f} with their mean"
    rows.append(_row("rating_correlation", r_all, unrelated, r_all < unrelated, msg))
    per_tp = wide.corrwith(rv)
    counts = wide.notna().mul(rv.notna(), axis=0).sum()
    per_tp[counts < min_overlap] = np.nan
    for tp in order:
        r = per_tp[tp]
        if not np.isfinite(r):
            msg = (f"{tp}: too few journeys ({int(counts[tp])}, fewer than {min_overlap}) "
                   "to correlate with the rating")
        elif r < unrelated:
            msg = f"{tp} looks unrelated to the rating: r = {r:.2f} over {int(counts[tp])} journeys"
        else:
            msg = f"{tp} goes with the rating: r = {r:.2f} over {int(counts[tp])} journeys"
        rows.append(_row(f"rating_correlation[{tp}]", r, unrelated, r < unrelated, msg))

    # a rating that is the rounded mean of the touchpoints
    usable = mean_v.notna() & journeys["rating"].notna()
    on_scale = from_valence(mean_v[usable].to_numpy(),
                            journeys.loc[usable, "rating_scale"].astype(str).to_numpy())
    same = np.round(np.round(on_scale, 9)) == journeys.loc[usable, "rating"].to_numpy()
    share = float(same.mean()) if usable.any() else np.nan
    what = (f"{_fmt(100 * share, '.1f')}% of {int(usable.sum())} journeys rate exactly the "
            f"rounded mean of their touchpoints (threshold {derived:.0%})")
    flag = share >= derived
    msg = ("rating looks derived from the touchpoints: " if flag else
           "rating looks like a judgement of its own: ") + what
    rows.append(_row("derived_rating", share, derived, flag, msg))

    # duplicate journeys: same rows (bar journey_id), step by step
    body = df.drop(columns=["journey_id", "valence", "rating_valence"])
    codes, _ = pd.factorize(pd.util.hash_pandas_object(body, index=False))
    sig = pd.DataFrame({"j": df["journey_id"].to_numpy(), "s": df["step"].to_numpy(), "c": codes})
    sig = sig.pivot_table(index="j", columns="s", values="c", aggfunc="first", fill_value=-1)
    n_dup = int(sig.duplicated().sum())
    msg = (f"{n_dup} journeys repeat an earlier journey in every column: likely duplicate "
           "submissions" if n_dup else "no journey repeats another")
    rows.append(_row("duplicates", n_dup, 0, n_dup > 0, msg))

    # placeholder dates
    if "timestamp" in df.columns:
        first = df.groupby("journey_id", sort=True)["timestamp"].first()
        n_ph = int(first.dt.normalize().isin(pd.to_datetime(list(PLACEHOLDER_DATES))).sum())
        msg = (f"{n_ph} journeys carry a placeholder date ({' or '.join(PLACEHOLDER_DATES)}): "
               "treat their dates as unknown" if n_ph else "no placeholder dates")
        rows.append(_row("placeholder_dates", n_ph, 0, n_ph > 0, msg))
    else:
        rows.append(_row("placeholder_dates", np.nan, 0, False, "no timestamp column"))
    return pd.DataFrame(rows, columns=_COLUMNS)
