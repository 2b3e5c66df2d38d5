"""Is the journey rating more strongly related to an outcome than the touchpoints are?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._stats_common import _column, _drop_missing
from ..metrics import as_summary
from .rules import _r2

__all__ = ["journey_vs_touchpoint"]


# --- journey versus touchpoint --------------------------------------------------------------------

def _ols_r2(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(_r2(y, A @ coef)), coef


def journey_vs_touchpoint(data, *, outcome="recommend"):
    """Is the journey rating more strongly related to an outcome than the touchpoints are?

    Rawson, Duncan and Jones (HBR 2013) report journey satisfaction "30-40%
    more strongly correlated" with outcomes than touchpoint satisfaction,
    without saying which ratio they took; this reports three.  "Journey" is
    the journey rating, "touchpoint" the mean touchpoint valence.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    outcome : str
        A summary column other than the rating, such as ``"recommend"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``journey``, ``touchpoint``, ``value``,
        ``percent_more``, ``n``, ``outcome``; rows:

        - ``"r"``: correlations with the outcome, value their ratio;
        - ``"r2"``: squared correlations, value their ratio;
        - ``"beta"``: standardised weights in one regression of the outcome
          on both, value their ratio;
        - ``"incremental_r2_peak_end"``: ``journey`` the R2 of rating ~ mean
          + peak_end, ``touchpoint`` that of rating ~ mean, value the
          increase (what the peak-end rule adds to the plain mean).

        ``percent_more`` is ``100 * (ratio - 1)`` for the ratio rows.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(500, rule="peak_end", seed=5)
    >>> res = journey_vs_touchpoint(df)
    >>> res["quantity"].tolist()
    ['r', 'r2', 'beta', 'incremental_r2_peak_end']
    >>> bool(res.loc[0, "value"] > 1)
    True
    """
    if outcome == "rating":
        raise ValueError("The value for `outcome` must be an outcome other than the journey "
                         "rating (such as 'recommend'): the rating is the journey side.")
    s = as_summary(data)
    y = _column(s, outcome, "outcome")
    rating, mean, pe = (_column(s, c, "column") for c in ("rating", "mean", "peak_end"))
    (y, rating, mean, pe), _ = _drop_missing([y, rating, mean, pe], [outcome, "rating", "mean"],
                                             minimum=3, what="journey_vs_touchpoint")
    for name, a in ((outcome, y), ("rating", rating), ("mean", mean)):
        if np.ptp(a) == 0:
            raise ValueError(f"{name} is the same for every journey: correlations are undefined.")
    n = len(y)
    r_j = float(np.corrcoef(rating, y)[0, 1])
    r_t = float(np.corrcoef(mean, y)[0, 1])

    def z(a):
        return (a - a.mean()) / a.std()

    _, coef = _ols_r2(np.column_stack([z(rating), z(mean)]), z(y))
    r2_both, _ = _ols_r2(np.column_stack([mean, pe]), rating)
    r2_mean, _ = _ols_r2(mean[:, None], rating)
    rows = [("r", r_j, r_t), ("r2", r_j ** 2, r_t ** 2), ("beta", coef[1], coef[2])]
    out = [{"quantity": q, "journey": float(a), "touchpoint": float(b), "value": a / b,
            "percent_more": 100 * (a / b - 1), "n": n, "outcome": outcome} for q, a, b in rows]
    out.append({"quantity": "incremental_r2_peak_end", "journey": r2_both, "touchpoint": r2_mean,
                "value": r2_both - r2_mean, "percent_more": np.nan, "n": n, "outcome": "rating"})
    return pd.DataFrame(out)
