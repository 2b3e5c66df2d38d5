"""Is the journey rating more strongly related to an outcome than the touchpoints are?"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._stats_common import _check_confidence, _column, _drop_missing
from ..metrics import as_summary
from .rules import _r2

__all__ = ["journey_vs_touchpoint"]


# --- journey versus touchpoint --------------------------------------------------------------------

def _ols_r2(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(_r2(y, A @ coef)), coef


def _quantities(y, rating, mean, pe):
    """(journey, touchpoint) pairs for r, r2, beta and the incremental R2 of peak-end."""
    r_j = float(np.corrcoef(rating, y)[0, 1])
    r_t = float(np.corrcoef(mean, y)[0, 1])

    def z(a):
        return (a - a.mean()) / a.std()

    _, coef = _ols_r2(np.column_stack([z(rating), z(mean)]), z(y))
    r2_both, _ = _ols_r2(np.column_stack([mean, pe]), rating)
    r2_mean, _ = _ols_r2(mean[:, None], rating)
    return [("r", r_j, r_t), ("r2", r_j ** 2, r_t ** 2), ("beta", coef[1], coef[2]),
            ("incremental_r2_peak_end", r2_both, r2_mean)]


def journey_vs_touchpoint(data, *, outcome="recommend", n_boot=1000, confidence=0.95, seed=None):
    """Is the journey rating more strongly related to an outcome than the touchpoints are?

    Rawson, Duncan and Jones (HBR 2013) report journey satisfaction "30-40%
    more strongly correlated" with outcomes than touchpoint satisfaction,
    without saying which ratio they took; this reports three, each with a
    bootstrap interval.

    "Journey" is the journey rating, "touchpoint" the mean touchpoint
    valence.  The two are strongly correlated (that is the point of a
    journey rating), so the ratio of their standardised weights in one
    regression is unstable: when the touchpoint weight's interval holds 0 the
    ratio can take any size and sign from one data set to the next, and a
    warning says so.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    outcome : str
        A summary column other than the rating, such as ``"recommend"``.
    n_boot : int
        Bootstrap resamples of journeys for the intervals (0: NaN).
    confidence : float
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``journey``, ``touchpoint``, ``value``,
        ``ci_low``, ``ci_high`` (percentile bootstrap of ``value``),
        ``touchpoint_ci_low``, ``touchpoint_ci_high`` (of the touchpoint
        side, the ratio's denominator), ``percent_more``, ``n``, ``outcome``;
        rows:

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
    >>> res = journey_vs_touchpoint(df, n_boot=200, seed=1)
    >>> res["quantity"].tolist()
    ['r', 'r2', 'beta', 'incremental_r2_peak_end']
    >>> bool(res.loc[0, "ci_low"] > 1)  # the journey rating goes with recommend more strongly
    True
    """
    if outcome == "rating":
        raise ValueError("The value for `outcome` must be an outcome other than the journey "
                         "rating (such as 'recommend'): the rating is the journey side.")
    lo_q, hi_q = _check_confidence(confidence)
    s = as_summary(data)
    y = _column(s, outcome, "outcome")
    rating, mean, pe = (_column(s, c, "column") for c in ("rating", "mean", "peak_end"))
    (y, rating, mean, pe), _ = _drop_missing([y, rating, mean, pe], [outcome, "rating", "mean"],
                                             minimum=3, what="journey_vs_touchpoint")
    for name, a in ((outcome, y), ("rating", rating), ("mean", mean)):
        if np.ptp(a) == 0:
            raise ValueError(f"{name} is the same for every journey: correlations are undefined.")
    n = len(y)
    point = _quantities(y, rating, mean, pe)
    boot = np.full((n_boot, len(point), 2), np.nan)
    rng = np.random.default_rng(seed)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a degenerate resample: NaN, skipped
        for b in range(n_boot):
            idx = rng.integers(0, n, n)
            try:
                boot[b] = [(j, t) for _, j, t in _quantities(y[idx], rating[idx], mean[idx],
                                                             pe[idx])]
            except np.linalg.LinAlgError:
                continue
    out = []
    for i, (q, a, b) in enumerate(point):
        ratio = q != "incremental_r2_peak_end"
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = boot[:, i, 0] / boot[:, i, 1] if ratio else boot[:, i, 0] - boot[:, i, 1]
        ok = np.isfinite(vals)
        lo, hi = np.percentile(vals[ok], [lo_q, hi_q]) if ok.any() else (np.nan, np.nan)
        den = boot[:, i, 1][np.isfinite(boot[:, i, 1])]
        d_lo, d_hi = np.percentile(den, [lo_q, hi_q]) if len(den) else (np.nan, np.nan)
        value = a / b if ratio else a - b
        if q == "beta" and d_lo <= 0 <= d_hi:
            warnings.warn(f"The touchpoint weight's {confidence:.0%} interval ({d_lo:.2f} to "
                          f"{d_hi:.2f}) holds 0: the rating and the touchpoint mean are too "
                          "collinear here for the beta ratio to mean anything (it can take any "
                          "size and sign); read the correlation rows instead.", UserWarning,
                          stacklevel=2)
        out.append({"quantity": q, "journey": float(a), "touchpoint": float(b), "value": value,
                    "ci_low": float(lo), "ci_high": float(hi), "touchpoint_ci_low": float(d_lo),
                    "touchpoint_ci_high": float(d_hi),
                    "percent_more": 100 * (value - 1) if ratio else np.nan, "n": n,
                    "outcome": outcome if ratio else "rating"})
    return pd.DataFrame(out)
