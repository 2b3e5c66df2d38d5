"""The gap between the journey rating and its touchpoints: is it there, and how big?"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from .._stats_common import _boot_index, _check_confidence, _column, _drop_missing
from ..metrics import RULES, as_summary

__all__ = ["gap_test"]


# --- gap test -------------------------------------------------------------------------------------

def gap_test(data, *, rule="mean", confidence=0.95, n_boot=2000, threshold=0.0, seed=None):
    """Is the journey rated differently from what its touchpoints add up to?

    The gap of a journey is ``rating - rule`` on valence (with ``rule="mean"``
    the ``gap`` column of :func:`journeylib.journey_summary`).  Tested against
    zero with a paired t-test and a Wilcoxon signed-rank test.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    rule : str
        Which aggregate of the touchpoints to compare with (one of
        :data:`journeylib.metrics.RULES`).
    confidence : float
        Level of the confidence interval.
    n_boot : int
        Bootstrap resamples of journeys for the CI: a *percentile* bootstrap
        of the mean gap.
    threshold : float
        For the patterns: touchpoints count as positive when their mean
        valence is above `threshold`, the journey as negative when its rating
        is below ``-threshold`` (and the reverse).
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        One row: ``rule``, ``n``, ``gap`` (mean), ``ci_low``, ``ci_high``,
        ``t``, ``dof``, ``p_val`` (t-test), ``w``, ``p_val_wilcoxon``, ``d_z``
        (Cohen's d for paired data: mean gap / sd of gaps), and the shares of
        journeys in each pattern: ``share_paypal`` (touchpoints positive on
        average, journey rated negative), ``share_recovered`` (the reverse)
        and ``share_aligned`` (all others).  With a constant gap (zero
        variance) the tests are NaN and a warning says so.

    Raises
    ------
    ValueError
        With fewer than two journeys that have both a rating and the rule.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(300, rule="peak_end", seed=3)
    >>> res = gap_test(df, rule="mean", n_boot=500, seed=0)
    >>> list(res.columns[:5])
    ['rule', 'n', 'gap', 'ci_low', 'ci_high']
    >>> bool(res["ci_low"].iloc[0] < res["gap"].iloc[0] < res["ci_high"].iloc[0])
    True
    """
    if rule not in RULES:
        raise ValueError(f"The value for `rule` must be one of {RULES}, but {rule!r} was passed.")
    lo_q, hi_q = _check_confidence(confidence)
    s = as_summary(data)
    rating = _column(s, "rating", "column")
    value = _column(s, rule, "rule")
    mean = _column(s, "mean", "column") if "mean" in s.columns else value
    (rating, value, mean), _ = _drop_missing([rating, value, mean], ["rating", rule],
                                             minimum=2, what="gap_test")
    gap = rating - value
    n = len(gap)
    m = float(gap.mean())
    sd = float(gap.std(ddof=1))
    rng = np.random.default_rng(seed)
    boots = np.concatenate([gap[idx].mean(axis=1) for idx in _boot_index(rng, n, n_boot)])
    ci_low, ci_high = np.percentile(boots, [lo_q, hi_q])
    if sd == 0:
        warnings.warn("The gap is the same for every journey (zero variance): t-test, Wilcoxon "
                      "and d_z are undefined and reported as NaN.", UserWarning, stacklevel=2)
        t = p = w = p_w = d_z = np.nan
    else:
        tt = st.ttest_1samp(gap, 0.0)
        t, p = float(tt.statistic), float(tt.pvalue)
        d_z = m / sd
        if np.any(gap != 0):
            wt = st.wilcoxon(gap)
            w, p_w = float(wt.statistic), float(wt.pvalue)
        else:
            w = p_w = np.nan
    paypal = (mean > threshold) & (rating < -threshold)
    recovered = (mean < -threshold) & (rating > threshold)
    return pd.DataFrame({
        "rule": [rule], "n": [n], "gap": [m], "ci_low": [float(ci_low)], "ci_high": [float(ci_high)],
        "t": [t], "dof": [n - 1], "p_val": [p], "w": [w], "p_val_wilcoxon": [p_w], "d_z": [d_z],
        "share_paypal": [paypal.mean()], "share_recovered": [recovered.mean()],
        "share_aligned": [1.0 - paypal.mean() - recovered.mean()],
    })
